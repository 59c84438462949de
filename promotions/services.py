"""Every write of the promotions service: one use case per function, one transaction each.

Round steps go through `workflow.ROUND_WORKFLOW.take()` on a locked round. Preferences are
saved under the round's row lock and the server clock, so a submission racing the window's
close has exactly one outcome. Scoring runs in a batch task (`tasks.batch_score_round`),
a chunk per transaction, resumable from the round's cursor.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.notifications import NOTIFY_BATCH, notify, notify_many
from core.workflow import Role, WorkflowError, next_reference
from employment_records import services as record_services
from employment_records.models import (
    QUALIFICATION_ORDER,
    Employee,
    PositionStatus,
)
from employment_records.sources import source_key

from . import rules, scoring
from .facts import read_facts
from .models import (
    LIVE_STATUSES,
    RECORD_SOURCE,
    CandidateScore,
    Eligibility,
    OfferedPosition,
    OtherPoints,
    Outcome,
    Preference,
    PreferenceSubmission,
    Round,
    RoundHistory,
    RoundStatus,
)
from .workflow import ROUND_WORKFLOW

logger = logging.getLogger(__name__)

CHUNK = 2000


def _notify(*, user, kind: str, context: dict) -> None:
    """A notice to a person (SMS and inbox): an outbox row in the caller's transaction."""
    if user is not None:
        notify(user=user, kind=kind, context=context)


def _locked(round_id: int) -> Round:
    return Round.objects.select_for_update().get(pk=round_id)


# --- the round, HR side ----------------------------------------------------------------------


def min_qualification(round_: Round) -> str | None:
    """The lowest class minimum among the offered positions (None when nothing is offered)."""
    levels = set(
        OfferedPosition.objects.filter(round=round_).values_list(
            "position__job_class__min_qualification", flat=True
        )
    )
    if not levels:
        return None
    return min(levels, key=QUALIFICATION_ORDER.index)


def round_rules(round_: Round, *, minimum: str | None = None) -> rules.RoundRules:
    return rules.RoundRules(
        target_rank=round_.target_rank,
        reference_date=round_.reference_date,
        min_years=round_.min_years_in_rank,
        min_qualification=minimum,
    )


def round_scoring(round_: Round, *, minimum: str | None) -> scoring.RoundScoring:
    return scoring.RoundScoring(
        reference_date=round_.reference_date,
        weights=round_.weights,
        formula=round_.formula,
        min_qualification=minimum,
        min_years=round_.min_years_in_rank,
    )


def check_offerable(round_: Round, position) -> None:
    """Why a position cannot be offered in this round, as a WorkflowError."""
    if position.entity_id != round_.entity_id:
        raise WorkflowError(
            _("Position %(number)s belongs to another entity.") % {"number": position.number}
        )
    if position.status != PositionStatus.VACANT:
        raise WorkflowError(
            _("Position %(number)s is not vacant (it is “%(status)s”).")
            % {"number": position.number, "status": position.get_status_display()}
        )
    if position.rank != round_.target_rank:
        raise WorkflowError(
            _("Position %(number)s is of rank %(rank)s; this round promotes to rank %(target)s.")
            % {"number": position.number, "rank": position.rank, "target": round_.target_rank}
        )
    taken = (
        OfferedPosition.objects.filter(
            position=position, live=True, round__status__in=LIVE_STATUSES
        )
        .exclude(round=round_)
        .exists()
    )
    if taken:
        raise WorkflowError(
            _("Position %(number)s is already offered in another round.")
            % {"number": position.number}
        )


@transaction.atomic
def offer_positions(*, round_: Round, positions, actor, request=None) -> list[OfferedPosition]:
    """Offer vacant positions of the target rank while the round is a draft."""
    locked = _locked(round_.pk)
    if locked.status != RoundStatus.DRAFT:
        raise WorkflowError(_("Positions are chosen while the round is a draft."), status=409)
    created = []
    for position in positions:
        check_offerable(locked, position)
        offer, new = OfferedPosition.objects.get_or_create(round=locked, position=position)
        if new:
            created.append(offer)
    if created:
        audit(
            action="promotion_round.offer",
            actor=actor,
            subject=locked,
            entity_id=locked.entity_id,
            request=request,
            changes={"positions": [o.position.number for o in created]},
        )
    return created


@transaction.atomic
def withdraw_offer(*, round_: Round, offered: OfferedPosition, actor, request=None) -> None:
    locked = _locked(round_.pk)
    if locked.status != RoundStatus.DRAFT or offered.round_id != locked.pk:
        raise WorkflowError(_("Positions are chosen while the round is a draft."), status=409)
    number = offered.position.number
    offered.delete()
    audit(
        action="promotion_round.withdraw_offer",
        actor=actor,
        subject=locked,
        entity_id=locked.entity_id,
        request=request,
        changes={"position": number},
    )


def take_step(*, round_id: int, name: str, actor, role: Role = Role.HR, request=None, note=""):
    """Move a round along its workflow; refuses what the step's rules refuse."""
    with transaction.atomic():
        locked = _locked(round_id)
        if name == "announce" and not locked.offered.exists():
            raise WorkflowError(_("Offer at least one position before announcing the round."))
        if name in ("publish", "review") and locked.scoring_finished_at is None:
            raise WorkflowError(_("The round has not finished scoring."))
        if name == "publish":
            # The review must be of the table being published: a re-score after it needs a
            # new one.
            reviewed = RoundHistory.objects.filter(
                round=locked, transition="review", at__gte=locked.scoring_finished_at
            )
            if not reviewed.exists():
                raise WorkflowError(
                    _("A specialist must review the results and ask for publication first.")
                )
        ROUND_WORKFLOW.take(locked, name, actor=actor, role=role, note=note, request=request)
        if name == "publish":
            record_decisions(locked, actor=actor)
            _notify_results(locked)
        return locked


def record_decisions(round_: Round, *, actor) -> list:
    """Each promoted candidate's decision into their employment record, with their new rank,
    step and position (employment_records.services), in the publication's transaction.

    Done there rather than in a batch task: one position goes to one person, so the writes
    grow with the positions offered (hundreds), not with the candidates (tens of thousands),
    and a fixed number of queries covers them. A person who can no longer be promoted refuses
    the publication as a whole; nothing is half-written.
    """
    decisions = [
        record_services.PromotionDecision(employee_id=emp, position_id=position)
        for emp, position in CandidateScore.objects.filter(
            round=round_, outcome=Outcome.PROMOTED, assigned__isnull=False
        )
        .order_by("place")
        .values_list("employee_id", "assigned__position_id")
    ]
    try:
        return record_services.record_promotions(
            decisions=decisions,
            to_rank=round_.target_rank,
            decision_number=round_.decision_number,
            decided_on=timezone.localdate(round_.published_at),
            source=source_key(RECORD_SOURCE, round_.pk),
            entity_id=round_.entity_id,
            actor=actor,
        )
    except WorkflowError as refused:
        raise WorkflowError(
            _(
                "The round was not published: %(reason)s Score the round again (the table "
                "then reflects the records as they are now), review it and publish."
            )
            % {"reason": refused.message},
            status=refused.status,
        ) from None


def _notify_results(round_: Round) -> None:
    """Every candidate with an account hears of the results: in the publication's
    transaction, a fixed number of queries per thousand (notify_many)."""
    candidates = (
        get_user_model()
        .objects.filter(employee__promotion_scores__round=round_)
        .distinct()
        .order_by("pk")
    )
    notify_many(
        users=candidates.iterator(chunk_size=NOTIFY_BATCH),
        kind="promotion_result",
        context={"round": round_.title_ar, "round_en": round_.title_en},
    )


def advance_by_clock(*, now=None) -> list[tuple[int, str]]:
    """Open rounds whose window has started and close those whose window has ended (beat)."""
    now = now or timezone.now()
    moved = []
    due = [
        (pk, "open")
        for pk in Round.objects.filter(
            status=RoundStatus.ANNOUNCED, opens_at__lte=now, closes_at__gt=now
        ).values_list("pk", flat=True)
    ] + [
        (pk, "close")
        for pk in Round.objects.filter(
            status__in=(RoundStatus.OPEN, RoundStatus.ANNOUNCED), closes_at__lte=now
        ).values_list("pk", flat=True)
    ]
    for pk, name in due:
        with transaction.atomic():
            locked = _locked(pk)
            names = (
                ["open", "close"]
                if locked.status == RoundStatus.ANNOUNCED and name == "close"
                else [name]
            )
            for step in names:
                if step in {t.name for t in ROUND_WORKFLOW.available(locked, role=Role.SYSTEM)}:
                    ROUND_WORKFLOW.take(locked, step, actor=None, role=Role.SYSTEM, note="clock")
                    moved.append((pk, step))
    return moved


@transaction.atomic
def set_other_points(
    *, round_: Round, employee: Employee, points: int, reason: str, actor, request=None
):
    locked = _locked(round_.pk)
    if locked.status in (RoundStatus.PUBLISHED, RoundStatus.CANCELLED):
        raise WorkflowError(_("This round is finished: its points cannot change."), status=409)
    if employee.entity_id != locked.entity_id:
        raise Employee.DoesNotExist
    if not 0 <= points <= 100:
        raise WorkflowError(_("Points are between 0 and 100."), field="points")
    if not reason.strip():
        raise WorkflowError(_("Give the reason for these points."), field="reason")
    row, _created = OtherPoints.objects.update_or_create(
        round=locked,
        employee=employee,
        defaults={"points": points, "reason": reason.strip(), "entered_by": actor},
    )
    audit(
        action="promotion_round.other_points",
        actor=actor,
        subject=locked,
        entity_id=locked.entity_id,
        request=request,
        changes={"employee": employee.national_id, "points": points, "reason": reason.strip()},
    )
    return row


# --- eligibility ---------------------------------------------------------------------------


def population(round_: Round):
    """Everyone the round looks at: the entity's employees in the rank below the target."""
    return Employee.objects.filter(entity_id=round_.entity_id, rank=round_.candidate_rank)


def evaluate_person(*, round_: Round, employee: Employee, minimum: str | None = None):
    """(rule results, facts) for one person now; a fixed number of queries."""
    if minimum is None:
        minimum = min_qualification(round_)
    facts = read_facts([employee.pk], round_id=round_.pk, reference=round_.reference_date)[0]
    return rules.evaluate(facts, round_rules(round_, minimum=minimum)), facts


def _eligibility_rows(round_, facts_list, minimum):
    rows = []
    for facts in facts_list:
        results = rules.evaluate(facts, round_rules(round_, minimum=minimum))
        failed = rules.first_failed(results)
        rows.append(
            Eligibility(
                round=round_,
                employee_id=facts.employee_id,
                eligible=not failed,
                failed_rule=failed,
                rules=[r.as_json() for r in results],
            )
        )
    return rows


def _save_eligibility(rows) -> None:
    Eligibility.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["round", "employee"],
        update_fields=["eligible", "failed_rule", "rules", "computed_at"],
        batch_size=1000,
    )


def check_readiness(*, round_: Round, chunk: int = CHUNK) -> dict:
    """Evaluate everyone in the population, store the verdicts, count them per failed rule."""
    minimum = min_qualification(round_)
    cursor = 0
    while True:
        ids = list(
            population(round_)
            .filter(pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        facts_list = read_facts(ids, round_id=round_.pk, reference=round_.reference_date)
        with transaction.atomic():
            _save_eligibility(_eligibility_rows(round_, facts_list, minimum))
        cursor = ids[-1]
    return readiness_counts(round_)


def readiness_counts(round_: Round) -> dict:
    counts = Counter(
        dict(
            (row["failed_rule"], row["n"])
            for row in Eligibility.objects.filter(round=round_)
            .values("failed_rule")
            .annotate(n=Count("pk"))
        )
    )
    return {
        "eligible": counts.get("", 0),
        "total": sum(counts.values()),
        "failed": [(rule, counts.get(rule, 0)) for rule in rules.RULES if counts.get(rule)],
    }


# --- scoring -------------------------------------------------------------------------------


@transaction.atomic
def start_scoring(*, round_id: int, actor, request=None) -> Round:
    """Ask for (re-)scoring of a closed or scored round; the batch task does the work."""
    locked = _locked(round_id)
    if locked.status not in (RoundStatus.CLOSED, RoundStatus.SCORED):
        raise WorkflowError(_("A round is scored after its window closes."), status=409)
    locked.scoring_cursor = 0
    locked.scoring_done = 0
    locked.scoring_total = population(locked).count()
    locked.scoring_started_at = timezone.now()
    locked.scoring_finished_at = None
    locked.save()
    audit(
        action="promotion_round.scoring_requested",
        actor=actor,
        subject=locked,
        entity_id=locked.entity_id,
        request=request,
    )
    from .tasks import batch_score_round

    transaction.on_commit(lambda: batch_score_round.delay(locked.pk))
    return locked


def score_chunk(round_: Round, ids: list[int], minimum: str | None) -> None:
    """Eligibility and scores of one chunk: a fixed number of queries, whatever its size."""
    facts_list = read_facts(ids, round_id=round_.pk, reference=round_.reference_date)
    rows = _eligibility_rows(round_, facts_list, minimum)
    _save_eligibility(rows)
    eligible = {row.employee_id for row in rows if row.eligible}
    params = round_scoring(round_, minimum=minimum)
    scores = []
    for facts in facts_list:
        if facts.employee_id not in eligible:
            continue
        result = scoring.score(facts, params)
        scores.append(
            CandidateScore(
                round=round_,
                employee_id=facts.employee_id,
                criteria=result["criteria"],
                total=result["total"],
                performance_points=result["performance_points"],
                days_in_rank=result["days_in_rank"],
                hire_date=facts.hire_date,
                national_id=facts.national_id,
            )
        )
    CandidateScore.objects.filter(round=round_, employee_id__in=ids).exclude(
        employee_id__in=eligible
    ).delete()
    CandidateScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["round", "employee"],
        update_fields=[
            "criteria",
            "total",
            "performance_points",
            "days_in_rank",
            "hire_date",
            "national_id",
        ],
        batch_size=1000,
    )


def run_scoring(*, round_id: int, chunk: int = CHUNK) -> Round:
    """Score from the round's cursor to the end, then assign; safe to run again or resume."""
    round_ = Round.objects.get(pk=round_id)
    if round_.status not in (RoundStatus.CLOSED, RoundStatus.SCORED):
        return round_
    if round_.scoring_finished_at is not None and round_.status == RoundStatus.SCORED:
        return round_  # an earlier delivery finished it
    if round_.scoring_started_at is None:
        Round.objects.filter(pk=round_id).update(
            scoring_started_at=timezone.now(), scoring_total=population(round_).count()
        )
    minimum = min_qualification(round_)
    while True:
        with transaction.atomic():
            locked = _locked(round_id)
            ids = list(
                population(locked)
                .filter(pk__gt=locked.scoring_cursor)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                break
            score_chunk(locked, ids, minimum)
            locked.scoring_cursor = ids[-1]
            locked.scoring_done = min(
                locked.scoring_done + len(ids), locked.scoring_total or len(ids)
            )
            locked.save(update_fields=["scoring_cursor", "scoring_done"])
    with transaction.atomic():
        locked = _locked(round_id)
        assign_round(locked)
        locked.scoring_finished_at = timezone.now()
        locked.scoring_done = locked.scoring_total
        locked.save(update_fields=["scoring_finished_at", "scoring_done"])
        if locked.status == RoundStatus.CLOSED:
            ROUND_WORKFLOW.take(locked, "score", actor=None, role=Role.SYSTEM)
    return locked


def assign_round(round_: Round) -> None:
    """Order the candidates and give each their highest free preference; a fixed number of
    queries plus one per thousand rows written."""
    rows = list(
        CandidateScore.objects.filter(round=round_).values_list(
            "pk",
            "employee_id",
            "total",
            "performance_points",
            "days_in_rank",
            "hire_date",
            "national_id",
            "criteria",
        )
    )
    candidates = [
        scoring.Candidate(emp, total, perf, days, hired, nid)
        for _pk, emp, total, perf, days, hired, nid, _c in rows
    ]
    level = {emp: (crit.get("education", {}).get("raw") or None) for _pk, emp, *_r, crit in rows}
    offers = dict(
        OfferedPosition.objects.filter(round=round_).values_list(
            "pk", "position__job_class__min_qualification"
        )
    )
    allowed = {
        emp: {pk for pk, minimum in offers.items() if rules.meets(level[emp], minimum)}
        for emp in level
    }
    preferences: dict[int, list[int]] = {}
    for emp, offered in (
        Preference.objects.filter(round=round_)
        .order_by("employee_id", "order")
        .values_list("employee_id", "offered_id")
    ):
        preferences.setdefault(emp, []).append(offered)
    results = {
        a.employee_id: a
        for a in scoring.assign(candidates, preferences, round_.tie_break, allowed=allowed)
    }
    # Clear first: places and positions move between rows, and each is unique in the round.
    CandidateScore.objects.filter(round=round_).update(
        place=None, assigned=None, assigned_preference=None, outcome="", decided_by=""
    )
    # Written back as an upsert on (round, employee): one INSERT ... ON CONFLICT per thousand
    # rows, much cheaper than bulk_update's CASE per row.
    updated = []
    for _pk, emp, total, perf, days, hired, nid, criteria in rows:
        a = results[emp]
        updated.append(
            CandidateScore(
                round=round_,
                employee_id=emp,
                criteria=criteria,
                total=total,
                performance_points=perf,
                days_in_rank=days,
                hire_date=hired,
                national_id=nid,
                place=a.place,
                assigned_id=a.offered_id,
                assigned_preference=a.preference,
                outcome=a.outcome,
                decided_by=a.decided_by,
            )
        )
    CandidateScore.objects.bulk_create(
        updated,
        update_conflicts=True,
        unique_fields=["round", "employee"],
        update_fields=["place", "assigned", "assigned_preference", "outcome", "decided_by"],
        batch_size=1000,
    )


# --- the employee's preferences ------------------------------------------------------------


@dataclass(frozen=True)
class SavedPreferences:
    submission: PreferenceSubmission
    created: bool


def save_preferences(
    *, employee: Employee, round_id: int, offered_ids: list[int], token: uuid.UUID, request=None
) -> SavedPreferences:
    """Replace the person's ranked preferences while the window is open.

    The same form token twice (double click, refresh) returns the first receipt. The round's
    row lock and the server clock decide the window: a save racing the close either commits
    before the close step or is refused after it.
    """
    existing = PreferenceSubmission.objects.filter(
        round_id=round_id, employee=employee, token=token
    ).first()
    if existing is not None:
        return SavedPreferences(existing, False)
    try:
        saved = _save(employee, round_id, offered_ids, token, request)
    except IntegrityError:
        existing = PreferenceSubmission.objects.filter(
            round_id=round_id, employee=employee, token=token
        ).first()
        if existing is None:
            raise
        return SavedPreferences(existing, False)
    if saved is None:
        saved = PreferenceSubmission.objects.get(round_id=round_id, employee=employee, token=token)
    return SavedPreferences(saved, True)


def _save(employee, round_id, offered_ids, token, request) -> PreferenceSubmission:
    with transaction.atomic():
        try:
            locked = Round.objects.select_for_update().get(
                pk=round_id, entity_id=employee.entity_id
            )
        except Round.DoesNotExist:
            raise WorkflowError(_("This round does not exist."), status=404) from None
        now = timezone.now()
        if locked.status != RoundStatus.OPEN or not (locked.opens_at <= now < locked.closes_at):
            raise WorkflowError(
                _("The window for preferences is closed: nothing was changed."), status=409
            )
        if not offered_ids:
            raise WorkflowError(_("Choose at least one position."), field="positions")
        if len(offered_ids) != len(set(offered_ids)):
            raise WorkflowError(_("Each position may be chosen once."), field="positions")
        if len(offered_ids) > locked.max_preferences:
            raise WorkflowError(
                _("You may choose at most %(max)s positions.") % {"max": locked.max_preferences},
                field="positions",
            )
        offers = {
            o.pk: o
            for o in OfferedPosition.objects.filter(
                round=locked, pk__in=offered_ids
            ).select_related("position__job_class")
        }
        if len(offers) != len(offered_ids):
            raise WorkflowError(
                _("A chosen position is not offered in this round."), field="positions"
            )
        results, facts = evaluate_person(round_=locked, employee=employee)
        failed = rules.first_failed(results)
        if failed:
            raise WorkflowError(
                _("You are not eligible for this round: %(rule)s.")
                % {"rule": rules.rule_title(failed)},
                status=403,
            )
        for pk in offered_ids:
            minimum = offers[pk].position.job_class.min_qualification
            if not rules.meets(facts.qualification, minimum):
                raise WorkflowError(
                    _("Position %(number)s needs a qualification you do not hold.")
                    % {"number": offers[pk].position.number},
                    field="positions",
                )
        Preference.objects.filter(round=locked, employee=employee).delete()
        Preference.objects.bulk_create(
            [
                Preference(round=locked, employee=employee, offered_id=pk, order=order)
                for order, pk in enumerate(offered_ids, start=1)
            ]
        )
        numbers = [offers[pk].position.number for pk in offered_ids]
        submission = PreferenceSubmission.objects.create(
            round=locked,
            employee=employee,
            token=token,
            receipt=next_reference(prefix="PR"),
            positions=numbers,
        )
        audit(
            action="promotion.preferences_saved",
            actor=employee.user,
            subject=submission,
            entity_id=locked.entity_id,
            request=request,
            changes={"round": locked.pk, "positions": numbers, "receipt": submission.receipt},
        )
        _notify(
            user=employee.user,
            kind="promotion_preferences_saved",
            context={"receipt": submission.receipt, "count": len(numbers)},
        )
    return submission


# --- the results PDF ------------------------------------------------------------------------


def request_results_document(*, round_id: int, entity_id: int, language: str, actor):
    """The published round's results as a verifiable PDF (core.documents, rendered by the
    documents worker). The published table never changes, so a document already issued or
    being prepared in that language is returned instead of a second one (a double click makes
    one PDF); a failed or revoked one is replaced."""
    from core.documents import documents_of_entity, request_document
    from core.models import Document

    from .documents import PROMOTION_RESULTS

    with transaction.atomic():
        # Locked so two requests at once make one document.
        locked = Round.objects.select_for_update().get(pk=round_id, entity_id=entity_id)
        if locked.status != RoundStatus.PUBLISHED:
            raise WorkflowError(
                _("The results document is issued once the round is published."), status=409
            )
        existing = (
            documents_of_entity(
                entity_id=locked.entity_id, kind=PROMOTION_RESULTS, params={"round": locked.pk}
            )
            .filter(
                language=language,
                revoked_at__isnull=True,
                status__in=[Document.Status.PENDING, Document.Status.READY],
            )
            .first()
        )
        if existing is not None:
            return existing
        return request_document(
            kind=PROMOTION_RESULTS,
            requested_by=actor,
            entity=locked.entity_id,
            params={"round": locked.pk},
            language=language,
        )


# --- objection -----------------------------------------------------------------------------


def object_to_result(
    *, employee: Employee, round_: Round, text: str, remedy: str, token, request=None
):
    """Open a grievance in category "promotion" against the round's published result (the one
    call from promotions into another service)."""
    import grievances.services as grievance_services

    if round_.status != RoundStatus.PUBLISHED or round_.entity_id != employee.entity_id:
        raise WorkflowError(_("This round's result is not published."), status=404)
    decided = timezone.localdate(round_.published_at)
    data = grievance_services.GrievanceInput(
        category="promotion",
        decision_number=round_.decision_number,
        decision_date=decided,
        learned_on=decided,  # the result is learned of when it is published
        text=text,
        remedy=remedy,
    )
    try:
        grievance, _created = grievance_services.submit_grievance(
            employee=employee, data=data, attachments=[], submission_token=token, request=request
        )
    except WorkflowError:
        raise
    except getattr(grievance_services, "GrievanceError", WorkflowError) as error:
        raise WorkflowError(error.message, field=error.field) from None
    return grievance
