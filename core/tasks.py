"""Framework tasks. `render_*` names route to the `documents` queue (CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

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
