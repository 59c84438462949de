"""The ministry's summary of an audit run through the shared documents pipeline: requested by
a ministry auditor, rendered by the documents worker, verifiable, downloadable by the ministry
and the entity's own specialists only."""

import subprocess

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.tests.factories import sign_in_verified
from core.models import Document
from employment_records.models import Position, PositionStatus
from job_audit import services
from job_audit.documents import SUMMARY_DOCUMENT
from job_audit.models import AuditRun, RunStatus

from .factories import auditor, clean_inventory, specialist

pytestmark = pytest.mark.django_db


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler extracts it, in logical order with bidi marks."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


def figure(text: str, label: str) -> str | None:
    """The number printed beside `label` in a table row of the extracted text."""
    for line in text.translate(BIDI_CONTROLS).splitlines():
        words = line.split()
        if " ".join(w for w in words if not w.isdigit()) == label:
            numbers = [w for w in words if w.isdigit()]
            return numbers[0] if numbers else None
    return None


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """A finished run over 9 positions: 3 rank mismatches (medium), 1 frozen but occupied
    (high), 0 low."""
    entity, _unit, _cls, employees = clean_inventory(occupied=6, vacant=2, frozen=1)
    entity.code = "JAS"
    entity.save()
    for employee in employees[:3]:
        employee.rank = 9
        employee.save()
    Position.objects.filter(pk=employees[5].position_id).update(status=PositionStatus.FROZEN)
    with django_capture_on_commit_callbacks(execute=True):
        started = services.start_audit_run(entity_id=entity.pk)
    started.refresh_from_db()
    assert started.status == RunStatus.DONE
    return started


def issue(client, run, capture):
    with capture(execute=True):  # the documents worker runs eagerly here
        response = client.post(reverse("admin:job_audit_auditrun_summary", args=[run.pk]))
    assert response.status_code == 302
    return Document.objects.get(kind=SUMMARY_DOCUMENT)


def test_an_auditor_issues_the_summary_and_downloads_it(
    client, run, django_capture_on_commit_callbacks
):
    sign_in_verified(client, auditor())
    page = client.get(reverse("admin:job_audit_auditrun_summary", args=[run.pk]))
    assert page.status_code == 200 and b'method="post"' in page.content
    document = issue(client, run, django_capture_on_commit_callbacks)
    assert document.holder is None and document.entity_id == run.entity_id
    assert document.params == {"run": run.pk} and document.status == Document.Status.READY
    # Asked again: the same document, not a second render.
    issue(client, run, django_capture_on_commit_callbacks)
    assert Document.objects.filter(kind=SUMMARY_DOCUMENT).count() == 1
    page = client.get(reverse("admin:job_audit_auditrun_summary", args=[run.pk]))
    assert document.display_code in page.content.decode()
    download = client.get(reverse("admin:job_audit_auditrun_summary_pdf", args=[run.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    data = b"".join(download.streaming_content)
    assert data == default_storage.open(document.file_name).read()
    text = pdftotext(data)
    assert "JAS" in text and document.display_code in text
    assert "ملخص تدقيق بيانات الوظائف" in text
    # Positions audited 9; findings by severity: high 1, medium 3, low 0.
    assert figure(text, "الوظائف المدققة") == "9"
    assert [figure(text, label) for label in ("عالية", "متوسطة", "منخفضة")] == ["1", "3", "0"]


def test_the_key_facts_say_what_the_summary_states(client, run, django_capture_on_commit_callbacks):
    sign_in_verified(client, auditor())
    document = issue(client, run, django_capture_on_commit_callbacks)
    facts = dict(document.key_facts["en"])
    assert facts["Government entity"].endswith("(JAS)")
    assert facts["Positions audited"] == "9"
    assert facts["Audit run"].endswith(str(run.created_at.year)) and "AH" in facts["Audit run"]
    assert (
        facts["Findings of High severity"],
        facts["Findings of Medium severity"],
        facts["Findings of Low severity"],
    ) == ("1", "3", "0")
    assert len(document.key_facts["ar"]) == len(document.key_facts["en"]) == 6
    verify = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    body = verify.content.decode()
    assert "Positions audited" in body and document.sha256 in body


def test_the_entitys_specialists_download_it_and_nobody_else(
    client, run, django_capture_on_commit_callbacks
):
    url = reverse("hr:job_audit_auditrun_summary_pdf", args=[run.pk])
    ours = specialist(run.entity)
    sign_in_verified(client, ours)
    assert client.get(url).status_code == 404  # not issued yet
    sign_in_verified(client, auditor())
    issue(client, run, django_capture_on_commit_callbacks)
    sign_in_verified(client, ours)
    assert client.get(url).status_code == 200
    page = client.get(reverse("hr:job_audit_auditrun_change", args=[run.pk]))
    assert url in page.content.decode()
    # The HR console cannot ask for one, nor reach the ministry's pages.
    ministry_url = reverse("admin:job_audit_auditrun_summary", args=[run.pk])
    assert client.post(ministry_url).status_code == 302  # to the ministry's sign-in
    assert Document.objects.filter(kind=SUMMARY_DOCUMENT).count() == 1
    # Another entity's specialist: 404 on the same URL.
    other_entity, *_ = clean_inventory(occupied=1)
    sign_in_verified(client, specialist(other_entity))
    assert client.get(url).status_code == 404


def test_an_unfinished_or_unknown_run_has_no_summary(client, run):
    sign_in_verified(client, auditor())
    queued = AuditRun.objects.create(entity=clean_inventory(occupied=1)[0])
    for run_id in (queued.pk, run.pk + 999):
        assert (
            client.get(reverse("admin:job_audit_auditrun_summary", args=[run_id])).status_code
            == 404
        )
        assert (
            client.post(reverse("admin:job_audit_auditrun_summary", args=[run_id])).status_code
            == 404
        )
    with pytest.raises(services.JobAuditError):
        services.request_summary(run_id=queued.pk, actor=None)
    assert not Document.objects.filter(kind=SUMMARY_DOCUMENT).exists()
