"""Framework records: the audit log (append-only) and generated documents (verifiable PDFs)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=64, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("government entity"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}:{self.subject_id}"


# Crockford's base32 without I, L, O, U: nothing to misread when typing a code from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: unguessable, still short enough to type


def new_verification_code() -> str:
    import secrets

    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Document(models.Model):
    """A generated PDF (service statement, CV, Bayan) that anyone can verify by its code."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    code = models.CharField(
        _("verification code"), max_length=CODE_LENGTH, unique=True, default=new_verification_code
    )
    kind = models.CharField(_("document type"), max_length=40)
    holder = models.ForeignKey(
        "employment_records.Employee",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("holder"),
    )
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("government entity"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file_name = models.CharField(_("stored file"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last queued at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="document_pending")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]),
                name="document_status_valid",
            ),
            # A ready document has its file and its issue time; a pending one has neither.
            models.CheckConstraint(
                condition=~models.Q(status="ready")
                | (~models.Q(file_name="") & models.Q(issued_at__isnull=False)),
                name="document_ready_has_file",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9A-HJKMNP-TV-Z]{12}$"),
                name="document_code_format",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.display_code}"

    @property
    def display_code(self) -> str:
        """XXXX-XXXX-XXXX, as printed on the document."""
        return "-".join(self.code[i : i + 4] for i in range(0, CODE_LENGTH, 4))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ReferenceCounter(models.Model):
    """The last public reference number given for one prefix in one Hijri year
    (`core.workflow.next_reference`); its row is locked while the next number is taken."""

    prefix = models.CharField(_("prefix"), max_length=8)
    hijri_year = models.PositiveSmallIntegerField(_("Hijri year"))
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "hijri_year"], name="reference_counter_once"),
            models.CheckConstraint(
                condition=models.Q(prefix__regex=r"^[A-Z]{1,8}$"), name="reference_prefix_letters"
            ),
        ]

    def __str__(self):
        return f"{self.prefix}-{self.hijri_year}: {self.last_value}"
