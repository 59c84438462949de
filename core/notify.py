"""Texting a person from an app that sits below `accounts`.

`employment_records` imports neither `accounts` nor any service app (ARCHITECTURE.md), yet a
correction request's status change is texted to the employee through the SMS pipeline that
`accounts` owns. It calls `send_sms` here, which reaches the pipeline named by the SMS_SENDER
setting, the way Django reaches EMAIL_BACKEND: the arrow stays pointing down.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class NoticeUnavailable(Exception):
    """A notice could not be handed over for delivery (the broker is down). Raised after the
    change that caused it has committed (accounts.sms.SmsUnavailable is one)."""


def send_sms(*, to: str, template: str, context: dict | None = None, language: str = "ar"):
    """Queue `sms/<template>.txt` for `to` (E.164); see `accounts.sms.send_sms`."""
    sender = import_string(settings.SMS_SENDER)
    return sender(to=to, template=template, context=context, language=language)


@contextmanager
def notice_failures_tolerated():
    """Around a transaction whose notices are published on commit: a notice the broker
    refused is logged (its row is marked not queued), because the change itself has committed
    and the person must see its confirmation, not an error page."""
    try:
        yield
    except NoticeUnavailable:
        logger.warning("change committed; a notice could not be queued")
