from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .sms.backends import GatewayUnavailable, get_backend


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=8,
)
def deliver_sms(self, message_id: str, body: str) -> None:
    """Send one recorded message; safe to run again (a sent message is not sent twice)."""
    from .models import SmsMessage

    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == SmsMessage.Status.SENT:
            return
        message.attempts += 1
        try:
            provider_id = get_backend().send(to=message.to, body=body, message_id=str(message.pk))
        except GatewayUnavailable as error:
            # Recorded and committed before Celery schedules the retry.
            message.status = SmsMessage.Status.RETRYING
            message.save(update_fields=["attempts", "status"])
            failure = error
        else:
            message.status = SmsMessage.Status.SENT
            message.sent_at = timezone.now()
            message.provider_message_id = provider_id[:100]
            message.save(update_fields=["attempts", "status", "sent_at", "provider_message_id"])
            return
    raise failure


@shared_task(acks_late=True)
def purge_stale_verifications() -> int:
    """Registration, recovery and mobile-change flows older than a day can no longer finish
    (codes live 5 minutes); drop them with the password hashes they may hold."""
    from datetime import timedelta

    from .models import PendingVerification

    cutoff = timezone.now() - timedelta(days=1)
    deleted, _per_model = PendingVerification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
