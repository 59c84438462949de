"""Promotion rounds (الترقيات): what is offered, who may compete, their preferences and the
scored, assigned table.

A round keeps everything needed to recompute its result years later: the weights, the
formula parameters that map each criterion's raw value to 0-100, the tie-break order and,
per candidate, the values that were read (Eligibility.rules, CandidateScore.criteria).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.workflow import StatusHistory
from employment_records.models import Employee, GovernmentEntity, Position


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    OPEN = "open", _("Open for preferences")
    CLOSED = "closed", _("Closed")
    SCORED = "scored", _("Scored")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


# How a round names itself in the employment record's entries (employment_records.sources).
RECORD_SOURCE = "promotion_round"

# A position offered in a live round cannot be offered in another one.
LIVE_STATUSES = ("draft", "announced", "open", "closed", "scored")


class Criterion(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    TRAINING = "training", _("Training")
    EDUCATION = "education", _("Education")
    SENIORITY = "seniority", _("Seniority in rank")
    VOLUNTEERING = "volunteering", _("Volunteering")
    OTHER = "other", _("Other (HR points)")


class TieBreak(models.TextChoices):
    PERFORMANCE = "performance", _("higher performance score")
    SENIORITY = "seniority", _("longer time in rank")
    HIRE_DATE = "hire_date", _("earlier hire date")
    NATIONAL_ID = "national_id", _("lower national ID number")


def default_tie_break() -> list[str]:
    return [choice.value for choice in TieBreak]


def default_formula() -> dict:
    """The documented raw -> 0-100 mapping (see promotions/scoring.py); stored per round."""
    return {
        "training_years": 5,  # completed training ending in the last N years before the reference
        "training_full_hours": 200,  # this many hours or more give 100
        "education_base": 60,  # qualification equal to the class minimum
        "education_step": 20,  # each level above the minimum
        "seniority_bands": [[4, "1"], [8, "1.5"], [12, "2"]],  # up to year N: points per year
        "year_days": "354.367",  # a Hijri (Umm al-Qura) year, in days
        "volunteering_years": 5,
        "volunteering_full_hours": 100,
    }


class Round(models.Model):
    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="promotion_rounds",
        verbose_name=_("entity"),
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    target_rank = models.PositiveSmallIntegerField(
        _("target rank"), help_text=_("Candidates hold the rank below it (ranks 2 to 10).")
    )
    reference_date = models.DateField(
        _("reference date"), help_text=_("Time in rank and records are read at this date.")
    )
    opens_at = models.DateTimeField(_("preferences open at"))
    closes_at = models.DateTimeField(_("preferences close at"))
    max_preferences = models.PositiveSmallIntegerField(_("maximum preferences"), default=5)
    min_years_in_rank = models.PositiveSmallIntegerField(_("minimum years in rank"), default=4)
    weight_performance = models.PositiveSmallIntegerField(_("weight: performance"), default=50)
    weight_training = models.PositiveSmallIntegerField(_("weight: training"), default=20)
    weight_education = models.PositiveSmallIntegerField(_("weight: education"), default=0)
    weight_seniority = models.PositiveSmallIntegerField(_("weight: seniority"), default=0)
    weight_volunteering = models.PositiveSmallIntegerField(_("weight: volunteering"), default=20)
    weight_other = models.PositiveSmallIntegerField(_("weight: other"), default=10)
    formula = models.JSONField(_("scoring formula parameters"), default=default_formula)
    tie_break = models.JSONField(_("tie-break order"), default=default_tie_break)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Scoring progress (the batch task writes these; the round page polls them).
    scoring_total = models.PositiveIntegerField(_("candidates to score"), default=0)
    scoring_done = models.PositiveIntegerField(_("candidates scored"), default=0)
    scoring_cursor = models.PositiveBigIntegerField(default=0, editable=False)
    scoring_started_at = models.DateTimeField(_("scoring started at"), null=True, blank=True)
    scoring_finished_at = models.DateTimeField(_("scoring finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("promotion round")
        verbose_name_plural = _("promotion rounds")
        ordering = ["-opens_at", "-id"]
        # The consoles' lists, newest first: an entity's (HR) and everyone's (ministry).
        indexes = [
            models.Index(fields=["entity", "-opens_at", "-id"], name="round_entity_list"),
            models.Index(fields=["-opens_at", "-id"], name="round_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_rank__gte=2, target_rank__lte=10), name="round_target_rank_2_10"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(max_preferences__gte=1, max_preferences__lte=20),
                name="round_max_preferences_1_20",
            ),
            models.CheckConstraint(
                condition=Q(min_years_in_rank__gte=1, min_years_in_rank__lte=15),
                name="round_min_years_1_15",
            ),
            # Weights are whole numbers that sum to 100 (each criterion's share of the total).
            models.CheckConstraint(
                condition=Exact(
                    F("weight_performance")
                    + F("weight_training")
                    + F("weight_education")
                    + F("weight_seniority")
                    + F("weight_volunteering")
                    + F("weight_other"),
                    100,
                ),
                name="round_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ar

    @property
    def decision_number(self) -> str:
        """The number of the round's promotion decision: in each promoted person's record and
        in an objection against the result."""
        return f"PROMO-{self.pk}"

    @property
    def candidate_rank(self) -> int:
        return self.target_rank - 1

    @property
    def weights(self) -> dict[str, int]:
        return {criterion: getattr(self, f"weight_{criterion}") for criterion in Criterion.values}

    @property
    def scoring_percent(self) -> int:
        if not self.scoring_total:
            return 100 if self.scoring_finished_at else 0
        return min(100, self.scoring_done * 100 // self.scoring_total)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class OfferedPosition(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="offered", verbose_name=_("round")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="offers", verbose_name=_("position")
    )
    # Copied from the round so the database can refuse a second live offer of one position.
    live = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("offered position")
        verbose_name_plural = _("offered positions")
        ordering = ["round", "position__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="offer_once_per_round"),
            models.UniqueConstraint(
                fields=["position"], condition=Q(live=True), name="offer_one_live_round"
            ),
        ]

    def __str__(self):
        return str(self.position)


class Eligibility(models.Model):
    """One person's verdict for one round, with each rule's values (promotions.rules)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="eligibilities", verbose_name=_("round")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="promotion_eligibilities",
        verbose_name=_("employee"),
    )
    eligible = models.BooleanField(_("eligible"))
    failed_rule = models.CharField(_("first failed rule"), max_length=30, blank=True)
    rules = models.JSONField(_("rules and the values read"), default=list)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("eligibility")
        verbose_name_plural = _("eligibilities")
        constraints = [
            models.UniqueConstraint(fields=["round", "employee"], name="eligibility_one_per_round"),
            models.CheckConstraint(
                condition=Q(eligible=True, failed_rule="") | Q(eligible=False) & ~Q(failed_rule=""),
                name="eligibility_failed_rule_consistent",
            ),
        ]
        indexes = [models.Index(fields=["round", "failed_rule"], name="eligibility_by_rule")]

    def __str__(self):
        return f"{self.employee_id}: {self.failed_rule or 'eligible'}"


class Preference(models.Model):
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("round")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="promotion_preferences",
        verbose_name=_("employee"),
    )
    offered = models.ForeignKey(
        OfferedPosition,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("position"),
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["round", "employee", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "employee", "offered"], name="preference_position_once"
            ),
            models.UniqueConstraint(
                fields=["round", "employee", "order"], name="preference_order_once"
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1, order__lte=20), name="preference_order_1_20"
            ),
        ]

    def __str__(self):
        return f"{self.employee_id} #{self.order}"


class PreferenceSubmission(models.Model):
    """One saved list of preferences: the receipt the person keeps; one per form token."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("round")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", verbose_name=_("employee")
    )
    receipt = models.CharField(_("receipt number"), max_length=30, unique=True)
    token = models.UUIDField(_("submission token"), editable=False)
    positions = models.JSONField(_("position numbers in order"), default=list)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("preference submission")
        verbose_name_plural = _("preference submissions")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "employee", "token"], name="submission_one_per_token"
            )
        ]

    def __str__(self):
        return self.receipt


class OtherPoints(models.Model):
    """Points HR gives under the "other" criterion, with a reason (audited)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="other_points", verbose_name=_("round")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", verbose_name=_("employee")
    )
    points = models.PositiveSmallIntegerField(_("points (0-100)"))
    reason = models.TextField(_("reason"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("other points")
        verbose_name_plural = _("other points")
        constraints = [
            models.UniqueConstraint(fields=["round", "employee"], name="other_points_once"),
            models.CheckConstraint(condition=Q(points__lte=100), name="other_points_0_100"),
        ]

    def __str__(self):
        return f"{self.employee_id}: {self.points}"


class Outcome(models.TextChoices):
    PROMOTED = "promoted", _("Promoted")
    ALL_TAKEN = "all_taken", _("Every preferred position went to a higher-ranked candidate")
    NO_PREFERENCES = "no_preferences", _("No preferences registered")


class CandidateScore(models.Model):
    """A row of the round's table: points per criterion, the total, the place and the
    assignment. `criteria` holds per criterion {raw, points (0-100), weighted, source}."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="scores", verbose_name=_("round")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="promotion_scores",
        verbose_name=_("employee"),
    )
    criteria = models.JSONField(_("points per criterion"), default=dict)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    # The tie-break keys, stored so the order can be checked and explained.
    performance_points = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    days_in_rank = models.IntegerField(default=0)
    hire_date = models.DateField()
    national_id = models.CharField(max_length=10)
    place = models.PositiveIntegerField(_("place"), null=True, blank=True)
    decided_by = models.CharField(
        _("tie-break that placed them above the next candidate"), max_length=20, blank=True
    )
    assigned = models.ForeignKey(
        OfferedPosition,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned position"),
    )
    assigned_preference = models.PositiveSmallIntegerField(
        _("preference obtained"), null=True, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("candidate score")
        verbose_name_plural = _("candidate scores")
        ordering = ["round", "place", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "employee"], name="score_one_per_round"),
            models.UniqueConstraint(
                fields=["round", "place"], condition=Q(place__isnull=False), name="score_place_once"
            ),
            models.UniqueConstraint(
                fields=["round", "assigned"],
                condition=Q(assigned__isnull=False),
                name="score_position_assigned_once",
            ),
            models.CheckConstraint(
                condition=Q(assigned__isnull=True, assigned_preference__isnull=True)
                | Q(assigned__isnull=False, assigned_preference__isnull=False, outcome="promoted"),
                name="score_assignment_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.place}. {self.national_id} {self.total}"


class RoundHistory(StatusHistory):
    """Every step of a round (append-only), written by `promotions.workflow.ROUND_WORKFLOW`."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="history", verbose_name=_("round")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("round step")
        verbose_name_plural = _("round steps")
