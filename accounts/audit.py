"""The audit actions of accounts, registered with core.audit in AccountsConfig.ready()."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountAction(models.TextChoices):
    CODE_SENT = "accounts.code_sent", _("Verification code sent")
    REGISTERED = "accounts.registered", _("Account registered")
    SIGN_IN_FAILED = "accounts.sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "accounts.locked_out", _("Sign-in locked")
    UNLOCKED = "accounts.unlocked", _("Sign-in unlocked")
    SIGNED_IN = "accounts.signed_in", _("Signed in")
    PASSWORD_CHANGED = "accounts.password_changed", _("Password changed")
    MOBILE_CHANGED = "accounts.mobile_changed", _("Mobile number changed")
    NAFATH_SIGN_IN = "accounts.nafath_sign_in", _("Signed in with Nafath")
    CREATED_BY_NAFATH = "accounts.created_by_nafath", _("Account created by a Nafath sign-in")
    NAFATH_SIGN_IN_REFUSED = "accounts.nafath_sign_in_refused", _("Nafath sign-in refused")
    NAFATH_IDENTITY_UNLINKED = "accounts.nafath_identity_unlinked", _("Nafath identity unlinked")
    IDENTITY_ATTEMPTS_NOTICE = (
        "accounts.identity_attempts_notice",
        _("Owner told of wrong identity attempts"),
    )
    ATTACK_NOTICE_SENT = "accounts.attack_notice_sent", _("Owner told of sign-in attacks")
    ROLE_CHANGE_REQUESTED = "accounts.role_change_requested", _("Role change requested")
    ROLE_CHANGE_APPROVED = "accounts.role_change_approved", _("Role change approved and applied")
    ROLE_CHANGE_REJECTED = "accounts.role_change_rejected", _("Role change rejected")
    MOBILE_CHANGE_CURRENT_CONFIRMED = (
        "accounts.mobile_change_current_confirmed",
        _("Mobile change confirmed from the current number"),
    )
