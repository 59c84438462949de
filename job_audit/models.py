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

from core.uploads import PrivateAttachment
from core.workflow import SlaClock, StatusHistory
from employment_records.models import (
    Employee,
    GovernmentEntity,
    JobClass,
    OrganisationalUnit,
    Position,
)

from .findings import SEVERITY, FindingType, Severity, explain


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
        # The consoles' lists, newest first: an entity's (HR) and everyone's (ministry).
        indexes = [
            models.Index(fields=["entity", "-created_at", "-id"], name="audit_run_entity_list"),
            models.Index(fields=["-created_at", "-id"], name="audit_run_list"),
        ]
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

    def severity_rows(self):
        """(severity, label, count) from high to low, zeros included: the run's findings by
        the severity of their type."""
        by_severity = dict.fromkeys(Severity, 0)
        for kind, count in (self.counts or {}).items():
            if kind in FindingType.values:
                by_severity[SEVERITY[FindingType(kind)]] += count
        return [(severity, severity.label, by_severity[severity]) for severity in Severity]


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
        indexes = [
            models.Index(fields=["entity", "state", "type"], name="finding_entity_state"),
            # The consoles' lists by type: an entity's current findings (HR, gone ones only
            # when asked for) and everyone's (ministry).
            models.Index(
                fields=["entity", "type", "id"],
                name="finding_entity_current",
                condition=~Q(state="closed"),
            ),
            models.Index(fields=["type", "id"], name="finding_list"),
        ]
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


# --- job variables (متغيرات الوظائف) ----------------------------------------------------------


class VariableType(models.TextChoices):
    CREATE = "create", _("Create a position")
    ABOLISH = "abolish", _("Abolish a position")
    UPGRADE = "upgrade", _("Upgrade the rank")
    DOWNGRADE = "downgrade", _("Downgrade the rank")
    RECLASSIFY = "reclassify", _("Reclassify")
    TRANSFER = "transfer", _("Transfer to another unit")
    FREEZE = "freeze", _("Freeze")
    UNFREEZE = "unfreeze", _("Unfreeze")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_AUDIT = "under_audit", _("Under ministry audit")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for changes")


OPEN_REQUEST_STATUSES = (
    RequestStatus.DRAFT,
    RequestStatus.SUBMITTED,
    RequestStatus.UNDER_AUDIT,
    RequestStatus.RETURNED,
)
EDITABLE_REQUEST_STATUSES = (RequestStatus.DRAFT, RequestStatus.RETURNED)


class VariableRequest(SlaClock):
    """A request of one or more job variables, submitted, audited and decided as a whole
    (a batch when it holds several)."""

    number = models.CharField(_("request number"), max_length=20, unique=True)
    entity = models.ForeignKey(
        GovernmentEntity,
        on_delete=models.PROTECT,
        related_name="variable_requests",
        verbose_name=_("entity"),
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auditor"),
    )
    decision_note = models.TextField(_("auditor's reason"), blank=True)
    # While returned for changes, the ministry's clock is paused and this is the entity's:
    # the date by which the changed request should come back (the HR home's queue).
    changes_due_at = models.DateTimeField(_("changes due by"), null=True, blank=True)

    class Meta:
        verbose_name = _("job variables request")
        verbose_name_plural = _("job variables requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="variable_request_queue"),
            # The consoles' lists: an entity's newest first (HR); the ministry's queue of
            # requests awaiting its audit, by due date.
            models.Index(
                fields=["entity", "-created_at", "-id"], name="variable_request_entity_list"
            ),
            models.Index(
                fields=["due_at", "id"],
                name="variable_request_audit_queue",
                condition=Q(status__in=["submitted", "under_audit"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="variable_request_status_valid"
            ),
            # A rejection or a return always says why.
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "returned"]) | ~Q(decision_note=""),
                name="variable_request_refusal_has_reason",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_REQUEST_STATUSES

    @property
    def changes_overdue(self) -> bool:
        return (
            self.status == RequestStatus.RETURNED
            and self.changes_due_at is not None
            and self.changes_due_at < timezone.now()
        )

    @property
    def attachments(self):
        """The files of all the request's variables."""
        return VariableAttachment.objects.filter(variable__request=self).order_by("pk")

    @property
    def is_batch(self) -> bool:
        return len(self.variables.all()) > 1


class VariableRequestHistory(StatusHistory):
    request = models.ForeignKey(
        VariableRequest,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("request"),
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("job variables request history")
        verbose_name_plural = _("job variables request history")

    @property
    def label(self) -> str:
        return RequestStatus(self.status).label


class JobVariable(models.Model):
    """One change to the inventory. Which fields a type needs is checked in
    `services.check_variable` (the form and the approval both call it)."""

    request = models.ForeignKey(
        VariableRequest,
        on_delete=models.CASCADE,
        related_name="variables",
        verbose_name=_("request"),
    )
    type = models.CharField(_("type"), max_length=12, choices=VariableType.choices)
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("position"),
    )
    new_number = models.CharField(_("new position number"), max_length=20, blank=True)
    unit = models.ForeignKey(
        OrganisationalUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    job_class = models.ForeignKey(
        JobClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("job class"),
    )
    new_rank = models.PositiveSmallIntegerField(_("new rank"), null=True, blank=True)
    exceptional = models.BooleanField(
        _("exceptional (more than one rank)"),
        default=False,
        help_text=_("An upgrade of more than one rank; the justification must explain why."),
    )
    justification = models.TextField(_("justification"))
    created_position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created position"),
    )

    class Meta:
        verbose_name = _("job variable")
        verbose_name_plural = _("job variables")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=VariableType.values), name="job_variable_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(new_rank__isnull=True) | Q(new_rank__gte=1, new_rank__lte=15),
                name="job_variable_rank_1_15",
            ),
            # Create names a new number and no position; every other type names a position.
            models.CheckConstraint(
                condition=Q(type="create", position__isnull=True) & ~Q(new_number="")
                | (~Q(type="create") & Q(position__isnull=False)),
                name="job_variable_subject_by_type",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.position_label}"

    @property
    def position_label(self) -> str:
        return self.new_number if self.type == VariableType.CREATE else self.position.number


class VariableAttachment(PrivateAttachment):
    variable = models.ForeignKey(
        JobVariable,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("job variable"),
    )

    class Meta(PrivateAttachment.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class AbolishedPosition(models.Model):
    """The shared inventory has no "abolished" status, and an ended employee's record keeps
    pointing at their last position, so an abolished position stays as a frozen row marked
    here; the inventory, findings and choices of this app leave it out."""

    position = models.OneToOneField(
        Position, on_delete=models.PROTECT, related_name="abolition", verbose_name=_("position")
    )
    variable = models.ForeignKey(
        JobVariable, on_delete=models.PROTECT, related_name="+", verbose_name=_("job variable")
    )
    at = models.DateTimeField(_("abolished at"), default=timezone.now)

    class Meta:
        verbose_name = _("abolished position")
        verbose_name_plural = _("abolished positions")

    def __str__(self):
        return str(self.position_id)


class PositionHistory(models.Model):
    """What an approved job variable changed on a position (append-only)."""

    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("position")
    )
    variable = models.ForeignKey(
        JobVariable, on_delete=models.PROTECT, related_name="+", verbose_name=_("job variable")
    )
    type = models.CharField(_("type"), max_length=12, choices=VariableType.choices)
    changes = models.JSONField(_("changes"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("position history")
        verbose_name_plural = _("position history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.position_id} {self.type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Position history is append-only.")
        super().save(*args, **kwargs)


class InventoryPosition(Position):
    """The position inventory as the job-data audit shows it (the HR console's own list)."""

    class Meta:
        proxy = True
        verbose_name = _("inventory position")
        verbose_name_plural = _("position inventory")
