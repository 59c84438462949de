"""Texting a person from an app that sits below `accounts`.

`employment_records` imports neither `accounts` nor any service app (ARCHITECTURE.md), yet a
correction request's status change is texted to the employee through the SMS pipeline that
`accounts` owns. It calls `send_sms` here, which reaches the pipeline named by the SMS_SENDER
setting, the way Django reaches EMAIL_BACKEND: the arrow stays pointing down.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def send_sms(*, to: str, template: str, context: dict | None = None, language: str = "ar"):
    """Queue `sms/<template>.txt` for `to` (E.164); see `accounts.sms.send_sms`."""
    sender = import_string(settings.SMS_SENDER)
    return sender(to=to, template=template, context=context, language=language)
