"""The portal account, service grants and HR scope.

An `employment_records.Employee` is the ministry's record and exists before any account; a
`User` exists after registration or a first Nafath sign-in and is linked to it one-to-one.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masar.catalogue import ServiceCode

from .validators import normalise_national_id, validate_national_id, validate_saudi_mobile


class MasarUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        return super()._create_user(
            normalise_national_id(username), email, password, **extra_fields
        )

    def get_by_natural_key(self, username):
        return self.get(username=username)


class User(AbstractUser):
    """A portal account. The username is the national ID."""

    username = models.CharField(
        _("national ID"),
        max_length=10,
        unique=True,
        validators=[validate_national_id],
        error_messages={"unique": _("An account with this national ID already exists.")},
    )
    mobile = models.CharField(
        _("mobile number"), max_length=13, blank=True, validators=[validate_saudi_mobile]
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    nafath_verified_at = models.DateTimeField(
        _("identity verified by Nafath at"), null=True, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="ar"
    )

    objects = MasarUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(username__regex=r"^[12][0-9]{9}$"), name="user_national_id_format"
            ),
        ]

    @property
    def national_id(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        employee = getattr(self, "employee", None)
        if employee is not None:
            return employee.short_name
        return self.get_full_name() or self.username

    def __str__(self):
        return self.display_name


class ServiceGrantQuerySet(models.QuerySet):
    def active(self, *, on=None):
        today = on or timezone.localdate()
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            revoked_at__isnull=True,
            valid_from__lte=today,
        )


class ServiceGrant(models.Model):
    """Permission for one person to use one service, within one government entity.

    Grants name the Employee rather than the account, so an entity can grant a service
    before the person has registered (DOMAIN.md: permissions exist per service and entity).
    """

    employee = models.ForeignKey(
        "employment_records.Employee",
        on_delete=models.CASCADE,
        related_name="service_grants",
        verbose_name=_("employee"),
    )
    service = models.CharField(_("service"), max_length=32, choices=ServiceCode.choices)
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        on_delete=models.PROTECT,
        related_name="service_grants",
        verbose_name=_("government entity"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ServiceGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("service grant")
        verbose_name_plural = _("service grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="grant_valid_until_after_from",
            ),
            models.UniqueConstraint(
                fields=["employee", "service", "entity"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_live_grant_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.get_service_display()} — {self.employee}"


class HRProfile(models.Model):
    """Makes an account an HR specialist of exactly one government entity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hr_profile",
        verbose_name=_("user"),
    )
    entity = models.ForeignKey(
        "employment_records.GovernmentEntity",
        on_delete=models.PROTECT,
        related_name="hr_profiles",
        verbose_name=_("government entity"),
    )
    is_lead = models.BooleanField(
        _("HR lead"), default=False, help_text=_("Receives overdue and escalation notices.")
    )

    class Meta:
        verbose_name = _("HR profile")
        verbose_name_plural = _("HR profiles")

    def __str__(self):
        return f"{self.user} — {self.entity}"


class SmsMessage(models.Model):
    """One outgoing SMS. The text is not stored: it may hold a one-time code."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        NOT_QUEUED = "not_queued", _("Not queued")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.CharField(_("to"), max_length=13)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=5, default="ar")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to", "created_at"], name="sms_to_created")]

    def __str__(self):
        return f"{self.template} → {self.to} ({self.status})"
