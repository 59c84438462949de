"""The role changes waiting for a second administrator, on the ministry admin's home
(core.work_queues, site "admin")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.work_queues import WorkQueue, register_queue

from .models import RoleChangeRequest


def waiting_for_approval(user, entity_id):
    return (
        RoleChangeRequest.objects.filter(status=RoleChangeRequest.Status.PENDING)
        .select_related("user__employee")
        .order_by("requested_at", "id")
    )


def register() -> None:
    register_queue(
        WorkQueue(
            key="accounts.role_changes_waiting",
            title=_("Role change requests waiting for approval"),
            rows=waiting_for_approval,
            due_field=None,
            url_of=lambda change: reverse(
                "admin:accounts_rolechangerequest_change", args=[change.pk]
            ),
            list_url=lambda: (
                reverse("admin:accounts_rolechangerequest_changelist") + "?status__exact=pending"
            ),
            site="admin",
            permission="accounts.view_rolechangerequest",
        )
    )
