"""Test helpers shared by the simulator's and the relying party's tests: a provider on the live
server, a browser-like HTTP client, and a phone that answers in the Nafath app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest
import requests

NUMBER_RE = re.compile(r'data-testid="nafath-number">(\d{2})<')
ANSWER_FORM_RE = re.compile(r'action="(/nafath/app/requests/[^"]+/)"')
CHOICE_RE = re.compile(r'name="number" value="(\d{2})"')


@pytest.fixture(scope="session")
def nafath_key_file(tmp_path_factory):
    """The simulator's key for the test session (generating one costs about half a second)."""
    return str(tmp_path_factory.mktemp("nafath_sim") / "key.pem")


@pytest.fixture
def nafath(live_server, settings, nafath_key_file):
    """The simulator on the live server as the portal's provider, with an empty cache."""
    from django.core.cache import cache

    from nafath_sim.clients import register_portal_client

    cache.clear()
    settings.NAFATH_SIM_PRIVATE_KEY = ""
    settings.NAFATH_SIM_KEY_FILE = nafath_key_file
    settings.NAFATH_OIDC_ISSUER = f"{live_server.url}/nafath"
    register_portal_client(extra_redirect_uris=(f"{live_server.url}/oidc/callback/",))
    return live_server


@dataclass
class Browser:
    """A person's browser over real HTTP: cookies, and CSRF tokens taken from the cookie."""

    base: str
    session: requests.Session

    @classmethod
    def at(cls, base: str, *, language: str = "en") -> Browser:
        session = requests.Session()
        session.headers["Accept-Language"] = language
        return cls(base=base, session=session)

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.session.get(urljoin(self.base, url), timeout=10, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> requests.Response:
        data = {
            "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
            **data,
        }
        return self.session.post(urljoin(self.base, url), data=data, timeout=10, **kwargs)


def start_nafath_sign_in(browser: Browser, national_id: str) -> tuple[requests.Response, int]:
    """Portal -> provider -> national ID: the waiting page and the number it shows."""
    to_provider = browser.get("/oidc/start/", allow_redirects=False)
    assert to_provider.status_code == 302, to_provider.text
    browser.get(to_provider.headers["Location"])  # the ID form (sets the CSRF cookie)
    waiting = browser.post(to_provider.headers["Location"], {"national_id": national_id})
    assert waiting.status_code == 200, waiting.text
    match = NUMBER_RE.search(waiting.text)
    assert match, "the waiting page shows no number"
    return waiting, int(match.group(1))


def answer_on_phone(base: str, national_id: str, *, number: int | None) -> requests.Response:
    """The person's phone: open the Nafath app, pick `number` (None: press Reject)."""
    phone = Browser.at(base)
    phone.get("/nafath/app/")
    listing = phone.post("/nafath/app/", {"national_id": national_id})
    action = ANSWER_FORM_RE.search(listing.text)
    assert action, "no pending request in the app"
    choices = [int(c) for c in CHOICE_RE.findall(listing.text)]
    assert len(choices) == 3
    data = {"reject": "1"} if number is None else {"number": str(number)}
    return phone.post(action.group(1), data)


def wrong_choice(base: str, national_id: str, number: int) -> int:
    phone = Browser.at(base)
    phone.get("/nafath/app/")
    listing = phone.post("/nafath/app/", {"national_id": national_id})
    return next(int(c) for c in CHOICE_RE.findall(listing.text) if int(c) != number)
