"""Persona 1012345672 signs in with Nafath in Arabic: the portal tab waits with the number,
the "Nafath app" tab (standing in for the phone) picks it; axe-core on every page."""

import re

import pytest

from accounts.tests.factories import grant_all
from employment_records.tests.factories import EmployeeFactory
from nafath_sim import testing
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
nafath = testing.nafath  # the provider fixture, shared with nafath_sim's tests
nafath_key_file = testing.nafath_key_file

PERSONA = "1012345672"


def test_persona_signs_in_with_nafath_in_arabic(nafath, new_page):
    employee = EmployeeFactory(national_id=PERSONA)
    grant_all(employee)
    portal = new_page()
    phone = portal.context.new_page()  # a second tab in the same browser

    portal.goto("/accounts/login/")
    assert_accessible(portal)
    click_and_wait(portal.get_by_role("button", name="الدخول عبر نفاذ"))

    portal.get_by_label("رقم الهوية الوطنية").fill(PERSONA)
    assert_accessible(portal)
    click_and_wait(portal.get_by_role("button", name="متابعة"))
    number = portal.get_by_test_id("nafath-number").inner_text()
    assert re.fullmatch(r"\d{2}", number)
    assert_accessible(portal)

    phone.goto("/nafath/app/")
    assert_accessible(phone)
    phone.get_by_label("رقم الهوية الوطنية").fill(PERSONA)
    click_and_wait(phone.get_by_role("button", name="عرض طلباتي"))
    assert_accessible(phone)
    click_and_wait(phone.get_by_role("button", name=number, exact=True))
    assert "تمت الموافقة" in phone.locator("h2").first.inner_text()
    assert_accessible(phone)

    # The waiting tab polls (htmx) and continues to the dashboard on its own.
    portal.wait_for_url(f"{nafath.url}/", timeout=10_000)
    assert portal.locator("html").get_attribute("lang") == "ar"
    assert employee.first_name_ar in portal.get_by_role("heading", level=1).inner_text()
    assert_accessible(portal)
    employee.refresh_from_db()
    assert employee.user is not None and employee.user.nafath_verified_at is not None


@pytest.mark.parametrize("browser_locale", ["en-US"])
def test_a_rejection_in_the_app_shows_on_the_waiting_page_and_signs_nobody_in(nafath, new_page):
    from accounts.models import User

    employee = EmployeeFactory()
    portal = new_page()
    phone = portal.context.new_page()
    portal.goto("/accounts/login/")
    click_and_wait(portal.get_by_role("button", name="Sign in with Nafath"))
    portal.get_by_label("National ID").fill(employee.national_id)
    click_and_wait(portal.get_by_role("button", name="Continue"))
    portal.get_by_test_id("nafath-number").wait_for()

    phone.goto("/nafath/app/")
    phone.get_by_label("National ID").fill(employee.national_id)
    click_and_wait(phone.get_by_role("button", name="Show my requests"))
    click_and_wait(phone.get_by_role("button", name="Reject"))

    # No reload: the waiting page's htmx poll brings the final state in.
    status = portal.get_by_role("status")
    status.get_by_role("heading", name="The request was rejected").wait_for(timeout=6_000)
    assert portal.get_by_test_id("nafath-number").count() == 0  # the number no longer applies
    assert_accessible(portal)
    status.get_by_role("button", name="Return to the service").click()
    portal.get_by_role("heading", name="Sign-in with Nafath not completed").wait_for()
    assert_accessible(portal)
    assert not User.objects.exists()
