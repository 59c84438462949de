"""Every write of the accounts app: registration, sign-in, recovery and mobile change.

Codes are issued and checked here. Each use case is one transaction; its messages are outbox
rows (core.notifications.notify) written in it, texted once it commits.
Failed attempts are recorded *outside* the transaction that raises, so a wrong code counts
even though the request fails. No code or password ever reaches the audit log.
"""

from __future__ import annotations

import hashlib
import math
import time
from datetime import timedelta

from django.conf import settings
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
from core.ratelimit import resilient_cache as cache
from core.validators import mask_mobile, mask_national_id
from employment_records import civil_registry

from . import selectors
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
# Wrong ID/date-of-birth pairs per national ID, whatever the address: a date-of-birth search
# over a year stops after five guesses, and the registry's mobile hears of it once per window.
LOOKUP_FAILURES_PER_ID = Limit("lookup-failures-id-hour", 5, 3600)

# The lock holds for one (national ID, address) pair. The ID as a whole is slowed down instead:
# from the SLOW_AFTER_FAILURES-th failure in a window, from any address, each attempt waits
# twice as long as the last, up to SLOW_MAX_SECONDS, and the owner is texted once per window.
LOCK_AFTER_FAILURES = 10
LOCK_BASE_MINUTES = 15
LOCK_MAX_MINUTES = 24 * 60
SLOW_AFTER_FAILURES = 10
SLOW_MAX_SECONDS = 60
ID_FAILURE_WINDOW_SECONDS = 15 * 60
OWNER_NOTICE_SECONDS = 60 * 60
VERIFIED_FLOW_VALID_MINUTES = 10
# A mobile change without a code to the current number needs a Nafath sign-in this recent.
MOBILE_CHANGE_NAFATH_MINUTES = 15


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


class SignInSlowedDown(AccountError):
    code = "slowed"

    def __init__(self, *, seconds: int):
        self.seconds = seconds
        super().__init__(
            ngettext(
                "There have been many failed attempts to sign in with this national ID. Wait "
                "%(seconds)d second and try again, or sign in with Nafath.",
                "There have been many failed attempts to sign in with this national ID. Wait "
                "%(seconds)d seconds and try again, or sign in with Nafath.",
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


def _once_per_window(kind: str, national_id: str, seconds: int) -> bool:
    """True the first time in `seconds` for this kind and ID (the notices to the owner)."""
    digest = hashlib.sha256(national_id.encode()).hexdigest()[:32]
    return cache.add(f"accounts:once:{kind}:{digest}", 1, timeout=seconds)


def find_employee_for_identity(*, national_id: str, date_of_birth, request):
    """Step one of registration and recovery: the employee with this ID *and* date of birth.

    One answer for an unknown ID and a wrong date. Wrong pairs are limited per address and per
    ID (whatever the address); when an ID reaches its limit, the mobile the civil registry
    links to it is texted, once per window."""
    check_lookup_allowed(request=request)
    if LOOKUP_FAILURES_PER_ID.exceeded(national_id):
        raise AccountError(
            _(
                "Too many attempts with this national ID. Try again in an hour, or sign in with "
                "Nafath."
            ),
            code="id_lookups",
        )
    employee = selectors.match_employee(national_id=national_id, date_of_birth=date_of_birth)
    if employee is not None:
        return employee
    LOOKUP_FAILURES_PER_ID.hit(national_id)
    if LOOKUP_FAILURES_PER_ID.exceeded(national_id) and _once_per_window(
        "identity", national_id, LOOKUP_FAILURES_PER_ID.seconds
    ):
        record = civil_registry.lookup(national_id)
        if record is not None and record.mobile:
            with transaction.atomic():
                audit(action="accounts.identity_attempts_notice", request=request,
                      changes={"national_id": mask_national_id(national_id),
                               "to": mask_mobile(record.mobile)})  # fmt: skip
                # An outbox row (core.notifications): a broker that is down never fails this.
                notify(mobile=record.mobile, kind="identity_attempts", language="ar")
    raise IdentityMismatch()


def _take_code_quota(*, mobile: str, national_id: str, request, per_ip: bool = True) -> None:
    """Sign-in codes skip the per-address cap: they follow a correct password (failures are
    limited per address instead), and a whole ministry may sign in from one network."""
    keyed = [
        *((limit, mobile) for limit in CODE_LIMITS_PER_PHONE),
        *((limit, national_id) for limit in CODE_LIMITS_PER_ID),
    ]
    if per_ip:
        keyed.append((CODE_LIMIT_PER_IP, ip_key(request)))
    exceeded = [limit for limit, key in keyed if limit.exceeded(key)]
    if exceeded:
        # Say how long to wait: the longest window that is full (the counters are fixed
        # windows, so "within the hour" / "tomorrow" is the honest bound).
        if max(limit.seconds for limit in exceeded) > 3600:
            message = _(
                "You have asked for too many codes today. Try again tomorrow, or sign in with "
                "Nafath now: it needs no code."
            )
        else:
            message = _(
                "You have asked for too many codes in the last hour. Wait up to an hour and try "
                "again, or sign in with Nafath now: it needs no code."
            )
        raise AccountError(message, code="code_quota")
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


def cooldown_left_since(sent_at) -> int:
    return _cooldown_left(sent_at)


def sign_in_code_sent_at(user: User):
    device = SmsDevice.objects.filter(user=user).only("last_sent_at").first()
    return device.last_sent_at if device else None


def resend_available_at(sent_at):
    return sent_at + timedelta(seconds=CODE_RESEND_COOLDOWN_SECONDS) if sent_at else None


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
            # The current number, asked to confirm a change away from it, is told why.
            kind="mobile_change_current_code"
            if verification.payload.get("step") == "current"
            else "verification_code",
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


def check_registrable(*, employee) -> civil_registry.RegistryRecord:
    """The civil registry's record for this employee, if a code may be sent for registration:
    the ID is valid (not expired) and the registry links a mobile to it. Codes never go to a
    number the registrant types."""
    record = civil_registry.lookup(employee.national_id)
    if record is None or record.id_expired():
        raise AccountError(
            _(
                "Your national ID has expired according to the civil registry. Renew it, then "
                "create your account."
            ),
            code="id_expired",
        )
    if not record.mobile:
        raise AccountError(
            _(
                "The civil registry links no mobile number to your national ID. Create your "
                "account with Nafath instead, or register your number with the civil registry "
                "first."
            ),
            code="no_registry_mobile",
        )
    return record


def start_registration(
    *, employee, email: str, password: str, request, language: str
) -> PendingVerification:
    """Record the details of step two and send the first code to the registry's mobile."""
    record = check_registrable(employee=employee)
    verification = PendingVerification.objects.create(
        purpose=PendingVerification.Purpose.REGISTRATION,
        national_id=employee.national_id,
        mobile=record.mobile,
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


def _address(request) -> str:
    return ip_key(request)[:64]


def check_not_locked(*, national_id: str, request) -> None:
    """Refuse while this ID is locked *from this address* (the pair's guard)."""
    guard = SignInGuard.objects.filter(national_id=national_id, address=_address(request)).first()
    if guard is not None and guard.is_locked():
        raise AccountLocked(guard.locked_until)


def _id_key(kind: str, national_id: str) -> str:
    return f"accounts:signin:{kind}:{hashlib.sha256(national_id.encode()).hexdigest()[:32]}"


def check_not_slowed_down(*, national_id: str) -> None:
    """After many failures with one ID from anywhere, each attempt waits its turn."""
    until = cache.get(_id_key("wait", national_id))
    left = math.ceil(until - time.time()) if until else 0
    if left > 0:
        raise SignInSlowedDown(seconds=left)


def _count_id_failure(national_id: str) -> int:
    """One more failure for the ID over every address; from the threshold on, the next
    attempt must wait (1, 2, 4... seconds, up to SLOW_MAX_SECONDS)."""
    key = _id_key("failures", national_id)
    if cache.add(key, 1, timeout=ID_FAILURE_WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=ID_FAILURE_WINDOW_SECONDS)
            count = 1
    if count >= SLOW_AFTER_FAILURES:
        delay = min(2 ** (count - SLOW_AFTER_FAILURES), SLOW_MAX_SECONDS)
        cache.set(_id_key("wait", national_id), time.time() + delay, timeout=delay)
    return count


def record_sign_in_failure(*, national_id: str, step: str, request) -> None:
    """Count a failed password or code for the (ID, address) pair, whose tenth in a row locks
    that pair, longer each time; and for the ID as a whole, which slows it down and tells the
    owner by SMS (once per window) that someone is trying their ID."""
    address = _address(request)
    # get_or_create outside the lock copes with two first failures at once (unique pair).
    SignInGuard.objects.get_or_create(national_id=national_id, address=address)
    with transaction.atomic():
        guard = SignInGuard.objects.select_for_update().get(
            national_id=national_id, address=address
        )
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
    failures = _count_id_failure(national_id)
    if (
        failures >= SLOW_AFTER_FAILURES
        and user is not None
        and user.mobile
        and _once_per_window("attacked", national_id, OWNER_NOTICE_SECONDS)
    ):
        with transaction.atomic():
            audit(action="accounts.attack_notice_sent", actor=user, subject=user,
                  request=request, changes={"failures": failures})  # fmt: skip
            notify(user=user, kind="sign_in_attacked")


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
    check_not_locked(national_id=national_id, request=request)
    check_not_slowed_down(national_id=national_id)
    user = authenticate(request, username=national_id, password=password)
    if user is None:
        SIGN_IN_FAILURES_PER_IP.hit(ip_key(request))
        record_sign_in_failure(national_id=national_id, step="password", request=request)
        check_not_locked(national_id=national_id, request=request)
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
    check_not_locked(national_id=user.username, request=request)
    device = SmsDevice.objects.filter(user=user).first()
    if device is None:
        raise AccountError(_("Ask for a code first."), code="no_code")
    outcome = device.check_code(code)
    if outcome == SmsDevice.THROTTLED:
        raise AccountError(_("Wait a few seconds before trying another code."), code="throttled")
    if outcome == SmsDevice.ALREADY_USED:
        # Another request (a double click, a parallel submit) accepted this very code: not a
        # guess, so nothing counts towards the lock.
        raise AccountError(
            _(
                "This code has already been used. If you have just signed in, you are signed "
                "in; otherwise ask for a new code."
            ),
            code="code_used",
        )
    if outcome != SmsDevice.ACCEPTED:
        record_sign_in_failure(national_id=user.username, step="code", request=request)
        check_not_locked(national_id=user.username, request=request)
        raise AccountError(
            _("The code is not correct or has expired. Check it or ask for a new one."),
            code="code_wrong",
        )
    with transaction.atomic():
        SignInGuard.objects.filter(national_id=user.username, address=_address(request)).update(
            consecutive_failures=0, locked_until=None
        )
        audit(action="accounts.signed_in", actor=user, subject=user, request=request,
              changes={"method": "password_otp"})  # fmt: skip
    return device


# --- Recovery ---------------------------------------------------------------------------------


def check_recovery_allowed(*, user: User) -> None:
    """A number changed less than MOBILE_COOLING_HOURS ago receives no recovery code: a
    hijacked number must not reset the password at once."""
    hours = settings.MOBILE_COOLING_HOURS
    changed_at = user.mobile_changed_at
    if changed_at is not None and timezone.now() < changed_at + timedelta(hours=hours):
        raise AccountError(
            ngettext(
                "The mobile number of this account was changed less than %(hours)d hour ago. "
                "For your protection, a new number receives recovery codes only after that. "
                "Sign in with Nafath, or contact the help desk.",
                "The mobile number of this account was changed less than %(hours)d hours ago. "
                "For your protection, a new number receives recovery codes only after that. "
                "Sign in with Nafath, or contact the help desk.",
                hours,
            )
            % {"hours": hours},
            code="mobile_cooling",
        )


def start_recovery(*, user: User, request, language: str) -> PendingVerification:
    check_recovery_allowed(user=user)
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
    check_not_locked(national_id=user.username, request=request)
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
#
# A change proves the current phone (a code to the current number, then a code to the new one)
# or rests on a recent Nafath sign-in (then only the new number's code). The password alone is
# never enough. The PendingVerification's payload says which step it is ("current" or "new")
# and, for the new number, what proved the person ("current_mobile" or "nafath").


def nafath_sign_in_is_recent(*, user: User, auth_method: str | None) -> bool:
    if auth_method != "nafath" or user.nafath_verified_at is None:
        return False
    return timezone.now() - user.nafath_verified_at <= timedelta(
        minutes=MOBILE_CHANGE_NAFATH_MINUTES
    )


def start_mobile_change(
    *, user: User, password: str, new_mobile: str, request, language: str, nafath_recent: bool
) -> PendingVerification:
    """Check the password and send the first code: to the current number, or (after a recent
    Nafath sign-in) straight to the new one."""
    check_not_locked(national_id=user.username, request=request)
    if not user.check_password(password):
        record_sign_in_failure(national_id=user.username, step="password", request=request)
        raise AccountError(_("The password is not correct."), code="wrong_password")
    if new_mobile == user.mobile:
        raise AccountError(_("This is already your registered number."), code="same_mobile")
    if nafath_recent:
        step = {"step": "new", "proof": "nafath"}
        to = new_mobile
    elif user.mobile:
        step = {"step": "current", "new_mobile": new_mobile}
        to = user.mobile
    else:
        raise AccountError(
            _("Sign in with Nafath to add a mobile number to your account."), code="needs_nafath"
        )
    verification = PendingVerification.objects.create(
        purpose=PendingVerification.Purpose.MOBILE_CHANGE,
        national_id=user.username,
        mobile=to,
        payload=step,
    )
    issue_code(verification=verification, request=request, language=language)
    return verification


def confirm_current_mobile(
    *, user: User, verification: PendingVerification, code: str, request
) -> PendingVerification:
    """The code to the current number proves the phone; the new number's step opens (its code
    is sent by the caller with issue_code, so a send failure can be retried from its page)."""
    if verification.payload.get("step") != "current" or verification.mobile != user.mobile:
        raise AccountError(_("This request has expired. Start again."), code="flow_expired")
    _check_code(verification=verification, code=code)
    with transaction.atomic():
        _consume_code(verification=verification)
        PendingVerification.objects.filter(pk=verification.pk).update(completed_at=timezone.now())
        audit(action="accounts.mobile_change_current_confirmed", actor=user, subject=user,
              request=request, changes={"to": mask_mobile(verification.mobile)})  # fmt: skip
        return PendingVerification.objects.create(
            purpose=PendingVerification.Purpose.MOBILE_CHANGE,
            national_id=user.username,
            mobile=verification.payload["new_mobile"],
            payload={"step": "new", "proof": "current_mobile"},
        )


def complete_mobile_change(
    *, user: User, verification: PendingVerification, code: str, request
) -> User:
    proof = verification.payload.get("proof")
    if verification.payload.get("step") != "new" or proof not in ("current_mobile", "nafath"):
        raise AccountError(_("This request has expired. Start again."), code="flow_expired")
    _check_code(verification=verification, code=code)
    old_mobile = user.mobile
    with transaction.atomic():
        _consume_code(verification=verification)
        PendingVerification.objects.filter(pk=verification.pk).update(completed_at=timezone.now())
        user.mobile = verification.mobile
        user.mobile_changed_at = timezone.now()
        user.save(update_fields=["mobile", "mobile_changed_at"])
        audit(
            action="accounts.mobile_changed",
            actor=user,
            subject=user,
            request=request,
            changes={
                "old": mask_mobile(old_mobile),
                "new": mask_mobile(user.mobile),
                "proof": proof,
            },
        )
        # The old number hears of the change too: a hijacker cannot change it silently.
        if old_mobile:
            notify(user=user, kind="mobile_changed", mobile=old_mobile)
    return user


def record_mobile_set_by_staff(*, user: User, old_mobile: str, actor, request) -> None:
    """Inside the ministry admin's save: the new number cools down like any other, and the old
    number is told (an outbox row in the same transaction: a broker that is down never undoes
    the change)."""
    User.objects.filter(pk=user.pk).update(mobile_changed_at=timezone.now())
    audit(action="accounts.mobile_changed", actor=actor, subject=user, request=request,
          changes={"old": mask_mobile(old_mobile), "new": mask_mobile(user.mobile),
                   "proof": "staff"})  # fmt: skip
    if old_mobile:
        notify(user=user, kind="mobile_changed", mobile=old_mobile)


def record_password_set_by_staff(*, user: User) -> None:
    """After the ministry admin set a password, in the admin's transaction: the account's
    number is told (and the person's inbox)."""
    notify(user=user, kind="password_changed")
