"""Every write of Bayan: prepare, edit, submit, return, approve, new version, and the delivery
of approved statements to the pension authority (over HTTP, by `PENSION_API_URL`).

Each HR use case runs in one transaction with the statement's row locked, checks the
specialist's entity and Bayan grant, and moves the statement through `bayan.workflow`.
Delivery is an outbox: approval writes the `Delivery` row in its own transaction; the task
claims it, POSTs with the row's idempotency key, and records the answer; a beat task re-drives
what is left waiting. A claim that never records (a killed worker) is re-sent with the same
key, and the authority answers the first submission again: nothing is lost or doubled.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from hijridate import Hijri

from core.catalogue import ServiceCode, granted_services
from core.dates import to_hijri
from core.documents import render_and_store, request_document
from core.hr_admin import hr_entity_id
from core.notifications import notify
from core.workflow import Role, WorkflowError, next_reference
from employment_records.models import (
    Employee,
    EmployeeStatus,
    EmploymentAction,
    EndReason,
    SalaryScale,
)

from . import periods as rules
from .audit import BayanAction
from .documents import BAYAN_DOCUMENT
from .models import Delivery, Statement, StatementPeriod, Status
from .workflow import WORKFLOW

logger = logging.getLogger(__name__)

RETIREMENT_AGE_HIJRI_YEARS = 60  # the civil-service retirement age [inferred: DOMAIN.md is silent]
ENDING_WINDOW_DAYS = 90  # the HR work list shows services ending this soon
NUMBER_PREFIX = "B"


# --- who may act ---------------------------------------------------------------------------


def has_bayan_grant(user) -> bool:
    """An HR specialist works on Bayan only with an active grant on the service (remembered
    on the user object for the rest of the request)."""
    cached = getattr(user, "_bayan_grant", None)
    if cached is None:
        employee = getattr(user, "employee", None)
        cached = (
            employee is not None
            and hr_entity_id(user) is not None
            and ServiceCode.BAYAN in granted_services(employee)
        )
        if getattr(user, "pk", None) is not None:
            user._bayan_grant = cached
    return cached


def check_hr(actor, entity_id: int) -> None:
    if hr_entity_id(actor) != entity_id:
        raise WorkflowError(_("This statement does not exist in your entity."), status=404)
    if not has_bayan_grant(actor):
        raise WorkflowError(
            _("You need a permission on Bayan to work on end-of-service statements."),
            status=403,
        )


# --- dates ---------------------------------------------------------------------------------


def retirement_date(date_of_birth: dt.date) -> dt.date:
    """The day the employee reaches the retirement age, counted in Hijri years."""
    born = to_hijri(date_of_birth)
    if born is None:
        return date_of_birth.replace(year=date_of_birth.year + 58)
    year = born.year + RETIREMENT_AGE_HIJRI_YEARS
    day = min(born.day, Hijri(year, born.month, 1).month_length())
    return dt.date(*Hijri(year, born.month, day).to_gregorian().datetuple())


def expected_end(employee: Employee) -> tuple[dt.date, str]:
    """(end of service date, reason): the record's, or the retirement date of someone in service."""
    if employee.status == EmployeeStatus.ENDED and employee.end_date:
        return employee.end_date, employee.end_reason
    return retirement_date(employee.date_of_birth), EndReason.RETIREMENT


def due_date(end_date: dt.date) -> dt.date:
    return end_date + dt.timedelta(days=settings.BAYAN_DUE_DAYS)


# --- the computation from the record -------------------------------------------------------


def compute_for(employee: Employee, *, end_date: dt.date) -> rules.ServiceComputation:
    actions = EmploymentAction.objects.filter(employee=employee).order_by("effective_date", "id")
    return rules.compute_periods(
        hire_date=employee.hire_date,
        end_date=end_date,
        entries=rules.entries_from_actions(actions),
    )


def basic_salary_of(rank: int, step: int):
    entry = SalaryScale.objects.filter(rank=rank, step=step).first()
    return entry.amount if entry else None


def periods_of(statement: Statement) -> list[rules.Period]:
    return [
        rules.Period(p.start, p.end, p.counts, p.kind, p.decision_number, p.rank)
        for p in statement.periods.all()
    ]


@dataclass(frozen=True)
class StatementTotals:
    span_days: int
    counted_days: int
    excluded_days: int
    gregorian: rules.Totals
    hijri: rules.Totals

    def as_dict(self) -> dict:
        return {
            "span_days": self.span_days,
            "counted_days": self.counted_days,
            "excluded_days": self.excluded_days,
            "gregorian": self.gregorian.as_dict(),
            "hijri": self.hijri.as_dict(),
        }


def totals_of(statement: Statement, period_list: list[rules.Period] | None = None):
    found = period_list if period_list is not None else periods_of(statement)
    return StatementTotals(
        span_days=(statement.end_date - statement.hire_date).days + 1,
        counted_days=sum(p.days for p in found if p.counts),
        excluded_days=sum(p.days for p in found if not p.counts),
        gregorian=rules.total_of(found, calendar="gregorian"),
        hijri=rules.total_of(found, calendar="hijri"),
    )


def tiling_problem(statement: Statement, period_list: list[rules.Period]) -> str | None:
    """Why the periods do not cover hire to end exactly once, or None."""
    if not period_list:
        return str(_("The statement has no periods."))
    ordered = sorted(period_list, key=lambda p: p.start)
    if ordered[0].start != statement.hire_date or ordered[-1].end != statement.end_date:
        return str(_("The periods must run from the hire date to the end of service."))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end:
            return str(_("Two periods overlap on %(day)s.") % {"day": after.start.isoformat()})
        if after.start != before.end + dt.timedelta(days=1):
            return str(
                _("No period covers the days after %(day)s.") % {"day": before.end.isoformat()}
            )
    return None


def _store_periods(statement: Statement, computation: rules.ServiceComputation) -> None:
    StatementPeriod.objects.bulk_create(
        StatementPeriod(
            statement=statement,
            position=index,
            start=period.start,
            end=period.end,
            counts=period.counts,
            kind=period.kind,
            decision_number=period.decision_number,
            rank=period.rank,
        )
        for index, period in enumerate(computation.periods, start=1)
    )


# --- notices -------------------------------------------------------------------------------


def _notify(user, *, kind: str, context: dict) -> None:
    """A notice to a person (SMS and inbox): an outbox row in the caller's transaction, so it
    leaves only if the change commits and never fails it."""
    if user is None:
        return
    notify(user=user, kind=kind, context={**context, "site": settings.SITE_URL})


# --- HR use cases --------------------------------------------------------------------------


def _locked(statement_id: int) -> Statement:
    try:
        return (
            Statement.objects.select_for_update(of=("self",))
            .select_related("employee", "entity")
            .get(pk=statement_id)
        )
    except Statement.DoesNotExist:
        raise WorkflowError(
            _("This statement does not exist in your entity."), status=404
        ) from None


@transaction.atomic
def prepare_statement(*, employee_id: int, actor, request=None) -> Statement:
    """A first draft for an employee whose service ended or ends soon, from their record."""
    employee = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("entity")
        .filter(pk=employee_id, entity_id=hr_entity_id(actor))
        .first()
    )
    if employee is None:
        raise WorkflowError(_("This employee does not exist in your entity."), status=404)
    check_hr(actor, employee.entity_id)
    if Statement.objects.filter(employee=employee).exists():
        raise WorkflowError(
            _("This employee already has a statement: open it instead."), status=409
        )
    end_date, end_reason = expected_end(employee)
    if end_date > timezone.localdate() + dt.timedelta(days=ENDING_WINDOW_DAYS):
        raise WorkflowError(
            _("A statement is prepared when service has ended or ends within 90 days."),
            status=409,
        )
    return _create_version(
        employee=employee,
        number=next_reference(prefix=NUMBER_PREFIX),
        version=1,
        end_date=end_date,
        end_reason=end_reason,
        actor=actor,
        request=request,
    )


def _create_version(*, employee, number, version, end_date, end_reason, actor, request):
    computation = compute_for(employee, end_date=end_date)
    statement = Statement.objects.create(
        number=number,
        version=version,
        employee=employee,
        entity_id=employee.entity_id,
        hire_date=employee.hire_date,
        end_date=end_date,
        end_reason=end_reason,
        rank=employee.rank,
        step=employee.step,
        basic_salary=basic_salary_of(employee.rank, employee.step),
        prepared_by=actor,
    )
    _store_periods(statement, computation)
    WORKFLOW.take(
        statement,
        "prepare",
        actor=actor,
        role=Role.HR,
        note=" ".join(_warning_text(warning) for warning in computation.warnings),
        request=request,
        changes={"version": version, "warnings": list(computation.warnings)},
    )
    return statement


def _warning_text(warning: str) -> str:
    """'exceptional_leave:2005-05-01:1445/7' -> a sentence HR can act on."""
    _kind, day, decision = (warning.split(":", 2) + ["", ""])[:3]
    return str(
        _(
            "The record gives no length for the leave or absence of %(day)s (decision "
            "%(decision)s): add the days that do not count."
        )
        % {"day": day, "decision": decision or "—"}
    )


@dataclass(frozen=True)
class PeriodInput:
    start: dt.date
    end: dt.date
    counts: bool
    kind: str
    reason: str


def _period_values(period: StatementPeriod) -> dict:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "counts": period.counts,
        "kind": period.kind,
    }


def _check_editable(statement: Statement) -> None:
    if not statement.is_editable:
        raise WorkflowError(
            _("Only a statement being prepared can be changed; approval froze this one."),
            status=409,
        )


@transaction.atomic
def edit_period(
    *, statement_id: int, period_id: int, data: PeriodInput, actor, request=None
) -> StatementPeriod:
    """Change one period (dates, counted or not, kind), with the reason written down."""
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    _check_editable(statement)
    period = statement.periods.filter(pk=period_id).first()
    if period is None:
        raise WorkflowError(_("This period does not exist in this statement."), status=404)
    if not data.reason.strip():
        raise WorkflowError(_("Give the reason for the change."), field="reason")
    if data.end < data.start:
        raise WorkflowError(_("A period cannot end before it starts."), field="end")
    before = _period_values(period)
    period.start, period.end, period.counts, period.kind = (
        data.start,
        data.end,
        data.counts,
        data.kind,
    )
    period.edited, period.edit_reason = True, data.reason.strip()
    period.save()
    WORKFLOW.take(
        statement,
        "edit",
        actor=actor,
        role=Role.HR,
        note=data.reason.strip(),
        request=request,
        changes={"period": period.position, "old": before, "new": _period_values(period)},
    )
    return period


@transaction.atomic
def exclude_stretch(
    *, statement_id: int, start: dt.date, end: dt.date, kind: str, reason: str, actor, request=None
) -> Statement:
    """Mark days that do not count (an unexcused absence the record lacks, a leave's real
    length): the periods covering them are split, and the reason is kept on the new period."""
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    _check_editable(statement)
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the change."), field="reason")
    if end < start:
        raise WorkflowError(_("A period cannot end before it starts."), field="end")
    if start < statement.hire_date or end > statement.end_date:
        raise WorkflowError(
            _("The days must lie between the hire date and the end of service."), field="start"
        )
    pieces: list[tuple] = []
    for period in statement.periods.all():
        values = (period.counts, period.kind, period.decision_number, period.rank)
        edited = (period.edited, period.edit_reason)
        if period.end < start or period.start > end:
            pieces.append((period.start, period.end, *values, *edited))
            continue
        if period.start < start:
            pieces.append((period.start, start - dt.timedelta(days=1), *values, *edited))
        if period.end > end:
            pieces.append((end + dt.timedelta(days=1), period.end, *values, *edited))
    pieces.append((start, end, False, kind, "", None, True, reason.strip()))
    pieces.sort(key=lambda piece: piece[0])
    statement.periods.all().delete()
    StatementPeriod.objects.bulk_create(
        StatementPeriod(
            statement=statement,
            position=index,
            start=piece[0],
            end=piece[1],
            counts=piece[2],
            kind=piece[3],
            decision_number=piece[4],
            rank=piece[5],
            edited=piece[6],
            edit_reason=piece[7],
        )
        for index, piece in enumerate(pieces, start=1)
    )
    WORKFLOW.take(
        statement,
        "edit",
        actor=actor,
        role=Role.HR,
        note=reason.strip(),
        request=request,
        changes={"excluded": {"start": start.isoformat(), "end": end.isoformat(), "kind": kind}},
    )
    return statement


@transaction.atomic
def submit_statement(*, statement_id: int, actor, request=None) -> Statement:
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    problem = tiling_problem(statement, periods_of(statement))
    if problem:
        raise WorkflowError(problem)
    if statement.basic_salary is None:
        raise WorkflowError(_("The last basic salary is missing from the salary scale."))
    statement.prepared_by = actor
    statement.return_reason = ""
    WORKFLOW.take(statement, "submit", actor=actor, role=Role.HR, request=request)
    return statement


@transaction.atomic
def return_statement(*, statement_id: int, reason: str, actor, request=None) -> Statement:
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    if not reason.strip():
        raise WorkflowError(_("Give the reason for returning the statement."), field="reason")
    statement.return_reason = reason.strip()
    WORKFLOW.take(
        statement, "return", actor=actor, role=Role.HR, note=reason.strip(), request=request
    )
    _notify(
        statement.prepared_by,
        kind="bayan_returned",
        context={"number": statement.number, "reason": statement.return_reason},
    )
    return statement


def snapshot_of(statement: Statement) -> dict:
    period_rows = list(statement.periods.all())
    period_list = [
        rules.Period(p.start, p.end, p.counts, p.kind, p.decision_number, p.rank)
        for p in period_rows
    ]
    employee = statement.employee
    return {
        "number": statement.number,
        "version": statement.version,
        "entity_code": statement.entity.code,
        "national_id": employee.national_id,
        "name_ar": employee.full_name("ar"),
        "name_en": employee.full_name("en"),
        "date_of_birth": employee.date_of_birth.isoformat(),
        "hire_date": statement.hire_date.isoformat(),
        "end_date": statement.end_date.isoformat(),
        "end_reason": statement.end_reason,
        "rank": statement.rank,
        "step": statement.step,
        "basic_salary": str(statement.basic_salary) if statement.basic_salary is not None else None,
        "periods": [
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "days": p.days,
                "counts": p.counts,
                "kind": p.kind,
                "decision_number": p.decision_number,
                "rank": p.rank,
                "edit_reason": p.edit_reason,
            }
            for p in period_rows
        ],
        "totals": totals_of(statement, period_list).as_dict(),
    }


def _freeze(statement: Statement, actor) -> None:
    """Approval's changes, made before the status moves (the database refuses an approved
    statement without them): the snapshot, the approver and the PDF's document row."""
    statement.snapshot = snapshot_of(statement)
    statement.approved_by = actor
    statement.approved_at = timezone.now()
    statement.document = request_document(
        kind=BAYAN_DOCUMENT, holder=statement.employee, requested_by=actor
    )


@transaction.atomic
def approve_statement(*, statement_id: int, actor, request=None) -> Statement:
    """Approve and freeze; the outbox row is written in the same transaction and the delivery
    task is queued after commit."""
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    WORKFLOW.check(statement, WORKFLOW.transition("approve"), actor=actor, role=Role.HR)
    _freeze(statement, actor)
    WORKFLOW.take(statement, "approve", actor=actor, role=Role.HR, request=request)
    # A statement approved ahead of the end of service waits for that day before it is sent.
    end_day = timezone.make_aware(dt.datetime.combine(statement.end_date, dt.time.min))
    delivery = Delivery.objects.create(
        statement=statement, next_attempt_at=max(timezone.now(), end_day)
    )
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    _notify(
        statement.employee.user,
        kind="bayan_approved",
        context={"number": statement.number},
    )
    return statement


@transaction.atomic
def new_version(*, statement_id: int, actor, request=None) -> Statement:
    """A new draft after the authority rejected a statement, or after a record change to an
    acknowledged one; the earlier version is kept as it is (an acknowledged one is marked
    replaced)."""
    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    latest = Statement.objects.filter(employee_id=statement.employee_id).order_by("-version")[0]
    if latest.pk != statement.pk:
        raise WorkflowError(_("A newer version of this statement exists."), status=409)
    if statement.status not in (Status.REJECTED, Status.ACKNOWLEDGED):
        raise WorkflowError(
            _("A new version is made after the authority answered the last one."), status=409
        )
    if statement.status == Status.ACKNOWLEDGED:
        WORKFLOW.take(statement, "supersede", actor=actor, role=Role.HR, request=request)
    employee = Employee.objects.select_for_update(of=("self",)).get(pk=statement.employee_id)
    end_date, end_reason = expected_end(employee)
    return _create_version(
        employee=employee,
        number=statement.number,
        version=statement.version + 1,
        end_date=end_date,
        end_reason=end_reason,
        actor=actor,
        request=request,
    )


@transaction.atomic
def retry_delivery(*, statement_id: int, actor, request=None) -> Delivery:
    """Send again a delivery that gave up (same key: the authority cannot count it twice)."""
    from core.audit import audit

    statement = _locked(statement_id)
    check_hr(actor, statement.entity_id)
    delivery = Delivery.objects.select_for_update().filter(statement=statement).first()
    if delivery is None or delivery.state != Delivery.State.FAILED:
        raise WorkflowError(_("This statement is not waiting for a new delivery."), status=409)
    delivery.state, delivery.attempts = Delivery.State.PENDING, 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit(
        action=BayanAction.RETRY_DELIVERY,
        actor=actor,
        subject=statement,
        entity_id=statement.entity_id,
        request=request,
    )
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    return delivery


# --- delivery to the pension authority -----------------------------------------------------


def enqueue_delivery(delivery_id: int) -> None:
    from .tasks import batch_deliver_statement

    try:
        batch_deliver_statement.delay(delivery_id)
    except Exception:  # the broker is down: the beat re-drive sends it later
        logger.exception("delivery %s not queued; the re-drive will send it", delivery_id)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... at most an hour between attempts."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    key: str
    payload: dict


def claim_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> Claim | None:
    """Take the next attempt of a due delivery, or None when it is not due, already answered,
    or another worker holds it. The lease (next_attempt_at) is the backoff: a worker that dies
    after this leaves the row to the re-drive once it expires."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("statement__employee", "statement__document")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.state != Delivery.State.PENDING
            or delivery.next_attempt_at > now
        ):
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        statement = Statement.objects.select_for_update().get(pk=delivery.statement_id)
        if statement.status == Status.APPROVED:
            WORKFLOW.take(statement, "send", actor=None, role=Role.SYSTEM)
        document = statement.document
    pdf = _pdf_bytes(document) if document is not None else b""
    return Claim(
        delivery_id=delivery.pk,
        key=str(delivery.idempotency_key),
        payload={
            "statement": statement.snapshot,
            "pdf_base64": base64.b64encode(pdf).decode() if pdf else "",
        },
    )


def _pdf_bytes(document) -> bytes:
    ready = render_and_store(document.pk)  # safe to run twice; renders only when missing
    with default_storage.open(ready.file_name, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class Response:
    status: int
    body: dict


class TransientError(Exception):
    """The authority did not answer usefully this time: try again later."""


def post_statement(claim: Claim) -> Response:
    """One POST to the authority. Raises TransientError on a network error, a timeout, a 5xx
    or a 429; returns any other answer."""
    headers = {"Idempotency-Key": claim.key, "Accept-Language": "ar"}
    if settings.PENSION_API_TOKEN:
        headers["Authorization"] = f"Bearer {settings.PENSION_API_TOKEN}"
    try:
        answer = requests.post(
            settings.PENSION_API_URL,
            json=claim.payload,
            headers=headers,
            timeout=settings.PENSION_API_TIMEOUT,
        )
    except requests.RequestException as error:
        raise TransientError(f"{type(error).__name__}: {error}"[:500]) from error
    if answer.status_code >= 500 or answer.status_code == 429:
        raise TransientError(f"HTTP {answer.status_code}: {answer.text[:300]}")
    try:
        body = answer.json()
    except ValueError:
        body = {"error": answer.text[:300]}
    return Response(answer.status_code, body if isinstance(body, dict) else {"body": body})


def record_answer(delivery_id: int, response: Response) -> Delivery:
    """Record what the authority said; a second recording of the same delivery changes nothing."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state == Delivery.State.DONE:
            return delivery
        statement = _locked(delivery.statement_id)
        status = response.body.get("status")
        delivery.response_status, delivery.response = response.status, response.body
        if response.status in (200, 201) and status == "acknowledged":
            statement.pension_reference = str(response.body.get("reference", ""))[:40]
            _take_answer(statement, "acknowledge")
            _notify(
                statement.employee.user,
                kind="bayan_acknowledged",
                context={"number": statement.number, "reference": statement.pension_reference},
            )
        elif status == "rejected":
            statement.rejection_reason = str(
                response.body.get("reason") or response.body.get("code") or "?"
            )
            _take_answer(statement, "reject")
            _notify(
                statement.approved_by,
                kind="bayan_rejected",
                context={"number": statement.number, "reason": statement.rejection_reason},
            )
        else:  # 4xx we cannot fix by retrying (a bad token, a refused key): HR must look
            delivery.state = Delivery.State.FAILED
            delivery.last_error = f"HTTP {response.status}: {response.body}"[:1000]
            delivery.save()
            return delivery
        delivery.state = Delivery.State.DONE
        delivery.completed_at = timezone.now()
        delivery.last_error = ""
        delivery.save()
    return delivery


def _take_answer(statement: Statement, name: str) -> None:
    if statement.status == Status.APPROVED:  # answered before `send` was recorded
        WORKFLOW.take(statement, "send", actor=None, role=Role.SYSTEM)
    WORKFLOW.take(statement, name, actor=None, role=Role.SYSTEM)


def record_failure(delivery_id: int, error: str) -> Delivery:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != Delivery.State.PENDING:
            return delivery
        delivery.last_error = error[:1000]
        if delivery.attempts >= settings.PENSION_MAX_ATTEMPTS:
            delivery.state = Delivery.State.FAILED
            statement = Statement.objects.select_related("approved_by").get(
                pk=delivery.statement_id
            )
            _notify(
                statement.approved_by,
                kind="bayan_delivery_failed",
                context={"number": statement.number},
            )
        delivery.save(update_fields=["last_error", "state"])
    return delivery


def attempt_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Claim, send, record: one attempt. Returns the delivery, or None when not claimed."""
    claim = claim_delivery(delivery_id, now=now)
    if claim is None:
        return None
    with translation.override("ar"):
        try:
            response = post_statement(claim)
        except TransientError as error:
            return record_failure(delivery_id, str(error))
    return record_answer(delivery_id, response)


def due_deliveries(*, now: dt.datetime | None = None) -> list[int]:
    return list(
        Delivery.objects.filter(
            state=Delivery.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:200]
    )
