"""The job variables waiting on someone, on the console homes (core.work_queues): the entity's
requests to submit on the HR home, and the requests waiting for the ministry on the ministry
admin's home."""

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.catalogue import decide
from core.work_queues import WorkQueue, register_queue

from .models import EDITABLE_REQUEST_STATUSES, RequestStatus, VariableRequest


def to_submit(user, entity_id):
    """Requests the ministry returned for changes, by the date the changes are due (the
    entity's side of the SLA), then drafts never submitted, oldest first."""
    return VariableRequest.objects.filter(
        entity_id=entity_id, status__in=EDITABLE_REQUEST_STATUSES
    ).order_by(F("changes_due_at").asc(nulls_last=True), "created_at", "id")


def granted(user) -> bool:
    # The console's job-audit pages are open only to the specialists holding the grant.
    return decide(user, "job_audit").allowed


def waiting_for_the_ministry(user, entity_id):
    return VariableRequest.objects.filter(
        status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT]
    ).order_by("due_at", "id")


def register() -> None:
    register_queue(
        WorkQueue(
            key="job_audit.to_submit",
            title=_("Job variables to submit: returned for changes, then drafts"),
            rows=to_submit,
            due_field="changes_due_at",
            url_of=lambda variable_request: reverse(
                "hr:job_audit_variablerequest_change", args=[variable_request.pk]
            ),
            list_url=lambda: reverse("hr:job_audit_variablerequest_changelist"),
            visible=granted,
        )
    )
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
