"""Framework tasks. `render_*` names route to the `documents` queue (CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import celeryd_after_setup, worker_process_init

logger = logging.getLogger(__name__)

# Whether this worker consumes the documents queue (set in the parent before its processes
# fork; a worker of the sms queue never imports WeasyPrint).
_renders_documents = False


@celeryd_after_setup.connect
def _note_documents_queue(sender, instance, **kwargs):
    global _renders_documents
    _renders_documents = "documents" in (instance.app.amqp.queues.consume_from or {})


@worker_process_init.connect
def _warm_up_pdf(**kwargs):
    """Each process of a documents worker renders a tiny document at start (core.pdf)."""
    if not _renders_documents:
        return
    from .pdf import warm_up

    try:
        warm_up()
    except Exception:  # a failed warm-up only means the first document pays for it
        logger.exception("PDF warm-up failed")


MAX_RENDER_RETRIES = 3


@shared_task(name="core.tasks.render_document", bind=True, acks_late=True, max_retries=None)
def render_document(self, document_id: int) -> None:
    """Render one document. Idempotent: returns at once when its file already exists, so a
    redelivered message (acks_late) or a re-enqueue by the beat task costs nothing."""
    from . import documents

    try:
        documents.render_and_store(document_id)
    except Exception as error:  # retried with backoff, then the document is marked failed
        if self.request.retries >= MAX_RENDER_RETRIES:
            logger.exception(
                "document %s failed after %d retries", document_id, self.request.retries
            )
            documents.mark_failed(document_id)
            return
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task(name="core.tasks.requeue_stale_documents", acks_late=True)
def requeue_stale_documents() -> int:
    """Beat: documents pending for more than two minutes are queued again."""
    from . import documents

    return len(documents.requeue_stale())


@shared_task(name="core.tasks.deliver_notification", bind=True, acks_late=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> None:
    """The outbox relay (queue `sms`): send one row. Gateway errors and database errors are
    both retried with exponential backoff; the row records `failed` once the gateway's retry
    budget is spent, and whatever this task could not record the sweep finds later."""
    from django.conf import settings
    from django.db import DatabaseError

    from . import notifications

    try:
        countdown = notifications.deliver(notification_id)
    except DatabaseError as error:
        retries = self.request.retries
        if retries + 1 >= settings.NOTIFICATION_MAX_ATTEMPTS:
            # The row could not even be read or written: left as it is, the sweep re-drives it.
            logger.error(
                "notification %s: database error after %d tries (%s); left to the sweep",
                notification_id, retries + 1, type(error).__name__,
            )  # fmt: skip
            return
        logger.warning(
            "notification %s: database error (%s), retrying",
            notification_id, type(error).__name__,
        )  # fmt: skip
        raise self.retry(countdown=notifications.backoff(retries + 1), exc=error) from error
    if countdown is not None:
        raise self.retry(countdown=countdown)


@shared_task(name="core.tasks.relay_notifications", acks_late=True)
def relay_notifications(notification_ids: list[int]) -> None:
    """Hand a batch of outbox rows to the relay, a task each (core.notifications.notify_many:
    the request that wrote them enqueues one task per batch, not one per person). A row
    already sent is left alone by the relay, so a redelivered batch costs nothing."""
    for notification_id in notification_ids:
        deliver_notification.delay(notification_id)


@shared_task(name="core.tasks.sweep_notifications", acks_late=True)
def sweep_notifications() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): re-drive undelivered notifications."""
    from . import notifications

    return notifications.sweep()


@shared_task(name="core.tasks.delete_expired_drafts", acks_late=True)
def delete_expired_drafts() -> int:
    """Beat, nightly: drafts unchanged for DRAFT_KEEP_DAYS go, with their files. Safe to run
    twice: a second run finds nothing left to delete."""
    from . import drafts

    return drafts.delete_expired_drafts()
