"""The grievance workflow as data: each step, who may take it, what it does to the clock and
whom it tells. services.py takes the steps (on a locked grievance); the rules that are the
grievance's own (filing deadlines, the committee, the assignee's entity) stay there."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.workflow import Role, Transition, Workflow

from .models import Grievance, GrievanceStatus, Status

logger = logging.getLogger(__name__)

S = Status
SUBJECT, HR = frozenset({Role.SUBJECT}), frozenset({Role.HR})
OPEN = (S.SUBMITTED, S.UNDER_REVIEW, S.MORE_INFO_REQUESTED)


# --- notices: outbox rows (core.notifications) in the caller's transaction -----------------


def notify_employee(grievance: Grievance, *, template: str) -> None:
    """An outbox row inside the caller's transaction: texted only if that commits, and
    listed in the employee's inbox with a link to the grievance."""
    user = grievance.employee.user
    if user is None:
        return
    language = user.preferred_language or "ar"
    with translation.override(language):
        status_label = str(grievance.get_status_display())
    notify(
        user=user,
        kind=template,
        context={
            "number": grievance.number,
            "status": status_label,
            "site": settings.SITE_URL,
            "url": reverse("grievances:detail", args=[grievance.number]),
        },
        language=language,
    )


def notify_specialist(grievance: Grievance, *, template: str) -> None:
    """Tell the assigned specialist, in their language, inside the caller's transaction."""
    specialist = grievance.assigned_to
    if specialist is None:
        return
    notify(
        user=specialist,
        kind=template,
        context={"number": grievance.number, "site": settings.SITE_URL},
    )


def tell_employee(template: str):
    def effect(grievance, step):
        notify_employee(grievance, template=template)

    effect.__name__ = f"tell_employee_{template}"
    return effect


def tell_specialist(template: str):
    def effect(grievance, step):
        notify_specialist(grievance, template=template)

    effect.__name__ = f"tell_specialist_{template}"
    return effect


# --- the steps ------------------------------------------------------------------------------

WORKFLOW = Workflow(
    statuses=Status,
    history=GrievanceStatus,
    subject_field="grievance",
    audit_prefix="grievance",
    people=lambda grievance: grievance.employee.account_ids(),
    entity_of=lambda grievance: grievance.entity_id,
    transitions=[
        Transition(
            "submit",
            (),
            S.SUBMITTED,
            SUBJECT,
            label=_("File the grievance"),
            effects=(tell_employee("grievance_submitted"),),
        ),
        # The first assignment starts the follow-up; a later one moves no status (services).
        Transition(
            "assign",
            (S.SUBMITTED,),
            S.UNDER_REVIEW,
            HR,
            label=_("Assign to a specialist"),
            effects=(tell_employee("grievance_status"),),
        ),
        Transition(
            "ask",
            (S.UNDER_REVIEW,),
            S.MORE_INFO_REQUESTED,
            HR,
            label=_("Ask the employee for more information"),
            clock="pause",  # the entity's clock stops while the employee answers
            effects=(tell_employee("grievance_more_info"),),
        ),
        Transition(
            "answer",
            (S.MORE_INFO_REQUESTED,),
            S.UNDER_REVIEW,
            SUBJECT,
            label=_("Answer"),
            clock="resume",
            effects=(
                tell_employee("grievance_status"),
                tell_specialist("grievance_answered_specialist"),
            ),
        ),
        Transition(
            "decide",
            (S.UNDER_REVIEW,),
            S.DECIDED,
            HR,
            label=_("Decide the grievance"),
            effects=(tell_employee("grievance_decided"),),
        ),
        Transition(
            "close",
            (S.DECIDED,),
            S.CLOSED,
            HR,
            label=_("Close the grievance"),
            effects=(tell_employee("grievance_status"),),
        ),
        Transition(
            "withdraw",
            OPEN,
            S.WITHDRAWN,
            SUBJECT,
            label=_("Withdraw"),
            clock="resume",  # a withdrawn grievance is not waiting for anyone
            effects=(tell_employee("grievance_status"),),
        ),
    ],
)

# The table the workflow implies: status -> the statuses it may become.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    status: WORKFLOW.allowed_targets(status) for status in Status.values
}
