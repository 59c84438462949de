"""The two console homes in a real browser, from the demo data (`seed_demo`): the HR persona's
home (/hr/) and the ministry persona's (/admin/) show their work queues with the counts the
database holds, and both pages are axe-core clean (issue 15, "Tests")."""

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.e2e.journeys import sign_in_verified_by_cookie
from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HR_PERSONA = "1034567899"
MINISTRY_PERSONA = "1045678909"
SECOND_HR_PERSONA = "1078901236"


@pytest.fixture
def demo(settings):
    settings.SMS_BACKEND = "locmem"
    call_command("seed_demo", verbosity=0)


def persona(national_id: str) -> User:
    return User.objects.get(username=national_id)


def shown_queues(page) -> dict[str, int]:
    """Each queue's title -> the count shown beside it."""
    queues = {}
    for queue in page.locator(".work-queue").all():
        title = queue.locator("h3 a").inner_text().strip()
        queues[title] = int(queue.locator(".queue-count").inner_text().strip())
    return queues


def test_the_hr_home_shows_the_entitys_queues_from_the_demo_data(live_server, new_page, demo):
    from employment_records.models import CorrectionRequest, CorrectionStatus
    from grievances.models import Grievance, Status

    user = persona(HR_PERSONA)
    entity_id = user.hr_profile.entity_id
    to_assign = (
        Grievance.objects.filter(
            entity_id=entity_id, status=Status.SUBMITTED, assigned_to__isnull=True
        )
        .exclude(employee__user=user)
        .count()
    )
    to_review = (
        CorrectionRequest.objects.filter(
            employee__entity_id=entity_id,
            status__in=[CorrectionStatus.SUBMITTED, CorrectionStatus.UNDER_REVIEW],
        )
        .exclude(employee__user=user)
        .count()
    )
    assert to_assign and to_review  # the demo leaves work waiting in the first entity

    page = new_page()
    sign_in_verified_by_cookie(page, live_server.url, user)
    page.goto("/hr/")
    queues = shown_queues(page)
    assert queues["تظلمات بانتظار الإسناد"] == to_assign
    assert queues["طلبات تصحيح بانتظار المراجعة"] == to_review
    # Each queue with rows offers its CSV, and dates in both calendars.
    assert page.locator(".queue-export a").count() >= 2
    first_due = page.locator(".work-queue .dual-date").first.inner_text()
    assert "هـ" in first_due and "م" in first_due
    assert_accessible(page)

    # The grievance list it links to: both calendars, Arabic count, the bulk actions.
    page.locator(".work-queue h3 a", has_text="تظلمات بانتظار الإسناد").click()
    page.wait_for_url("**/hr/grievances/grievance/**")
    assert "هـ" in page.locator("#result_list").inner_text()
    options = page.locator("select[name=action] option").all_inner_texts()
    assert any("إسناد" in option for option in options)
    assert any("CSV" in option for option in options)
    assert_accessible(page)

    # Bulk assignment: every grievance of the queue to the second specialist, in one go.
    listed = page.locator("#result_list tbody tr").count()
    assert listed == to_assign  # the queue's link opens the list filtered to the queue
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("assign_selected")
    page.locator("button[name=index]").click()
    page.wait_for_selector("#assign-selected")
    assert page.locator("#assign-selected tbody tr").count() == listed
    assert_accessible(page)
    colleague = persona(SECOND_HR_PERSONA)
    page.locator("select[name=specialist]").select_option(str(colleague.pk))
    page.locator("input[name=apply]").click()
    page.wait_for_selector(".messagelist")
    assert "أُسندت إلى" in page.locator(".messagelist").inner_text()
    assert Grievance.objects.filter(assigned_to=colleague).count() == to_assign
    assert_accessible(page)


def test_the_ministry_home_shows_its_queues_and_its_own_apps_first(live_server, new_page, demo):
    from job_audit.models import RequestStatus, VariableRequest

    waiting = VariableRequest.objects.filter(
        status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT]
    ).count()
    assert waiting  # the demo gives the ministry job variables to audit

    page = new_page()
    sign_in_verified_by_cookie(page, live_server.url, persona(MINISTRY_PERSONA))
    page.goto("/admin/")
    queues = shown_queues(page)
    assert queues["طلبات المتغيرات الوظيفية بانتظار الوزارة"] == waiting
    # The portal's own apps first; the OAuth toolkit of the Nafath simulator last, in Arabic.
    apps = [
        name.strip()
        for name in page.locator("#content-main div.module > table > caption").all_inner_texts()
    ]
    assert apps and "Django OAuth Toolkit" not in " ".join(apps)
    if "محاكي نفاذ: سجلات OAuth" in apps:
        assert apps[-1] == "محاكي نفاذ: سجلات OAuth"
    assert_accessible(page)


def test_a_console_list_wraps_peoples_names_instead_of_hiding_its_last_columns(
    live_server, new_page, demo
):
    """Django keeps a foreign key's cell on one line: a four-part name and its national ID
    pushed the evaluation list's rating out of its box in English at 1280 px, with the sidebar
    and the filters open. Names wrap; the list fits."""
    page = new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    sign_in_verified_by_cookie(page, live_server.url, persona(HR_PERSONA))
    page.goto("/hr/employment_records/performanceevaluation/")
    name = page.locator("#result_list tbody .field-employee").first
    assert name.evaluate("cell => getComputedStyle(cell).whiteSpace") == "normal"
    box = page.locator("#changelist .results")
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), "the last column is hidden"
    assert page.locator("#result_list thead th").last.is_visible()
