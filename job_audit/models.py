"""Job data audit: audit runs over an entity's position inventory and the findings they keep.

A `Finding` is one row per (entity, fingerprint) that lives across runs: each run marks the
findings it sees again (`last_run`), creates the new ones and closes those that disappeared, so
a specialist's "resolved" or "justified" survives a re-run while the finding persists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employment_records.models import Employee, GovernmentEntity, Position

from .findings import FindingType, Severity, explain


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditRun(models.Model):
    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="audit_runs",
        verbose_name=_("entity"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    positions_total = models.PositiveIntegerField(_("positions"), default=0)
    positions_done = models.PositiveIntegerField(_("positions checked"), default=0)
    counts = models.JSONField(_("findings per type"), default=dict, blank=True)
    opened = models.PositiveIntegerField(_("new findings"), default=0)
    closed = models.PositiveIntegerField(_("findings gone"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="audit_run_status_valid"
            ),
            # One run at a time per entity: a second click joins the run under way.
            models.UniqueConstraint(
                fields=["entity"],
                condition=Q(status__in=["queued", "running"]),
                name="audit_run_one_active_per_entity",
            ),
        ]

    def __str__(self):
        return f"{self.entity_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.positions_total:
            return 0
        return min(99, self.positions_done * 100 // self.positions_total)

    @property
    def total_findings(self) -> int:
        return sum(self.counts.values()) if self.counts else 0

    def count_rows(self):
        """(label, count) for every type, zeros included, in the order of FindingType."""
        return [(kind.label, self.counts.get(kind.value, 0)) for kind in FindingType]


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    JUSTIFIED = "justified", _("Justified")
    CLOSED = "closed", _("Gone")


class FindingQuerySet(models.QuerySet):
    def current(self):
        """Findings the latest run still saw (every state but gone)."""
        return self.exclude(state=FindingState.CLOSED)


class Finding(models.Model):
    entity = models.ForeignKey(
        GovernmentEntity, on_delete=models.PROTECT, related_name="+", verbose_name=_("entity")
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=80)
    type = models.CharField(_("type"), max_length=30, choices=FindingType.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("position"),
    )
    employee = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("employee"),
    )
    other_employee = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("other employee"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    note = models.TextField(
        _("reason or correction"),
        blank=True,
        help_text=_("Why the finding is justified, or which correction or variable fixed it."),
    )
    first_run = models.ForeignKey(
        AuditRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("first seen in")
    )
    last_run = models.ForeignKey(
        AuditRun,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("last seen in"),
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["type", "id"]
        indexes = [models.Index(fields=["entity", "state", "type"], name="finding_entity_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "fingerprint"], name="finding_fingerprint_unique_in_entity"
            ),
            models.CheckConstraint(
                condition=Q(type__in=FindingType.values), name="finding_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=FindingState.values), name="finding_state_valid"
            ),
            # Resolved names the correction or variable; justified gives a reason.
            models.CheckConstraint(
                condition=~Q(state__in=["resolved", "justified"]) | ~Q(note=""),
                name="finding_resolution_explained",
            ),
        ]

    def __str__(self):
        return self.explanation

    @property
    def explanation(self) -> str:
        from django.utils.translation import get_language

        return explain(self.type, self.details, language=get_language() or "ar")

    @property
    def explanation_ar(self) -> str:
        return explain(self.type, self.details, language="ar")

    @property
    def explanation_en(self) -> str:
        return explain(self.type, self.details, language="en")


class FindingHistory(models.Model):
    """One change of a finding's state (append-only): by a specialist, or by a run."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="history", verbose_name=_("finding")
    )
    state = models.CharField(_("state"), max_length=10, choices=FindingState.choices)
    previous = models.CharField(
        _("previous state"), max_length=10, choices=FindingState.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    run = models.ForeignKey(
        AuditRun,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("audit run"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("finding history")
        verbose_name_plural = _("finding history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.finding_id} {self.previous}->{self.state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Finding history is append-only.")
        super().save(*args, **kwargs)
