"""Session limits: 15 minutes idle (with a warning on the page), 8 hours absolute."""

import time

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.tests.factories import UserFactory, sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = UserFactory(with_employee=True)
    sign_in_verified(client, user)
    return client


def shift_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_an_active_session_shows_the_warning_markup(signed_in):
    page = signed_in.get("/").content.decode()
    assert 'data-session-warning data-idle-seconds="900"' in page
    assert "js/session.js" in page


def test_idle_for_15_minutes_signs_out(signed_in):
    shift_session(signed_in, last_activity=15 * 60 + 1)
    response = signed_in.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in signed_in.session


def test_activity_keeps_the_session(signed_in):
    shift_session(signed_in, last_activity=14 * 60)
    assert signed_in.get("/").status_code == 200
    shift_session(signed_in, signed_in_at=60)  # signed_in_at only; last_activity was renewed
    assert signed_in.get("/").status_code == 200


def test_keep_alive_renews_the_idle_clock(signed_in):
    shift_session(signed_in, last_activity=14 * 60)
    response = signed_in.post("/accounts/session/keep-alive/", {"next": "/accounts/mobile/"})
    assert response["Location"] == "/accounts/mobile/"
    assert time.time() - signed_in.session["last_activity"] < 5


def test_eight_hours_is_the_absolute_limit_even_when_active(signed_in):
    shift_session(signed_in, signed_in_at=8 * 3600 + 1, last_activity=10)
    response = signed_in.get("/")
    assert response.status_code == 302
    assert SESSION_KEY not in signed_in.session


def test_a_request_soon_after_the_last_stamp_saves_no_session(signed_in):
    """The idle clock is rewritten only once a third of the timeout has gone by: a burst of
    clicks writes no session, and the page's countdown starts from the stamp, not from 900."""
    shift_session(signed_in, last_activity=4 * 60)
    stamp = signed_in.session["last_activity"]
    page = signed_in.get("/").content.decode()
    assert signed_in.session["last_activity"] == stamp  # nothing written
    assert 'data-idle-seconds="660"' in page or 'data-idle-seconds="659"' in page
    shift_session(signed_in, last_activity=5 * 60 + 1)
    signed_in.get("/")
    assert time.time() - signed_in.session["last_activity"] < 5  # renewed
