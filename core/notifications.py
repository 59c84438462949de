"""The notification outbox: every message to a person is a row first, written in the
transaction of the change that causes it; a relay task texts it after commit, and a beat sweep
re-drives whatever was not delivered.

    with transaction.atomic():
        grievance.save()
        notify(user=employee_user, kind="grievance_status", context={...})

* Kinds are an enumeration, like audit actions: each app declares its kinds as a `TextChoices`
  (value = the template's name, label = what the ministry's list shows, translated) and
  registers it from its `AppConfig.ready()` with `register_kinds()`. `notify()` refuses a kind
  nobody registered, so a typo fails at once instead of writing a row nobody can name.
* `notify()` renders `sms/<kind>.txt` in the person's language and writes the row. On commit it
  publishes the relay task (queue `sms`), bounded to about a second (CELERY_BROKER_*). A broker
  that is down never fails the caller: the row stays `queued` and the sweep sends it once the
  broker is back. A rolled-back change sends nothing.
* The relay (`deliver`) takes the row with SELECT ... FOR UPDATE SKIP LOCKED, marks it
  `sending` (a lease, so a dead worker's row is picked up again), calls the gateway with the
  row's idempotency key and records `sent`, `retrying` (exponential backoff) or `failed` with
  the reason. Deliveries are at least once: a row sent again carries the same key, which the
  gateway uses to drop the duplicate. Database errors are retried by the task like gateway
  errors; whatever the task could not record, the sweep finds later.
* The sweep (`sweep`, every minute) sends rows still `queued` a minute after they were written
  (broker down, worker died), rows whose `sending` lease or `retrying` time has passed, and
  rows that `failed` because the gateway was away (again every NOTIFICATION_REDRIVE_SECONDS, up
  to NOTIFICATION_MAX_AGE_HOURS). A row that expired (a sign-in code) becomes `failed` with the
  reason "expired" and is never sent late.
* A message kept out of the inbox (one-time codes: `inbox=False`) is secret: its text is
  stored encrypted with a key derived from SECRET_KEY and wiped once sent, expired or failed for
  good. Texts are never logged.
* The inbox (/notifications/) lists a person's `inbox=True` rows, newest first.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .cached import forget, read_through
from .models import Notification
from .registry import Registered
from .sms import GatewayRejected, GatewayUnavailable, get_backend

logger = logging.getLogger(__name__)

Status = Notification.Status
# While a relay holds a row in `sending`, nobody else sends it; after the lease (well above the
# gateway's 5 s timeout) the sweep assumes the worker died and sends it again.
SENDING_LEASE = timedelta(seconds=60)
# A queued row is the relay's for a minute; after that the sweep assumes the broker lost it.
QUEUED_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 500
# notify_many(): rows written per INSERT, and rows handed to the relay per task.
NOTIFY_BATCH = 1000
RELAY_BATCH = 500
REASON_EXPIRED = "expired"

_KINDS = Registered()


class UnregisteredNotificationKind(ValueError):
    """notify() was given a kind no app registered (a typo, or a missing register call)."""


def register_kinds(*enumerations: type[models.TextChoices]) -> None:
    """Make these kinds known (call from AppConfig.ready(); registering twice is harmless)."""
    _KINDS.register(*enumerations)


def registered_kinds() -> dict[str, object]:
    return _KINDS.as_dict()


def kind_label(kind: str) -> str:
    """The kind in words, in the current language (the code itself if unknown)."""
    return _KINDS.label(kind)


# --- Writing ------------------------------------------------------------------------------


def notify(
    *,
    user=None,
    mobile: str = "",
    kind: str,
    context: dict | None = None,
    language: str | None = None,
    inbox: bool = True,
    sms: bool = True,
    expires_at: datetime | None = None,
    key: str | None = None,
) -> Notification:
    """Write an outbox row in the caller's transaction; the relay texts it after commit.

    `user` and/or `mobile` (E.164; defaults to the user's mobile). `kind` names the template
    `sms/<kind>.txt`, rendered now in `language` (default: the user's preferred language, else
    Arabic); a `url` in the context becomes the inbox notice's link. `inbox=False` keeps the
    message out of /notifications/ and stores its text encrypted (one-time codes). A message
    after `expires_at` is never sent. `key`, when given, makes the call idempotent: a second
    call with the same key returns the first row.

    Never raises because the broker or the gateway is down. After commit, the returned row's
    `published` attribute says whether the relay task reached the broker (None before commit
    or when there was nothing to text).
    """
    _check_registered(kind)
    context = dict(context or {})
    if user is not None:
        mobile = mobile or (user.mobile or "")
        language = language or getattr(user, "preferred_language", "") or None
    language = language or "ar"
    inbox = inbox and user is not None
    sms = sms and bool(mobile)
    if key is not None:
        existing = Notification.objects.filter(idempotency_key=key).first()
        if existing is not None:
            existing.published = None
            return existing
    notification = _outbox_row(
        user=user,
        mobile=mobile,
        kind=kind,
        language=language,
        text=_rendered(kind, context, language),
        link=_local_link(context.get("url")) if inbox else "",
        sms=sms,
        inbox=inbox,
        expires_at=expires_at,
        key=key,
        now=timezone.now(),
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if key is None:
            raise
        notification = Notification.objects.get(idempotency_key=key)
        notification.published = None
        return notification
    notification.published = None
    if sms:
        transaction.on_commit(partial(_publish, notification))
    return notification


def notify_many(*, users, kind: str, context: dict | None = None) -> int:
    """notify() to each of `users` (their inbox, and an SMS to their mobile in their language),
    for a decision that reaches thousands at once: a promotion round's results. The rows are
    written NOTIFY_BATCH at a time in the caller's transaction, each language's text rendered
    once; after commit, one relay task per batch hands them on from a worker, so neither the
    transaction nor the request grows by a query or a broker call per person. Returns how many
    rows were written."""
    _check_registered(kind)
    context = dict(context or {})
    link = _local_link(context.get("url"))
    texts: dict[str, str] = {}
    queued: list[int] = []
    written = 0
    for batch in _batches(users, NOTIFY_BATCH):
        rows = []
        for user in batch:
            language = getattr(user, "preferred_language", "") or "ar"
            if language not in texts:
                texts[language] = _rendered(kind, context, language)
            mobile = user.mobile or ""
            rows.append(
                _outbox_row(
                    user=user, mobile=mobile, kind=kind, language=language,
                    text=texts[language], link=link, sms=bool(mobile), inbox=True,
                    expires_at=None, key=None, now=timezone.now(),
                )
            )  # fmt: skip
        Notification.objects.bulk_create(rows)  # no post_save: the counts are forgotten here
        forget(*(unread_key(user.pk) for user in batch))
        queued.extend(row.pk for row in rows if row.sms)
        written += len(rows)
    if queued:
        transaction.on_commit(partial(_publish_many, queued))
    return written


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of at most `size` (itertools.batched, from Python 3.12)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_registered(kind: str) -> None:
    if kind not in _KINDS:
        raise UnregisteredNotificationKind(
            f"Notification kind {kind!r} is not registered: declare it in its app's notices "
            "and call core.notifications.register_kinds() from the app's ready()."
        )


def _rendered(kind: str, context: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string(f"sms/{kind}.txt", context).strip()


def _outbox_row(
    *, user, mobile, kind, language, text, link, sms, inbox, expires_at, key, now
) -> Notification:
    """A new outbox row: queued for the relay when there is something to text, else already
    delivered (the inbox row is the delivery); a secret text (not in the inbox) encrypted."""
    notification = Notification(
        recipient=user,
        mobile=mobile,
        kind=kind,
        language=language,
        link=link,
        sms=sms,
        inbox=inbox,
        expires_at=expires_at,
        idempotency_key=key or uuid.uuid4().hex,
        created_at=now,
    )
    if inbox:
        notification.body = text
    else:
        notification.body_encrypted = _encrypt(text)
    if sms:
        notification.status = Status.QUEUED
        notification.next_attempt_at = now + QUEUED_GRACE
    else:
        notification.status = Status.SENT
        notification.sent_at = now
    return notification


def supersede(*, mobile: str, kind: str) -> int:
    """A new code replaces the older ones of this kind for this number: any not yet sent (the
    broker or the gateway was away) never will be. Call it in the transaction that issues the
    new code. Returns how many were withdrawn."""
    return Notification.objects.filter(
        Q(status__in=(Status.QUEUED, Status.RETRYING))
        | Q(status=Status.FAILED, next_attempt_at__isnull=False),
        mobile=mobile,
        kind=kind,
        inbox=False,
    ).update(status=Status.FAILED, reason="superseded", next_attempt_at=None, body_encrypted=b"")


def _local_link(url) -> str:
    """Only a path on this site becomes the inbox link (never another host or a scheme)."""
    url = str(url or "")
    if url.startswith("/") and not url.startswith("//") and len(url) <= 300:
        return url
    return ""


def _publish_many(notification_ids: list[int]) -> None:
    """One relay task per RELAY_BATCH rows (notify_many), each hand-over bounded as _publish's
    is. A broker outage is logged, never raised, and ends the hand-over: the rows left stay
    queued and the sweep sends them when the broker is back."""
    from celery.exceptions import Retry

    from .tasks import relay_notifications

    for start in range(0, len(notification_ids), RELAY_BATCH):
        batch = notification_ids[start : start + RELAY_BATCH]
        try:
            relay_notifications.apply_async(args=[batch], retry=True, retry_policy=_BOUNDED)
        except Retry:  # eager mode (tests): the relay ran and a delivery scheduled its retry
            continue
        except Exception as error:  # noqa: BLE001 - any broker failure leaves rows to the sweep
            logger.warning(
                "%s notifications not handed to the relay (%s); the sweep will send them",
                len(notification_ids) - start,
                type(error).__name__,
            )
            return


# A publish waits for the broker about a second at most (one retry after 0.2 s).
_BOUNDED = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def _publish(notification: Notification) -> None:
    """Hand the row to the relay, bounded to about a second. A broker outage is logged, never
    raised: the row stays queued and the sweep sends it when the broker is back."""
    from celery.exceptions import Retry

    from .tasks import deliver_notification

    try:
        deliver_notification.apply_async(
            args=[notification.pk],
            retry=True,
            retry_policy=_BOUNDED,
        )
    except Retry:  # eager mode (tests): the relay ran and scheduled its retry
        notification.published = True
    except Exception as error:  # noqa: BLE001 - any broker failure leaves the row to the sweep
        notification.published = False
        logger.warning(
            "notification %s not handed to the relay (%s); the sweep will send it",
            notification.pk,
            type(error).__name__,
        )
    else:
        notification.published = True


# --- Secrets at rest ----------------------------------------------------------------------


def _fernet():
    from cryptography.fernet import Fernet

    digest = salted_hmac("masar.core.notifications.fernet", "outbox", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _encrypt(text: str) -> bytes:
    return _fernet().encrypt(text.encode())


def _decrypt(token: bytes) -> str:
    return _fernet().decrypt(bytes(token)).decode()


def text_of(notification: Notification) -> str:
    """The message as it is texted (decrypted for a secret one)."""
    if notification.inbox:
        return notification.body
    return _decrypt(notification.body_encrypted) if notification.body_encrypted else ""


# --- The relay ----------------------------------------------------------------------------


def max_attempts() -> int:
    return settings.NOTIFICATION_MAX_ATTEMPTS


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: base, 2 x base, 4 x base ... up to the cap."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return min(base * 2 ** max(0, attempts - 1), settings.NOTIFICATION_RETRY_MAX_SECONDS)


def _redrive_at(notification: Notification, now: datetime) -> datetime | None:
    """When the sweep may try a row that ran out of retries again; None once it is too old
    (or will have expired by then)."""
    at = now + timedelta(seconds=settings.NOTIFICATION_REDRIVE_SECONDS)
    oldest = notification.created_at + timedelta(hours=settings.NOTIFICATION_MAX_AGE_HOURS)
    if at > oldest or (notification.expires_at and at >= notification.expires_at):
        return None
    return at


def _final_fields(notification: Notification) -> dict:
    """What a row that is done with keeps: no secret text."""
    return {"body_encrypted": b""} if not notification.inbox else {}


def deliver(notification_id: int) -> float | None:
    """Send one row through the gateway. Returns the seconds to wait before the task retries
    (the gateway was unavailable), or None when there is nothing more to do now. Safe to run
    twice: a row that is sent, failed or being sent by another relay is left alone. Database
    errors propagate (the task retries them)."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status not in (
            Status.QUEUED,
            Status.RETRYING,
            Status.SENDING,
        ):
            return None
        if notification.status == Status.SENDING and notification.next_attempt_at > now:
            return None  # another relay holds the lease
        if notification.expires_at is not None and notification.expires_at <= now:
            _fail(notification, reason=REASON_EXPIRED, redrive_at=None)
            return None
        try:
            text = text_of(notification)
        except Exception:  # noqa: BLE001 - e.g. SECRET_KEY rotated: the text is lost for good
            _fail(notification, reason="cannot decrypt the text", redrive_at=None)
            return None
        notification.status = Status.SENDING
        notification.attempts += 1
        notification.next_attempt_at = now + SENDING_LEASE
        notification.save(update_fields=["status", "attempts", "next_attempt_at"])

    # The gateway call holds no lock and no transaction; the lease keeps others away.
    try:
        provider_id = get_backend().send(
            to=notification.mobile, body=text, message_id=notification.idempotency_key
        )
    except GatewayRejected as error:
        return _record_failure(notification, reason=f"rejected: {error}", final=True)
    except GatewayUnavailable as error:
        return _record_failure(notification, reason=f"gateway unavailable: {error}")
    except Exception as error:  # noqa: BLE001 - an unexpected backend error is retried too
        return _record_failure(notification, reason=f"gateway error: {type(error).__name__}")
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=str(provider_id or "")[:100],
        next_attempt_at=None,
        reason="",
        **_final_fields(notification),
    )
    return None


def _record_failure(notification: Notification, *, reason: str, final: bool = False):
    now = timezone.now()
    reason = reason[:200]
    if final or notification.attempts >= max_attempts():
        redrive_at = None if final else _redrive_at(notification, now)
        fields = {"status": Status.FAILED, "reason": reason, "next_attempt_at": redrive_at}
        if redrive_at is None:
            fields.update(_final_fields(notification))
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(**fields)
        logger.warning(
            "notification %s failed after %d attempts: %s", notification.pk,
            notification.attempts, reason,
        )  # fmt: skip
        return None
    countdown = backoff(notification.attempts)
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.RETRYING, reason=reason, next_attempt_at=now + timedelta(seconds=countdown)
    )
    return countdown


def _fail(notification: Notification, *, reason: str, redrive_at) -> None:
    """Inside the caller's transaction, on a locked row."""
    notification.status = Status.FAILED
    notification.reason = reason
    notification.next_attempt_at = redrive_at
    for name, value in _final_fields(notification).items():
        setattr(notification, name, value)
    notification.save()


# --- The sweep ----------------------------------------------------------------------------

PENDING = (Status.QUEUED, Status.RETRYING, Status.SENDING)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-drive what was not delivered (the beat runs it every minute). Returns counts."""
    now = now or timezone.now()
    counts = {"expired": 0, "given_up": 0, "redriven": 0}
    # Rows waiting for the relay, or failed but to be tried again later. A `sending` row
    # within its lease is another relay's: leave it.
    waiting = (
        Q(status__in=(Status.QUEUED, Status.RETRYING))
        | Q(status=Status.SENDING, next_attempt_at__lte=now)
        | Q(status=Status.FAILED, next_attempt_at__isnull=False)
    )
    # Expired codes are never sent late; their text goes.
    counts["expired"] = Notification.objects.filter(waiting, expires_at__lte=now).update(
        status=Status.FAILED, reason=REASON_EXPIRED, next_attempt_at=None, body_encrypted=b""
    )
    # Nothing waits for ever: past the maximum age a row fails for good.
    too_old = now - timedelta(hours=settings.NOTIFICATION_MAX_AGE_HOURS)
    counts["given_up"] = Notification.objects.filter(
        Q(status__in=PENDING) & waiting, created_at__lt=too_old
    ).update(
        status=Status.FAILED,
        reason="not delivered within the maximum age",
        next_attempt_at=None,
        body_encrypted=b"",
    )
    # Undelivered rows that are due: send them (again). The relay's lock and status checks
    # make a duplicate hand-over harmless.
    due = list(
        Notification.objects.filter(
            # Queued a minute ago and still not taken; a retry a minute overdue (its scheduled
            # task was lost); a lease run out (the worker died); a failed row's next try.
            Q(status=Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Status.RETRYING, next_attempt_at__lte=now - QUEUED_GRACE)
            | Q(status__in=(Status.SENDING, Status.FAILED), next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", "status")[:SWEEP_BATCH]
    )
    failed = [pk for pk, status in due if status == Status.FAILED]
    if failed:
        # Ran out of retries while the gateway was away: one more attempt each (a row that
        # fails again waits another NOTIFICATION_REDRIVE_SECONDS).
        Notification.objects.filter(pk__in=failed, status=Status.FAILED).update(
            status=Status.RETRYING, next_attempt_at=now + QUEUED_GRACE
        )
    from .tasks import deliver_notification

    for pk, _status in due:
        try:
            deliver_notification.apply_async(args=[pk])
        except Exception as error:  # noqa: BLE001 - the broker went away: next sweep
            logger.warning("sweep stopped: broker unavailable (%s)", type(error).__name__)
            break
        counts["redriven"] += 1
    return counts


# --- The inbox ----------------------------------------------------------------------------


def inbox_of(user):
    """The person's notices, newest first (never codes: those are inbox=False)."""
    return Notification.objects.filter(recipient=user, inbox=True).order_by("-created_at", "-id")


# The header's unread count is kept in the cache (issue 16: one query less on every signed-in
# page, core.cached). Whatever changes it forgets the copy: a new inbox row
# (`notify()`, or any save or delete of a row: the signal receivers below), `mark_read`,
# `mark_all_read`. A copy a racing request wrote just before such a change lives at most
# UNREAD_CACHE_SECONDS; a cache outage only costs the query again.
UNREAD_CACHE_SECONDS = 2 * 60


def unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    return read_through(
        unread_key(user.pk),
        lambda: Notification.objects.filter(
            recipient=user, inbox=True, read_at__isnull=True
        ).count(),
        seconds=UNREAD_CACHE_SECONDS,
    )


def forget_unread_count(user_id) -> None:
    if user_id is not None:
        forget(unread_key(user_id))


def notification_changed(sender, instance, created=True, **kwargs) -> None:
    """A Notification written (post_save, created) or deleted (post_delete): its recipient's
    count may have changed. The relay's own saves (status, attempts) leave it as it was; the
    read stamp changes only through `mark_read` and `mark_all_read`."""
    if created and instance.inbox:
        forget_unread_count(instance.recipient_id)


def mark_read(*, user, ids) -> int:
    """The person's own notices among `ids` (those a page showed) are read now."""
    if not ids:
        return 0
    marked = Notification.objects.filter(
        pk__in=ids, recipient=user, inbox=True, read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        forget_unread_count(user.pk)
    return marked


def mark_all_read(*, user) -> int:
    marked = Notification.objects.filter(recipient=user, inbox=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        forget_unread_count(user.pk)
    return marked
