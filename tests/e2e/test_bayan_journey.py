"""Bayan in a real browser: an HR specialist prepares the statement from the work list and
submits it, a second specialist approves it, the pension authority simulator (served by the
same live server, reached over HTTP) acknowledges it, and the retiree follows it and downloads
the PDF. axe-core runs on every page visited."""

import pytest

from bayan.models import Statement, Status
from bayan.tests.factories import retiree, specialist
from employment_records.tests.factories import EntityFactory
from pension_sim.models import Submission
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit_button(page):
    return page.locator("#content-main input[type=submit]")


def test_prepare_approve_deliver_and_download(live_server, settings, new_page):
    settings.PENSION_API_URL = f"{live_server.url}/pension-sim/api/statements/"
    entity = EntityFactory()
    maker, checker = specialist(entity), specialist(entity)
    person = retiree(entity)

    # The maker: the work list, prepare, then submit for approval.
    hr = new_page()
    sign_in_verified_by_cookie(hr, live_server.url, maker)
    hr.goto("/hr/bayan/statement/")
    assert person.national_id in hr.locator("#bayan-work-list").inner_text()
    assert_accessible(hr)
    click_and_wait(hr.locator("#bayan-work-list button[type=submit]"))
    statement = Statement.objects.get(employee=person)
    assert hr.url.endswith(f"/hr/bayan/statement/{statement.pk}/change/")
    assert "إجازة استثنائية" in hr.locator("#bayan-periods").inner_text()
    assert_accessible(hr)
    hr.locator("a[href$='/step/submit/']").click()
    hr.wait_for_url("**/step/submit/")
    assert_accessible(hr)
    click_and_wait(submit_button(hr))
    assert hr.locator("#statement-status").inner_text() == "بانتظار الاعتماد"
    # The maker is offered no approval, and cannot approve by the address either.
    assert hr.locator("a[href$='/step/approve/']").count() == 0
    hr.goto(f"/hr/bayan/statement/{statement.pk}/step/approve/")
    click_and_wait(submit_button(hr))
    assert hr.locator(".errornote").count() == 1
    assert_accessible(hr)

    # The checker approves; the delivery runs after commit and the simulator acknowledges.
    checking = new_page()
    sign_in_verified_by_cookie(checking, live_server.url, checker)
    checking.goto(f"/hr/bayan/statement/{statement.pk}/change/")
    assert_accessible(checking)
    checking.locator("a[href$='/step/approve/']").click()
    checking.wait_for_url("**/step/approve/")
    assert_accessible(checking)
    # Eager tasks here: the PDF is rendered and delivered before the page answers.
    with checking.expect_navigation(timeout=90_000):
        submit_button(checking).click()
    statement.refresh_from_db()
    assert statement.status == Status.ACKNOWLEDGED
    submission = Submission.objects.get()
    assert statement.pension_reference == submission.reference
    assert submission.reference in checking.locator("#pension-reference").inner_text()
    assert_accessible(checking)

    # The retiree follows the state and downloads the PDF.
    employee = new_page()
    sign_in_verified_by_cookie(employee, live_server.url, person.user)
    employee.goto("/bayan/")
    assert employee.locator("#bayan-status").inner_text() == "استلمته جهة التقاعد"
    assert submission.reference in employee.locator("main").inner_text()
    assert_accessible(employee)
    with employee.expect_download() as download:
        employee.get_by_role("link", name="تنزيل البيان (PDF)").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
