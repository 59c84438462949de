"""Forms in steps (issue 15): a grievance filed over four steps with "check your answers", an
answer changed from the review page, a file kept across steps, a draft that survives signing
out and in again; a correction request with its review page. In Arabic and English, at desktop
width and at 390 px; axe-core on every page visited.

Sign-in: the session cookie of Django's test client (an OTP-verified session, as after password
+ SMS code) is handed to the browser; the sign-in pages have their own journeys. Signing out is
done in the browser, through the header's button.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from core.models import Draft
from employment_records.models import CorrectionRequest
from employment_records.tests.helpers import pdf_bytes
from grievances.models import Grievance
from grievances.tests.factories import grievance_user
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import (
    DESKTOP_VIEWPORT,
    MOBILE_VIEWPORT,
    assert_accessible,
    click_and_wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ar": {"start": "بدء الخدمة", "change": "تعديل", "signed_out": "سجّلت الخروج"},
    "en": {"start": "Start the service", "change": "Change", "signed_out": "signed out"},
}


def at(page, ending: str) -> bool:
    return urlsplit(page.url).path.endswith(ending)


def primary(page):
    """The page's one primary button: "Save and continue", or "Submit" on the review page."""
    return page.locator("main form button.btn-primary")


def fits(page, viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} scrolls sideways ({width}px)"


def check(page, viewport) -> None:
    fits(page, viewport)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("browser_locale", "viewport"),
    [("ar-SA", DESKTOP_VIEWPORT), ("en-US", DESKTOP_VIEWPORT), ("ar-SA", MOBILE_VIEWPORT)],
    ids=["ar", "en", "ar-390px"],
)
def test_grievance_in_steps_checked_then_restored_after_sign_out_and_filed(
    live_server, new_page, browser_locale, viewport, tmp_path
):
    language = browser_locale[:2]
    words = WORDS[language]
    person = grievance_user()
    page = new_page(viewport=viewport)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    sign_in_verified_by_cookie(page, live_server.url, person)

    page.goto("/grievances/")
    click_and_wait(page.get_by_role("link", name=words["start"]))
    assert page.locator(".steps li[aria-current=step]").count() == 1
    check(page, viewport)

    # Step 1: the decision. An empty submission names each missing field and links to it.
    click_and_wait(primary(page))
    summary = page.locator(".error-summary")
    assert summary.locator("a[href='#id_category']").count() == 1
    check(page, viewport)
    today = timezone.localdate()
    page.locator("[name=category]").select_option("promotion")
    page.locator("[name=decision_number]").fill("1448/4521")
    page.locator("[name=decision_date_calendar]").select_option("gregorian")
    page.locator("[name=decision_date_date]").fill((today - dt.timedelta(days=12)).isoformat())
    page.locator("[name=learned_on_calendar]").select_option("gregorian")
    page.locator("[name=learned_on_date]").fill((today - dt.timedelta(days=4)).isoformat())
    click_and_wait(primary(page))

    # Step 2: the grievance itself.
    assert at(page, "/details/")
    check(page, viewport)
    page.locator("[name=text]").fill(
        "لم يُدرج اسمي في قائمة المرشحين للترقية رغم استيفائي المدة النظامية والمؤهل المطلوب."
    )
    page.locator("[name=remedy]").fill("إدراج اسمي في قائمة المرشحين.")
    click_and_wait(primary(page))

    # Step 3: a supporting document, kept with the draft at once.
    assert at(page, "/attachments/")
    check(page, viewport)
    decision = tmp_path / "قرار.pdf"
    decision.write_bytes(pdf_bytes())
    page.locator("[name=attachments]").set_input_files(str(decision))
    click_and_wait(primary(page))

    # Check your answers: every answer, each with a link back to its step.
    assert at(page, "/review/")
    main = page.locator("main").inner_text()
    assert "1448/4521" in main and "قرار.pdf" in main and "إدراج اسمي" in main
    check(page, viewport)
    click_and_wait(page.locator("main a[href*='/details/?from=review#id_remedy']"))
    page.locator("[name=remedy]").fill("إدراج اسمي في قائمة المرشحين وإعادة احتساب النقاط.")
    click_and_wait(primary(page))  # "Save and return to the review"
    assert at(page, "/review/")
    assert "إعادة احتساب النقاط" in page.locator("main").inner_text()
    assert not Grievance.objects.exists()

    # Signing out, then in again: the draft is waiting, with its file.
    click_and_wait(page.locator("header form[action$='/logout/'] button"))
    assert words["signed_out"] in page.locator("main").inner_text()
    check(page, viewport)
    sign_in_verified_by_cookie(page, live_server.url, person)
    page.goto("/grievances/")
    assert page.locator("#draft-title").count() == 1
    check(page, viewport)
    page.goto("/grievances/new/")
    assert at(page, "/review/")
    main = page.locator("main").inner_text()
    assert "قرار.pdf" in main and "إعادة احتساب النقاط" in main
    check(page, viewport)

    # Submit: the number, and the file now the grievance's.
    click_and_wait(primary(page))
    assert at(page, "/submitted/")
    grievance = Grievance.objects.get()
    assert grievance.number in page.locator("main").inner_text()
    assert grievance.attachments.get().original_name == "قرار.pdf"
    assert not Draft.objects.exists()
    check(page, viewport)


@pytest.mark.parametrize(
    ("browser_locale", "viewport"),
    [("ar-SA", DESKTOP_VIEWPORT), ("en-US", DESKTOP_VIEWPORT), ("ar-SA", MOBILE_VIEWPORT)],
    ids=["ar", "en", "ar-390px"],
)
def test_correction_with_review_before_submitting(
    live_server, new_page, browser_locale, viewport, tmp_path
):
    language = browser_locale[:2]
    person = grievance_user()
    page = new_page(viewport=viewport)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    sign_in_verified_by_cookie(page, live_server.url, person)

    page.goto("/my-data/corrections/new/?field=first_name_en")
    check(page, viewport)
    page.locator("[name=proposed_value]").fill("Mohammad")
    page.locator("[name=reason]").fill("The passport spells it Mohammad.")
    click_and_wait(primary(page))
    assert at(page, "/evidence/")
    check(page, viewport)
    passport = tmp_path / "passport.pdf"
    passport.write_bytes(pdf_bytes())
    page.locator("[name=evidence]").set_input_files(str(passport))
    click_and_wait(primary(page))

    assert at(page, "/review/")
    main = page.locator("main").inner_text()
    assert "Mohammad" in main and "passport.pdf" in main
    check(page, viewport)
    # Back to the evidence step: the file is listed there, not asked for again.
    click_and_wait(page.locator("main a[href$='/evidence/?from=review']").first)
    assert "passport.pdf" in page.locator("main").inner_text()
    check(page, viewport)
    click_and_wait(primary(page))
    assert at(page, "/review/")

    click_and_wait(primary(page))
    request = CorrectionRequest.objects.get()
    assert at(page, f"/my-data/corrections/{request.number}/")
    assert request.proposed_value == "Mohammad" and request.evidence.count() == 1
    check(page, viewport)
