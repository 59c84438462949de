"""Per request (issue 16): the employee row is read once (access policy and view share it), and
a page view neither reads nor writes the session table (sessions come from the cache and the
idle clock is rewritten rarely)."""

from __future__ import annotations

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
