"""Every write of the grievances service: one use case per function, one transaction each.

Status changes go through `record_status`, which checks `ALLOWED_TRANSITIONS`, locks nothing
itself (callers hold the grievance row lock), keeps the SLA clock and writes the append-only
status row. Every change is audited in the same transaction, and the employee hears of it by
SMS and in their notification inbox: an outbox row written in the same transaction
(`core.notifications.notify`), texted once it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.dates import format_gregorian, format_hijri, hijri_year
from core.hr_admin import hr_entity_id
from core.notifications import notify
from core.uploads import CheckedUpload, store_privately

from .models import (
    ALLOWED_TRANSITIONS,
    Category,
    CommitteeRecommendation,
    Grievance,
    GrievanceAttachment,
    GrievanceCounter,
    GrievanceMessage,
    GrievanceStatus,
    Outcome,
    Status,
)

logger = logging.getLogger(__name__)


class GrievanceError(Exception):
    """A refused use case; `message` is translated and shown to the person."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field  # the form field the message belongs beside, if any


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
        )


def next_grievance_number(*, on: dt.date) -> str:
    """G-<Hijri year>-<sequence>. The year's counter row stays locked until the caller's
    transaction ends, so concurrent submissions queue here and get distinct numbers."""
    year = hijri_year(on)
    GrievanceCounter.objects.get_or_create(hijri_year=year)
    counter = GrievanceCounter.objects.select_for_update().get(hijri_year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"G-{year}-{counter.last_value:06d}"


# --- status changes ------------------------------------------------------------------------


def check_transition(current: str, new: str) -> None:
    if new not in ALLOWED_TRANSITIONS[current]:
        raise GrievanceError(
            _("A grievance that is “%(current)s” cannot become “%(new)s”.")
            % {"current": Status(current).label, "new": Status(new).label}
        )


def record_status(grievance: Grievance, *, status: str, actor, note: str = "") -> GrievanceStatus:
    """Move a locked grievance to `status`: SLA clock, status row. The caller saves nothing
    else about the status and holds the row lock (`_locked`)."""
    check_transition(grievance.status, status)
    now = timezone.now()
    if status == Status.MORE_INFO_REQUESTED:
        grievance.paused_since = now  # the entity's clock stops while the employee answers
    elif grievance.paused_since is not None:
        grievance.due_at += now - grievance.paused_since
        grievance.paused_since = None
    row = GrievanceStatus.objects.create(
        grievance=grievance, status=status, previous=grievance.status, actor=actor, note=note
    )
    grievance.status = status
    grievance.save()
    return row


def _locked(grievance_id: int) -> Grievance:
    # Lock only the grievance row: the account is an outer join PostgreSQL will not lock.
    return (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("employee__user")
        .get(pk=grievance_id)
    )


def _notify_employee(grievance: Grievance, *, template: str) -> None:
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


def _notify_specialist(grievance: Grievance, *, template: str) -> None:
    """Tell the assigned specialist, in their language, inside the caller's transaction."""
    specialist = grievance.assigned_to
    if specialist is None:
        return
    notify(
        user=specialist,
        kind=template,
        context={"number": grievance.number, "site": settings.SITE_URL},
    )


def _change_status(
    locked: Grievance,
    *,
    status: str,
    actor,
    action: str,
    sms: str = "grievance_status",
    request=None,
    changes: dict | None = None,
) -> None:
    """What every step does: the status row, its audit event and the employee's SMS, all in
    the caller's transaction on the locked grievance."""
    record_status(locked, status=status, actor=actor)
    audit(
        action=action,
        actor=actor,
        subject=locked,
        entity_id=locked.entity_id,
        request=request,
        changes=changes,
    )
    _notify_employee(locked, template=sms)


def _committed(run):
    """Run a write. (Its notices are outbox rows: a broker outage no longer raises after the
    commit, so there is nothing left to catch here.)"""
    return run()


def _check_hr_scope(actor, grievance: Grievance) -> None:
    if hr_entity_id(actor) != grievance.entity_id:
        raise Grievance.DoesNotExist  # another entity's grievance does not exist for them


# --- the employee's side -------------------------------------------------------------------


def submit_grievance(
    *,
    employee,
    data: GrievanceInput,
    attachments: list[CheckedUpload],
    submission_token: uuid.UUID,
    request=None,
) -> tuple[Grievance, bool]:
    """File a grievance and text its number to the employee.

    Returns (grievance, created): the same form token submitted twice (a double click, a
    refresh, back and resubmit) returns the first grievance instead of filing another.
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
        grievance = _committed(
            lambda: _file(employee, data, attachments, submission_token, today, request)
        )
    except IntegrityError:
        # The same token won a race in a parallel request: show that one.
        existing = Grievance.objects.filter(
            employee=employee, submission_token=submission_token
        ).first()
        if existing is None:
            raise
        return existing, False
    if grievance is None:  # committed, SMS not queued
        grievance = Grievance.objects.get(employee=employee, submission_token=submission_token)
    return grievance, True


def _file(employee, data, attachments, submission_token, today, request) -> Grievance:
    with _files_removed_on_rollback() as stored, transaction.atomic():
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
        GrievanceStatus.objects.create(
            grievance=grievance, status=Status.SUBMITTED, actor=employee.user, at=now
        )
        _store_attachments(grievance, attachments, stored=stored)
        audit(
            action="grievance.submitted",
            actor=employee.user,
            subject=grievance,
            entity_id=grievance.entity_id,
            request=request,
            changes={"number": grievance.number, "category": grievance.category},
        )
        _notify_employee(grievance, template="grievance_submitted")
    return grievance


def _store_attachments(grievance, attachments, *, message=None, stored: list[str]) -> None:
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
        )


@contextmanager
def _files_removed_on_rollback():
    """Files are written before their rows commit: when the transaction fails (a raced
    token, a refused answer) remove them, so storage holds no file without a row."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def answer_more_information(
    *, grievance: Grievance, user, body: str, attachments: list[CheckedUpload], request=None
) -> None:
    """The employee's answer restarts the entity's clock."""

    def run():
        with _files_removed_on_rollback() as stored, transaction.atomic():
            locked = _locked(grievance.pk)
            if locked.employee.user_id != user.pk:
                raise Grievance.DoesNotExist
            if locked.status != Status.MORE_INFO_REQUESTED:
                raise GrievanceError(_("This grievance is not waiting for information from you."))
            message = GrievanceMessage.objects.create(
                grievance=locked, author=user, from_hr=False, body=body
            )
            _store_attachments(locked, attachments, message=message, stored=stored)
            _change_status(
                locked,
                status=Status.UNDER_REVIEW,
                actor=user,
                action="grievance.answered",
                request=request,
            )
            _notify_specialist(locked, template="grievance_answered_specialist")

    _committed(run)


def withdraw_grievance(*, grievance: Grievance, user, request=None) -> None:
    def run():
        with transaction.atomic():
            locked = _locked(grievance.pk)
            if locked.employee.user_id != user.pk:
                raise Grievance.DoesNotExist
            if not locked.can_withdraw:
                raise GrievanceError(
                    _("A grievance can be withdrawn only before the response is given.")
                )
            _change_status(
                locked,
                status=Status.WITHDRAWN,
                actor=user,
                action="grievance.withdrawn",
                request=request,
            )

    _committed(run)


# --- the HR side ---------------------------------------------------------------------------


def assign_grievance(*, grievance_id: int, specialist, actor, request=None) -> None:
    """Give the grievance to a specialist of its entity; the first assignment starts the
    follow-up (submitted -> under follow-up)."""

    def run():
        with transaction.atomic():
            locked = _locked(grievance_id)
            _check_hr_scope(actor, locked)
            if hr_entity_id(specialist) != locked.entity_id:
                raise GrievanceError(_("Choose a specialist of this grievance's entity."))
            if locked.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
                raise GrievanceError(
                    _("Only a grievance that is submitted or under follow-up can be assigned.")
                )
            previous = locked.assigned_to_id
            locked.assigned_to = specialist
            locked.save(update_fields=["assigned_to"])
            changed_status = locked.status == Status.SUBMITTED
            if changed_status:
                record_status(locked, status=Status.UNDER_REVIEW, actor=actor)
            audit(
                action="grievance.assigned",
                actor=actor,
                subject=locked,
                entity_id=locked.entity_id,
                request=request,
                changes={"assigned_to": {"old": previous, "new": specialist.pk}},
            )
            if changed_status:
                _notify_employee(locked, template="grievance_status")
            if previous != specialist.pk:
                _notify_specialist(locked, template="grievance_assigned_specialist")

    _committed(run)


def request_more_information(*, grievance_id: int, question: str, actor, request=None) -> None:
    def run():
        with transaction.atomic():
            locked = _locked(grievance_id)
            _check_hr_scope(actor, locked)
            check_transition(locked.status, Status.MORE_INFO_REQUESTED)
            GrievanceMessage.objects.create(
                grievance=locked, author=actor, from_hr=True, body=question
            )
            _change_status(
                locked,
                status=Status.MORE_INFO_REQUESTED,
                actor=actor,
                action="grievance.more_info_requested",
                sms="grievance_more_info",
                request=request,
            )

    _committed(run)


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
                _("A committee recommendation is recorded only for performance evaluations.")
            )
        if locked.status != Status.UNDER_REVIEW:
            raise GrievanceError(
                _("The committee's recommendation is recorded while under follow-up.")
            )
        if CommitteeRecommendation.objects.filter(grievance=locked).exists():
            raise GrievanceError(_("The committee's recommendation is already recorded."))
        if len({name.strip() for name in members}) != 3:
            raise GrievanceError(_("The committee has three different members."))
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
    *, grievance_id: int, outcome: str, reasoning: str, actor, request=None
) -> None:
    def run():
        with transaction.atomic():
            locked = _locked(grievance_id)
            _check_hr_scope(actor, locked)
            check_transition(locked.status, Status.DECIDED)
            if locked.needs_committee and not hasattr(locked, "committee"):
                raise GrievanceError(
                    _("Record the committee's recommendation before deciding this grievance.")
                )
            if outcome not in Outcome.values or not reasoning.strip():
                raise GrievanceError(_("Give the result and its reasons."))
            locked.outcome = outcome
            locked.reasoning = reasoning.strip()
            locked.decided_at = timezone.now()
            locked.decided_by = actor
            _change_status(
                locked,
                status=Status.DECIDED,
                actor=actor,
                action="grievance.decided",
                sms="grievance_decided",
                request=request,
                changes={"outcome": outcome},
            )

    _committed(run)


def close_grievance(*, grievance_id: int, actor, request=None) -> None:
    def run():
        with transaction.atomic():
            locked = _locked(grievance_id)
            _check_hr_scope(actor, locked)
            _change_status(
                locked,
                status=Status.CLOSED,
                actor=actor,
                action="grievance.closed",
                request=request,
            )

    _committed(run)


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

        flagged += _committed(run) or 0
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
