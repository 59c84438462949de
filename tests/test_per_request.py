"""Per request (issue 16): the employee row is read once (access policy and view share it), and
a page view neither reads nor writes the session table (sessions come from the cache and the
idle clock is rewritten rarely)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee_user):
    sign_in_verified(client, employee_user)
    client.get("/")  # the first request may stamp the idle clock
    return client


@pytest.mark.parametrize(
    "url_name",
    ["dashboard", "employment_records:profile", "employment_records:record"],
)
def test_a_page_reads_the_employee_once_and_no_session_row(signed_in, url_name):
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse(url_name))
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    employee_reads = [
        sql
        for sql in sqls
        if sql.startswith("SELECT") and 'FROM "employment_records_employee"' in sql
    ]
    assert len(employee_reads) <= 1, employee_reads
    assert not [sql for sql in sqls if "django_session" in sql], sqls


# --- Dates and labels formatted once (issue 16) -------------------------------------------------


class _Counts:
    """Calls that grow with the rows a page shows when a template formats per row."""

    def __init__(self, monkeypatch):
        from django.template import loader_tags
        from django.urls import resolvers
        from django.utils import translation

        from core import dates

        self.calls = {"reverse": 0, "include": 0, "gettext": 0, "date": 0}
        translation.gettext("Masar")  # Django's Trans object resolves its gettext on first use

        def counting(name, function):
            def wrapper(*args, **kwargs):
                self.calls[name] += 1
                return function(*args, **kwargs)

            return wrapper

        resolver = resolvers.URLResolver
        monkeypatch.setattr(
            resolver, "_reverse_with_prefix", counting("reverse", resolver._reverse_with_prefix)
        )
        include = loader_tags.IncludeNode
        monkeypatch.setattr(include, "render", counting("include", include.render))
        monkeypatch.setattr(
            translation._trans, "gettext", counting("gettext", translation._trans.gettext)
        )
        monkeypatch.setattr(dates, "format_hijri", counting("date", dates.format_hijri))
        monkeypatch.setattr(dates, "format_gregorian", counting("date", dates.format_gregorian))

    def of(self, client, url) -> dict:
        from core import dates

        dates._dual_date.cache_clear()
        for name in self.calls:
            self.calls[name] = 0
        assert client.get(url).status_code == 200
        return dict(self.calls)


def test_the_record_page_formats_nothing_per_row(signed_in, employee_user, monkeypatch):
    """2 rows or 20: the same reverse(), include, gettext and date-formatting calls. The
    selector formats each label, rank wording and date once; the template only prints."""
    from employment_records.tests.factories import ActionFactory, PositionFactory

    employee = employee_user.employee
    same = {
        "action_type": "promotion",
        "decision_date": dt.date(2024, 1, 5),
        "effective_date": dt.date(2024, 2, 1),
        "from_rank": 7,
        "from_step": 4,
        "to_rank": 8,
        "to_step": 1,
    }
    ActionFactory.create_batch(
        2, employee=employee, to_position=PositionFactory(entity=employee.entity), **same
    )
    counts = _Counts(monkeypatch)
    url = reverse("employment_records:record")
    with_two = counts.of(signed_in, url)
    ActionFactory.create_batch(
        18, employee=employee, to_position=PositionFactory(entity=employee.entity), **same
    )
    with_twenty = counts.of(signed_in, url)
    assert with_twenty == with_two, (with_two, with_twenty)
    assert with_two["date"] <= 4  # two distinct days, both calendars, each once


def test_record_rows_come_formatted_in_the_request_language(employee_user):
    from django.utils import translation

    from employment_records.selectors import record_page
    from employment_records.tests.factories import ActionFactory, PositionFactory

    employee = employee_user.employee
    position = PositionFactory(entity=employee.entity)
    action = ActionFactory(
        employee=employee,
        action_type="promotion",
        decision_number="1446/777",
        decision_date=dt.date(2027, 1, 5),
        effective_date=dt.date(2027, 1, 5),
        from_rank=7,
        from_step=None,
        to_rank=8,
        to_step=3,
        to_position=position,
    )
    with translation.override("en"):
        (row,) = record_page(employee=employee).object_list
        assert row.action == "Promotion"
        assert row.decision_number == "1446/777"
        assert row.decision_date.gregorian == "5 January 2027"
        assert row.decision_date.hijri.endswith("AH")
        assert row.from_side.rank == "Rank 7" and row.from_side.position_number == ""
        assert row.to_side.rank == "Rank 8, step 3"
        assert row.to_side.position_number == position.number
        assert row.to_side.job_title == position.job_class.title_en
        assert row.correction_url == f"/my-data/corrections/new/?action={action.pk}"
    with translation.override("ar"):
        (row,) = record_page(employee=employee).object_list
        assert row.action == "ترقية"
        assert row.decision_date.gregorian == "5 يناير 2027م"
        assert row.to_side.job_title == position.job_class.title_ar
        html = str(row.decision_date)
        assert html.startswith('<span class="dual-date"><span>') and "2027م</span></span>" in html


@pytest.mark.parametrize(
    ("side", "cell"),
    [
        (
            ("7", "Clerk <A&B>", "Rank 8, step 3"),
            '<span dir="ltr">7</span> Clerk &lt;A&amp;B&gt;<br>Rank 8, step 3',
        ),
        (("7", "Clerk", ""), '<span dir="ltr">7</span> Clerk<br>'),
        (("", "", "Rank 7"), "Rank 7"),
        (("", "", ""), "—"),
    ],
)
def test_a_record_side_is_written_as_one_escaped_cell(side, cell):
    """The record's From and To cells come from RecordSide itself (not a dozen template nodes
    per row), escaped, as a template writes a value."""
    from django.template import Context, Template

    from employment_records.selectors import RecordSide

    record_side = RecordSide(*side)
    assert Template("{{ side }}").render(Context({"side": record_side})) == cell


def test_an_employee_page_does_not_read_the_second_factor_device(signed_in):
    """The HR console checks the device (accounts/tests/test_admin_gate.py); employee pages
    never ask, so the lazy middleware reads nothing."""
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(reverse("dashboard")).status_code == 200
    assert not [q for q in queries.captured_queries if "accounts_smsdevice" in q["sql"]]


def test_the_benchmark_views_are_not_served_by_default(client):
    assert client.get("/bench/anonymous").status_code == 404
    assert client.get("/bench/signed-in").status_code == 404


def test_the_dashboard_cards_of_different_decisions_are_not_shared(client, employee_user):
    """The cards are rendered once per language and set of decisions: someone refused sees
    refusals, not the cards of the person before them."""
    from accounts.models import ServiceGrant
    from accounts.tests.factories import UserFactory

    sign_in_verified(client, employee_user)
    first = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count("Not available to you") < 6
    other = UserFactory(with_employee=True)
    ServiceGrant.objects.filter(employee=other.employee).delete()
    client.logout()
    sign_in_verified(client, other)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Not available to you") == 6


# --- SQL built once per process (core.prepared, issue 16) -------------------------------------

MAIN_PAGES = [
    "dashboard",
    "terms",
    "employment_records:profile",
    "employment_records:record",
    "employment_records:training",
    "grievances:mine",
    "promotions:index",
    "bayan:index",
    "job_audit:index",
    "cv:index",
]


@pytest.mark.parametrize("url_name", MAIN_PAGES)
def test_a_main_page_builds_no_sql_once_warm(signed_in, employee_user, compiled_sql, url_name):
    """Turning a queryset into SQL cost more than running it (1.8 ms against 0.2 ms for the
    person's record): the main pages' queries are prepared, so a warm request compiles none."""
    from django.utils import timezone

    from accounts.models import User

    # Grievances open to a Nafath-verified identity.
    User.objects.filter(pk=employee_user.pk).update(nafath_verified_at=timezone.now())
    url = reverse(url_name)
    assert signed_in.get(url).status_code == 200  # warm: each prepared query compiles once
    compiled_sql.clear()
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(url).status_code == 200
    assert compiled_sql == []
    assert len(queries) >= 1  # the person's record, at least: the page did read
