"""core.postgresql: a reused connection is checked without a query, a connection the server
closed is replaced before the request uses it, and core.prepared's queries are planned once
per connection (issue 16)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.fixtures.browser import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("the connection health check is PostgreSQL's (CI runs it there)")
    connection.ensure_connection()
    return connection


def test_an_idle_open_connection_is_usable_without_a_query(postgresql):
    with CaptureQueriesContext(postgresql) as queries:
        assert postgresql.is_usable()
    assert queries.captured_queries == []


def test_a_connection_the_server_closed_is_not_usable(postgresql):
    from django.db import connections

    pid = postgresql.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server's goodbye reaches the socket a moment later.
    import select

    select.select([postgresql.connection.fileno()], [], [], 2)
    assert not postgresql.is_usable()
    postgresql.health_check_done = False  # as at the start of a request
    postgresql.close_if_health_check_failed()
    with postgresql.cursor() as cursor:  # a new connection
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def _prepared_statements(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _employee_with_account():
    from accounts.tests.factories import UserFactory

    return UserFactory(with_employee=True).employee


def _employee_by_user():
    from core.prepared import PreparedQuery
    from employment_records.models import Employee

    return PreparedQuery(lambda user_id: Employee.objects.filter(user_id=user_id))


def test_a_prepared_query_is_planned_once_per_connection(postgresql):
    employee = _employee_with_account()
    query = _employee_by_user()
    with CaptureQueriesContext(postgresql) as queries:
        assert query(employee.user_id) == [employee]
        assert query(employee.user_id) == [employee]
    # Counted and logged as Django's own queries are, arguments written in.
    assert [q["sql"].count(f'"user_id" = {employee.user_id}') for q in queries] == [1, 1]
    kept = [
        sql
        for sql in _prepared_statements(postgresql)
        if '"user_id" = $1' in sql and "JOIN" not in sql  # not the request's own (joined)
    ]
    assert len(kept) == 1, kept


def test_querysets_are_not_prepared(postgresql):
    """Only core.prepared's fixed SQL is kept in the server: Django's cursors bind in the
    client, whatever the connection's threshold."""
    from employment_records.models import Employee

    for _ in range(10):
        Employee.objects.filter(pk=1).exists()
    assert not [sql for sql in _prepared_statements(postgresql) if "employee" in sql]


def test_preparation_can_be_turned_off_for_a_pooler(postgresql):
    """DB_PREPARED_STATEMENTS=off sets prepare_threshold to None: the same query, unprepared."""
    postgresql.close()  # a connection with nothing prepared yet
    postgresql.ensure_connection()
    postgresql.connection.prepare_threshold = None
    try:
        employee = _employee_with_account()
        query = _employee_by_user()
        assert query(employee.user_id) == [employee]
        assert query(employee.user_id) == [employee]
        assert not [sql for sql in _prepared_statements(postgresql) if "$1" in sql]
    finally:
        postgresql.close()  # the next test gets a connection configured from settings
