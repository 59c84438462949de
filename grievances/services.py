"""Every write of the grievances service: one use case per function, one transaction each.

Status changes are steps of `grievances.workflow.WORKFLOW` (core.workflow): a step checks the
status, the actor's role and separation of duties, keeps the SLA clock, writes the append-only
status row and its audit event, and tells the people concerned, all in the caller's
transaction on the locked grievance. The rules that are the grievance's own (filing deadlines,
the committee, the assignee's entity) are checked here before the step.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.dates import format_gregorian, format_hijri
from core.drafts import take_over_draft
from core.hr_admin import hr_entity_id
from core.notifications import notify
from core.uploads import CheckedUpload, files_removed_on_rollback, store_privately
from core.workflow import Role, WorkflowError, next_reference

from .models import (
    Category,
    CommitteeRecommendation,
    Grievance,
    GrievanceAttachment,
    GrievanceMessage,
    Outcome,
    Status,
)
from .workflow import WORKFLOW, notify_specialist

# One error type for every refused step (core.workflow); the name stays for callers.
GrievanceError = WorkflowError
REFERENCE_PREFIX = "G"


@dataclass(frozen=True)
class GrievanceInput:
    category: str
    decision_number: str
    decision_date: dt.date
    learned_on: dt.date
    text: str
    remedy: str
    action_id: int | None = None


# --- deadlines and numbers -----------------------------------------------------------------


def filing_days(category: str) -> int:
    days = settings.GRIEVANCE_FILING_DAYS
    return int(days.get(category, days["default"]))


# After the entity's response, the employee may take the case to the Board of Grievances
# (the administrative courts) within 60 days of being told of it.
APPEAL_DAYS = 60


def appeal_deadline(grievance) -> dt.date | None:
    """The last day to take a decided grievance to the Board of Grievances, or None."""
    if grievance.decided_at is None:
        return None
    return timezone.localdate(grievance.decided_at) + dt.timedelta(days=APPEAL_DAYS)


def filing_deadline(*, category: str, learned_on: dt.date) -> dt.date:
    """The last day a grievance of this category may be filed (inclusive)."""
    return learned_on + dt.timedelta(days=filing_days(category))


def check_filing_deadline(*, category: str, learned_on: dt.date, today: dt.date) -> None:
    deadline = filing_deadline(category=category, learned_on=learned_on)
    if today > deadline:
        raise GrievanceError(
            _(
                "The deadline for a grievance of this kind is %(days)s days from the date you "
                "learned of the decision. It ended on %(hijri)s (%(gregorian)s)."
            )
            % {
                "days": filing_days(category),
                "hijri": format_hijri(deadline),
                "gregorian": format_gregorian(deadline),
            },
            field="learned_on",
            code="late",
        )


def next_grievance_number(*, on: dt.date) -> str:
    """G-<Hijri year>-<sequence>, unique under concurrency (core.workflow.next_reference)."""
    return next_reference(prefix=REFERENCE_PREFIX, on=on)


def _locked(grievance_id: int) -> Grievance:
    # Lock only the grievance row: the account is an outer join PostgreSQL will not lock.
    return (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("employee__user", "assigned_to")
        .get(pk=grievance_id)
    )


def _check_hr_scope(actor, grievance: Grievance) -> None:
    if hr_entity_id(actor) != grievance.entity_id:
        raise Grievance.DoesNotExist  # another entity's grievance does not exist for them
    WORKFLOW.check_actor(grievance, actor=actor, role=Role.HR)


# --- the employee's side -------------------------------------------------------------------


def submit_grievance(
    *,
    employee,
    data: GrievanceInput,
    attachments: list[CheckedUpload],
    submission_token: uuid.UUID,
    request=None,
    draft=None,
) -> tuple[Grievance, bool]:
    """File a grievance and text its number to the employee.

    Returns (grievance, created): the same form token submitted twice (a double click, a
    refresh, back and resubmit) returns the first grievance instead of filing another.
    Filed from a draft (core.drafts), the grievance takes over the files the draft holds and
    the draft goes, in the same transaction.
    """
    existing = Grievance.objects.filter(
        employee=employee, submission_token=submission_token
    ).first()
    if existing is not None:
        return existing, False
    today = timezone.localdate()
    check_filing_deadline(category=data.category, learned_on=data.learned_on, today=today)
    if data.learned_on < data.decision_date:
        raise GrievanceError(
            _("You cannot have learned of a decision before it was made."), field="learned_on"
        )
    try:
        _file(employee, data, attachments, submission_token, today, request, draft)
    except IntegrityError:
        # The same token won a race in a parallel request: show that one.
        existing = Grievance.objects.filter(
            employee=employee, submission_token=submission_token
        ).first()
        if existing is None:
            raise
        return existing, False
    grievance = Grievance.objects.get(employee=employee, submission_token=submission_token)
    return grievance, True


def _file(employee, data, attachments, submission_token, today, request, draft) -> Grievance:
    with files_removed_on_rollback() as stored, transaction.atomic():
        now = timezone.now()
        grievance = Grievance.objects.create(
            number=next_grievance_number(on=today),
            employee=employee,
            entity_id=employee.entity_id,
            category=data.category,
            action_id=data.action_id,
            decision_number=data.decision_number,
            decision_date=data.decision_date,
            learned_on=data.learned_on,
            text=data.text,
            remedy=data.remedy,
            status=Status.SUBMITTED,
            submitted_at=now,
            due_at=now + dt.timedelta(days=settings.GRIEVANCE_ANSWER_DAYS),
            submission_token=submission_token,
        )
        _store_attachments(grievance, attachments, stored=stored)
        if draft is not None:
            take_over_draft(draft=draft, attachment_model=GrievanceAttachment, grievance=grievance)
        WORKFLOW.start(
            grievance,
            "submit",
            actor=employee.user,
            request=request,
            changes={"number": grievance.number, "category": grievance.category},
        )
    return grievance


def _store_attachments(
    grievance, attachments, *, message=None, stored: list[str], decision_letter=False
) -> None:
    for checked in attachments:
        name = store_privately(checked, folder=f"grievances/{grievance.pk}")
        stored.append(name)
        GrievanceAttachment.objects.create(
            grievance=grievance,
            message=message,
            storage_name=name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            decision_letter=decision_letter,
        )


def answer_more_information(
    *, grievance: Grievance, user, body: str, attachments: list[CheckedUpload], request=None
) -> None:
    """The employee's answer restarts the entity's clock."""
    with (
        files_removed_on_rollback() as stored,
        transaction.atomic(),
    ):
        locked = _locked(grievance.pk)
        if locked.employee.user_id != user.pk:
            raise Grievance.DoesNotExist
        if locked.status != Status.MORE_INFO_REQUESTED:
            raise GrievanceError(
                _("This grievance is not waiting for information from you."),
                status=409,
                code="not_waiting",
            )
        message = GrievanceMessage.objects.create(
            grievance=locked, author=user, from_hr=False, body=body
        )
        _store_attachments(locked, attachments, message=message, stored=stored)
        WORKFLOW.take(locked, "answer", actor=user, role=Role.SUBJECT, request=request)


def withdraw_grievance(*, grievance: Grievance, user, request=None) -> None:
    with transaction.atomic():
        locked = _locked(grievance.pk)
        if locked.employee.user_id != user.pk:
            raise Grievance.DoesNotExist
        if not locked.can_withdraw:
            raise GrievanceError(
                _("A grievance can be withdrawn only before the response is given."),
                status=409,
                code="bad_transition",
            )
        WORKFLOW.take(locked, "withdraw", actor=user, role=Role.SUBJECT, request=request)


# --- the HR side ---------------------------------------------------------------------------


def assign_grievance(*, grievance_id: int, specialist, actor, request=None) -> None:
    """Give the grievance to a specialist of its entity; the first assignment starts the
    follow-up (submitted -> under follow-up), a later one changes only the assignee."""
    with transaction.atomic():
        locked = _locked(grievance_id)
        _check_hr_scope(actor, locked)
        if hr_entity_id(specialist) != locked.entity_id:
            raise GrievanceError(
                _("Choose a specialist of this grievance's entity."),
                field="specialist",
                code="other_entity",
            )
        WORKFLOW.check_assignee(locked, specialist)
        if locked.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
            raise GrievanceError(
                _("Only a grievance that is submitted or under follow-up can be assigned."),
                status=409,
                code="bad_transition",
            )
        previous = locked.assigned_to_id
        locked.assigned_to = specialist
        changes = {"assigned_to": {"old": previous, "new": specialist.pk}}
        if locked.status == Status.SUBMITTED:
            WORKFLOW.take(
                locked, "assign", actor=actor, role=Role.HR, request=request, changes=changes
            )
        else:
            locked.save(update_fields=["assigned_to"])
            audit(
                action="grievance.reassign",
                actor=actor,
                subject=locked,
                entity_id=locked.entity_id,
                request=request,
                changes=changes,
            )
        if previous != specialist.pk:
            notify_specialist(locked, template="grievance_assigned_specialist")


@dataclass(frozen=True)
class BulkAssignment:
    assigned: list[str]  # grievance numbers
    refused: list[tuple[str, str]]  # (grievance number, the reason, translated)


def assign_grievances(*, grievance_ids, specialist, actor, request=None) -> BulkAssignment:
    """Give several grievances of the actor's entity to one specialist in one transaction.

    Each goes through `assign_grievance` (its checks, its status row, its audit event, its
    notice) inside a savepoint of its own, so a refused one -- about the specialist or the
    actor, already decided -- is reported with its reason and the others are still assigned.
    Ids of another entity's grievances are ignored: they do not exist for this specialist.
    The rows are locked up front in id order, so two bulk assignments cannot deadlock.
    """
    assigned, refused = [], []
    with transaction.atomic():
        rows = list(
            Grievance.objects.select_for_update(of=("self",))
            .filter(pk__in=list(grievance_ids), entity_id=hr_entity_id(actor))
            .order_by("pk")
            .values_list("pk", "number")
        )
        for pk, number in rows:
            try:
                assign_grievance(
                    grievance_id=pk, specialist=specialist, actor=actor, request=request
                )
            except WorkflowError as refusal:
                refused.append((number, str(refusal.message)))
            else:
                assigned.append(number)
    return BulkAssignment(assigned=assigned, refused=refused)


def request_more_information(*, grievance_id: int, question: str, actor, request=None) -> None:
    with transaction.atomic():
        locked = _locked(grievance_id)
        _check_hr_scope(actor, locked)
        WORKFLOW.check(locked, WORKFLOW.transition("ask"), actor=actor, role=Role.HR)
        GrievanceMessage.objects.create(grievance=locked, author=actor, from_hr=True, body=question)
        WORKFLOW.take(locked, "ask", actor=actor, role=Role.HR, request=request)


def record_committee_recommendation(
    *,
    grievance_id: int,
    members: tuple[str, str, str],
    recommendation: str,
    reasoning: str,
    met_on: dt.date,
    actor,
    request=None,
) -> None:
    with transaction.atomic():
        locked = _locked(grievance_id)
        _check_hr_scope(actor, locked)
        if not locked.needs_committee:
            raise GrievanceError(
                _("A committee recommendation is recorded only for performance evaluations."),
                code="no_committee",
            )
        if locked.status != Status.UNDER_REVIEW:
            raise GrievanceError(
                _("The committee's recommendation is recorded while under follow-up."),
                status=409,
                code="bad_transition",
            )
        if CommitteeRecommendation.objects.filter(grievance=locked).exists():
            raise GrievanceError(
                _("The committee's recommendation is already recorded."),
                status=409,
                code="already_recorded",
            )
        if len({name.strip() for name in members}) != 3:
            raise GrievanceError(
                _("The committee has three different members."), code="committee_members"
            )
        CommitteeRecommendation.objects.create(
            grievance=locked,
            chair=members[0].strip(),
            member_2=members[1].strip(),
            member_3=members[2].strip(),
            recommendation=recommendation,
            reasoning=reasoning,
            met_on=met_on,
            recorded_by=actor,
        )
        audit(
            action="grievance.committee_recommendation",
            actor=actor,
            subject=locked,
            entity_id=locked.entity_id,
            request=request,
            changes={"recommendation": recommendation},
        )


def decide_grievance(
    *,
    grievance_id: int,
    outcome: str,
    reasoning: str,
    actor,
    letter: CheckedUpload | None = None,
    request=None,
) -> None:
    """Record the result and its reasons, with the entity's official reply letter if given
    (stored with the decision, removed again if the decision is refused)."""
    with files_removed_on_rollback() as stored, transaction.atomic():
        locked = _locked(grievance_id)
        _check_hr_scope(actor, locked)
        WORKFLOW.check(locked, WORKFLOW.transition("decide"), actor=actor, role=Role.HR)
        if locked.needs_committee and not hasattr(locked, "committee"):
            raise GrievanceError(
                _("Record the committee's recommendation before deciding this grievance."),
                status=409,
                code="committee_first",
            )
        if outcome not in Outcome.values or not reasoning.strip():
            raise GrievanceError(_("Give the result and its reasons."), code="result_required")
        locked.outcome = outcome
        locked.reasoning = reasoning.strip()
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        changes = {"outcome": outcome}
        if letter is not None:
            _store_attachments(locked, [letter], stored=stored, decision_letter=True)
            changes["letter"] = letter.original_name
        WORKFLOW.take(locked, "decide", actor=actor, role=Role.HR, request=request, changes=changes)


def close_grievance(*, grievance_id: int, actor, request=None) -> None:
    with transaction.atomic():
        locked = _locked(grievance_id)
        _check_hr_scope(actor, locked)
        WORKFLOW.take(locked, "close", actor=actor, role=Role.HR, request=request)


# --- the daily check -----------------------------------------------------------------------


def flag_overdue_grievances(*, now: dt.datetime | None = None) -> int:
    """Mark grievances past their answer date once, and tell each entity's HR lead how many
    were newly flagged. Safe to run twice: a flagged grievance is not flagged again."""
    from accounts.models import HRProfile

    now = now or timezone.now()
    flagged = 0
    entity_ids = (
        Grievance.objects.overdue(now=now)
        .filter(overdue_flagged_at__isnull=True)
        .values_list("entity_id", flat=True)
        .distinct()
    )
    for entity_id in list(entity_ids):

        def run(entity_id=entity_id):
            with transaction.atomic():
                rows = list(
                    Grievance.objects.overdue(now=now)
                    .select_for_update(skip_locked=True)
                    .filter(entity_id=entity_id, overdue_flagged_at__isnull=True)
                    .values_list("pk", "number")
                )
                if not rows:
                    return 0
                Grievance.objects.filter(pk__in=[pk for pk, _n in rows]).update(
                    overdue_flagged_at=now
                )
                audit(
                    action="grievance.flagged_overdue",
                    entity_id=entity_id,
                    changes={"numbers": [number for _pk, number in rows]},
                )
                leads = HRProfile.objects.filter(
                    entity_id=entity_id, is_lead=True, user__is_active=True
                ).select_related("user")
                for lead in leads:
                    notify(
                        user=lead.user,
                        kind="grievance_overdue_lead",
                        context={"count": len(rows), "site": settings.SITE_URL},
                    )
                return len(rows)

        flagged += run()
    return flagged


__all__ = [
    "Category",
    "GrievanceError",
    "GrievanceInput",
    "answer_more_information",
    "assign_grievance",
    "check_filing_deadline",
    "close_grievance",
    "decide_grievance",
    "flag_overdue_grievances",
    "next_grievance_number",
    "record_committee_recommendation",
    "request_more_information",
    "submit_grievance",
    "withdraw_grievance",
]
