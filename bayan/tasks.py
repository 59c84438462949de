"""Delivery of approved statements (queue `batch`: the batch_ prefix routes them there)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def batch_deliver_statement(delivery_id: int) -> None:
    """One attempt; a failed attempt leaves the row pending with its next time, and the
    re-drive below picks it up then (so a retry survives a worker restart)."""
    services.attempt_delivery(delivery_id)


@shared_task(acks_late=True, ignore_result=True)
def batch_redrive_deliveries() -> int:
    """Every five minutes: send what is due (retries, lost tasks, dead workers)."""
    due = services.due_deliveries()
    for delivery_id in due:
        services.enqueue_delivery(delivery_id)
    return len(due)
