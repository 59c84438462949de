"""The HR console's Bayan pages: the work list, prepare, edit, maker-checker, entity scoping."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import sign_in_verified
from bayan.models import Statement, Status
from bayan.tests.factories import approved, prepared, retiree, specialist, submitted
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity():
    return EntityFactory()


@pytest.fixture
def maker(entity):
    return specialist(entity)


@pytest.fixture
def checker(entity):
    return specialist(entity)


@pytest.fixture
def as_maker(client, maker):
    sign_in_verified(client, maker)
    return client


def detail(statement):
    return reverse("hr:bayan_statement_change", args=[statement.pk])


def step(statement, name):
    return reverse("hr:bayan_statement_step", args=[statement.pk, name])


def test_the_work_list_puts_overdue_first_in_constant_queries(
    as_maker, entity, maker, django_assert_max_num_queries
):
    today = timezone.localdate()
    recent = retiree(entity, with_account=False, end_date=today - dt.timedelta(days=2))
    old = retiree(entity, with_account=False, end_date=today - dt.timedelta(days=400))
    for _ in range(4):
        statement_owner = retiree(entity, with_account=False)
        prepared(statement_owner, maker)
    retiree(EntityFactory(), with_account=False)  # another entity's: not listed
    with django_assert_max_num_queries(20):
        response = as_maker.get("/hr/bayan/statement/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index(old.national_id) < text.index(recent.national_id)
    assert "overdue" in text
    assert len(response.context["items"]) == 6


def test_specialists_without_a_bayan_grant_are_refused(client, entity):
    sign_in_verified(client, specialist(entity, grant=False))
    response = client.get("/hr/bayan/statement/")
    assert response.status_code == 403
    assert "admin/bayan/statement/no_grant.html" in [t.name for t in response.templates]
    statement = prepared(retiree(entity), specialist(entity))
    assert client.get(detail(statement)).status_code == 403


def test_prepare_submit_approve_through_the_console(client, entity, maker, checker):
    employee = retiree(entity)
    sign_in_verified(client, maker)
    response = client.post(reverse("hr:bayan_statement_prepare", args=[employee.pk]))
    statement = Statement.objects.get(employee=employee)
    assert response.status_code == 302 and response.url == detail(statement)
    page = client.get(detail(statement)).content.decode()
    assert "Exceptional leave" in page or "إجازة استثنائية" in page

    assert client.post(step(statement, "submit")).status_code == 302
    refused = client.post(step(statement, "approve"))
    assert refused.status_code == 400
    with translation.override("en"):
        assert "cannot also approve" in str(refused.context["error"])

    client.logout()
    sign_in_verified(client, checker)
    assert client.post(step(statement, "approve")).status_code == 302
    statement.refresh_from_db()
    assert statement.status in (Status.APPROVED, Status.SENT, Status.ACKNOWLEDGED)


def test_return_needs_a_reason(client, entity, maker, checker):
    statement = submitted(retiree(entity), maker)
    sign_in_verified(client, checker)
    assert client.post(step(statement, "return"), {"reason": ""}).status_code == 400
    assert client.post(step(statement, "return"), {"reason": "الفترات ناقصة"}).status_code == 302
    statement.refresh_from_db()
    assert statement.status == Status.DRAFT and statement.return_reason == "الفترات ناقصة"


def test_edit_a_period_with_a_reason(as_maker, entity, maker):
    statement = prepared(retiree(entity), maker)
    period = statement.periods.first()
    url = reverse("hr:bayan_statement_period", args=[statement.pk, period.pk])
    assert as_maker.get(url).status_code == 200
    data = {
        "start_calendar": "gregorian",
        "start_date": period.start.isoformat(),
        "end_calendar": "gregorian",
        "end_date": period.end.isoformat(),
        "kind": period.kind,
        "reason": "",
    }
    assert as_maker.post(url, data).status_code == 400
    data.update(reason="مطابقة لقرار التعيين")
    assert as_maker.post(url, data).status_code == 302
    period.refresh_from_db()
    assert period.edited and not period.counts  # the box was left unticked


def test_every_url_of_another_entitys_statement_is_404(client, entity, maker, checker):
    foreign_entity = EntityFactory()
    foreign = approved(
        retiree(foreign_entity), specialist(foreign_entity), specialist(foreign_entity)
    )
    period = foreign.periods.first()
    sign_in_verified(client, maker)
    for url in (
        detail(foreign),
        step(foreign, "submit"),
        step(foreign, "return"),
        reverse("hr:bayan_statement_period", args=[foreign.pk, period.pk]),
        reverse("hr:bayan_statement_exclude", args=[foreign.pk]),
        reverse("hr:bayan_statement_pdf", args=[foreign.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    foreign_employee = retiree(foreign_entity, with_account=False)
    prepare = reverse("hr:bayan_statement_prepare", args=[foreign_employee.pk])
    assert client.post(prepare).status_code == 404


def test_the_detail_page_shows_state_and_costs_constant_queries(
    as_maker, entity, maker, checker, django_assert_max_num_queries
):
    statement = approved(retiree(entity), maker, checker)
    with django_assert_max_num_queries(20):
        response = as_maker.get(detail(statement))
    text = response.content.decode()
    assert response.status_code == 200
    assert statement.get_status_display() in text
    assert statement.number in text


def test_the_work_list_reads_only_the_first_rows_and_keeps_the_full_order(
    entity, maker, checker, monkeypatch
):
    """At national scale an entity has thousands of ended services: the list is cut in SQL
    (issue 16), and what it shows is exactly the head of the full, sorted list."""
    from bayan import selectors, services
    from employment_records.models import EmployeeStatus
    from employment_records.tests.factories import EmployeeFactory

    monkeypatch.setattr(selectors, "WORK_LIST_LIMIT", 4)
    today = timezone.localdate()
    for days in (900, 30, 500, 2, 120, 60):
        retiree(entity, with_account=False, end_date=today - dt.timedelta(days=days))
    acknowledged = retiree(entity, with_account=False, end_date=today - dt.timedelta(days=1000))
    Statement.objects.filter(pk=approved(acknowledged, maker, checker).pk).update(
        status=Status.ACKNOWLEDGED, pension_reference="PA-1"
    )
    sixty_hijri_years = dt.timedelta(days=21262)
    for days in (10, 11, 40, 41, 80):  # in service, retiring within the 90-day window
        EmployeeFactory(
            entity=entity,
            status=EmployeeStatus.ACTIVE,
            date_of_birth=today - sixty_hijri_years + dt.timedelta(days=days),
        )

    def full_order():
        horizon = today + dt.timedelta(days=services.ENDING_WINDOW_DAYS)
        rows = []
        for employee in entity.employees.exclude(pk=acknowledged.pk):
            end_date, _reason = services.expected_end(employee)
            if end_date <= horizon:
                due = services.due_date(end_date)
                rows.append((not due < today, due, employee.national_id))
        return [national_id for *_key, national_id in sorted(rows)]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        shown = [item.employee.national_id for item in selectors.work_list(user=maker)]
    assert shown == full_order()[:4]
    limited = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 4")]
    assert len(limited) == 2, "ended and retiring services are each cut in SQL"
    client = Client()
    sign_in_verified(client, maker)
    page = client.get("/hr/bayan/statement/").content.decode()
    assert "تُعرض الحالات الـ4 الأكثر إلحاحاً فقط" in page  # the console speaks Arabic first
    monkeypatch.setattr(selectors, "WORK_LIST_LIMIT", 200)
    assert "الأكثر إلحاحاً" not in client.get("/hr/bayan/statement/").content.decode()
    shown = [item.employee.national_id for item in selectors.work_list(user=maker)]
    assert shown == full_order()
    assert len(shown) == 11
