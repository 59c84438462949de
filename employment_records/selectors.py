"""Reads for "my employment data" and the HR queue. Every object is fetched through its owner
or its entity, so another person's number answers 404; every page costs a fixed number of
queries whatever the length of the record."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.catalogue import employee_of
from core.console_lists import planner_estimate, with_known_count
from core.dates import DualDate, dual_date
from core.hr_admin import hr_entity_id
from core.prepared import PreparedPages, PreparedQuery
from core.search import name_terms

from .models import (
    ActionType,
    CorrectionEvent,
    CorrectionEvidence,
    CorrectionRequest,
    Employee,
    EmploymentAction,
    PerformanceEvaluation,
    Qualification,
    SalaryScale,
    ScholarshipDecision,
    TrainingDecision,
)
from .sources import SourceInfo
from .sources import describe as describe_source

RECORD_PAGE_SIZE = 20


@dataclass(frozen=True)
class ServiceLength:
    years: int
    months: int
    days: int


def service_length(start: dt.date, end: dt.date) -> ServiceLength:
    """Whole years, months and days from `start` to `end`, the way a person counts them."""
    years = end.year - start.year
    months = end.month - start.month
    days = end.day - start.day
    if days < 0:
        months -= 1
        previous_month_end = end.replace(day=1) - dt.timedelta(days=1)
        days += max(previous_month_end.day, start.day)
    if months < 0:
        years -= 1
        months += 12
    return ServiceLength(years=max(years, 0), months=max(months, 0), days=max(days, 0))


def employee_of_user(user) -> Employee:
    """The signed-in person's own record with everything the profile shows, in one query,
    shared with the access policy that ran before the view (core.catalogue.employee_of)."""
    employee = employee_of(user)
    if employee is None:
        raise Http404
    return employee


def length_of_service(employee: Employee) -> ServiceLength:
    end = employee.end_date or timezone.localdate()
    return service_length(employee.hire_date, end)


# The pages' own queries have their SQL built once per process (core.prepared, issue 16).
_QUALIFICATIONS = PreparedQuery(
    lambda employee_id: Qualification.objects.filter(employee_id=employee_id).order_by(
        "-graduation_date", "-id"
    )
)
_EVALUATIONS = PreparedQuery(
    lambda employee_id: PerformanceEvaluation.objects.filter(employee_id=employee_id).order_by(
        "-year"
    )
)
_TRAINING = PreparedQuery(
    lambda employee_id: TrainingDecision.objects.filter(employee_id=employee_id).order_by(
        "-start_date", "-id"
    )
)
_SCHOLARSHIPS = PreparedQuery(
    lambda employee_id: ScholarshipDecision.objects.filter(employee_id=employee_id).order_by(
        "-start_date", "-id"
    )
)
_SALARY = PreparedQuery(
    lambda rank, step: (
        SalaryScale.objects.filter(rank=rank, step=step).values("amount").order_by("pk")[:1]
    ),
    arguments=2,
)


def qualifications_of(employee: Employee) -> list[Qualification]:
    return _QUALIFICATIONS(employee.pk)


def evaluations_of(employee: Employee) -> list[PerformanceEvaluation]:
    return _EVALUATIONS(employee.pk)


def basic_salary_of(employee: Employee):
    """The basic salary of the employee's rank and step on the general scale, or None."""
    if employee.rank is None or employee.step is None:
        return None
    found = _SALARY(employee.rank, employee.step)
    return found[0]["amount"] if found else None


@dataclass(frozen=True, slots=True)
class RecordSide:
    """The position and rank an action moved from (or to), as the record shows them."""

    position_number: str = ""
    job_title: str = ""
    rank: str = ""  # "Rank 8, step 3", "Rank 8", or "" without a rank

    def __html__(self) -> SafeString:
        """The record's cell: the position (number, then title) over the rank; a dash for a
        side with neither. Built here once, not by a dozen template nodes per row."""
        if self.position_number:
            position = format_html(
                '<span dir="ltr">{}</span> {}<br>', self.position_number, self.job_title
            )
            return format_html("{}{}", position, self.rank)
        return conditional_escape(self.rank or "—")

    __str__ = __html__  # what a template writes


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One decision of the record, every label and date already formatted in the request's
    language: the template prints, it does not translate, reverse or format per row."""

    pk: int
    action: str
    decision_number: str
    decision_date: DualDate | None
    effective_date: DualDate | None
    from_side: RecordSide
    to_side: RecordSide
    correction_url: str
    source: SourceInfo | None = None  # the service decision that wrote the entry, if any


class _RecordFormatter:
    """Formats the rows of one page: each action-type label and each rank wording is
    translated once per page (not once per cell), the correction link reversed once."""

    def __init__(self):
        self.labels: dict[str, str] = {}
        self.rank_step = gettext("Rank %(rank)s, step %(step)s")
        self.rank_only = gettext("Rank %(rank)s")
        self.correction_url = reverse("employment_records:new_correction")
        self.sources: dict[str, SourceInfo | None] = {}

    def label(self, action_type: str) -> str:
        if action_type not in self.labels:
            try:
                self.labels[action_type] = str(ActionType(action_type).label)
            except ValueError:  # not a known type (the database constraint forbids it)
                self.labels[action_type] = action_type
        return self.labels[action_type]

    def source(self, stored: str) -> SourceInfo | None:
        if not stored:
            return None
        if stored not in self.sources:
            self.sources[stored] = describe_source(stored)
        return self.sources[stored]

    def side(self, position, rank, step) -> RecordSide:
        if rank and step:
            rank_text = self.rank_step % {"rank": rank, "step": step}
        elif rank:
            rank_text = self.rank_only % {"rank": rank}
        else:
            rank_text = ""
        if position is None:
            return RecordSide(rank=rank_text)
        return RecordSide(
            position_number=position.number, job_title=position.job_class.title, rank=rank_text
        )

    def row(self, action: EmploymentAction) -> RecordRow:
        return RecordRow(
            pk=action.pk,
            action=self.label(action.action_type),
            decision_number=action.decision_number,
            decision_date=dual_date(action.decision_date),
            effective_date=dual_date(action.effective_date),
            from_side=self.side(action.from_position, action.from_rank, action.from_step),
            to_side=self.side(action.to_position, action.to_rank, action.to_step),
            correction_url=f"{self.correction_url}?action={action.pk}",
            source=self.source(action.source),
        )


def _record_actions(employee_id):
    return (
        EmploymentAction.objects.filter(employee_id=employee_id)
        .select_related("from_position__job_class", "to_position__job_class")
        .order_by("-effective_date", "-id")
    )


_WHOLE_RECORD = PreparedPages(
    _record_actions, page_size=RECORD_PAGE_SIZE, owner_field="employee_id"
)


def record_page(*, employee: Employee, action_type: str = "", page: str | int = 1):
    """One page of the record, newest first, optionally of one action type; its
    `object_list` holds `RecordRow`s formatted in the active language."""
    if action_type:
        actions = _record_actions(employee.pk).filter(action_type=action_type)
    else:
        actions = _WHOLE_RECORD.of(employee.pk)
    paginator = Paginator(actions, RECORD_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    formatter = _RecordFormatter()
    page_obj.object_list = [formatter.row(action) for action in page_obj.object_list]
    return page_obj


def training_of(employee: Employee) -> list[TrainingDecision]:
    return _TRAINING(employee.pk)


def scholarships_of(employee: Employee) -> list[ScholarshipDecision]:
    return _SCHOLARSHIPS(employee.pk)


def action_of_employee(*, employee: Employee, action_id) -> EmploymentAction:
    return get_object_or_404(EmploymentAction, employee=employee, pk=action_id)


def corrections_of(employee: Employee):
    return CorrectionRequest.objects.filter(employee=employee).select_related("action")


def _with_timeline(queryset):
    return queryset.select_related("employee__entity", "employee__user", "action").prefetch_related(
        Prefetch("events", queryset=CorrectionEvent.objects.order_by("at", "id")),
        Prefetch("evidence", queryset=CorrectionEvidence.objects.order_by("uploaded_at", "id")),
    )


def access_correction_for_employee(*, employee: Employee, number: str) -> CorrectionRequest:
    """The employee's own request, or 404: another person's number reveals nothing."""
    return get_object_or_404(
        _with_timeline(CorrectionRequest.objects.all()), employee=employee, number=number
    )


def corrections_for_entity(entity_id: int | None):
    """The HR queue of one entity (the console adds its filters)."""
    return CorrectionRequest.objects.filter(entity_id=entity_id)


def access_correction_for_hr(*, user, pk) -> CorrectionRequest:
    return get_object_or_404(_with_timeline(corrections_for_entity(hr_entity_id(user))), pk=pk)


def access_evidence(*, user, number: str, evidence_id: int, hr_console: bool) -> CorrectionEvidence:
    """A file of a request, for its owner, or for HR of the owner's entity signed in to the
    HR console (`hr_console`: `hr_site.has_permission(request)`, which includes the second
    factor); 404 for everyone else."""
    evidence = get_object_or_404(
        CorrectionEvidence.objects.select_related("request__employee"),
        pk=evidence_id,
        request__number=number,
    )
    owner = evidence.request.employee
    if owner.user_id is not None and owner.user_id == user.pk:
        return evidence
    if hr_console and hr_entity_id(user) == owner.entity_id:
        return evidence
    raise Http404


# --- Console search (issue 16) -----------------------------------------------------------------

NATIONAL_ID_SHAPE = re.compile(r"^[12][0-9]{9}$")
# Up to this many matches, a name search fetches their ids first (see search_employees);
# above this planner estimate it does not try (a common name: the index walk finds a page early).
RARE_NAME_MATCHES = 1000
COMMON_NAME_ESTIMATE = 5000


def search_employees(queryset, query: str):
    """A national ID is an exact match on its unique index; anything else is a name: every
    typed word, normalised (core.search), must appear in the stored normalised full name
    (Employee.name_normalised: Arabic and English parts), a pg_trgm GIN index search on
    PostgreSQL that rechecks a stored string, not a recomputed one."""
    query = query.strip()
    if NATIONAL_ID_SHAPE.match(query):
        return queryset.filter(national_id=query)
    terms = name_terms(query)
    if not terms:
        return queryset
    matches = queryset
    for term in terms:
        matches = matches.filter(name_normalised__contains=term)
    # A rare name: its ids first (a trigram bitmap scan, no order), then the page by primary
    # key. Left as one query, PostgreSQL may walk the national-ID index filtering every row
    # in the hope of finding a page of matches early: right for a common name (the planner's
    # estimate says which), but it read 135k rows (280 ms) for 629 matches at 1M employees.
    estimate = planner_estimate(matches)  # None on SQLite
    if estimate is not None and estimate > COMMON_NAME_ESTIMATE:
        return matches
    ids = list(matches.order_by().values_list("pk", flat=True)[: RARE_NAME_MATCHES + 1])
    if len(ids) <= RARE_NAME_MATCHES:
        return with_known_count(queryset.filter(pk__in=ids), len(ids))
    return matches


def search_employee_records(queryset, query: str, *, decision_number: bool):
    """Records hanging off an employee: a national ID matches the person's records (the unique
    index, then the per-employee index); anything else is a decision number, exactly."""
    query = query.strip()
    if not query:
        return queryset
    if NATIONAL_ID_SHAPE.match(query) or not decision_number:
        return queryset.filter(employee__national_id=query)
    return queryset.filter(decision_number=query)
