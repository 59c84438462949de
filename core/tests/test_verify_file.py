"""/verify/<code>/file/: the PDF a verifier was given, compared byte for byte with the issued
file (SHA-256); refused when too large or not a PDF; rate-limited with /verify/; never kept."""

import hashlib

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import views
from core.models import Document
from employment_records.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

ISSUED = b"%PDF-1.7\n" + b"issued statement body " * 200 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def issued():
    employee = EmployeeFactory()
    return Document.objects.create(
        kind="service_statement",
        holder=employee,
        entity=employee.entity,
        status=Document.Status.READY,
        file_name="documents/service-statement-test.pdf",
        issued_at=timezone.now(),
        sha256=hashlib.sha256(ISSUED).hexdigest(),
        key_facts={"ar": [["المرتبة والدرجة", "المرتبة 8، الدرجة 3"]], "en": [["Rank", "8"]]},
    )


def check(client, document, data: bytes | None, name="statement.pdf", **extra):
    payload = (
        {"file": SimpleUploadedFile(name, data, "application/pdf")} if data is not None else {}
    )
    return client.post(
        reverse("verify_file", args=[document.code]), payload, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def stored_files() -> int:
    if not default_storage.exists("documents"):
        return 0
    return len(default_storage.listdir("documents")[1])


def test_the_issued_file_matches(client, issued):
    before = stored_files()
    response = check(client, issued, ISSUED)
    text = response.content.decode()
    assert response.status_code == 200
    assert "This file matches the issued file byte for byte." in text
    assert hashlib.sha256(ISSUED).hexdigest() in text
    assert "Does not match" not in text
    assert stored_files() == before  # compared in memory, never kept


def test_an_altered_file_does_not_match(client, issued):
    tampered = ISSUED.replace(b"issued statement", b"issued statemenT", 1)
    response = check(client, issued, tampered)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Does not match" in text and "it was altered, or it is another document" in text
    assert hashlib.sha256(tampered).hexdigest() in text
    assert "matches the issued file byte for byte" not in text


def test_the_verdict_is_in_the_pages_language(client, issued):
    response = client.post(
        reverse("verify_file", args=[issued.code]),
        {"file": SimpleUploadedFile("s.pdf", ISSUED + b"x", "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert "لا يطابق" in response.content.decode()


def test_a_file_over_the_limit_is_refused(client, issued, monkeypatch):
    monkeypatch.setattr(views, "VERIFY_FILE_MAX_BYTES", 4096)
    response = check(client, issued, b"%PDF-1.7\n" + b"0" * 8192)
    assert response.status_code == 413
    assert "The file is larger than" in response.content.decode()


def test_the_five_megabyte_limit(client, issued):
    response = check(client, issued, b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024))
    assert response.status_code == 413 and "5" in response.content.decode()


def test_a_file_that_is_not_a_pdf_is_refused(client, issued):
    response = check(client, issued, b"MZ\x90\x00 an executable", name="statement.pdf")
    assert response.status_code == 400
    assert "This file is not a PDF." in response.content.decode()


def test_no_file_is_asked_for(client, issued):
    response = check(client, issued, None)
    assert response.status_code == 400
    assert "Choose the PDF file you were given." in response.content.decode()


def test_an_unknown_code_answers_404(client, issued):
    response = client.post(
        reverse("verify_file", args=["ZZZZZZZZZZZZ"]),
        {"file": SimpleUploadedFile("s.pdf", ISSUED, "application/pdf")},
    )
    assert response.status_code == 404


def test_a_revoked_document_is_not_checked(client, issued):
    issued.revoked_at = timezone.now()
    issued.save(update_fields=["revoked_at"])
    response = check(client, issued, ISSUED)
    assert response.status_code == 409
    assert "byte for byte" not in response.content.decode()


def test_checks_share_the_verify_rate_limit(client, issued, settings):
    settings.VERIFY_RATE_LIMIT = 2
    assert client.get(reverse("verify", args=[issued.code])).status_code == 200
    assert check(client, issued, ISSUED).status_code == 200
    limited = check(client, issued, ISSUED)
    assert limited.status_code == 429 and "Too many" in limited.content.decode()


def test_get_is_not_allowed_and_csrf_is_enforced(issued):
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("verify_file", args=[issued.code])).status_code == 405
    assert check(client, issued, ISSUED).status_code == 403


def test_the_verify_page_offers_the_check_with_the_key_facts(client, issued):
    page = client.get(reverse("verify", args=[issued.code]), HTTP_ACCEPT_LANGUAGE="ar")
    text = page.content.decode()
    assert page.status_code == 200
    assert reverse("verify_file", args=[issued.code]) in text
    assert 'enctype="multipart/form-data"' in text
    assert "المرتبة 8، الدرجة 3" in text and issued.sha256 in text


def test_the_check_reads_the_document_once(client, issued, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the document with its holder and entity
        assert check(client, issued, ISSUED).status_code == 200
