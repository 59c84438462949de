"""My employment data in a real browser (Arabic): the record, a correction with a PDF, HR's
approval in the console, the corrected record, and the service statement PDF; axe-core on
every page visited.

Sign-in: the session cookie of Django's test client, OTP-verified as after password + SMS code
(accounts.tests.factories.sign_in_verified), is handed to the browser; the sign-in pages have
their own journeys.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist, sign_in_verified
from employment_records.models import ActionType, CorrectionRequest, CorrectionStatus
from employment_records.tests.factories import ActionFactory
from employment_records.tests.helpers import pdf_bytes
from employment_records.tests.pdf_text import contains_phrase
from tests.fixtures.browser import MOBILE_VIEWPORT, assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMPLOYEE_ID = "1012345672"
HR_ID = "1034567899"


def sign_in_by_cookie(page, live_server, user) -> None:
    """As after password + SMS code (an OTP-verified session, which /hr/ requires)."""
    client = Client()
    sign_in_verified(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def people():
    employee_user = UserFactory(with_employee=True, username=EMPLOYEE_ID)
    employee = employee_user.employee
    grant_all(employee)
    ActionFactory(
        employee=employee,
        action_type=ActionType.APPOINTMENT,
        decision_number="1435/123",
        decision_date=dt.date(2014, 8, 20),
        effective_date=dt.date(2014, 9, 1),
    )
    ActionFactory(
        employee=employee,
        action_type=ActionType.PROMOTION,
        decision_number="1442/999",
        decision_date=dt.date(2021, 5, 20),
        effective_date=dt.date(2021, 6, 1),
        from_rank=7,
        to_rank=8,
    )
    hr_user = make_hr_specialist(employee.entity, username=HR_ID)
    return employee_user, hr_user


def test_correction_approved_by_hr_shows_in_the_record_and_the_statement_downloads(
    live_server, new_page, people, tmp_path
):
    employee_user, hr_user = people
    page = new_page()
    sign_in_by_cookie(page, live_server, employee_user)

    # The record, in Arabic, newest first.
    page.goto("/my-data/record/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "السجل الوظيفي"
    rows = page.locator("tbody tr")
    assert "1442/999" in rows.nth(0).inner_text() and "1435/123" in rows.nth(1).inner_text()
    assert_accessible(page)

    # A correction of the promotion's decision number, with a PDF.
    rows.nth(0).get_by_role("link", name="طلب تصحيح").click()
    assert_accessible(page)
    page.get_by_role("row", name="رقم القرار").get_by_role("link").click()
    page.wait_for_url("**/my-data/corrections/new/**")
    assert "1442/999" in page.locator("main dl.dl-grid").inner_text()  # the current value
    assert_accessible(page)
    page.get_by_label("القيمة المقترحة").fill("1442/989")
    page.get_by_label("سبب التصحيح").fill("رقم القرار في نسخة القرار المرفقة 1442/989")
    click_and_wait(page.get_by_role("button", name="حفظ ومتابعة"))
    evidence = tmp_path / "decision.pdf"
    evidence.write_bytes(pdf_bytes())
    page.locator("[name=evidence]").set_input_files(str(evidence))
    click_and_wait(page.get_by_role("button", name="حفظ ومتابعة"))
    # Check your answers, then submit.
    assert "1442/989" in page.locator("main").inner_text()
    assert "decision.pdf" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="تقديم الطلب").click()
    request = CorrectionRequest.objects.get()
    page.wait_for_url(f"**/my-data/corrections/{request.number}/")
    assert request.number in page.get_by_role("heading", level=1).inner_text()
    assert "مُقدَّم" in page.locator(".timeline").inner_text()
    assert_accessible(page)

    # HR of the entity approves it in the console.
    hr_page = new_page()
    sign_in_by_cookie(hr_page, live_server, hr_user)
    hr_page.goto("/hr/employment_records/correctionrequest/")
    assert request.number in hr_page.locator("#result_list").inner_text()
    click_and_wait(hr_page.get_by_role("link", name="فتح").first)
    assert "decision.pdf" in hr_page.locator("#content-main").inner_text()
    assert_accessible(hr_page)
    hr_page.get_by_label("الموافقة وتطبيق التعديل على السجل").check()
    click_and_wait(hr_page.get_by_role("button", name="تسجيل القرار"))
    assert hr_page.locator("#correction-status").inner_text() == "مقبول"
    assert_accessible(hr_page)
    request.refresh_from_db()
    assert request.status == CorrectionStatus.APPROVED

    # The employee sees the corrected record.
    page.goto("/my-data/record/")
    assert "1442/989" in page.locator("tbody").inner_text()
    assert "1442/999" not in page.locator("tbody").inner_text()

    # The service statement: requested, prepared, downloaded, read.
    page.goto("/my-data/statement/")
    assert_accessible(page)
    page.get_by_role("button", name="طباعة تعريف بالخدمة").click()
    page.wait_for_url("**/my-data/statement/*/")
    download_link = page.get_by_role("link", name="تنزيل ملف PDF")
    download_link.wait_for()
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    data = tmp_path / "statement.pdf"
    download_info.value.save_as(data)
    content = data.read_bytes()
    assert contains_phrase(content, employee_user.employee.full_name_ar)
    assert contains_phrase(content, "1442/989")


def test_a_pending_statement_page_updates_itself_when_the_pdf_is_ready(live_server, page, people):
    from core.documents import render_and_store
    from core.models import Document

    employee_user, _hr = people
    document = Document.objects.create(
        kind="service_statement",
        holder=employee_user.employee,
        entity=employee_user.employee.entity,
    )
    sign_in_by_cookie(page, live_server, employee_user)
    page.goto(f"/my-data/statement/{document.code}/")
    assert "جارٍ إعداد البيان" in page.locator("#statement-panel").inner_text()
    assert_accessible(page)
    render_and_store(document.pk)  # what the worker does; the page is not reloaded
    page.get_by_role("link", name="تنزيل ملف PDF").wait_for(timeout=5000)
    assert page.url.endswith(f"/my-data/statement/{document.code}/")
    assert_accessible(page)


PAGES = {
    "en": ["My employment data", "Training and scholarships", "Correction requests",
           "Request a correction", "Verify a document"],
    "ar": ["بياناتي الوظيفية", "التدريب والابتعاث", "طلبات التصحيح", "طلب تصحيح",
           "التحقق من مستند"],
}  # fmt: skip


@pytest.mark.parametrize("browser_locale", ["en-US", "ar-SA"])
def test_my_data_pages_in_both_languages_are_accessible(live_server, page, people, browser_locale):
    from core.documents import render_and_store, request_document
    from employment_records.tests.helpers import submit_dob_correction

    language = browser_locale[:2]
    employee_user, _hr = people
    correction = submit_dob_correction(employee_user.employee, employee_user)
    document = request_document(
        kind="service_statement", holder=employee_user.employee, requested_by=employee_user
    )
    render_and_store(document.pk)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in_by_cookie(page, live_server, employee_user)
    profile, training, corrections, new, verify = PAGES[language]
    for url, heading in [
        ("/my-data/", profile),
        ("/my-data/training/", training),
        ("/my-data/corrections/", corrections),
        (f"/my-data/corrections/{correction.number}/", correction.number),
        ("/my-data/corrections/new/?field=hire_date", new),
        (f"/verify/{document.code}/", verify),
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("dir") == ("ltr" if language == "en" else "rtl")
        assert heading in page.get_by_role("heading", level=1).inner_text()
        assert_accessible(page)


def test_at_390px_the_record_is_one_card_per_entry_and_the_profile_fits(
    live_server, new_page, people
):
    """No side-scroll hiding columns: each entry is a card naming its columns (issue 15)."""
    employee_user, _hr = people
    page = new_page(viewport=MOBILE_VIEWPORT)
    sign_in_by_cookie(page, live_server, employee_user)
    for url in ("/my-data/record/", "/my-data/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE_VIEWPORT["width"], f"{url} scrolls sideways ({width}px)"
        assert_accessible(page)
    page.goto("/my-data/record/")
    promotion = page.locator("tbody tr").nth(0)
    assert promotion.evaluate("row => getComputedStyle(row).display") == "block"
    label = promotion.locator("td[data-label]").first.evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert "رقم القرار" in label
    assert promotion.bounding_box()["width"] <= MOBILE_VIEWPORT["width"]
    assert "المرتبة 8" in promotion.inner_text()  # the promotion row is not an empty block
