"""Reads of the promotions service, scoped to the person (or the specialist's entity): another
person's or entity's round answers 404. Each page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.prepared import PreparedQuery
from employment_records.models import QualificationLevel

from . import rules, scoring, services
from .models import (
    CandidateScore,
    Criterion,
    Eligibility,
    OfferedPosition,
    Preference,
    PreferenceSubmission,
    Round,
    RoundStatus,
    TieBreak,
)

# What employees see: a draft or a cancelled round is HR's business.
VISIBLE_TO_EMPLOYEES = (
    RoundStatus.ANNOUNCED,
    RoundStatus.OPEN,
    RoundStatus.CLOSED,
    RoundStatus.SCORED,
    RoundStatus.PUBLISHED,
)
# After the window closes, the stored verdict (the one scoring used) is what counts.
FROZEN = (RoundStatus.CLOSED, RoundStatus.SCORED, RoundStatus.PUBLISHED)
# Once scored, the points shown are the stored table's.
SCORED = (RoundStatus.SCORED, RoundStatus.PUBLISHED)


def rounds_for_employee(*, employee):
    return Round.objects.filter(entity_id=employee.entity_id, status__in=VISIBLE_TO_EMPLOYEES)


# The promotions page's list, its SQL built once per process (core.prepared, issue 16).
_VISIBLE_ROUNDS = PreparedQuery(
    lambda entity_id: Round.objects.filter(
        entity_id=entity_id, status__in=sorted(VISIBLE_TO_EMPLOYEES)
    )
)


def visible_rounds(*, employee) -> list[Round]:
    return _VISIBLE_ROUNDS(employee.entity_id)


def access_round_for_employee(*, employee, round_id: int) -> Round:
    return get_object_or_404(rounds_for_employee(employee=employee), pk=round_id)


def access_round_for_hr(*, entity_id: int, round_id: int) -> Round:
    return get_object_or_404(Round, pk=round_id, entity_id=entity_id)


def offered_positions(*, round_: Round) -> list[OfferedPosition]:
    return list(
        OfferedPosition.objects.filter(round=round_)
        .select_related("position__job_class", "position__unit")
        .order_by("position__number")
    )


def correction_url(source: dict | None, field: str = "effective_date") -> str:
    """My employment data's correction form, pre-filled with the record entry and field."""
    if not source or not source.get("action"):
        return ""
    query = urlencode({"action": source["action"], "field": field})
    return f"{reverse('employment_records:new_correction')}?{query}"


@dataclass
class InputRow:
    criterion: str
    label: str
    raw: str
    points: Decimal
    weight: int
    weighted: Decimal
    sources: list[dict]
    correction: str


CRITERION_UNITS = {
    "performance": _("score %(raw)s of 100"),
    "training": _("%(raw)s hours"),
    "seniority": _("%(raw)s years"),
    "volunteering": _("%(raw)s hours"),
    "other": _("%(raw)s points"),
}


def _raw_text(criterion: str, raw: str) -> str:
    if criterion == "education":
        return str(QualificationLevel(raw).label) if raw else str(_("none recorded"))
    return str(CRITERION_UNITS[criterion] % {"raw": raw})


def _dated(sources: list[dict]) -> list[dict]:
    return [
        {**s, "on": dt.date.fromisoformat(s["date"]) if s.get("date") else None} for s in sources
    ]


@dataclass
class Readiness:
    round: Round
    rules: list[dict]  # {rule, passed, title, text, values}
    eligible: bool
    failed_rule: str
    inputs: list[InputRow]
    total: Decimal
    periods: list[dict]
    rank_correction: str
    qualification: str | None = None  # the highest on record, for the positions one may choose

    @property
    def failed_rule_title(self) -> str:
        return rules.rule_title(self.failed_rule) if self.failed_rule else ""


def readiness(*, employee, round_: Round) -> Readiness:
    """Every rule and every input to the score, with its source and points under this round."""
    minimum = services.min_qualification(round_)
    results, facts = services.evaluate_person(round_=round_, employee=employee, minimum=minimum)
    stored = None
    if round_.status in FROZEN:
        stored = Eligibility.objects.filter(round=round_, employee=employee).first()
    rule_rows = stored.rules if stored is not None else [r.as_json() for r in results]
    explained = [
        {**row, "title": rules.rule_title(row["rule"]), "text": rules.explain(row)}
        for row in rule_rows
    ]
    failed = next((row["rule"] for row in rule_rows if not row["passed"]), "")
    result = None
    if round_.status in SCORED:
        # The table as scored, not the record as it is now: after publication a promoted
        # person's record already holds the new rank (their time in it starts again).
        result = (
            CandidateScore.objects.filter(round=round_, employee=employee)
            .values("criteria", "total")
            .first()
        )
    if result is None:
        result = scoring.score(facts, services.round_scoring(round_, minimum=minimum))
    labels = dict(Criterion.choices)
    rank_source = facts.rank_source.as_json() if facts.rank_source else None
    inputs = []
    for criterion in scoring.CRITERIA:
        row = result["criteria"][criterion]
        inputs.append(
            InputRow(
                criterion=criterion,
                label=str(labels[criterion]),
                raw=_raw_text(criterion, row["raw"]),
                points=Decimal(row["points"]),
                weight=row["weight"],
                weighted=Decimal(row["weighted"]),
                sources=_dated(row["sources"]),
                correction=correction_url(rank_source) if criterion == "seniority" else "",
            )
        )
    time_rule = next(row for row in rule_rows if row["rule"] == "time_in_rank")
    periods = [
        {
            **p,
            "on": dt.date.fromisoformat(p["date"]) if p.get("date") else None,
            "start_on": dt.date.fromisoformat(p["start"]),
            "end_on": dt.date.fromisoformat(p["end"]),
            "correction": correction_url(p),
        }
        for p in time_rule["values"].get("periods", [])
    ]
    return Readiness(
        round=round_,
        rules=explained,
        eligible=not failed,
        failed_rule=failed,
        inputs=inputs,
        total=result["total"],
        periods=periods,
        rank_correction=correction_url(rank_source),
        qualification=facts.qualification,
    )


def my_preferences(*, employee, round_: Round) -> list[Preference]:
    return list(
        Preference.objects.filter(round=round_, employee=employee)
        .select_related("offered__position__job_class", "offered__position__unit")
        .order_by("order")
    )


def access_submission(*, employee, round_: Round, receipt: str) -> PreferenceSubmission:
    return get_object_or_404(PreferenceSubmission, round=round_, employee=employee, receipt=receipt)


@dataclass
class PositionStanding:
    preference: Preference
    place_among: int  # 1 = first among those who chose this position
    candidates: int
    holder_is_me: bool
    tie_break: str  # the rule that put the holder above me, when our totals were equal


@dataclass
class Result:
    score: CandidateScore | None
    inputs: list[dict]
    standings: list[PositionStanding]


def my_result(*, employee, round_: Round) -> Result:
    """The published row with each criterion, and my standing on each preferred position."""
    row = (
        CandidateScore.objects.filter(round=round_, employee=employee)
        .select_related("assigned__position__job_class", "assigned__position__unit")
        .first()
    )
    if row is None:
        return Result(None, [], [])
    labels = dict(Criterion.choices)
    inputs = [
        {"label": labels[c], **row.criteria[c], "sources": _dated(row.criteria[c]["sources"])}
        for c in scoring.CRITERIA
    ]
    prefs = my_preferences(employee=employee, round_=round_)
    offered_ids = [p.offered_id for p in prefs]
    # Who chose my positions, with their places: one query.
    rivals = (
        Preference.objects.filter(round=round_, offered_id__in=offered_ids)
        .annotate(
            place=_place_subquery(round_),
        )
        .values_list("offered_id", "place")
    )
    places: dict[int, list[int]] = {}
    for offered, place in rivals:
        if place is not None:
            places.setdefault(offered, []).append(place)
    holders = {
        s.assigned_id: s
        for s in CandidateScore.objects.filter(round=round_, assigned_id__in=offered_ids)
    }
    me = _candidate(row)
    standings = []
    for pref in prefs:
        ahead = sorted(places.get(pref.offered_id, []))
        holder = holders.get(pref.offered_id)
        decided = ""
        if holder is not None and holder.pk != row.pk:
            decided = scoring.deciding_rule(_candidate(holder), me, round_.tie_break)
        standings.append(
            PositionStanding(
                preference=pref,
                place_among=1 + sum(1 for p in ahead if p < row.place),
                candidates=len(ahead),
                holder_is_me=holder is not None and holder.pk == row.pk,
                tie_break=str(TieBreak(decided).label) if decided else "",
            )
        )
    return Result(row, inputs, standings)


def _place_subquery(round_):
    from django.db.models import OuterRef, Subquery

    return Subquery(
        CandidateScore.objects.filter(round=round_, employee_id=OuterRef("employee_id")).values(
            "place"
        )[:1]
    )


def _candidate(row: CandidateScore) -> scoring.Candidate:
    return scoring.Candidate(
        row.employee_id,
        row.total,
        row.performance_points,
        row.days_in_rank,
        row.hire_date,
        row.national_id,
    )


# --- HR --------------------------------------------------------------------------------------


def results_table(*, round_: Round):
    return (
        CandidateScore.objects.filter(round=round_)
        .select_related("employee", "assigned__position")
        .order_by("place", "id")
    )


def eligible_positions_for_offer(*, round_: Round):
    """Positions HR may offer: the entity's vacant positions of the target rank not offered in
    another live round."""
    from employment_records.models import Position, PositionStatus

    from .models import LIVE_STATUSES

    return (
        Position.objects.filter(
            entity_id=round_.entity_id, rank=round_.target_rank, status=PositionStatus.VACANT
        )
        .exclude(
            pk__in=OfferedPosition.objects.filter(live=True, round__status__in=LIVE_STATUSES)
            .exclude(round=round_)
            .values("position_id")
        )
        .select_related("job_class", "unit")
        .order_by("number")
    )


def results_documents(*, round_: Round) -> list:
    """The round's results PDFs (core.documents), newest first: holder-less documents of the
    round's entity whose params name this round."""
    from core.documents import documents_of_entity

    from .documents import PROMOTION_RESULTS

    return list(
        documents_of_entity(
            entity_id=round_.entity_id, kind=PROMOTION_RESULTS, params={"round": round_.pk}
        )[:10]
    )


def access_results_document(*, round_: Round, code: str):
    """One of the round's results PDFs, ready to download, or 404 (another entity's code, or
    another round's, reveals nothing)."""
    from django.core.files.storage import default_storage
    from django.http import Http404

    from core.documents import access_document_for_entity
    from core.models import Document

    from .documents import PROMOTION_RESULTS

    document = access_document_for_entity(entity_id=round_.entity_id, code=code)
    if (
        document.kind != PROMOTION_RESULTS
        or document.params.get("round") != round_.pk
        or document.status != Document.Status.READY
        or document.is_revoked
        or not default_storage.exists(document.file_name)
    ):
        raise Http404
    return document


def counts_by_failed_rule(*, round_: Round) -> dict:
    return services.readiness_counts(round_)


def preference_counts(*, round_: Round) -> dict[int, int]:
    return dict(
        Preference.objects.filter(round=round_)
        .values("offered_id")
        .annotate(n=Count("pk"))
        .values_list("offered_id", "n")
    )
