"""The SMS pipeline: recorded, delivered after commit, once, and retried on gateway errors."""

import pytest
from django.db import transaction

from accounts.models import SmsMessage
from accounts.sms import backends, send_sms
from accounts.tasks import deliver_sms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    return backends.outbox


def test_message_is_rendered_in_the_persons_language_and_sent_after_commit(
    locmem_sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send_sms(
            to="+966512345634", template="test_message", context={"number": 7}, language="en"
        )
        assert locmem_sms == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert [sms.body for sms in locmem_sms] == ["Masar: this is a test message, number 7."]
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and message.attempts == 1


def test_a_rolled_back_transaction_sends_nothing(locmem_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            send_sms(to="+966512345634", template="test_message", context={"number": 1})
            raise RuntimeError("the use case failed")
    assert locmem_sms == []
    assert not SmsMessage.objects.exists()


def test_a_redelivered_task_does_not_send_twice(locmem_sms):
    message = SmsMessage.objects.create(to="+966512345634", template="test_message")
    deliver_sms.apply(args=[str(message.pk), "body"])
    deliver_sms.apply(args=[str(message.pk), "body"])
    assert len(locmem_sms) == 1


def test_the_text_is_not_stored(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(to="+966512345634", template="test_message", context={"number": 424242})
    stored = SmsMessage.objects.filter(pk=message.pk).values().get()
    assert "424242" not in str(stored)


class FlakyGateway:
    failures_left = 2
    sent: list = []

    def send(self, *, to, body, message_id):
        if FlakyGateway.failures_left:
            FlakyGateway.failures_left -= 1
            raise backends.GatewayUnavailable("503")
        FlakyGateway.sent.append(message_id)
        return "provider-1"


@pytest.fixture
def eager_retries(request):
    """Eager apply() re-runs a task on Retry only when it does not propagate errors."""
    conf = deliver_sms.app.conf
    previous, conf.task_eager_propagates = conf.task_eager_propagates, False
    request.addfinalizer(lambda: setattr(conf, "task_eager_propagates", previous))


def test_gateway_errors_are_retried_until_delivered(settings, eager_retries):
    settings.SMS_BACKEND = "accounts.tests.test_sms.FlakyGateway"
    FlakyGateway.failures_left, FlakyGateway.sent = 2, []
    message = SmsMessage.objects.create(to="+966512345634", template="test_message")
    deliver_sms.apply(args=[str(message.pk), "body"])
    message.refresh_from_db()
    assert FlakyGateway.sent == [str(message.pk)]
    assert message.attempts == 3 and message.status == SmsMessage.Status.SENT
