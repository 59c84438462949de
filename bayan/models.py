"""Bayan (بيان): end-of-service statements, their periods, their history and their delivery.

A statement is one version of one employee's statement of service. Approval freezes it: the
periods and totals are copied into `snapshot` and nothing about it changes after that but its
delivery state. A later change (a rejection by the authority, a corrected record) is a new
version with the same number; the older versions stay as they were.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.workflow import StatusHistory
from employment_records.models import RANK_VALIDATORS, STEP_VALIDATORS, EndReason


class Status(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved, waiting to be sent")
    SENT = "sent", _("Sent to the pension authority")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the pension authority")
    REJECTED = "rejected", _("Rejected by the pension authority")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


EDITABLE = (Status.DRAFT,)
FROZEN = (Status.APPROVED, Status.SENT, Status.ACKNOWLEDGED, Status.REJECTED, Status.SUPERSEDED)
IN_FLIGHT = (Status.APPROVED, Status.SENT)


class Statement(models.Model):
    number = models.CharField(_("statement number"), max_length=20)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    employee = models.ForeignKey(
        "employment_records.Employee",
        on_delete=models.PROTECT,
        related_name="bayan_statements",
        verbose_name=_("employee"),
    )
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("government entity"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    hire_date = models.DateField(_("hire date"))
    end_date = models.DateField(_("end of service date"))
    end_reason = models.CharField(
        _("end of service reason"), max_length=20, choices=EndReason.choices
    )
    rank = models.PositiveSmallIntegerField(_("last rank"), validators=RANK_VALIDATORS)
    step = models.PositiveSmallIntegerField(_("last step"), validators=STEP_VALIDATORS)
    basic_salary = models.DecimalField(
        _("last basic salary (SAR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # The periods and totals as approved; empty until then, never changed after.
    snapshot = models.JSONField(_("approved statement"), default=dict, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    pension_reference = models.CharField(
        _("pension authority reference"), max_length=40, blank=True
    )
    rejection_reason = models.TextField(_("authority's reason for rejecting"), blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    document = models.ForeignKey(
        "core.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("PDF"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Bayan statement")
        verbose_name_plural = _("Bayan statements")
        ordering = ["-created_at", "-id"]
        # The consoles' lists: an entity's latest change first (HR, below the work list) and
        # everyone's newest first (ministry).
        indexes = [
            models.Index(fields=["entity", "-updated_at", "-id"], name="bayan_entity_list"),
            models.Index(fields=["-created_at", "-id"], name="bayan_list"),
            # The ministry's search by the pension authority's reference.
            models.Index(fields=["pension_reference"], name="bayan_pension_reference"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["employee", "version"], name="bayan_one_row_a_version"),
            models.UniqueConstraint(fields=["number", "version"], name="bayan_number_version"),
            # One version of an employee's statement is worked on at a time.
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(status__in=["draft", "submitted", "approved", "sent"]),
                name="bayan_one_open_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="bayan_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("hire_date")), name="bayan_end_after_hire"
            ),
            # Frozen means frozen: an approved statement has its snapshot and its approver.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"])
                | (Q(approved_at__isnull=False) & ~Q(snapshot={})),
                name="bayan_approved_is_frozen",
            ),
            models.CheckConstraint(
                condition=~Q(status="acknowledged") | ~Q(pension_reference=""),
                name="bayan_acknowledged_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="bayan_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN


class StatementPeriod(models.Model):
    """One period of a statement being prepared: computed from the record, editable with a
    reason while the statement is a draft (each edit is audited and kept in its history)."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="periods", verbose_name=_("statement")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    counts = models.BooleanField(_("counts towards service"), default=True)
    kind = models.CharField(_("kind"), max_length=30)
    decision_number = models.CharField(_("decision number"), max_length=30, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, blank=True, validators=RANK_VALIDATORS
    )
    edited = models.BooleanField(_("edited by HR"), default=False)
    edit_reason = models.TextField(_("reason for the edit"), blank=True)

    class Meta:
        verbose_name = _("statement period")
        verbose_name_plural = _("statement periods")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="bayan_period_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="bayan_period_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(edited=False) | ~Q(edit_reason=""), name="bayan_period_edit_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.start} – {self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class StatementHistory(StatusHistory):
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="history", verbose_name=_("statement")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("statement history")
        verbose_name_plural = _("statement history")


class Delivery(models.Model):
    """The outbox row of one approved statement: written in the approval's transaction, sent
    by a task, re-driven by beat. Its idempotency key makes every retry the same submission."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DONE = "done", _("Answered by the authority")
        FAILED = "failed", _("Delivery failed")

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, related_name="delivery", verbose_name=_("statement")
    )
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True)
    state = models.CharField(
        _("delivery state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response = models.JSONField(_("authority's answer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery to the pension authority")
        verbose_name_plural = _("deliveries to the pension authority")
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="bayan_delivery_list")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "done", "failed"]), name="bayan_delivery_state"
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_at__isnull=False),
                name="bayan_delivery_done_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.statement} → {self.state}"
