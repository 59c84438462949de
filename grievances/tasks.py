from celery import shared_task


@shared_task(acks_late=True)
def batch_flag_overdue_grievances() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): flag grievances past their answer date, once each, and
    tell each entity's HR lead. The name routes it to the `batch` queue."""
    from .services import flag_overdue_grievances

    return flag_overdue_grievances()
