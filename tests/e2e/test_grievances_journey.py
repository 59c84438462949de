"""Grievances in a real browser: an employee files in Arabic and gets a number, HR asks for more
information, the employee answers, HR decides and the employee reads the result. axe-core runs
on every page visited."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import grant_all, make_hr_specialist
from core.dates import to_hijri
from employment_records.tests.factories import EmployeeFactory
from grievances.models import Grievance, Status
from nafath_sim import testing
from tests.e2e.journeys import sign_in_verified_by_cookie, sign_in_with_nafath
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
nafath = testing.nafath  # the simulator as the portal's provider, on the live server
nafath_key_file = testing.nafath_key_file


@pytest.fixture
def personas():
    # The employee has no account yet: the first Nafath sign-in creates it.
    employee = EmployeeFactory(national_id="1012345672")
    grant_all(employee)
    hr_user = make_hr_specialist(employee.entity, username="1034567899")
    return employee, hr_user


def hijri_text(value: dt.date) -> str:
    hijri = to_hijri(value)
    return f"{hijri.year}-{hijri.month:02d}-{hijri.day:02d}"


def submit_button(page):
    return page.locator("#content-main input[type=submit], main button[type=submit].btn-primary")


def test_file_follow_answer_and_read_the_result(nafath, new_page, personas):
    live_server = nafath
    person, hr_user = personas
    employee = new_page()
    sign_in_with_nafath(employee, person.national_id)

    # The service page, in Arabic, then the form.
    employee.goto("/grievances/")
    assert employee.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(employee)
    employee.get_by_role("link", name="بدء الخدمة").click()
    employee.wait_for_url("**/grievances/new/")
    assert_accessible(employee)

    today = timezone.localdate()
    employee.locator("[name=category]").select_option("promotion")
    employee.locator("[name=decision_number]").fill("1448/4521")
    employee.locator("[name=decision_date_calendar]").select_option("hijri")
    employee.locator("[name=decision_date_date]").fill(hijri_text(today - dt.timedelta(days=12)))
    employee.locator("[name=learned_on_date]").fill(hijri_text(today - dt.timedelta(days=4)))
    click_and_wait(submit_button(employee))  # the form is in steps (test_forms_journey)
    employee.locator("[name=text]").fill(
        "لم يُدرج اسمي في قائمة المرشحين للترقية رغم استيفائي المدة النظامية والمؤهل المطلوب."
    )
    employee.locator("[name=remedy]").fill("إدراج اسمي في قائمة المرشحين وإعادة احتساب النقاط.")
    click_and_wait(submit_button(employee))
    click_and_wait(submit_button(employee))  # no supporting documents
    employee.wait_for_url("**/review/")
    submit_button(employee).click()
    employee.wait_for_url("**/submitted/")
    number = employee.locator("#grievance-number").inner_text().strip()
    grievance = Grievance.objects.get()
    assert number == grievance.number and number.startswith(f"G-{to_hijri(today).year}-")
    assert_accessible(employee)

    # HR: the queue, the grievance, assign, ask for more information.
    hr = new_page()
    sign_in_verified_by_cookie(hr, live_server.url, hr_user)
    hr.goto("/hr/grievances/grievance/")
    assert_accessible(hr)
    hr.get_by_role("link", name=number).click()
    hr.wait_for_url(f"**/hr/grievances/grievance/{grievance.pk}/change/")
    assert_accessible(hr)
    for step, fill in (
        ("assign", None),
        ("more-info", ("[name=question]", "يرجى إرفاق صورة من قرار الترقية المعترض عليه.")),
    ):
        hr.locator(f"a[href$='/step/{step}/']").click()
        hr.wait_for_url(f"**/step/{step}/")
        assert_accessible(hr)
        if fill:
            hr.locator(fill[0]).fill(fill[1])
        submit_button(hr).click()
        hr.wait_for_url(f"**/{grievance.pk}/change/")
    assert_accessible(hr)
    grievance.refresh_from_db()
    assert grievance.status == Status.MORE_INFO_REQUESTED

    # The employee follows by number, reads the question and answers.
    employee.goto("/grievances/")
    employee.locator("[name=number]").fill(number)
    employee.locator("form[action$='/follow/'] button[type=submit]").click()
    employee.wait_for_url(f"**/grievances/{number}/")
    assert "يرجى إرفاق صورة" in employee.locator("main").inner_text()
    assert_accessible(employee)
    employee.locator("[name=body]").fill("أرفقت القرار، وأؤكد أن مدة خدمتي في المرتبة أربع سنوات.")
    click_and_wait(employee.locator("form[action$='/reply/'] button[type=submit]"))
    assert employee.url.endswith(f"/grievances/{number}/")
    assert_accessible(employee)
    grievance.refresh_from_db()
    assert grievance.status == Status.UNDER_REVIEW

    # HR decides.
    hr.reload()
    hr.locator("a[href$='/step/decide/']").click()
    hr.wait_for_url("**/step/decide/")
    assert_accessible(hr)
    hr.locator("[name=outcome][value=partly_accepted]").check()
    reasons = "تُعاد دراسة النقاط، ولا تتوفر وظيفة شاغرة في المرتبة حالياً."
    hr.locator("[name=reasoning]").fill(reasons)
    submit_button(hr).click()
    hr.wait_for_url(f"**/{grievance.pk}/change/")

    # The employee reads the result and its reasons.
    employee.goto(f"/grievances/{number}/")
    result = employee.locator("section[aria-labelledby=result-title]").inner_text()
    assert "تُعاد دراسة النقاط" in result
    assert_accessible(employee)
    employee.goto("/grievances/mine/")
    assert number in employee.locator("table").inner_text()
    assert_accessible(employee)

    # The same result in English, through the language switch.
    employee.goto(f"/grievances/{number}/")
    click_and_wait(employee.get_by_role("button", name="English"))
    assert employee.url.endswith(f"/grievances/{number}/")
    assert employee.locator("html").get_attribute("dir") == "ltr"
    result = employee.locator("section[aria-labelledby=result-title]").inner_text()
    assert "Partly accepted" in result
    assert_accessible(employee)
