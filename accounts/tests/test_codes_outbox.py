"""Codes go through the notification outbox (core.notifications): never in the inbox, never in
clear in the database, and a code asked for again replaces the one still waiting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import SmsDevice
from accounts.tests.factories import UserFactory
from core import notifications
from core.models import Notification

from .conftest import last_code

pytestmark = pytest.mark.django_db


def test_a_sign_in_code_is_an_encrypted_outbox_row_never_in_the_inbox(
    rf, outbox, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_sign_in_code(user=user, request=rf.post("/"))
    row = Notification.objects.get()
    code = last_code(outbox)
    assert not row.inbox and row.kind == "sign_in_code" and row.recipient is None
    assert code not in repr(Notification.objects.values().get())
    assert row.expires_at == SmsDevice.objects.get(user=user).valid_until
    assert not notifications.inbox_of(user).exists()


def test_a_new_sign_in_code_replaces_the_one_the_broker_never_took(rf, outbox, monkeypatch):
    user = UserFactory(preferred_language="en")
    with monkeypatch.context() as broker_down:
        broker_down.setattr(notifications, "_publish", lambda notification: None)
        services.send_sign_in_code(user=user, request=rf.post("/"))
    SmsDevice.objects.filter(user=user).update(last_sent_at=None)  # the minute has passed
    services.send_sign_in_code(user=user, request=rf.post("/"))
    notifications.sweep(now=timezone.now() + timedelta(minutes=2))
    assert len(outbox) == 1  # only the newer code; the older one would no longer work
    first, second = Notification.objects.order_by("created_at", "id")
    assert first.status == Notification.Status.FAILED and first.reason == "superseded"
    assert second.status == Notification.Status.SENT
    device = SmsDevice.objects.get(user=user)
    assert device.verify_token(last_code(outbox))
