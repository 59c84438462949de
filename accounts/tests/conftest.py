"""Shared set-up for the accounts tests: SMS into the locmem outbox, fresh rate limits, and a
client whose requests run their on-commit callbacks (the code SMS leaves on commit)."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from core import sms as backends
from employment_records.tests.factories import EmployeeFactory

PERSONA_ID = "1023456781"
PERSONA_BIRTH = dt.date(1992, 7, 1)
STRONG_PASSWORD = "quiet river lantern 42"
# The mobile the civil registry links to the persona's ID: registration codes go there only.
REGISTRY_MOBILE = "+966551234534"


LOCMEM_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                             "LOCATION": "accounts-tests"}}  # fmt: skip


@pytest.fixture(autouse=True)
def _accounts_defaults(settings):
    settings.SMS_BACKEND = "locmem"
    settings.IDENTITY_FORM_MIN_SECONDS = 0
    # Rate-limit counters in a private in-memory cache, emptied per test: clearing a Redis
    # cache would flush a database that may also hold Celery's queues.
    settings.CACHES = LOCMEM_CACHE
    backends.outbox.clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox():
    return backends.outbox


def last_code(outbox, to: str | None = None) -> str:
    messages = [sms for sms in outbox if to is None or sms.to == to]
    assert messages, "no SMS was sent"
    return re.search(r"\b(\d{6})\b", messages[-1].body).group(1)


class CommitClient:
    """Wraps the test client: each request runs inside
    django_capture_on_commit_callbacks(execute=True), as a real request would commit."""

    def __init__(self, client, capture):
        self._client, self._capture = client, capture

    def __getattr__(self, name):
        return getattr(self._client, name)

    def get(self, *args, **kwargs):
        with self._capture(execute=True):
            return self._client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self._capture(execute=True):
            return self._client.post(*args, **kwargs)


@pytest.fixture
def web(client, django_capture_on_commit_callbacks):
    return CommitClient(client, django_capture_on_commit_callbacks)


@pytest.fixture
def persona(db):
    """Persona 1023456781: a Saudi employee without an account (README's demo table)."""
    return EmployeeFactory(
        national_id=PERSONA_ID, date_of_birth=PERSONA_BIRTH, registry_mobile=REGISTRY_MOBILE
    )


def identity_data(national_id=PERSONA_ID, birth="1992-07-01", calendar="gregorian"):
    return {
        "national_id": national_id,
        "date_of_birth_calendar": calendar,
        "date_of_birth_date": birth,
        "website": "",
    }


def details_data(**overrides):
    return {
        "email": "persona@example.sa",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        **overrides,
    }


def start_registration(web, **details):
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", identity_data())
    assert response.status_code == 302, response.content.decode()
    response = web.post("/accounts/register/details/", details_data(**details))
    assert response.status_code == 302, response.content.decode()
    return response
