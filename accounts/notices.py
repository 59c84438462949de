"""The messages accounts sends (core.notifications): value = the `sms/<kind>.txt` template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountNotice(models.TextChoices):
    SIGN_IN_CODE = "sign_in_code", _("Sign-in code")
    VERIFICATION_CODE = "verification_code", _("Verification code")
    MOBILE_CHANGE_CURRENT_CODE = (
        "mobile_change_current_code",
        _("Code to the current mobile for a change of mobile"),
    )
    MOBILE_CHANGED = "mobile_changed", _("Mobile number changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    REGISTRATION_COMPLETE = "registration_complete", _("Account created")
    SIGN_IN_ATTACKED = "sign_in_attacked", _("Warning: many failed sign-ins")
    IDENTITY_ATTEMPTS = "identity_attempts", _("Warning: repeated identity checks")
    TEST_MESSAGE = "test_message", _("Test message")
