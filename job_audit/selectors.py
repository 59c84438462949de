"""Reads of the job-data audit, always scoped to one entity (or to the ministry's whole view);
another entity's id answers DoesNotExist, which the views turn into 404."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from core.prepared import PreparedQuery
from employment_records.models import Employee, EmployeeStatus

from .findings import FindingType
from .models import (
    OPEN_REQUEST_STATUSES,
    AbolishedPosition,
    AuditRun,
    Finding,
    FindingState,
    InventoryPosition,
    PositionHistory,
    RequestStatus,
    VariableRequest,
)


def active_occupants() -> Prefetch:
    return Prefetch(
        "occupants",
        queryset=Employee.objects.filter(status=EmployeeStatus.ACTIVE).only(
            "pk",
            "national_id",
            "position_id",
            "rank",
            "first_name_ar",
            "family_name_ar",
            "first_name_en",
            "family_name_en",
        ),
        to_attr="active_occupants",
    )


def inventory_for(entity_id: int):
    """The entity's positions with class, unit, occupants and their open findings' count, in
    a constant number of queries."""
    open_findings = (
        Finding.objects.filter(position_id=OuterRef("pk"))
        .current()
        .exclude(state__in=[FindingState.RESOLVED, FindingState.JUSTIFIED])
        .order_by()
        .values("position_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # NOT EXISTS rather than `abolition__isnull=True` (a LEFT JOIN ... IS NULL): PostgreSQL
    # estimates that join at 0.5% of the positions (1,694 of an entity's 338,844 at 1M
    # employees), so the list counted 1,001 rows on every page instead of saying "about".
    abolished = AbolishedPosition.objects.filter(position_id=OuterRef("pk"))
    return (
        InventoryPosition.objects.filter(~Exists(abolished), entity_id=entity_id)
        .select_related("job_class", "unit")
        .prefetch_related(active_occupants())
        .annotate(open_findings=Coalesce(Subquery(open_findings, output_field=IntegerField()), 0))
    )


def findings_for(entity_id: int):
    return Finding.objects.filter(entity_id=entity_id).select_related(
        "position", "employee", "other_employee", "last_run"
    )


def access_finding(*, entity_id: int | None, finding_id: int) -> Finding:
    rows = Finding.objects.select_related("position", "employee", "other_employee", "last_run")
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    return rows.prefetch_related("history__actor").get(pk=finding_id)


def access_run(*, entity_id: int | None, run_id: int) -> AuditRun:
    rows = AuditRun.objects.select_related("entity", "requested_by")
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    return rows.get(pk=run_id)


def access_position(*, entity_id: int, position_id: int) -> InventoryPosition:
    return inventory_for(entity_id).get(pk=position_id)


def position_history(position_id: int):
    return (
        PositionHistory.objects.filter(position_id=position_id)
        .select_related("variable__request", "actor")
        .order_by("at", "id")
    )


# What the ministry sees of the requests: every entity's, once submitted. A draft is the
# entity's own work (and has no answer date yet).
SEEN_BY_THE_MINISTRY = ~Q(status=RequestStatus.DRAFT) & Q(due_at__isnull=False)


def access_request(*, entity_id: int | None, request_id: int) -> VariableRequest:
    """The entity's request (a specialist), or with `entity_id=None` any entity's submitted
    request (a ministry auditor); DoesNotExist otherwise."""
    rows = VariableRequest.objects.select_related("entity", "created_by", "auditor")
    if entity_id is not None:
        rows = rows.filter(entity_id=entity_id)
    else:
        rows = rows.filter(SEEN_BY_THE_MINISTRY)
    return rows.prefetch_related(
        "variables__position__job_class",
        "variables__position__unit",
        "variables__unit",
        "variables__job_class",
        "variables__attachments",
        "history__actor",
    ).get(pk=request_id)


# The summary's queries have their SQL built once per process (core.prepared, issue 16).
# Findings by type and state in one grouping: the page sums it both ways.
_FINDINGS_BY_TYPE_AND_STATE = PreparedQuery(
    lambda entity_id: (
        Finding.objects.filter(entity_id=entity_id)
        .current()
        .values("type", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
)
_OPEN_REQUESTS_BY_STATUS = PreparedQuery(
    lambda entity_id: (
        VariableRequest.objects.filter(
            entity_id=entity_id, status__in=sorted(OPEN_REQUEST_STATUSES)
        )
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
)
_LATEST_RUN = PreparedQuery(
    lambda entity_id: AuditRun.objects.filter(entity_id=entity_id).order_by("-created_at", "-id")[
        :1
    ]
)


def entity_summary(entity_id: int) -> dict:
    """The employee-facing page's figures: current findings by type and state, open variable
    requests by state, the latest run. Three queries whatever the inventory's size."""
    by_type: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    for row in _FINDINGS_BY_TYPE_AND_STATE(entity_id):
        by_type[row["type"]] += row["n"]
        by_state[row["state"]] += row["n"]
    requests = {row["status"]: row["n"] for row in _OPEN_REQUESTS_BY_STATUS(entity_id)}
    latest = _LATEST_RUN.first(entity_id)
    return {
        "findings": [(kind, kind.label, by_type.get(kind.value, 0)) for kind in FindingType],
        "findings_total": sum(by_type.values()),
        "states": [
            (state, state.label, by_state.get(state.value, 0))
            for state in (FindingState.OPEN, FindingState.RESOLVED, FindingState.JUSTIFIED)
        ],
        "requests": [
            (status, status.label, requests.get(status.value, 0))
            for status in RequestStatus
            if status in OPEN_REQUEST_STATUSES
        ],
        "latest_run": latest,
    }


def summary_document(*, entity_id: int, run_id: int):
    """The run's summary PDF (core.documents) being prepared or ready, or None: a failed one
    does not count, so it can be asked for again."""
    from core.documents import documents_of_entity
    from core.models import Document

    from .documents import SUMMARY_DOCUMENT

    return (
        documents_of_entity(entity_id=entity_id, kind=SUMMARY_DOCUMENT, params={"run": run_id})
        .exclude(status=Document.Status.FAILED)
        .first()
    )
