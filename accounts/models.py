"""The portal account, service grants and HR scope.

An `employment_records.Employee` is the ministry's record and exists before any account; a
`User` exists after registration or a first Nafath sign-in and is linked to it one-to-one.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.models import SideChannelDevice, ThrottlingMixin

from core.catalogue import ServiceCode
from core.validators import normalise_national_id, validate_national_id, validate_saudi_mobile


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # An update bypasses the signals: the cached copies of the users it changes
        # (accounts.backends) are forgotten here.
        from .backends import forget_users

        user_ids = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        forget_users(*user_ids)
        return updated

    update.alters_data = True


class MasarUserManager(UserManager.from_queryset(UserQuerySet)):
    def _create_user(self, username, email, password, **extra_fields):
        return super()._create_user(
            normalise_national_id(username), email, password, **extra_fields
        )

    def get_by_natural_key(self, username):
        return self.get(username=username)


class LazyOTPDevice:
    """`user.otp_device`: the second-factor device that verified this session (django_otp),
    read from the database only on first use by accounts.middleware.LazyOTPMiddleware's loader,
    then kept on the instance; None without one. An assignment (django_otp.login) wins."""

    def __get__(self, user, owner=None):
        if user is None:
            return self
        state = user.__dict__
        if "otp_device" not in state:
            load = state.pop("_otp_device_loader", None)
            state["otp_device"] = load() if load is not None else None
        return state["otp_device"]


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
    # When the mobile last changed: a new number waits MOBILE_COOLING_HOURS before it may
    # receive recovery codes, so a hijacked number cannot reset the password at once.
    mobile_changed_at = models.DateTimeField(_("mobile number changed at"), null=True, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    nafath_verified_at = models.DateTimeField(
        _("identity verified by Nafath at"), null=True, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="ar"
    )

    objects = MasarUserManager()
    otp_device = LazyOTPDevice()

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
        from core.catalogue import employee_of  # the request's record, read once (prepared)

        employee = employee_of(self)
        if employee is not None:
            return employee.short_name
        return self.get_full_name() or self.username

    def get_short_name(self) -> str:
        """The first name in the active language (the admin's greeting): the employee record
        holds both, while `first_name` keeps the Arabic one registration copied."""
        from core.catalogue import employee_of

        employee = employee_of(self)
        if employee is None:
            return super().get_short_name()
        return employee.first_name_en if get_language() == "en" else employee.first_name_ar

    def __str__(self):
        return self.display_name

    # --- The copy kept in the cache (accounts.backends) ---------------------------------------
    #
    # Every signed-in request checks its session against a hash Django derives from the
    # password hash, and the admin's header asks whether the password is usable. The cached
    # copy keeps only those answers: the password hash itself never reaches the cache, and a
    # copy asked for it (check_password) reads it from the database, as a deferred field.

    def without_password_hash(self) -> "User":
        """This user, its password hash dropped and what is derived from it kept (for the
        cache)."""
        self._session_auth_hashes = (
            _session_secrets_tag(),
            self._get_session_auth_hash(),
            *self.get_session_auth_fallback_hash(),
        )
        self._usable_password = super().has_usable_password()
        self.__dict__.pop("password", None)
        return self

    def refresh_from_db(self, *args, **kwargs):
        # What was kept is as old as the copy: a refreshed copy reads the hash again.
        self.__dict__.pop("_usable_password", None)
        self.__dict__.pop("_session_auth_hashes", None)
        super().refresh_from_db(*args, **kwargs)

    def _password_dropped(self) -> bool:
        return "password" not in self.__dict__ and "_usable_password" in self.__dict__

    def has_usable_password(self) -> bool:
        if self._password_dropped():
            return self._usable_password
        return super().has_usable_password()

    def _get_session_auth_hash(self, secret=None):
        kept = self.__dict__.get("_session_auth_hashes")
        if not self._password_dropped() or kept[0] != _session_secrets_tag():
            return super()._get_session_auth_hash(secret=secret)
        if secret is None:
            return kept[1]
        return kept[2 + list(settings.SECRET_KEY_FALLBACKS).index(secret)]


def _session_secrets_tag() -> str:
    """Names the current SECRET_KEY and fallbacks without revealing them: hashes kept under
    other secrets (a deploy that rotated them) are not used."""
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    return "".join(
        salted_hmac("accounts.User.session-secrets", "", secret=secret).hexdigest()[:8]
        for secret in secrets
    )


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


# --- One-time codes ---------------------------------------------------------------------------

CODE_LENGTH = 6
CODE_VALID_SECONDS = 5 * 60
CODE_RESEND_COOLDOWN_SECONDS = 60
CODE_MAX_FAILURES = 5


def hash_code(*, binding: str, code: str) -> str:
    """HMAC of the code keyed by SECRET_KEY and bound to one verification (or device), so a
    stolen row reveals nothing and a code is worthless anywhere else."""
    return salted_hmac(f"masar.accounts.code.{binding}", code, algorithm="sha256").hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


class PendingVerification(models.Model):
    """A code sent to a number for someone who cannot (yet) use a device of their own:
    a registration, a recovery, a new mobile number. Its id lives in the person's session,
    which is what binds the code to this one flow."""

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        RECOVERY = "recovery", _("Password recovery")
        MOBILE_CHANGE = "mobile_change", _("Mobile number change")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    national_id = models.CharField(_("national ID"), max_length=10)
    mobile = models.CharField(_("mobile number"), max_length=13)
    employee = models.ForeignKey(
        "employment_records.Employee",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("employee"),
    )
    # What the flow will apply once verified (e-mail, the password's hash); never a plain secret.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(_("code sent at"), null=True, blank=True)
    code_expires_at = models.DateTimeField(_("code expires at"), null=True, blank=True)
    # Counts over every code of this flow: asking for a new code never resets it.
    failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending verification")
        verbose_name_plural = _("pending verifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(failures__lte=CODE_MAX_FAILURES), name="verification_failures_max"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(verified_at__isnull=False),
                name="verification_completed_after_verified",
            ),
        ]
        indexes = [models.Index(fields=["national_id", "created_at"], name="verification_nid")]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.national_id}"

    def code_matches(self, code: str) -> bool:
        if not self.code_hash:
            return False
        candidate = hash_code(binding=str(self.pk), code=code)
        return constant_time_compare(candidate, self.code_hash)


class SmsDevice(ThrottlingMixin, SideChannelDevice):
    """django-otp's side-channel device delivering sign-in codes by SMS to the user's mobile.

    Unlike the stock side-channel device the code is stored only as an HMAC (the `token`
    column stays empty) and is consumed with a conditional UPDATE, so it is accepted once.
    """

    token_hash = models.CharField(max_length=64, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # The code accepted last, as its hash: the same code submitted again (a double click, a
    # parallel request) is "already used", not a wrong guess counted towards the lock.
    last_used_hash = models.CharField(max_length=64, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(SideChannelDevice.Meta):
        verbose_name = _("SMS device")
        verbose_name_plural = _("SMS devices")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_SMS_THROTTLE_FACTOR", 1)

    def generate_token(self, length=CODE_LENGTH, valid_secs=CODE_VALID_SECONDS, commit=True):
        """A fresh code, returned to the caller (to send) and stored only as its hash."""
        code = new_code()
        now = timezone.now()
        self.token = None
        self.token_hash = hash_code(binding=f"device.{self.persistent_id}", code=code)
        self.valid_until = now + timedelta(seconds=valid_secs)
        self.last_sent_at = now
        if commit:
            self.save(update_fields=["token", "token_hash", "valid_until", "last_sent_at"])
        return code

    def verify_token(self, token) -> bool:
        return self.check_code(token) == self.ACCEPTED

    ACCEPTED, ALREADY_USED, WRONG, THROTTLED = "accepted", "already_used", "wrong", "throttled"

    def check_code(self, token) -> str:
        """ACCEPTED (consumed now), ALREADY_USED (this code was accepted by another request
        moments ago: not a guess), WRONG (counted by django-otp's throttle) or THROTTLED."""
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return self.THROTTLED
        now = timezone.now()
        candidate = hash_code(binding=f"device.{self.persistent_id}", code=str(token))
        matches = bool(self.token_hash) and constant_time_compare(candidate, self.token_hash)
        # Consume the code only if it is still the stored, unexpired one: of two parallel
        # correct submissions exactly one UPDATE finds the row.
        consumed = (
            matches
            and SmsDevice.objects.filter(
                pk=self.pk, token_hash=self.token_hash, valid_until__gt=now
            ).update(token_hash="", valid_until=now, last_used_hash=candidate, last_used_at=now)
            == 1
        )
        if consumed:
            self.token_hash, self.valid_until = "", now
            self.last_used_hash, self.last_used_at = candidate, now
            self.throttle_reset()
            return self.ACCEPTED
        # The right code, yet not consumed here: another request consumed it first (the row no
        # longer holds it), unless it simply expired (still stored: counted like a wrong code).
        taken = (
            matches
            and not SmsDevice.objects.filter(pk=self.pk, token_hash=self.token_hash).exists()
        )
        if taken or (not matches and self._recently_used(candidate, now)):
            return self.ALREADY_USED
        self.throttle_increment()
        return self.WRONG

    def _recently_used(self, candidate: str, now) -> bool:
        fresh = SmsDevice.objects.filter(
            pk=self.pk, last_used_at__gt=now - timedelta(seconds=CODE_VALID_SECONDS)
        ).values_list("last_used_hash", flat=True)
        return any(constant_time_compare(candidate, used) for used in fresh if used)


class SignInGuard(models.Model):
    """Consecutive sign-in failures per national ID *and client address*, and the lock they
    cause. A lock holds for that pair only: wrong passwords from one place never lock the
    owner out everywhere (the ID as a whole is slowed down instead, see accounts.services).

    Kept in the database, not the cache, so a lock survives a cache flush. Keyed by the
    national ID typed (not by account) so an unknown ID behaves exactly like a known one.
    """

    national_id = models.CharField(_("national ID"), max_length=10)
    address = models.CharField(_("client address"), max_length=64, default="", blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(_("consecutive failures"), default=0)
    lockouts = models.PositiveSmallIntegerField(_("lockouts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in guard")
        verbose_name_plural = _("sign-in guards")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id", "address"], name="sign_in_guard_one_per_id_and_address"
            ),
        ]

    def __str__(self):
        return self.national_id

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


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
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="nafath_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="nafath_identity_one_per_issuer"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.issuer}"


class RoleChangeRequest(models.Model):
    """A change of someone's roles in the ministry admin (staff flag, superuser, groups): one
    administrator asks, another approves (accounts.roles). Nobody asks about their own account,
    and neither the one who asked nor the person concerned may approve."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_change_requests",
        verbose_name=_("account"),
    )
    is_staff = models.BooleanField(_("staff status"))
    is_superuser = models.BooleanField(_("superuser status"))
    groups = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role change request")
        verbose_name_plural = _("role change requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["-requested_at", "-id"], name="role_change_list")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requested_by=models.F("user")), name="role_change_not_for_oneself"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("requested_by")) & ~Q(decided_by=models.F("user"))),
                name="role_change_decided_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(status__in=["approved", "rejected"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="role_change_decision_complete",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"
