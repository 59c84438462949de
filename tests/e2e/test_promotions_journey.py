"""Promotions in a real browser: the employee reads their readiness, registers and reorders
preferences (Arabic); HR closes, scores and reviews, a second specialist publishes and issues the
results PDF; the employee reads the result, files a pre-filled objection and finds the promotion
in their employment record; the result, the readiness and the record again in English. axe-core
runs on every page visited."""

import re
import uuid

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist
from grievances.models import Grievance
from promotions import services
from promotions.models import PreferenceSubmission, RoundStatus
from promotions.tests.factories import RoundFactory, candidate, offer
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    round_ = RoundFactory(status=RoundStatus.OPEN)
    offers = offer(round_, 3)
    user = UserFactory(username="1012345672", nafath_verified_at=timezone.now())
    person = candidate(round_.entity, user=user, national_id="1012345672", score="85.00")
    grant_all(person)
    rival = candidate(round_.entity, score="97.00")
    maker = make_hr_specialist(round_.entity)
    checker = make_hr_specialist(round_.entity)
    return round_, offers, person, rival, maker, checker


def choose(page, offered, order):
    page.locator(f"[name=p{offered.pk}]").select_option(str(order))


def hr_step(page, round_, step):
    page.locator(f"a[href$='/step/{step}/']").click()
    page.wait_for_url(f"**/step/{step}/")
    assert_accessible(page)
    click_and_wait(page.locator("#content-main input[type=submit]"))


def test_readiness_preferences_scoring_publication_result_and_objection(
    live_server, new_page, setting
):
    round_, offers, person, rival, maker, checker = setting
    employee = new_page()
    sign_in_verified_by_cookie(employee, live_server.url, person.user)

    # Readiness, in Arabic: every rule met, every input with its points.
    employee.goto("/promotions/")
    assert employee.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(employee)
    employee.get_by_role("link", name=round_.title_ar).click()
    employee.wait_for_url(f"**/promotions/{round_.pk}/")
    assert "تستوفي جميع شروط هذه الدورة" in employee.locator("main").inner_text()
    assert employee.locator("[data-criterion]").count() == 6
    assert_accessible(employee)

    # Register two preferences, then reorder them.
    employee.get_by_role("link", name="سجّل رغباتي").click()
    employee.wait_for_url("**/preferences/")
    assert_accessible(employee)
    choose(employee, offers[0], 2)
    choose(employee, offers[1], 1)
    click_and_wait(employee.get_by_role("button", name="احفظ رغباتي"))
    receipt = employee.locator("#receipt-number").inner_text().strip()
    assert re.fullmatch(r"PR-\d{4}-\d{6}", receipt)
    assert_accessible(employee)
    employee.goto(f"/promotions/{round_.pk}/preferences/")
    choose(employee, offers[0], 1)
    choose(employee, offers[1], 2)
    click_and_wait(employee.get_by_role("button", name="احفظ رغباتي"))
    saved = employee.locator("#saved-preferences li").all_inner_texts()
    assert offers[0].position.number in saved[0]
    assert PreferenceSubmission.objects.filter(employee=person).count() == 2

    # The rival registers too (through the same service).
    services.save_preferences(
        employee=rival, round_id=round_.pk, offered_ids=[offers[0].pk], token=uuid.uuid4()
    )

    # HR closes, scores (the batch task runs once the request commits) and reviews.
    hr = new_page()
    sign_in_verified_by_cookie(hr, live_server.url, maker)
    hr.goto(f"/hr/promotions/round/{round_.pk}/change/")
    assert_accessible(hr)
    hr_step(hr, round_, "close")
    click_and_wait(hr.locator("form[action$='/score/'] input[type=submit]"))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORED
    assert_accessible(hr)
    hr.goto(f"/hr/promotions/round/{round_.pk}/results/")
    assert person.national_id in hr.locator("#results-table").inner_text()
    assert_accessible(hr)
    hr.goto(f"/hr/promotions/round/{round_.pk}/change/")
    hr_step(hr, round_, "review")

    # A second specialist publishes.
    second = new_page()
    sign_in_verified_by_cookie(second, live_server.url, checker)
    second.goto(f"/hr/promotions/round/{round_.pk}/change/")
    hr_step(second, round_, "publish")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED

    # The results PDF: issued from the round's page, rendered by the documents worker once the
    # request commits, then listed with its download link.
    second.goto(f"/hr/promotions/round/{round_.pk}/change/")
    click_and_wait(second.locator("form[action$='/documents/'] input[type=submit]"))
    link = second.locator("#results-documents-list a[href*='/documents/']")
    assert link.count() == 1
    download = second.request.get(live_server.url + link.get_attribute("href"))
    assert download.status == 200 and download.body().startswith(b"%PDF")
    assert_accessible(second)

    # The employee reads the result: the rival took the first choice, they got the second.
    employee.goto(f"/promotions/{round_.pk}/result/")
    outcome = employee.locator("#result-outcome").inner_text()
    assert offers[1].position.number in outcome
    assert_accessible(employee)

    # Object to this result: a grievance in the category "promotion", pre-filled.
    employee.get_by_role("link", name="اعترض على هذه النتيجة").click()
    employee.wait_for_url("**/object/")
    assert round_.title_ar in employee.locator("[name=text]").input_value()
    assert_accessible(employee)
    employee.locator("[name=remedy]").fill("إعادة احتساب ساعات التدريب ومراجعة الترتيب.")
    click_and_wait(employee.get_by_role("button", name="قدّم الاعتراض"))
    grievance = Grievance.objects.get(employee=person)
    assert grievance.category == "promotion"
    assert grievance.number in employee.locator("#grievance-number").inner_text()
    assert_accessible(employee)

    # The employment record holds the promotion, with the round as its source.
    employee.goto("/my-data/record/?type=promotion")
    record = employee.locator("main").inner_text()
    assert f"PROMO-{round_.pk}" in record and offers[1].position.number in record
    assert employee.locator(f"a[href='/promotions/{round_.pk}/result/']").count() == 1
    assert_accessible(employee)

    # The result in English.
    employee.goto(f"/promotions/{round_.pk}/result/")
    click_and_wait(employee.get_by_role("button", name="English"))
    assert employee.locator("html").get_attribute("dir") == "ltr"
    assert "You are promoted to position" in employee.locator("#result-outcome").inner_text()
    assert_accessible(employee)

    # Readiness and the record in English too.
    employee.goto(f"/promotions/{round_.pk}/")
    assert employee.locator("html").get_attribute("lang") == "en"
    assert employee.locator("[data-criterion]").count() == 6
    assert_accessible(employee)
    employee.goto("/my-data/record/?type=promotion")
    assert "Source: Promotion round" in employee.locator("main").inner_text()
    assert_accessible(employee)
