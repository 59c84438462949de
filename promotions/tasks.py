"""Background work of promotions: scoring (queue `batch`, by its name) and the window clock."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def batch_score_round(round_id: int) -> None:
    """Score and assign a round; resumes from the round's cursor when delivered again."""
    from .services import run_scoring

    run_scoring(round_id=round_id)


@shared_task(acks_late=True)
def batch_advance_rounds() -> None:
    """Open and close rounds whose window started or ended (beat, every minute)."""
    from .services import advance_by_clock

    advance_by_clock()
