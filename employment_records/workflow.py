"""The correction-request workflow as data: each step, who may take it, what it does to the
SLA clock, and the notice that tells the employee. services.py takes the steps on a locked
request; what is the correction's own (which fields, applying the change) stays there."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.workflow import Role, Transition, Workflow

from .models import CorrectionEvent, CorrectionRequest, CorrectionStatus

S = CorrectionStatus
SUBJECT, HR = frozenset({Role.SUBJECT}), frozenset({Role.HR})
OPEN = (S.SUBMITTED, S.UNDER_REVIEW, S.MORE_INFO)
# Steps that end a request: it then names when and by whom (services sets both before).
DECIDING = ("approve", "reject", "withdraw")


def notify_employee(request: CorrectionRequest) -> None:
    """A notice on every status change (SMS and the inbox), in Arabic (the portal's default
    language): an outbox row in the caller's transaction."""
    user = request.employee.user
    if user is None:
        return
    notify(
        user=user,
        kind="correction_status",
        # The lazy label, so the SMS says the status in Arabic whatever the actor's language.
        context={
            "number": request.number,
            "status": CorrectionStatus(request.status).label,
            "url": reverse("employment_records:correction", args=[request.number]),
        },
        language="ar",
    )


def tell_employee(request, step) -> None:
    notify_employee(request)


WORKFLOW = Workflow(
    statuses=CorrectionStatus,
    history=CorrectionEvent,
    subject_field="request",
    audit_prefix="correction",
    people=lambda request: request.employee.account_ids(),
    entity_of=lambda request: request.employee.entity_id,
    transitions=[
        Transition("submit", (), S.SUBMITTED, SUBJECT, label=_("Submit"), effects=(tell_employee,)),
        Transition(
            "review",
            (S.SUBMITTED, S.MORE_INFO),
            S.UNDER_REVIEW,
            HR,
            label=_("Take under review"),
            clock="resume",
            effects=(tell_employee,),
        ),
        Transition(
            "ask",
            (S.SUBMITTED, S.UNDER_REVIEW),
            S.MORE_INFO,
            HR,
            label=_("Ask the employee for more information"),
            clock="pause",  # HR's clock stops while the employee answers
            effects=(tell_employee,),
        ),
        Transition(
            "answer",
            (S.MORE_INFO,),
            S.UNDER_REVIEW,
            SUBJECT,
            label=_("Answer"),
            clock="resume",
            effects=(tell_employee,),
        ),
        Transition(
            "approve",
            OPEN,
            S.APPROVED,
            HR,
            label=_("Approve and apply the change to the record"),
            clock="resume",
            effects=(tell_employee,),
        ),
        Transition(
            "reject",
            OPEN,
            S.REJECTED,
            HR,
            label=_("Reject"),
            clock="resume",
            effects=(tell_employee,),
        ),
        Transition(
            "withdraw",
            OPEN,
            S.WITHDRAWN,
            SUBJECT,
            label=_("Withdraw"),
            clock="resume",
            effects=(tell_employee,),
        ),
    ],
)
