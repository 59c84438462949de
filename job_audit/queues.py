"""The job-audit queue on the ministry admin's home (core.work_queues, site "admin")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.work_queues import WorkQueue, register_queue

from .models import RequestStatus, VariableRequest


def waiting_for_the_ministry(user, entity_id):
    return VariableRequest.objects.filter(
        status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT]
    ).order_by("due_at", "id")


def register() -> None:
    register_queue(
        WorkQueue(
            key="job_audit.waiting_for_the_ministry",
            title=_("Job variables requests waiting for the ministry"),
            rows=waiting_for_the_ministry,
            due_field="due_at",
            url_of=lambda request: reverse(
                "admin:job_audit_variablerequest_change", args=[request.pk]
            ),
            list_url=lambda: reverse("admin:job_audit_variablerequest_changelist"),
            site="admin",
            permission="job_audit.view_variablerequest",
        )
    )
