"""Every write of the accounts app: registration, sign-in, recovery and mobile change.

Codes are issued and checked here. Each use case is one transaction; its messages are outbox
rows (core.notifications.notify) that leave on commit.
Failed attempts are recorded *outside* the transaction that raises, so a wrong code counts
even though the request fails. No code or password ever reaches the audit log.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.audit import audit
from core.notifications import notify, supersede
from core.ratelimit import Limit, ip_key
from core.validators import mask_mobile, mask_national_id

from .models import (
    CODE_MAX_FAILURES,
    CODE_RESEND_COOLDOWN_SECONDS,
    CODE_VALID_SECONDS,
    PendingVerification,
    SignInGuard,
    SmsDevice,
    User,
    hash_code,
    new_code,
)

# Codes sent: per phone, per national ID and per address (the issue's caps).
CODE_LIMITS_PER_PHONE = (Limit("code-phone-hour", 5, 3600), Limit("code-phone-day", 10, 86400))
CODE_LIMITS_PER_ID = (Limit("code-id-hour", 5, 3600), Limit("code-id-day", 10, 86400))
CODE_LIMIT_PER_IP = Limit("code-ip-hour", 20, 3600)
# Identity look-ups (registration and recovery step one) and sign-in attempts per address.
LOOKUP_LIMIT_PER_IP = Limit("lookup-ip-hour", 20, 3600)
SIGN_IN_FAILURES_PER_IP = Limit("sign-in-failures-ip-15min", 30, 15 * 60)

LOCK_AFTER_FAILURES = 10
LOCK_BASE_MINUTES = 15
LOCK_MAX_MINUTES = 24 * 60
VERIFIED_FLOW_VALID_MINUTES = 10


class AccountError(Exception):
    """A refusal the person can act on; `message` is translated, `code` is for tests and logs."""

    code = "refused"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class IdentityMismatch(AccountError):
    code = "mismatch"

    def __init__(self):
        # One message whether the ID is unknown or the date of birth is wrong.
        super().__init__(_("The data you entered does not match our records."))


class AlreadyRegistered(AccountError):
    code = "already_registered"

    def __init__(self):
        super().__init__(
            _(
                "An account already exists for this national ID. Sign in, or recover your "
                "password if you have forgotten it."
            )
        )


class CooldownPending(AccountError):
    code = "cooldown"

    def __init__(self, *, seconds: int):
        self.seconds = seconds
        super().__init__(
            ngettext(
                "You can ask for a new code in %(seconds)d second.",
                "You can ask for a new code in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )


class AccountLocked(AccountError):
    code = "locked"

    def __init__(self, until):
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        super().__init__(
            ngettext(
                "Too many failed attempts. Sign-in is locked for %(minutes)d minute.",
                "Too many failed attempts. Sign-in is locked for %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


# --- Limits -----------------------------------------------------------------------------------


def check_lookup_allowed(*, request) -> None:
    if not LOOKUP_LIMIT_PER_IP.hit(ip_key(request)):
        raise AccountError(_("Too many attempts from your network. Try again later."), code="ip")


def _take_code_quota(*, mobile: str, national_id: str, request, per_ip: bool = True) -> None:
    """Sign-in codes skip the per-address cap: they follow a correct password (failures are
    limited per address instead), and a whole ministry may sign in from one network."""
    keyed = [
        *((limit, mobile) for limit in CODE_LIMITS_PER_PHONE),
        *((limit, national_id) for limit in CODE_LIMITS_PER_ID),
    ]
    if per_ip:
        keyed.append((CODE_LIMIT_PER_IP, ip_key(request)))
    if any(limit.exceeded(key) for limit, key in keyed):
        raise AccountError(
            _("You have asked for too many codes. Try again later."), code="code_quota"
        )
    for limit, key in keyed:
        limit.hit(key)


def _cooldown_left(sent_at) -> int:
    if sent_at is None:
        return 0
    ready_at = sent_at + timedelta(seconds=CODE_RESEND_COOLDOWN_SECONDS)
    left = (ready_at - timezone.now()).total_seconds()
    return max(0, math.ceil(left))


def cooldown_left_for(verification: PendingVerification) -> int:
    return _cooldown_left(verification.code_sent_at)


def sign_in_cooldown_left(user: User) -> int:
    device = SmsDevice.objects.filter(user=user).only("last_sent_at").first()
    return _cooldown_left(device.last_sent_at if device else None)


# --- Codes for flows without a device (registration, recovery, new mobile) --------------------


def issue_code(*, verification: PendingVerification, request, language: str) -> None:
    """Send a new code for this flow: cooldown, failure count and quotas checked first."""
    if verification.failures >= CODE_MAX_FAILURES:
        raise AccountError(
            _("Too many wrong codes. Start again from the first step."), code="code_dead"
        )
    waiting = cooldown_left_for(verification)
    if waiting:
        raise CooldownPending(seconds=waiting)
    _take_code_quota(
        mobile=verification.mobile, national_id=verification.national_id, request=request
    )
    code = new_code()
    now = timezone.now()
    with transaction.atomic():
        # Conditional on the send time read above: of two parallel resends one wins.
        replaced = PendingVerification.objects.filter(
            pk=verification.pk, code_sent_at=verification.code_sent_at
        ).update(
            code_hash=hash_code(binding=str(verification.pk), code=code),
            code_sent_at=now,
            code_expires_at=now + timedelta(seconds=CODE_VALID_SECONDS),
        )
        if not replaced:
            raise CooldownPending(seconds=CODE_RESEND_COOLDOWN_SECONDS)
        sent = _send_code(
            mobile=verification.mobile,
            kind="verification_code",
            code=code,
            expires_at=now + timedelta(seconds=CODE_VALID_SECONDS),
            language=language,
        )
        audit(
            action="accounts.code_sent",
            subject=verification,
            request=request,
            changes={"purpose": verification.purpose, "to": mask_mobile(verification.mobile)},
        )
    _warn_if_late(sent, request=request)
    verification.refresh_from_db()


def _send_code(*, mobile: str, kind: str, code: str, expires_at, language: str):
    """A one-time code through the outbox: never in the inbox, encrypted at rest, never sent
    after it expires, and an older code still waiting for this number is never sent at all."""
    supersede(mobile=mobile, kind=kind)
    return notify(
        mobile=mobile,
        kind=kind,
        context={"code": code, "minutes": CODE_VALID_SECONDS // 60},
        language=language,
        inbox=False,
        expires_at=expires_at,
    )


def _warn_if_late(notification, *, request) -> None:
    """After commit: when the broker could not take the code, it stays queued and the outbox
    sweep sends it within about a minute once the broker answers. Say so, rather than let
    the person wait for a text in silence."""
    if notification.published is False:
        from django.contrib import messages

        messages.warning(
            request,
            _("Sending the code is taking longer than usual: it may take a minute to arrive."),
            fail_silently=True,
        )


def _check_code(*, verification: PendingVerification, code: str) -> None:
    """Raise unless `code` is this flow's live code; a wrong code counts as a failure."""
    verification.refresh_from_db()
    if verification.verified_at is not None:
        raise AccountError(_("This code has already been used."), code="code_used")
    if verification.failures >= CODE_MAX_FAILURES:
        raise AccountError(
            _("Too many wrong codes. Start again from the first step."), code="code_dead"
        )
    if not verification.code_hash or verification.code_expires_at <= timezone.now():
        raise AccountError(_("This code has expired. Ask for a new code."), code="code_expired")
    if not verification.code_matches(code):
        # Conditional, so parallel wrong codes never count past the maximum.
        PendingVerification.objects.filter(
            pk=verification.pk, failures__lt=CODE_MAX_FAILURES
        ).update(failures=F("failures") + 1)
        left = CODE_MAX_FAILURES - verification.failures - 1
        if left <= 0:
            raise AccountError(
                _("Too many wrong codes. Start again from the first step."), code="code_dead"
            )
        raise AccountError(
            ngettext(
                "The code is not correct. You have %(left)d try left.",
                "The code is not correct. You have %(left)d tries left.",
                left,
            )
            % {"left": left},
            code="code_wrong",
        )


def _consume_code(*, verification: PendingVerification) -> None:
    """Mark the code used, inside the caller's transaction. Of two parallel correct
    submissions exactly one UPDATE finds the row still unverified."""
    consumed = PendingVerification.objects.filter(
        pk=verification.pk,
        verified_at__isnull=True,
        code_hash=verification.code_hash,
        code_expires_at__gt=timezone.now(),
        failures__lt=CODE_MAX_FAILURES,
    ).update(verified_at=timezone.now(), code_hash="")
    if consumed != 1:
        raise AccountError(_("This code has already been used."), code="code_used")
    verification.refresh_from_db()


# --- Registration -----------------------------------------------------------------------------


def start_registration(
    *, employee, mobile: str, email: str, password: str, request, language: str
) -> PendingVerification:
    """Record the details of step two and send the first code."""
    verification = PendingVerification.objects.create(
        purpose=PendingVerification.Purpose.REGISTRATION,
        national_id=employee.national_id,
        mobile=mobile,
        employee=employee,
        payload={"email": email, "password_hash": make_password(password)},
    )
    issue_code(verification=verification, request=request, language=language)
    return verification


def complete_registration(
    *, verification: PendingVerification, code: str, request, language: str
) -> User:
    """Check the code and create the account, its SMS device and the confirmation SMS."""
    _check_code(verification=verification, code=code)
    employee = verification.employee
    try:
        with transaction.atomic():
            _consume_code(verification=verification)
            if User.objects.filter(username=verification.national_id).exists():
                raise AlreadyRegistered()
            user = User(
                username=verification.national_id,
                mobile=verification.mobile,
                email=verification.payload.get("email", ""),
                first_name=employee.first_name_ar,
                last_name=employee.family_name_ar,
                preferred_language=language,
                password=verification.payload["password_hash"],
            )
            user.save()
            employee.user = user
            employee.save(update_fields=["user"])
            SmsDevice.objects.create(user=user, name="mobile")
            PendingVerification.objects.filter(pk=verification.pk).update(
                completed_at=timezone.now(), payload={}
            )
            audit(
                action="accounts.registered",
                actor=user,
                subject=user,
                entity_id=employee.entity_id,
                request=request,
                changes={"mobile": mask_mobile(user.mobile)},
            )
            notify(user=user, kind="registration_complete", language=language)
    except IntegrityError:
        raise AlreadyRegistered() from None
    return user


# --- Sign-in ----------------------------------------------------------------------------------


def check_not_locked(*, national_id: str) -> None:
    guard = SignInGuard.objects.filter(national_id=national_id).first()
    if guard is not None and guard.is_locked():
        raise AccountLocked(guard.locked_until)


def record_sign_in_failure(*, national_id: str, step: str, request) -> None:
    """Count a failed password or code; the tenth in a row locks the ID, longer each time."""
    # get_or_create outside the lock copes with two first failures at once (unique ID).
    SignInGuard.objects.get_or_create(national_id=national_id)
    with transaction.atomic():
        guard = SignInGuard.objects.select_for_update().get(national_id=national_id)
        guard.consecutive_failures += 1
        user = User.objects.filter(username=national_id).first()
        audit(
            action="accounts.sign_in_failed",
            actor=user,
            subject=user,
            request=request,
            changes={"step": step, "national_id": mask_national_id(national_id)},
        )
        if guard.consecutive_failures >= LOCK_AFTER_FAILURES:
            minutes = min(LOCK_BASE_MINUTES * 2**guard.lockouts, LOCK_MAX_MINUTES)
            guard.locked_until = timezone.now() + timedelta(minutes=minutes)
            guard.lockouts += 1
            guard.consecutive_failures = 0
            audit(
                action="accounts.locked_out",
                actor=user,
                subject=user,
                request=request,
                changes={"national_id": mask_national_id(national_id), "minutes": minutes},
            )
        guard.save()


def unlock_sign_in(*, guards, actor, request) -> int:
    """The help desk lifts locks; the lockout count stays, so a repeat still locks longer."""
    count = 0
    with transaction.atomic():
        for guard in guards.select_for_update():
            if not guard.is_locked() and not guard.consecutive_failures:
                continue
            guard.locked_until, guard.consecutive_failures = None, 0
            guard.save(update_fields=["locked_until", "consecutive_failures"])
            user = User.objects.filter(username=guard.national_id).first()
            audit(action="accounts.unlocked", actor=actor, subject=user, request=request,
                  changes={"national_id": mask_national_id(guard.national_id)})  # fmt: skip
            count += 1
    return count


def check_password_step(*, national_id: str, password: str, request) -> User:
    """The first factor. Raises one message for an unknown ID and a wrong password."""
    # Only failures count per address: many colleagues may sign in from one office network.
    if SIGN_IN_FAILURES_PER_IP.exceeded(ip_key(request)):
        raise AccountError(_("Too many attempts from your network. Try again later."), code="ip")
    check_not_locked(national_id=national_id)
    user = authenticate(request, username=national_id, password=password)
    if user is None:
        SIGN_IN_FAILURES_PER_IP.hit(ip_key(request))
        record_sign_in_failure(national_id=national_id, step="password", request=request)
        check_not_locked(national_id=national_id)
        raise AccountError(
            _("The national ID or the password is not correct."), code="invalid_login"
        )
    if not user.mobile:
        raise AccountError(
            _("No mobile number is registered for this account. Contact your HR department."),
            code="no_mobile",
        )
    return user


def send_sign_in_code(*, user: User, request) -> SmsDevice:
    device, _created = SmsDevice.objects.get_or_create(user=user, defaults={"name": "mobile"})
    waiting = _cooldown_left(device.last_sent_at)
    if waiting:
        raise CooldownPending(seconds=waiting)
    _take_code_quota(mobile=user.mobile, national_id=user.username, request=request, per_ip=False)
    with transaction.atomic():
        code = device.generate_token()
        sent = _send_code(
            mobile=user.mobile,
            kind="sign_in_code",
            code=code,
            expires_at=device.valid_until,
            language=user.preferred_language,
        )
        audit(
            action="accounts.code_sent",
            actor=user,
            subject=user,
            request=request,
            changes={"purpose": "sign_in", "to": mask_mobile(user.mobile)},
        )
    _warn_if_late(sent, request=request)
    return device


def verify_sign_in_code(*, user: User, code: str, request) -> SmsDevice:
    """The second factor; on success the ID's failure count starts again from zero."""
    check_not_locked(national_id=user.username)
    device = SmsDevice.objects.filter(user=user).first()
    if device is None:
        raise AccountError(_("Ask for a code first."), code="no_code")
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise AccountError(_("Wait a few seconds before trying another code."), code="throttled")
    if not device.verify_token(code):
        record_sign_in_failure(national_id=user.username, step="code", request=request)
        check_not_locked(national_id=user.username)
        raise AccountError(
            _("The code is not correct or has expired. Check it or ask for a new one."),
            code="code_wrong",
        )
    with transaction.atomic():
        SignInGuard.objects.filter(national_id=user.username).update(
            consecutive_failures=0, locked_until=None
        )
        audit(action="accounts.signed_in", actor=user, subject=user, request=request,
              changes={"method": "password_otp"})  # fmt: skip
    return device


# --- Recovery ---------------------------------------------------------------------------------


def start_recovery(*, user: User, request, language: str) -> PendingVerification:
    verification = PendingVerification.objects.create(
        purpose=PendingVerification.Purpose.RECOVERY,
        national_id=user.username,
        mobile=user.mobile,
    )
    issue_code(verification=verification, request=request, language=language)
    return verification


def verify_flow_code(*, verification: PendingVerification, code: str) -> None:
    """Recovery and mobile change: the code proves the phone; the next step applies it."""
    _check_code(verification=verification, code=code)
    with transaction.atomic():
        _consume_code(verification=verification)


def _check_verified_and_fresh(verification: PendingVerification) -> None:
    verification.refresh_from_db()
    fresh_since = timezone.now() - timedelta(minutes=VERIFIED_FLOW_VALID_MINUTES)
    if (
        verification.verified_at is None
        or verification.completed_at is not None
        or verification.verified_at < fresh_since
    ):
        raise AccountError(_("This request has expired. Start again."), code="flow_expired")


def reset_password(*, verification: PendingVerification, password: str, request) -> User:
    _check_verified_and_fresh(verification)
    user = User.objects.get(username=verification.national_id)
    with transaction.atomic():
        completed = PendingVerification.objects.filter(
            pk=verification.pk, completed_at__isnull=True
        ).update(completed_at=timezone.now())
        if completed != 1:
            raise AccountError(_("This request has expired. Start again."), code="flow_expired")
        _set_password(user, password, via="recovery", request=request)
    return user


def _set_password(user: User, password: str, *, via: str, request) -> None:
    """Inside the caller's transaction: the new password, its audit event (never the password)
    and the SMS notice."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(action="accounts.password_changed", actor=user, subject=user, request=request,
          changes={"via": via})  # fmt: skip
    notify(user=user, kind="password_changed")


def change_password(*, user: User, current_password: str, new_password: str, request) -> User:
    """A signed-in person's own change. A wrong current password counts towards the lockout,
    as at sign-in: the form must not become a way to guess it."""
    check_not_locked(national_id=user.username)
    if not user.check_password(current_password):
        record_sign_in_failure(national_id=user.username, step="password", request=request)
        raise AccountError(_("The current password is not correct."), code="wrong_password")
    if user.check_password(new_password):
        raise AccountError(
            _("The new password must differ from the current one."), code="same_password"
        )
    with transaction.atomic():
        _set_password(user, new_password, via="signed_in", request=request)
    return user


# --- Mobile change ----------------------------------------------------------------------------


def start_mobile_change(
    *, user: User, password: str, new_mobile: str, request, language: str
) -> PendingVerification:
    if not user.check_password(password):
        record_sign_in_failure(national_id=user.username, step="password", request=request)
        raise AccountError(_("The password is not correct."), code="wrong_password")
    if new_mobile == user.mobile:
        raise AccountError(_("This is already your registered number."), code="same_mobile")
    verification = PendingVerification.objects.create(
        purpose=PendingVerification.Purpose.MOBILE_CHANGE,
        national_id=user.username,
        mobile=new_mobile,
    )
    issue_code(verification=verification, request=request, language=language)
    return verification


def complete_mobile_change(
    *, user: User, verification: PendingVerification, code: str, request
) -> User:
    _check_code(verification=verification, code=code)
    old_mobile = user.mobile
    with transaction.atomic():
        _consume_code(verification=verification)
        PendingVerification.objects.filter(pk=verification.pk).update(completed_at=timezone.now())
        user.mobile = verification.mobile
        user.save(update_fields=["mobile"])
        audit(
            action="accounts.mobile_changed",
            actor=user,
            subject=user,
            request=request,
            changes={"old": mask_mobile(old_mobile), "new": mask_mobile(user.mobile)},
        )
        # The old number hears of the change too: a hijacker cannot change it silently.
        notify(user=user, kind="mobile_changed", mobile=old_mobile)
    return user
