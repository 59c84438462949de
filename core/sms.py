"""SMS gateway backends, chosen by the SMS_BACKEND setting (console, locmem, http, or a dotted
path to a class with the same `send()`).

Only the notification relay (core.notifications) calls them: every message to a person is an
outbox row first. `message_id` is the row's idempotency key, so a provider that honours it never
delivers a message twice even when the relay sends it again (deliveries are at least once)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string


class GatewayUnavailable(Exception):
    """The gateway could not take the message now (5xx, timeout, network): retry later."""


class GatewayRejected(Exception):
    """The gateway refused the message itself (4xx): retrying will not help."""


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    message_id: str


class ConsoleBackend:
    """Prints each message: the embedded default for `make run`."""

    def send(self, *, to: str, body: str, message_id: str) -> str:
        sys.stdout.write(f"[SMS to {to}] {body}\n")
        sys.stdout.flush()
        return message_id


# The locmem backend's outbox, like django.core.mail.outbox; tests read codes from it.
outbox: list[SentSms] = []


class LocmemBackend:
    def send(self, *, to: str, body: str, message_id: str) -> str:
        outbox.append(SentSms(to=to, body=body, message_id=message_id))
        return message_id


class HttpBackend:
    """A provider's usual shape: POST JSON with an API key; the message id doubles as the
    idempotency key so a provider that honours it never delivers twice."""

    timeout_seconds = 5

    def send(self, *, to: str, body: str, message_id: str) -> str:
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL,
                json={
                    "to": to,
                    "body": body,
                    "sender": settings.SMS_SENDER_NAME,
                    "message_id": message_id,
                },
                headers={
                    "Authorization": f"Bearer {settings.SMS_GATEWAY_API_KEY}",
                    "Idempotency-Key": message_id,
                },
                timeout=self.timeout_seconds,
            )
        except requests.RequestException as error:
            raise GatewayUnavailable(type(error).__name__) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise GatewayUnavailable(f"gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise GatewayRejected(f"gateway answered {response.status_code}")
        try:
            return str(response.json().get("id") or message_id)
        except ValueError:
            return message_id


BACKENDS = {"console": ConsoleBackend, "locmem": LocmemBackend, "http": HttpBackend}


def get_backend():
    name = settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
