"""Framework records: the audit log (append-only), generated documents (verifiable PDFs), the
reference counters and the notification outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .uploads import PrivateAttachment


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,  # audit_actor_list leads with it
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
        db_index=False,  # audit_entity_list leads with it
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)  # audit_list serves it
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
            # The consoles' lists, newest first: an entity's (HR) and everyone's (ministry).
            models.Index(fields=["entity", "-at", "-id"], name="audit_entity_list"),
            models.Index(fields=["-at", "-id"], name="audit_list"),
            # A specialist's own recent actions (the HR console home), newest first.
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_list"),
        ]

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
    # Empty for a document about an entity rather than a person (a promotion round's results,
    # a job-audit summary): what it is about is then in `params`.
    holder = models.ForeignKey(
        "employment_records.Employee",
        null=True,
        blank=True,
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
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="ar"
    )
    # What the document is about beyond its holder, read by its kind's build_context
    # (e.g. {"round": 12}).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # {"ar": [[label, value], ...], "en": [...]}: what the document states, fixed at issue time
    # and shown by /verify/ so an edited PDF cannot pass for the issued one.
    key_facts = models.JSONField(_("key facts"), default=dict, blank=True)
    sha256 = models.CharField(_("SHA-256 of the issued file"), max_length=64, blank=True)
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
        indexes = [
            models.Index(fields=["status", "enqueued_at"], name="document_pending"),
            # The consoles' lists, newest first: an entity's (HR) and everyone's (ministry).
            models.Index(fields=["entity", "-created_at", "-id"], name="document_entity_list"),
            models.Index(fields=["-created_at", "-id"], name="document_list"),
        ]
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
            models.CheckConstraint(
                condition=models.Q(sha256="") | models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="document_sha256_format",
            ),
            models.CheckConstraint(
                condition=models.Q(holder__isnull=False) | ~models.Q(params={}),
                name="document_about_someone_or_something",
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


class Notification(models.Model):
    """One message to a person: an outbox row written in the transaction of the change that
    causes it (core.notifications.notify). The relay texts it (`sms`); inbox notices (`inbox`)
    are also listed at /notifications/. `status` follows the SMS delivery; a row with nothing
    to text is `sent` when written.

    A message kept out of the inbox (one-time codes) is secret: its text is stored encrypted
    (`body_encrypted`) and wiped once it is sent, has expired or has failed for good."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    mobile = models.CharField(_("mobile"), max_length=13, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    language = models.CharField(_("language"), max_length=5, default="ar")
    body = models.TextField(_("text"), blank=True)
    body_encrypted = models.BinaryField(_("encrypted text"), blank=True, default=b"")
    link = models.CharField(_("link"), max_length=300, blank=True)
    sms = models.BooleanField(_("by SMS"), default=True)
    inbox = models.BooleanField(_("in the inbox"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "retrying", "sent", "failed"]),
                name="notification_status_valid",
            ),
            # A code (or any secret) never shows in the inbox; an inbox notice needs a person.
            models.CheckConstraint(
                condition=models.Q(inbox=False) | models.Q(recipient__isnull=False),
                name="notification_inbox_has_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(sms=False) | ~models.Q(mobile=""),
                name="notification_sms_has_mobile",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_sweep"),
            models.Index(fields=["recipient", "inbox", "-created_at"], name="notification_inbox"),
            models.Index(fields=["-created_at", "-id"], name="notification_list"),  # ministry
            models.Index(
                fields=["recipient", "read_at"],
                name="notification_unread",
                condition=models.Q(inbox=True, read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or self.mobile} ({self.status})"

    @property
    def is_secret(self) -> bool:
        return not self.inbox


class Draft(models.Model):
    """A form in progress, kept on the server so it survives sign-out and a closed browser.

    `data` holds what the person typed, step by step, as sent (`{step: {key: [values]}}`), so a
    step shows again exactly as it was left and every step is validated again at submission.
    Files are checked and stored privately when their step is saved (`DraftAttachment`), so
    going back and forth never loses one. Read only through `core.drafts` (owner-scoped);
    removed when submitted, discarded, or `DRAFT_KEEP_DAYS` after its last change.
    """

    reference = models.UUIDField(_("reference"), unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    service = models.CharField(_("service"), max_length=40)
    subject = models.CharField(_("what it is about"), max_length=80, blank=True)
    step = models.CharField(_("form step"), max_length=40, blank=True)
    data = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "service", "subject"], name="draft_owner")]

    def __str__(self):
        return f"{self.service} {self.reference}"


class DraftAttachment(PrivateAttachment):
    """A checked file of a draft, already in private storage; on submission the service's own
    attachment row takes over the stored file."""

    draft = models.ForeignKey(
        Draft, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("draft")
    )
    step = models.CharField(_("form step"), max_length=40)

    class Meta(PrivateAttachment.Meta):
        verbose_name = _("draft attachment")
        verbose_name_plural = _("draft attachments")
