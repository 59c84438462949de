"""Console lists at national scale (issue 16): no full COUNT(*), no deep OFFSET, no DISTINCT
scans for filters, and seek pages that find every row exactly once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist, sign_in_verified
from core import console_lists
from core.hr_admin import hr_site
from employment_records.models import Employee, EmploymentAction
from employment_records.tests.factories import (
    ActionFactory,
    EmployeeFactory,
    EntityFactory,
    national_id_from,
)

pytestmark = pytest.mark.django_db

PER_PAGE = 3
# Lists that do not meet the rules yet, each with why (strict: they fail loudly once fixed).
KNOWN_GAPS = {}


def _case(site_name, model):
    case_id = f"{site_name}-{model._meta.label}"
    marks = (
        [pytest.mark.xfail(reason=KNOWN_GAPS[case_id], strict=True)]
        if case_id in KNOWN_GAPS
        else []
    )
    return pytest.param(site_name, model, id=case_id, marks=marks)


REGISTRIES = [_case("hr", model) for model in hr_site._registry] + [
    _case("admin", model) for model in admin.site._registry
]


@pytest.fixture
def entity():
    return EntityFactory()


@pytest.fixture
def rows(entity):
    """More rows than the exact count limit (lowered below) in the largest tables."""
    employees = EmployeeFactory.create_batch(8, entity=entity)
    EmployeeFactory.create_batch(2)  # another entity's
    for employee in employees[:4]:
        ActionFactory.create_batch(2, employee=employee)
    return employees


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(console_lists, "EXACT_COUNT_LIMIT", 4)
    for site in (hr_site, admin.site):
        for model_admin in site._registry.values():
            monkeypatch.setattr(model_admin, "list_per_page", PER_PAGE)


def _signed_in(client, site_name, entity):
    if site_name == "hr":
        # With an employee record and every grant: some consoles (Bayan, job audit) are open
        # only to specialists granted that service.
        user = make_hr_specialist(entity, with_employee=True)
        user.employee.entity = entity
        user.employee.save()
        grant_all(user.employee)
    else:
        user = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, user)
    return user


def _forbidden(sql: str) -> str | None:
    upper = sql.upper()
    if "COUNT(" in upper and "LIMIT" not in upper:
        return "a full COUNT(*)"
    offset = re.search(r"OFFSET (\d+)", upper)
    if offset and int(offset.group(1)) > (console_lists.OFFSET_PAGES - 1) * PER_PAGE:
        return "a deep OFFSET"
    if "SELECT DISTINCT" in upper:
        return "a DISTINCT scan"
    return None


def _next_url(response) -> str | None:
    cl = response.context["cl"]
    keyset = getattr(cl, "keyset", None)
    return keyset.next_url if keyset else None


@pytest.mark.parametrize(("site_name", "model"), REGISTRIES)
def test_every_console_list_walks_without_counting_or_offset(
    client, rows, entity, small_pages, site_name, model
):
    _signed_in(client, site_name, entity)
    url = reverse(f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist")
    pages = 0
    while url and pages < 10:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url
                if url.startswith("/")
                else reverse(
                    f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist"
                )
                + url
            )
        assert response.status_code == 200, url
        for query in queries.captured_queries:
            assert _forbidden(query["sql"]) is None, (_forbidden(query["sql"]), query["sql"])
        url = _next_url(response)
        pages += 1


def test_the_lists_with_many_rows_say_more_than_instead_of_counting(
    client, rows, entity, small_pages
):
    _signed_in(client, "admin", entity)
    response = client.get(reverse("admin:employment_records_employee_changelist"))
    body = response.content.decode()
    cl = response.context["cl"]
    assert not cl.paginator.count_is_exact
    assert cl.keyset.next_url and "after=" in cl.keyset.next_url
    # SQLite has no planner estimate: "more than N"; PostgreSQL says "about N".
    assert any(words in body for words in ("more than 5", "أكثر من 5", "about ", "نحو "))


def _walk(client, base_url, *, insert_between=None):
    seen, url, pages = [], base_url, 0
    while url:
        response = client.get(url if url.startswith("/") else base_url + url)
        assert response.status_code == 200
        seen += [row.pk for row in response.context["cl"].result_list]
        url = _next_url(response)
        pages += 1
        if insert_between is not None:
            insert_between(pages)
    return seen


def test_a_seek_walk_finds_every_row_once_in_order_while_rows_are_inserted(
    client, entity, small_pages
):
    """Actions are listed newest first (-effective_date, -id) with many equal dates: the walk
    must break ties by id, and rows inserted meanwhile must not shift or repeat the pages."""
    employee = EmployeeFactory(entity=entity)
    day = dt.date(2020, 1, 1)
    for index in range(14):
        ActionFactory(employee=employee, effective_date=day + dt.timedelta(days=index % 4))
    before = list(EmploymentAction.objects.order_by("-effective_date", "-id"))
    _signed_in(client, "hr", entity)
    base = reverse("hr:employment_records_employmentaction_changelist")

    inserted = []

    def insert(page):
        # Newer than everything (lands before the walk's position) and older than everything
        # (lands after it: the walk must reach it, once).
        inserted.append(ActionFactory(employee=employee, effective_date=dt.date(2030, 1, page)))
        # (each one older than the last, so it is always past the walk's position)
        inserted.append(
            ActionFactory(employee=employee, effective_date=dt.date(2000, 1, 28 - page))
        )

    seen = _walk(client, base, insert_between=insert)
    assert len(seen) == len(set(seen)), "a row was listed twice"
    old_ids = [row.pk for row in before]
    assert [pk for pk in seen if pk in set(old_ids)] == old_ids  # every old row, in order
    late = {row.pk for row in inserted if row.effective_date.year == 2000}
    assert late - set(seen) <= {inserted[-1].pk}  # all but maybe the one added after the end
    early = {row.pk for row in inserted if row.effective_date.year == 2030}
    assert not early & set(seen[PER_PAGE:])  # rows before the position never show up later


def test_previous_pages_go_back_to_the_same_rows(client, entity, small_pages):
    EmployeeFactory.create_batch(10, entity=entity)
    _signed_in(client, "hr", entity)
    base = reverse("hr:employment_records_employee_changelist")
    first = client.get(base)
    second = client.get(base + first.context["cl"].keyset.next_url)
    third = client.get(base + second.context["cl"].keyset.next_url)
    back = client.get(base + third.context["cl"].keyset.previous_url)
    assert [r.pk for r in back.context["cl"].result_list] == [
        r.pk for r in second.context["cl"].result_list
    ]
    expected = list(
        Employee.objects.filter(entity=entity).order_by("national_id").values_list("pk", flat=True)
    )
    assert [r.pk for r in third.context["cl"].result_list] == expected[6:9]


@pytest.mark.parametrize(
    "cursor", ["?after=%%%", "?before=bm90IGpzb24", "?after=WzEsMiwzXQ", "?p=99"]
)
def test_a_bad_cursor_or_a_deep_page_number_is_not_a_500(client, entity, small_pages, cursor):
    EmployeeFactory.create_batch(4, entity=entity)
    _signed_in(client, "hr", entity)
    response = client.get(reverse("hr:employment_records_employee_changelist") + cursor)
    assert response.status_code in (200, 302)  # the admin's "?e=1" redirect for bad lookups


def test_a_filter_on_a_field_without_choices_is_a_typed_value(client, rows, entity, small_pages):
    _signed_in(client, "admin", entity)
    url = reverse("admin:employment_records_employee_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + "?rank__exact=8")
    assert response.status_code == 200
    assert not any("DISTINCT" in q["sql"].upper() for q in queries.captured_queries)
    assert 'name="rank__exact"' in response.content.decode()
    EmployeeFactory(entity=entity, rank=9, national_id=national_id_from(777))
    response = client.get(url + "?rank__exact=9")
    assert [e.rank for e in response.context["cl"].result_list] == [9]


def _queries_for(client, url) -> list[str]:
    """The page's queries with nothing cached (the header's unread count is, after a request;
    the sidebar's app list is, in the process)."""
    cache.clear()
    console_lists.app_list_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 302), url
    return [query["sql"] for query in queries.captured_queries]


def _changelist(site_name, model) -> str:
    return reverse(f"{site_name}:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(("site_name", "model"), REGISTRIES)
def test_every_console_list_makes_as_many_queries_for_a_full_page_as_for_one_row(
    client, entity, small_pages, site_name, model
):
    """A query per row (a missing select_related) shows as more queries on a full page."""
    first = EmployeeFactory(entity=entity)
    ActionFactory(employee=first)
    _signed_in(client, site_name, entity)
    url = _changelist(site_name, model)
    one_row = _queries_for(client, url)
    for employee in EmployeeFactory.create_batch(PER_PAGE + 1, entity=entity):
        ActionFactory.create_batch(2, employee=employee)
    full_page = _queries_for(client, url)
    assert len(full_page) == len(one_row), "\n".join(full_page)
    # With nothing cached: the session, the grants and the unread count come from the database.
    assert len(full_page) <= 16


@pytest.mark.parametrize(("site_name", "model"), REGISTRIES)
def test_deep_page_numbers_and_searches_never_count_nor_offset(
    client, rows, entity, small_pages, site_name, model
):
    """A typed page number far past the numbered pages, and searches (a national ID, a
    decision number, an Arabic name): with a search term the stock changelist counts the
    table once more (the "n total" beside "m results"); ours counts neither."""
    _signed_in(client, site_name, entity)
    url = _changelist(site_name, model)
    for query in ("?p=500", "?q=1000000003", "?q=1445/00001", "?q=عبد الله"):
        for sql in _queries_for(client, url + query):
            assert _forbidden(sql) is None, (query, _forbidden(sql), sql)


def test_a_planner_estimate_far_above_the_limit_is_not_counted(client, rows, entity, monkeypatch):
    monkeypatch.setattr(console_lists, "EXACT_COUNT_LIMIT", 4)
    monkeypatch.setattr(console_lists, "planner_estimate", lambda queryset: 400_000)
    _signed_in(client, "admin", entity)
    sql = _queries_for(client, _changelist("admin", Employee))
    assert not any("COUNT(" in q.upper() and "employment_records_employee" in q for q in sql)
    near = console_lists.CERTAINLY_MORE * 4  # an estimate this close to the limit is checked
    monkeypatch.setattr(console_lists, "planner_estimate", lambda queryset: near)
    sql = _queries_for(client, _changelist("admin", Employee))
    assert any("COUNT(" in q.upper() and "employment_records_employee" in q for q in sql)


def test_a_cursor_keeps_a_time_to_the_microsecond():
    """A seek cursor cut to milliseconds would sit before its own row: the row and its ties
    would come back at the top of the next page of a list ordered by a time."""
    from django.db import models

    at = dt.datetime(2026, 12, 2, 10, 30, 15, 123456, tzinfo=dt.UTC)
    decoded = console_lists._decode(console_lists._encode([at, 7]))
    assert models.DateTimeField().to_python(decoded[0]) == at and decoded[1] == 7


def _page_query(sql: list[str], model) -> str:
    """The query that reads the page's rows: the model's table in its outermost FROM, with a
    LIMIT (the Bayan work list above its statements reads employees; the inventory's open
    findings are a subquery)."""

    def outermost(query: str) -> str:
        while (inner := re.sub(r"\([^()]*\)", "", query)) != query:
            query = inner
        return query

    table = f'FROM "{model._meta.db_table}"'
    return next(q for q in sql if table in (top := outermost(q)) and " LIMIT " in top)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner is asked")
@pytest.mark.parametrize(("site_name", "model"), REGISTRIES)
def test_every_console_list_reads_its_first_page_in_the_order_of_an_index(
    client, rows, entity, small_pages, site_name, model
):
    """A list's default order must come from an index, or every page view sorts the whole
    table (or the entity's share of it) to show 50 rows: the job-audit findings took 175 ms
    at 1M employees for want of one. With sorting switched off the planner still sorts only
    when no index gives that order, so a `Sort` in the plan is the fault, whatever the
    tables hold."""
    _signed_in(client, site_name, entity)
    page = _page_query(_queries_for(client, _changelist(site_name, model)), model)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # until the test's transaction ends
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert not re.search(r"\bSort\b", plan), f"{page}\n{plan}"


# --- Search: every field through an index ----------------------------------------------------

# Models that stay small at national scale (reference data, configuration, the simulators):
# a search may read them whole.
SMALL_MODELS = {
    "employment_records.GovernmentEntity",
    "employment_records.OrganisationalUnit",
    "employment_records.JobClass",
    "employment_records.SalaryScaleEntry",
    "promotions.Round",
    "accounts.HRProfile",
    "accounts.RoleChangeRequest",
    "job_audit.VariableRequest",  # an entity's requests to change its job variables
    "auth.Group",
    "auth.Permission",
    "oauth2_provider.Application",
    "nafath_sim.SignInRequest",
    "pension_sim.Submission",
}
# The HR lists of tables that grow with the ministry.
LARGE_HR_LISTS = [
    case
    for case in REGISTRIES
    if case.values[0] == "hr" and case.values[1]._meta.label not in SMALL_MODELS
]


@pytest.mark.parametrize(("site_name", "model"), LARGE_HR_LISTS)
def test_every_hr_list_reaches_its_entity_without_a_join(client, entity, site_name, model):
    """Each HR list filters on an entity column of its own table, which leads its list index:
    reaching the entity through the employee (as the records' lists did) joined every row to
    employees, a cost a small entity paid for the whole ministry's rows."""
    _signed_in(client, site_name, entity)
    table = model._meta.concrete_model._meta.db_table
    pages = [
        q
        for q in _queries_for(client, _changelist(site_name, model))
        if f'FROM "{table}"' in q and "LIMIT" in q
    ]
    assert pages, "the page query"
    assert f'"{table}"."entity_id" =' in pages[-1]
    if table != "employment_records_employee":
        assert '"employment_records_employee"."entity_id" =' not in pages[-1]


SEARCH_CASES = [
    pytest.param(site_name, model_admin, id=f"{site_name}-{model._meta.label}")
    for site_name, site in (("hr", hr_site), ("admin", admin.site))
    for model, model_admin in site._registry.items()
    if model_admin.search_fields and not console_lists._searches_in_its_own_way(type(model_admin))
]


def _leads_an_index(model, field) -> bool:
    """Whether an index (not partial) starts with the field, so an equality on it is a probe."""
    if field.primary_key or field.unique or field.db_index:
        return True
    meta = model._meta.concrete_model._meta  # a proxy's indexes are its model's
    firsts = [
        index.fields[0].lstrip("-")
        for index in meta.indexes
        if index.fields and not index.condition
    ]
    firsts += [
        constraint.fields[0]
        for constraint in meta.constraints
        if getattr(constraint, "fields", None) and getattr(constraint, "condition", None) is None
    ]
    firsts += [fields[0] for fields in meta.unique_together]
    return field.name in firsts


def _unindexed_steps(model, entry: str) -> list[str]:
    lookup, exact = console_lists._search_lookup(entry)
    path = lookup.split("__")
    if path[-1] in ("exact", "iexact", "icontains", "istartswith"):
        path = path[:-1]
    faults = []
    for step in path[:-1]:
        field = model._meta.get_field(step)
        large = model._meta.label not in SMALL_MODELS
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            faults.append(f"{model._meta.label}.{step} is not a foreign key of this table")
        elif large and not _leads_an_index(model, field):
            faults.append(f"{model._meta.label}.{step} leads no index")
        model = field.related_model
    if model._meta.label not in SMALL_MODELS:
        field = model._meta.get_field(path[-1])
        if not exact:
            faults.append(
                f"{entry}: a part of a word, which no index of {model._meta.label} serves"
            )
        elif not _leads_an_index(model, field):
            faults.append(f"{model._meta.label}.{path[-1]} leads no index")
    return faults


@pytest.mark.parametrize(("site_name", "model_admin"), SEARCH_CASES)
def test_every_console_search_field_is_found_through_an_index(site_name, model_admin):
    """Each search field is asked on its own (search_by_probes), so each must be an exact
    match on a column that leads an index, reached through indexed foreign keys, unless its
    table stays small. Django's default (`LIKE '%x%'` over every field, ORed across joins)
    read the whole audit log or documents table at 1M employees: 0.8-3.9 s."""
    faults = [
        fault
        for entry in model_admin.search_fields
        for fault in _unindexed_steps(model_admin.model, entry)
    ]
    assert not faults, faults
