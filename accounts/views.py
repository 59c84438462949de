"""Registration, sign-in (password + SMS code), recovery and mobile change: thin views.

Each flow keeps its state in the server-side session under one key; a step reached without
the previous one sends the person back to the start of the flow.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core.hr_admin import has_strong_sign_in, mark_strong_sign_in
from core.validators import mask_mobile, mask_national_id

from . import selectors, services
from .forms import (
    CodeForm,
    IdentityForm,
    MobileChangeForm,
    NewPasswordForm,
    PasswordChangeForm,
    RegistrationDetailsForm,
    SignInForm,
)
from .models import CODE_VALID_SECONDS, PendingVerification, User
from .services import AccountError, IdentityMismatch

REGISTRATION = "registration"
SIGN_IN = "sign_in_pending"
RECOVERY = "recovery"
MOBILE_CHANGE = "mobile_change"
FORM_SHOWN_AT = "identity_form_shown_at"
SIGN_IN_PENDING_SECONDS = 10 * 60

STATUS_FOR_ERROR = {
    "ip": 429,
    "code_quota": 429,
    "cooldown": 429,
    "unavailable": 503,
    "slowed": 429,
    "id_lookups": 429,
}


def _refuse(form, error: AccountError) -> int:
    form.add_error(None, error.message)
    # The error summary offers Nafath where waiting is the only other way on.
    form.offer_nafath = error.code in ("code_quota", "cooldown")
    return STATUS_FOR_ERROR.get(error.code, 400)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _safe_next(request, candidate: str | None) -> str:
    """A path on this site to go on to, else the dashboard. Only paths: redirect() would take
    "next=dashboard" or "next=<script>" for a URL name and fail to reverse it."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def strong_sign_in_required(view):
    """Signed in *and* past the second factor (SMS code or Nafath) as this very person: what
    changes the account's own security (password, mobile) needs. Anyone else goes to the
    portal sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_strong_sign_in(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _clock(value) -> str:
    """A time of day in the site's zone, as people read it on the page (e.g. 14:05)."""
    return time_format(timezone.localtime(value), "H:i")


def _complete_sign_in(request, user: User, device, *, method: str = "password_otp") -> None:
    """Sign in (Django rotates the session key; the user_logged_in receiver starts the idle
    and absolute clocks) and mark the second factor as verified."""
    login(request, user, backend="accounts.backends.CachedModelBackend")
    otp_login(request, device)
    mark_strong_sign_in(request, method=method)


# --- Anti-automation for the identity forms ---------------------------------------------------


def _identity_form(request):
    """The identity form; a submission faster than a person could type, without the page
    having been shown, or with the honeypot filled is refused without a look-up."""
    form = IdentityForm(request.POST or None)
    if request.method != "POST":
        request.session[FORM_SHOWN_AT] = time.time()
        return form, False
    shown_at = request.session.get(FORM_SHOWN_AT)
    min_seconds = getattr(settings, "IDENTITY_FORM_MIN_SECONDS", 2)
    too_fast = shown_at is None or time.time() - shown_at < min_seconds
    if form.is_valid() and (too_fast or form.filled_honeypot):
        request.session[FORM_SHOWN_AT] = time.time()
        form.add_error(
            None,
            _(
                "The form was sent before the page had finished loading, or it was sent "
                "automatically, so we did not check it. Your entries are kept: check them and "
                "press the button again."
            ),
        )
    return form, form.is_valid()


def _lookup(request, form):
    """The matching employee, or an error added to the form (one message for every miss)."""
    try:
        employee = services.find_employee_for_identity(
            national_id=form.cleaned_data["national_id"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            request=request,
        )
    except AccountError as error:
        return None, _refuse(form, error)
    return employee, 200


# --- Shared page for every code step ----------------------------------------------------------


def _code_page(
    request,
    *,
    form,
    title,
    mobile,
    resend_url,
    cooldown,
    sent_at=None,
    status=200,
    back_url="",
    lead="",
    registration_step=None,
):
    resend_at = services.resend_available_at(sent_at)
    return render(
        request,
        "accounts/verify_code.html",
        {
            "form": form,
            "title": title,
            "lead": lead,
            "masked_mobile": mask_mobile(mobile),
            "sent_at": _clock(sent_at) if sent_at else "",
            "resend_at": _clock(resend_at) if resend_at and cooldown else "",
            "resend_url": resend_url,
            "cooldown": cooldown,
            "valid_minutes": CODE_VALID_SECONDS // 60,
            "back_url": back_url,
            "registration_step": registration_step,
        },
        status=status,
    )


def _resend(request, verification, redirect_to):
    try:
        services.issue_code(verification=verification, request=request, language=get_language())
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code has been sent."))
    return redirect(redirect_to)


# --- Registration -----------------------------------------------------------------------------


def register_identity(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form, valid = _identity_form(request)
    status = _status(form)
    if valid:
        employee, status = _lookup(request, form)
        if employee is not None and employee.user_id:
            status = _refuse(form, services.AlreadyRegistered())
        elif employee is not None:
            try:
                services.check_registrable(employee=employee)
            except AccountError as error:
                status = _refuse(form, error)
            else:
                request.session[REGISTRATION] = {"employee_id": employee.pk}
                return redirect("accounts:register_details")
    return render(request, "accounts/register_identity.html", {"form": form}, status=status)


def _registration_state(request):
    return request.session.get(REGISTRATION) or {}


def register_details(request):
    state = _registration_state(request)
    employee = selectors.unregistered_employee(employee_id=state.get("employee_id"))
    if employee is None:
        return redirect("accounts:register")
    try:
        record = services.check_registrable(employee=employee)
    except AccountError as error:
        messages.error(request, error.message)
        return redirect("accounts:register")
    form = RegistrationDetailsForm(request.POST or None, employee=employee)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.start_registration(
                employee=employee,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                request=request,
                language=get_language(),
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            request.session[REGISTRATION] = {**state, "verification_id": str(verification.pk)}
            return redirect("accounts:register_verify")
    return render(
        request,
        "accounts/register_details.html",
        {"form": form, "employee": employee, "masked_mobile": mask_mobile(record.mobile)},
        status=status,
    )


def _registration_verification(request):
    return selectors.access_verification(
        verification_id=_registration_state(request).get("verification_id"),
        purpose=PendingVerification.Purpose.REGISTRATION,
    )


def register_verify(request):
    verification = _registration_verification(request)
    if verification is None:
        return redirect("accounts:register")
    form = CodeForm(request.POST or None)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.complete_registration(
                verification=verification,
                code=form.cleaned_data["code"],
                request=request,
                language=get_language(),
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            request.session.pop(REGISTRATION, None)
            _complete_sign_in(request, user, user.smsdevice_set.get())
            return redirect("accounts:register_done")
    return _code_page(
        request,
        form=form,
        title=_("Verify your mobile number"),
        mobile=verification.mobile,
        resend_url=reverse("accounts:register_resend"),
        cooldown=services.cooldown_left_for(verification),
        sent_at=verification.code_sent_at,
        status=status,
        back_url=reverse("accounts:register_details"),
        registration_step=3,
    )


@require_POST
def register_resend(request):
    verification = _registration_verification(request)
    if verification is None:
        return redirect("accounts:register")
    return _resend(request, verification, "accounts:register_verify")


@login_required
def register_done(request):
    return render(request, "accounts/register_done.html")


# --- Sign-in ----------------------------------------------------------------------------------


def sign_in(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated and has_strong_sign_in(request):
        return redirect(_safe_next(request, next_url))
    form = SignInForm(request.POST or None)
    status = _status(form)
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password_step(
                national_id=form.cleaned_data["national_id"],
                password=form.cleaned_data["password"],
                request=request,
            )
            _send_sign_in_code(request, user)
        except AccountError as error:
            status = _refuse(form, error)
            # The lock page points to the ways in that do not need this password.
            locked = error.code in ("locked", "slowed")
        else:
            # A new key once the password is known, and again when the code is accepted.
            request.session.cycle_key()
            request.session[SIGN_IN] = {"user_id": user.pk, "at": time.time(), "next": next_url}
            return redirect("accounts:login_code")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "locked": locked},
        status=status,
    )


def _send_sign_in_code(request, user):
    try:
        services.send_sign_in_code(user=user, request=request)
    except services.CooldownPending:
        # A code sent less than a minute ago is still valid: no new one is sent, and the page
        # says so, with when that code left and when a new one can be asked for.
        sent_at = services.sign_in_code_sent_at(user)
        messages.info(
            request,
            _(
                "We did not send a new code: the code we sent at %(sent)s is still valid. You "
                "can ask for a new one from %(ready)s."
            )
            % {
                "sent": _clock(sent_at),
                "ready": _clock(services.resend_available_at(sent_at)),
            },
        )


def _pending_sign_in_user(request):
    pending = request.session.get(SIGN_IN) or {}
    if time.time() - pending.get("at", 0) > SIGN_IN_PENDING_SECONDS:
        return None, pending
    return User.objects.filter(pk=pending.get("user_id"), is_active=True).first(), pending


def sign_in_code(request):
    user, pending = _pending_sign_in_user(request)
    if user is None:
        request.session.pop(SIGN_IN, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_sign_in_code(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            request.session.pop(SIGN_IN, None)
            _complete_sign_in(request, user, device)
            return redirect(_safe_next(request, pending.get("next")))
    sent_at = services.sign_in_code_sent_at(user)
    return _code_page(
        request,
        form=form,
        title=_("Enter the sign-in code"),
        mobile=user.mobile,
        resend_url=reverse("accounts:login_resend"),
        cooldown=services.cooldown_left_since(sent_at),
        sent_at=sent_at,
        status=status,
        back_url=reverse("accounts:login"),
    )


@require_POST
def sign_in_resend(request):
    user, _pending = _pending_sign_in_user(request)
    if user is None:
        return redirect("accounts:login")
    try:
        services.send_sign_in_code(user=user, request=request)
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code has been sent."))
    return redirect("accounts:login_code")


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView); the database session row is deleted. The next page
    confirms it (the message travels in a cookie: the session is gone)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        confirm_signed_out(request)
        return response


def confirm_signed_out(request) -> None:
    messages.success(
        request,
        _("You have signed out of Masar. On a shared device, close the browser as well."),
    )


@require_POST
def keep_alive(request):
    """The idle-timeout warning's button: this request itself resets the idle clock."""
    return redirect(_safe_next(request, request.POST.get("next")))


# --- Recovery ---------------------------------------------------------------------------------


def recover_identity(request):
    form, valid = _identity_form(request)
    status = _status(form)
    if valid:
        employee, status = _lookup(request, form)
        user = employee.user if employee is not None else None
        if employee is not None and (user is None or not user.mobile or not user.is_active):
            status = _refuse(form, IdentityMismatch())
        elif user is not None:
            try:
                verification = services.start_recovery(
                    user=user, request=request, language=get_language()
                )
            except AccountError as error:
                status = _refuse(form, error)
            else:
                request.session[RECOVERY] = {"verification_id": str(verification.pk)}
                return redirect("accounts:recover_verify")
    return render(request, "accounts/recover_identity.html", {"form": form}, status=status)


def _recovery_verification(request):
    return selectors.access_verification(
        verification_id=(request.session.get(RECOVERY) or {}).get("verification_id"),
        purpose=PendingVerification.Purpose.RECOVERY,
    )


def recover_verify(request):
    verification = _recovery_verification(request)
    if verification is None:
        return redirect("accounts:recover")
    if verification.verified_at:
        return redirect("accounts:recover_password")
    form = CodeForm(request.POST or None)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_flow_code(verification=verification, code=form.cleaned_data["code"])
        except AccountError as error:
            status = _refuse(form, error)
        else:
            return redirect("accounts:recover_password")
    return _code_page(
        request,
        form=form,
        title=_("Enter the recovery code"),
        mobile=verification.mobile,
        resend_url=reverse("accounts:recover_resend"),
        cooldown=services.cooldown_left_for(verification),
        sent_at=verification.code_sent_at,
        status=status,
        back_url=reverse("accounts:recover"),
    )


@require_POST
def recover_resend(request):
    verification = _recovery_verification(request)
    if verification is None:
        return redirect("accounts:recover")
    return _resend(request, verification, "accounts:recover_verify")


def recover_password(request):
    verification = _recovery_verification(request)
    if verification is None or verification.verified_at is None:
        return redirect("accounts:recover")
    user = User.objects.get(username=verification.national_id)
    form = NewPasswordForm(request.POST or None, user=user)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(
                verification=verification, password=form.cleaned_data["password1"], request=request
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            request.session.pop(RECOVERY, None)
            messages.success(
                request, _("Your password has been changed. Sign in with the new password.")
            )
            return redirect("accounts:login")
    return render(request, "accounts/recover_password.html", {"form": form}, status=status)


# --- The person's own account -----------------------------------------------------------------


@login_required
def account(request):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "national_id": mask_national_id(user.username),
            "mobile": mask_mobile(user.mobile) if user.mobile else "",
            "nafath_date": user.nafath_verified_at and timezone.localdate(user.nafath_verified_at),
        },
    )


@login_required
@strong_sign_in_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password1"],
                request=request,
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            # Keeps this session signed in (others end) and rotates its key.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


# --- Mobile change ----------------------------------------------------------------------------


@login_required
@strong_sign_in_required
def mobile_change(request):
    user = request.user
    nafath_recent = services.nafath_sign_in_is_recent(
        user=user, auth_method=request.session.get("auth_method")
    )
    form = MobileChangeForm(request.POST or None)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.start_mobile_change(
                user=user,
                password=form.cleaned_data["password"],
                new_mobile=form.cleaned_data["mobile"],
                request=request,
                language=get_language(),
                nafath_recent=nafath_recent,
            )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            request.session[MOBILE_CHANGE] = {"verification_id": str(verification.pk)}
            return redirect("accounts:mobile_verify")
    return render(
        request,
        "accounts/mobile_change.html",
        {
            "form": form,
            "current": mask_mobile(user.mobile),
            "nafath_recent": nafath_recent,
            "cooling_hours": settings.MOBILE_COOLING_HOURS,
        },
        status=status,
    )


def _mobile_verification(request):
    return selectors.access_verification(
        verification_id=(request.session.get(MOBILE_CHANGE) or {}).get("verification_id"),
        purpose=PendingVerification.Purpose.MOBILE_CHANGE,
        national_id=request.user.username,
    )


@login_required
@strong_sign_in_required
def mobile_verify(request):
    verification = _mobile_verification(request)
    if verification is None:
        return redirect("accounts:mobile_change")
    current_step = verification.payload.get("step") == "current"
    form = CodeForm(request.POST or None)
    status = _status(form)
    if request.method == "POST" and form.is_valid():
        try:
            if current_step:
                new_step = services.confirm_current_mobile(
                    user=request.user,
                    verification=verification,
                    code=form.cleaned_data["code"],
                    request=request,
                )
            else:
                services.complete_mobile_change(
                    user=request.user,
                    verification=verification,
                    code=form.cleaned_data["code"],
                    request=request,
                )
        except AccountError as error:
            status = _refuse(form, error)
        else:
            if current_step:
                # The current phone is proved: now the code to the new number.
                request.session[MOBILE_CHANGE] = {"verification_id": str(new_step.pk)}
                try:
                    services.issue_code(
                        verification=new_step, request=request, language=get_language()
                    )
                except AccountError as error:
                    messages.error(request, error.message)  # the next page offers a resend
                else:
                    messages.success(
                        request,
                        _("Your current number is confirmed. We sent a code to the new number."),
                    )
                return redirect("accounts:mobile_verify")
            request.session.pop(MOBILE_CHANGE, None)
            messages.success(request, _("Your mobile number has been changed."))
            return redirect("dashboard")
    return _code_page(
        request,
        form=form,
        title=_("Confirm with your current mobile number")
        if current_step
        else _("Verify your new mobile number"),
        lead=_("First we check that you still hold your current number.") if current_step else "",
        mobile=verification.mobile,
        resend_url=reverse("accounts:mobile_resend"),
        cooldown=services.cooldown_left_for(verification),
        sent_at=verification.code_sent_at,
        status=status,
        back_url=reverse("accounts:mobile_change"),
    )


@login_required
@strong_sign_in_required
@require_POST
def mobile_resend(request):
    verification = _mobile_verification(request)
    if verification is None:
        return redirect("accounts:mobile_change")
    return _resend(request, verification, "accounts:mobile_verify")
