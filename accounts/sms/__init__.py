"""Sending SMS: `send_sms()` records the message and hands delivery to a Celery task on commit.

The text itself (which may hold a one-time code) travels only in the task's arguments, never
in the database or the logs.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core.notify import NoticeUnavailable

logger = logging.getLogger(__name__)


class SmsUnavailable(NoticeUnavailable):
    """The message could not be queued (the broker is unreachable); ask the person to retry."""


def render_sms(template: str, context: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string(f"sms/{template}.txt", context).strip()


def send_sms(*, to: str, template: str, context: dict | None = None, language: str = "ar"):
    """Queue `sms/<template>.txt` for `to` (E.164); delivery starts when the caller commits.

    Raises SmsUnavailable at commit time when the broker cannot take the task, so the caller
    can tell the person to try again (publishing is bounded to about a second).
    """
    from accounts.models import SmsMessage

    body = render_sms(template, context or {}, language)
    with transaction.atomic():
        message = SmsMessage.objects.create(to=to, template=template, language=language)
        transaction.on_commit(partial(_publish, message.pk, body), robust=False)
    return message


def _publish(message_id, body: str) -> None:
    from kombu.exceptions import OperationalError

    from accounts.tasks import deliver_sms

    try:
        deliver_sms.apply_async(
            args=[str(message_id), body],
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.2,
            },
        )
    except (OperationalError, ConnectionError, TimeoutError) as error:
        logger.warning(
            "SMS %s not queued: broker unavailable (%s)", message_id, type(error).__name__
        )
        from accounts.models import SmsMessage

        SmsMessage.objects.filter(pk=message_id).update(status=SmsMessage.Status.NOT_QUEUED)
        raise SmsUnavailable from error
