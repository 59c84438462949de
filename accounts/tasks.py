from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def purge_stale_verifications() -> int:
    """Registration, recovery and mobile-change flows older than a day can no longer finish
    (codes live 5 minutes); drop them with the password hashes they may hold."""
    from datetime import timedelta

    from .models import PendingVerification

    cutoff = timezone.now() - timedelta(days=1)
    deleted, _per_model = PendingVerification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
