"""Grievances (التظلمات): a complaint against a decision, its number, its history and result.

The workflow is data (`grievances.workflow.WORKFLOW`, on core.workflow); every change of status
is a new, append-only `GrievanceStatus` row, written while the grievance row is locked (see
services.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import PrivateAttachment
from core.workflow import SlaClock, StatusHistory


class Category(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    # The key matches GRIEVANCE_FILING_DAYS["performance"] (15 days, DOMAIN.md).
    PERFORMANCE = "performance", _("Performance evaluation")
    TRANSFER = "transfer", _("Transfer")
    DISCIPLINARY = "disciplinary", _("Disciplinary penalty")
    FINANCIAL = "financial", _("Financial entitlements")
    DATA_CORRECTION = "data_correction", _("Data correction")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under follow-up")
    MORE_INFO_REQUESTED = "more_info_requested", _("More information requested")
    DECIDED = "decided", _("Response given")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which the entity owes an answer and the SLA clock runs.
CLOCK_RUNNING = (Status.SUBMITTED, Status.UNDER_REVIEW)
# Before a decision the employee may still withdraw.
OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.MORE_INFO_REQUESTED)


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")


class GrievanceQuerySet(models.QuerySet):
    def overdue(self, *, now: dt.datetime | None = None):
        # While more information is awaited the clock is paused, so only these can be late.
        return self.filter(status__in=CLOCK_RUNNING, due_at__lt=now or timezone.now())


class Grievance(SlaClock, models.Model):
    number = models.CharField(_("grievance number"), max_length=20, unique=True)
    employee = models.ForeignKey(
        "employment_records.Employee",
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("employee"),
    )
    # The entity at filing: the employee may move later, the grievance stays with it.
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        on_delete=models.PROTECT,
        related_name="grievances",
        verbose_name=_("government entity"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    action = models.ForeignKey(
        "employment_records.EmploymentAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances",
        verbose_name=_("decision in the employment record"),
    )
    decision_number = models.CharField(_("decision number"), max_length=30)
    decision_date = models.DateField(_("decision date"))
    learned_on = models.DateField(_("date you learned of the decision"))
    text = models.TextField(_("grievance"))
    remedy = models.TextField(_("remedy asked for"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # The SLA clock (core.workflow.SlaClock): always set for a grievance.
    due_at = models.DateTimeField(_("answer due by"))
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_grievances",
        verbose_name=_("assigned to"),
    )
    outcome = models.CharField(_("result"), max_length=20, choices=Outcome.choices, blank=True)
    reasoning = models.TextField(_("reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # One submission per form token: a double click, a refresh or back-and-resubmit finds it.
    submission_token = models.UUIDField(_("submission token"), editable=False)

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["entity", "status", "due_at"], name="grievance_queue"),
            # The consoles' lists: an entity's by due date (HR), everyone's newest first.
            models.Index(fields=["entity", "due_at", "-id"], name="grievance_entity_due"),
            models.Index(fields=["-submitted_at", "-id"], name="grievance_list"),
            # The consoles' search: the grievances about one decision.
            models.Index(fields=["decision_number"], name="grievance_decision"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "submission_token"], name="grievance_one_per_token"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^G-[0-9]{4}-[0-9]{6}$"), name="grievance_number_format"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="grievance_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="grievance_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(learned_on__gte=F("decision_date")),
                name="grievance_learned_after_decision",
            ),
            # A result exists exactly when the grievance has been decided (and maybe closed).
            models.CheckConstraint(
                condition=(
                    Q(status__in=[Status.DECIDED, Status.CLOSED])
                    & ~Q(outcome="")
                    & ~Q(reasoning="")
                    & Q(decided_at__isnull=False)
                )
                | (~Q(status__in=[Status.DECIDED, Status.CLOSED]) & Q(outcome="")),
                name="grievance_outcome_iff_decided",
            ),
            models.CheckConstraint(
                condition=Q(paused_since__isnull=True) | Q(status=Status.MORE_INFO_REQUESTED),
                name="grievance_paused_only_awaiting_employee",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_overdue(self) -> bool:
        return self.status in CLOCK_RUNNING and self.due_at < timezone.now()

    @property
    def can_withdraw(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_employee(self) -> bool:
        return self.status == Status.MORE_INFO_REQUESTED

    @property
    def open_question(self):
        """HR's latest question (uses the prefetched messages)."""
        questions = [message for message in self.messages.all() if message.from_hr]
        return questions[-1] if questions else None

    @property
    def needs_committee(self) -> bool:
        return self.category == Category.PERFORMANCE


class GrievanceStatus(StatusHistory):
    """One change of status. Rows are only ever added (core.workflow.Workflow.take)."""

    grievance = models.ForeignKey(
        Grievance, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("grievance")
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    previous = models.CharField(
        _("previous status"), max_length=32, choices=Status.choices, blank=True
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("grievance status")
        verbose_name_plural = _("grievance statuses")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="grievance_status_row_valid"
            ),
        ]

    def __str__(self):
        return f"{self.grievance_id}: {self.previous or '-'} -> {self.status}"

    def save(self, *args, **kwargs):
        if self.pk is None:
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        from .workflow import WORKFLOW

        if self.previous and self.status not in WORKFLOW.allowed_targets(self.previous):
            raise ValidationError(
                _("A grievance that is “%(current)s” cannot become “%(new)s”."),
                params={"current": Status(self.previous).label, "new": Status(self.status).label},
            )

    @property
    def label(self) -> str:
        return self.get_status_display()


class GrievanceMessage(models.Model):
    """A question from HR or the employee's answer."""

    grievance = models.ForeignKey(
        Grievance, on_delete=models.CASCADE, related_name="messages", verbose_name=_("grievance")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    from_hr = models.BooleanField(_("from HR"))
    body = models.TextField(_("message"))
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("grievance message")
        verbose_name_plural = _("grievance messages")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.grievance_id} @ {self.at:%Y-%m-%d %H:%M}"


class GrievanceAttachment(PrivateAttachment):
    grievance = models.ForeignKey(
        Grievance,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("grievance"),
    )
    message = models.ForeignKey(
        GrievanceMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("message"),
    )
    # The entity's official reply letter, filed with the decision and shown with the result.
    decision_letter = models.BooleanField(_("official reply letter"), default=False)

    class Meta(PrivateAttachment.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            *PrivateAttachment.Meta.constraints,
            models.UniqueConstraint(
                fields=["grievance"],
                condition=models.Q(decision_letter=True),
                name="grievance_one_decision_letter",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_letter=False) | models.Q(message__isnull=True),
                name="grievance_letter_not_in_a_message",
            ),
        ]


class CommitteeRecommendation(models.Model):
    """The 3-member committee's recommendation on a performance-evaluation grievance."""

    grievance = models.OneToOneField(
        Grievance,
        on_delete=models.CASCADE,
        related_name="committee",
        verbose_name=_("grievance"),
    )
    chair = models.CharField(_("committee chair"), max_length=150)
    member_2 = models.CharField(_("second member"), max_length=150)
    member_3 = models.CharField(_("third member"), max_length=150)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Outcome.choices)
    reasoning = models.TextField(_("reasons"))
    met_on = models.DateField(_("meeting date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("committee recommendation")
        verbose_name_plural = _("committee recommendations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(chair="") & ~Q(member_2="") & ~Q(member_3=""),
                name="committee_three_members",
            ),
            models.CheckConstraint(
                condition=~Q(chair=F("member_2"))
                & ~Q(chair=F("member_3"))
                & ~Q(member_2=F("member_3")),
                name="committee_members_distinct",
            ),
        ]

    def __str__(self):
        return f"{self.grievance_id}: {self.recommendation}"
