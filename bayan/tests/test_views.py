"""The employee's side of Bayan: state with dates, the PDF once approved, refusals, 404s,
and the PDF's own text."""

import pytest
from django.utils import translation

from accounts.tests.factories import UserFactory, grant_all
from bayan import services
from bayan.tests.factories import approved, prepared, retiree, specialist
from core.documents import render_and_store
from employment_records.tests.factories import EntityFactory
from employment_records.tests.pdf_text import contains_phrase, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity():
    return EntityFactory()


@pytest.fixture
def hr(entity):
    return specialist(entity), specialist(entity)


def acknowledged(employee, hr):
    statement = approved(employee, *hr)
    render_and_store(statement.document_id)
    services.claim_delivery(statement.delivery.pk)
    services.record_answer(
        statement.delivery.pk,
        services.Response(201, {"status": "acknowledged", "reference": "PA-2026-000042"}),
    )
    statement.refresh_from_db()
    return statement


def test_someone_in_service_reads_a_plain_explanation(client, employee_user):
    client.force_login(employee_user)
    response = client.get("/bayan/")
    assert response.status_code == 200
    assert "bayan/in_service.html" in [t.name for t in response.templates]


def test_others_are_refused_by_the_access_policy(client):
    no_grant = UserFactory(with_employee=True)
    client.force_login(no_grant)
    response = client.get("/bayan/")
    assert response.status_code == 403
    resident = UserFactory(with_employee=True, linked_employee__saudi=False)
    grant_all(resident.employee)
    client.force_login(resident)
    assert client.get("/bayan/").status_code == 403
    client.logout()
    assert client.get("/bayan/").status_code == 302  # to sign in


def test_a_retiree_without_a_statement_sees_when_it_is_due(client, entity):
    employee = retiree(entity)
    client.force_login(employee.user)
    response = client.get("/bayan/")
    assert response.status_code == 200
    assert response.context["statement"] is None and response.context["due"]


def test_a_draft_shows_its_state_but_no_pdf(client, entity, hr):
    employee = retiree(entity)
    prepared(employee, hr[0])
    client.force_login(employee.user)
    response = client.get("/bayan/")
    assert response.context["statement"].get_status_display() in response.content.decode()
    assert response.context["pdf_url"] == ""


def test_the_retiree_follows_the_state_with_dates_and_downloads_the_pdf(
    client, entity, hr, django_assert_max_num_queries
):
    employee = retiree(entity)
    statement = acknowledged(employee, hr)
    client.force_login(employee.user)
    with django_assert_max_num_queries(12):
        response = client.get("/bayan/")
    text = response.content.decode()
    assert "PA-2026-000042" in text
    assert [entry.label for entry in response.context["timeline"]][-1] == str(
        response.context["timeline"][-1].label
    )
    assert len(response.context["timeline"]) == 4  # prepared, approved, sent, acknowledged
    download = client.get(f"/bayan/{statement.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_other_peoples_statements_are_404(client, entity, hr):
    mine = retiree(entity)
    theirs = acknowledged(retiree(entity), hr)
    client.force_login(mine.user)
    assert client.get(f"/bayan/{theirs.pk}/pdf/").status_code == 404
    assert client.get("/bayan/999999/pdf/").status_code == 404


def test_the_pdf_holds_the_totals_the_periods_and_the_end_reason(entity, hr):
    employee = retiree(entity)
    statement = acknowledged(employee, hr)
    document = render_and_store(statement.document_id)
    from django.core.files.storage import default_storage

    with default_storage.open(document.file_name, "rb") as handle:
        data = handle.read()
    text = pdf_text(data)
    totals = statement.snapshot["totals"]
    assert str(totals["counted_days"]) in text
    assert str(totals["excluded_days"]) in text  # the 30 days of exceptional leave
    with translation.override("ar"):
        assert contains_phrase(data, "التقاعد")  # the end reason, in Arabic
        g = totals["gregorian"]
        assert contains_phrase(data, f"{g['years']} سنة")
    for period in statement.snapshot["periods"]:
        assert str(period["days"]) in text
        if period["decision_number"]:
            assert period["decision_number"] in text
    assert document.display_code in text


def test_the_issued_statement_keeps_its_key_facts_for_verify(client, entity, hr):
    """/verify/ repeats the statement's number, service period, end reason and counted
    service, in the page's language, beside the SHA-256 of the issued file."""
    statement = acknowledged(retiree(entity), hr)
    document = render_and_store(statement.document_id)
    english = dict(document.key_facts["en"])
    assert english["Statement number"].startswith(statement.snapshot["number"])
    assert english["End of service reason"] == "Retirement"
    years = statement.snapshot["totals"]["gregorian"]["years"]
    assert english["Counted service (Gregorian)"].startswith(f"{years} year")
    assert dict(document.key_facts["ar"])["سبب انتهاء الخدمة"] == "التقاعد"
    page = client.get(f"/verify/{document.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Counted service (Gregorian)" in page and document.sha256 in page
