"""core.postgresql: a reused connection is checked without a query, and a connection the
server closed is replaced before the request uses it (issue 16)."""

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
