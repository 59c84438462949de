"""A published round's results as a kind of the shared documents pipeline (core.documents).

The document is about the round, not a person: no holder, `params = {"round": id}`, the entity
is the round's. It prints the table as published (places, per-criterion points, totals, the
positions given) in Arabic or English, and stores for /verify/ what it states: the round's
title, reference date, number of candidates, number promoted and publication date.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.dates import both_calendars
from core.documents import DocumentKind, register

from .models import CandidateScore, Criterion, Outcome, Round, TieBreak

PROMOTION_RESULTS = "promotion_results"


def _round_of(document) -> Round:
    # The entity is part of the lookup: a document can only ever print its own entity's round.
    return Round.objects.select_related("entity").get(
        pk=document.params["round"], entity_id=document.entity_id
    )


# WeasyPrint lays out about 20-50 table rows a second on this kind of machine, so a round of
# 50,000 candidates cannot be printed whole on the documents queue (it would take the better
# part of an hour and hold back every certificate behind it). The PDF therefore states the
# decision in full (every promoted person: at most one per offered position) and the ranked
# table down to this place; the whole table is the round's streamed CSV export.
RANKED_ROWS = 500


def results_context(document) -> dict:
    """The decision and the top of the ranked table, in four queries whatever the round's
    size."""
    round_ = _round_of(document)
    counts = CandidateScore.objects.filter(round=round_).aggregate(
        candidates=Count("pk"), promoted=Count("pk", filter=Q(outcome=Outcome.PROMOTED))
    )
    rows = (
        CandidateScore.objects.filter(round=round_)
        .select_related("employee", "assigned__position__job_class")
        .order_by("place", "id")
    )
    tie_breaks = dict(TieBreak.choices)
    return {
        "round": round_,
        "promoted_rows": _with_points(rows.filter(outcome=Outcome.PROMOTED)),
        "rows": _with_points(rows[:RANKED_ROWS]),
        "ranked_rows": min(RANKED_ROWS, counts["candidates"]),
        "criteria": [label for _code, label in Criterion.choices],
        "weights": [(label, round_.weights[code]) for code, label in Criterion.choices],
        # Lists read in the document's own script: the Arabic comma in Arabic.
        "separator": ", " if document.language == "en" else "، ",
        "candidates": counts["candidates"],
        "promoted": counts["promoted"],
        "tie_break": [tie_breaks[key] for key in round_.tie_break if key in tie_breaks],
        "LANGUAGE_CODE": document.language,
    }


def _with_points(rows):
    """Each row with its weighted points in the criteria's order, read a chunk at a time."""
    for row in rows.iterator(chunk_size=2000):
        yield row, [row.criteria[code]["weighted"] for code in Criterion.values]


def results_facts(document, context) -> list[tuple[str, str]]:
    """What the document states, for /verify/ (called once per language)."""
    round_ = context["round"]
    return [
        (_("Promotion round"), round_.title),
        (_("Reference date"), both_calendars(round_.reference_date)),
        (_("Number of candidates"), str(context["candidates"])),
        (_("Number promoted"), str(context["promoted"])),
        (_("Published on"), both_calendars(round_.published_at)),
    ]


def register_kinds() -> None:
    register(
        DocumentKind(
            code=PROMOTION_RESULTS,
            label=_("Promotion round results"),
            template_name="promotions/documents/results.html",
            build_context=results_context,
            file_prefix="promotion-results",
            language="ar",
            languages=("ar", "en"),
            key_facts=results_facts,
            # Hundreds of rows take WeasyPrint a minute or more: never ahead of certificates.
            queue="batch",
            stale_after=dt.timedelta(minutes=15),
        )
    )
