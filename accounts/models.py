"""The portal account, service grants and HR scope.

An `employment_records.Employee` is the ministry's record and exists before any account; a
`User` exists after registration or a first Nafath sign-in and is linked to it one-to-one.
"""

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
        return super()._create_user(normalise_national_id(username), email, password, **extra_fields)

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
    nafath_verified_at = models.DateTimeField(_("identity verified by Nafath at"), null=True, blank=True)
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


class NafathIdentity(models.Model):
    """The national identity provider's subject for an account, and the last strong sign-in.

    People are matched by the provider's `sub` (stable per provider) and the national ID claim,
    never by e-mail; a subject can never move to another account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="nafath_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    last_acr = models.CharField(_("last authentication context"), max_length=255, blank=True)
    last_amr = models.JSONField(_("last authentication methods"), default=list, blank=True)
    last_signed_in_at = models.DateTimeField(_("last signed in at"))

    class Meta:
        verbose_name = _("Nafath identity")
        verbose_name_plural = _("Nafath identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="nafath_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="nafath_identity_one_per_issuer"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.issuer}"
