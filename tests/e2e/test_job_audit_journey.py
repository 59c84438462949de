"""The job-data audit in a real browser: a specialist runs an audit, justifies a finding and
submits an upgrade; a ministry auditor approves it; the inventory shows the new rank; the
ministry issues the run's summary PDF and the specialist finds it. axe-core runs on every page
visited."""

import pytest

from job_audit.models import Finding, VariableRequest
from job_audit.tests.factories import auditor, clean_inventory, specialist
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_audit_justify_submit_and_approve(live_server, new_page):
    entity, _unit, _cls, employees = clean_inventory(occupied=4)
    raised, other = employees[0], employees[1]
    raised.rank = 9  # the occupant was promoted; the position still says 8
    raised.save()
    other.rank = 7
    other.save()
    hr_user = specialist(entity)
    ministry_user = auditor()

    hr = new_page()
    sign_in_verified_by_cookie(hr, live_server.url, hr_user)
    hr.goto("/job-audit/")
    assert hr.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(hr)

    # Run the audit (Celery runs in-process here); the run page shows the counts.
    hr.goto("/hr/job_audit/auditrun/")
    assert_accessible(hr)
    click_and_wait(hr.get_by_role("button", name="تشغيل تدقيق الآن"))
    hr.wait_for_url("**/hr/job_audit/auditrun/*/change/")
    assert hr.locator("#run-status").inner_text() == "تم"
    assert "2" in hr.locator("#run-progress").inner_text()  # two rank mismatches
    assert_accessible(hr)

    # Justify the finding about the other occupant.
    finding = Finding.objects.get(employee=other)
    hr.goto(f"/hr/job_audit/finding/{finding.pk}/change/")
    assert_accessible(hr)
    hr.locator("[name=state][value=justified]").check()
    hr.locator("[name=note]").fill("قرار استثناء رقم 55 لعام 1447هـ")
    click_and_wait(hr.locator("#content-main input[type=submit]"))
    assert hr.locator("#finding-state").inner_text() == "مبررة"
    assert_accessible(hr)

    # Prepare a request with one upgrade and submit it.
    hr.goto("/hr/job_audit/variablerequest/add/")
    assert_accessible(hr)
    hr.locator("[name=title]").fill("رفع مرتبة وظيفة بعد الترقية")
    click_and_wait(hr.locator("#content-main input[type=submit]"))
    assert_accessible(hr)
    hr.locator("[name=type]").select_option("upgrade")
    hr.locator("[name=position_number]").fill(raised.position.number)
    hr.locator("[name=new_rank]").fill("9")
    hr.locator("[name=justification]").fill("شاغل الوظيفة رُقّي إلى المرتبة التاسعة.")
    click_and_wait(hr.get_by_role("button", name="إضافة المتغير"))
    assert raised.position.number in hr.locator("#variables").inner_text()
    assert_accessible(hr)
    click_and_wait(hr.get_by_role("button", name="إرسال إلى الوزارة"))
    assert hr.locator("#request-status").inner_text().startswith("مُقدَّم")
    variable_request = VariableRequest.objects.get()

    # The ministry auditor approves it from the queue.
    ministry = new_page()
    sign_in_verified_by_cookie(ministry, live_server.url, ministry_user)
    ministry.goto("/admin/job_audit/variablerequest/")
    assert_accessible(ministry)
    click_and_wait(ministry.get_by_role("link", name=variable_request.number))
    assert_accessible(ministry)
    click_and_wait(ministry.get_by_role("button", name="اعتماد وتطبيق"))
    assert ministry.locator("#request-status").inner_text().startswith("مقبول")
    assert_accessible(ministry)

    # The inventory shows the new rank.
    hr.goto(f"/hr/job_audit/inventoryposition/{raised.position_id}/change/")
    assert hr.locator("#position-rank").inner_text() == "9"
    assert_accessible(hr)

    # The HR home lists the entity's job variables waiting on it (none left: the request was
    # submitted and decided), and the ministry issues the run's summary through the documents
    # pipeline; the specialist then finds it on the run's page.
    hr.goto("/hr/")
    assert hr.get_by_text("متغيرات وظيفية بانتظار الإرسال").count() == 1
    assert_accessible(hr)
    ministry.goto("/admin/job_audit/auditrun/")
    assert_accessible(ministry)
    click_and_wait(ministry.get_by_role("link", name="الملخص (PDF)"))
    assert_accessible(ministry)
    click_and_wait(ministry.get_by_role("button", name="إصدار الملخص (PDF)"))
    assert ministry.get_by_role("link", name="تنزيل الملخص (PDF)").count() == 1
    assert_accessible(ministry)
    hr.goto("/hr/job_audit/auditrun/")
    click_and_wait(hr.locator("#result_list tbody a").first)
    assert hr.get_by_role("link", name="تنزيل الملخص الذي أصدرته الوزارة (PDF)").count() == 1
    assert_accessible(hr)
