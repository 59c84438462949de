"""Job-audit tasks; `batch_*` names route to the `batch` queue (CELERY_TASK_ROUTES)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="job_audit.tasks.batch_run_audit", acks_late=True)
def batch_run_audit(run_id: int) -> None:
    """Run one queued audit. Idempotent: a run already done or failed is left as it is, and
    a redelivered run that was cut short starts over (findings are matched by fingerprint,
    so nothing is counted twice)."""
    from .services import run_audit

    try:
        run_audit(run_id=run_id)
    except Exception:  # the run is marked failed with the error; the page says so
        logger.exception("audit run %s failed", run_id)
