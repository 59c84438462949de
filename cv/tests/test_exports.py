"""The CV leaves the portal three ways: a verifiable PDF (Arabic RTL or English LTR), a
printable page and a JSON Resume file. Each holds the record and the person's own entries of
the chosen language, and only those."""

import hashlib
import json
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft7Validator

from core.models import Document
from cv import jsonresume, selectors
from cv.models import CvExport
from cv.tests.factories import CertificateFactory, LanguageSkillFactory, SkillFactory, career
from employment_records.tests.pdf_text import contains_phrase

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parent / "resume-schema-1.0.0.json").read_text())


@pytest.fixture
def person(employee_user):
    employee = employee_user.employee
    career(employee)
    SkillFactory(employee=employee, language="en", name="Budget analysis")
    SkillFactory(employee=employee, language="ar", name="تحليل الميزانيات")
    LanguageSkillFactory(employee=employee, language="en", name="French", level="C1")
    LanguageSkillFactory(employee=employee, language="ar", name="الإنجليزية", level="native")
    CertificateFactory(employee=employee, language="en", name="Certified Internal Auditor")
    return employee_user


def export_pdf(client, user, language, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("cv:request_pdf"), {"language": language})
    document = Document.objects.get(kind="cv")
    assert response.status_code == 302 and response.url == reverse(
        "cv:document", args=[document.code]
    )
    assert document.status == Document.Status.READY
    download = client.get(reverse("cv:document_download", args=[document.code]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    return document, b"".join(download.streaming_content)


def test_the_english_pdf_holds_the_record_and_only_the_english_entries(
    client, person, django_capture_on_commit_callbacks
):
    document, data = export_pdf(client, person, "en", django_capture_on_commit_callbacks)
    for phrase in (
        "Mohammed Abdullah Saad Al-Qahtani",
        "Financial auditor",
        "Senior accountant",
        "Ministry of Finance",
        "PRO-1",
        "Internal audit",
        "Accounting",
        "Budget analysis",
        "French",
        "Certified Internal Auditor",
        "From the official record",
        document.display_code,
    ):
        assert contains_phrase(data, phrase), phrase
    for phrase in ("تحليل الميزانيات", "الإنجليزية", "Planned programme", "مدقق مالي"):
        assert not contains_phrase(data, phrase), phrase
    # The CV page lists the requested PDF with its language.
    listed = client.get(reverse("cv:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{document.display_code}</a> — English" in listed


def test_the_arabic_pdf_holds_the_record_and_only_the_arabic_entries(
    client, person, django_capture_on_commit_callbacks
):
    document, data = export_pdf(client, person, "ar", django_capture_on_commit_callbacks)
    for phrase in ("محمد عبدالله سعد القحطاني", "مدقق مالي", "وزارة المالية", "تحليل الميزانيات"):
        assert contains_phrase(data, phrase), phrase
    assert contains_phrase(data, "PRO-1") and contains_phrase(data, document.display_code)
    for phrase in ("Budget analysis", "French", "Certified Internal Auditor", "Financial auditor"):
        assert not contains_phrase(data, phrase), phrase


def test_verify_shows_key_facts_and_the_digest_not_the_career_history(
    client, person, django_capture_on_commit_callbacks
):
    """/verify/ is public: it confirms what the CV states through its key facts and the
    SHA-256 of the issued file, without listing every position, decision and course."""
    document, data = export_pdf(client, person, "en", django_capture_on_commit_callbacks)
    export = CvExport.objects.get(document=document)
    assert export.language == "en" and document.language == "en"
    client.logout()
    page = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and "Authentic" in text
    assert "Positions from the official record" in text and "Job title" in text
    assert hashlib.sha256(data).hexdigest() in text
    # The official entries themselves (decision numbers, courses) are not published.
    assert "PRO-1" not in text and "Official part of this CV" not in text
    # Nor the person's own entries, nor correction links.
    assert "Budget analysis" not in text
    assert "Request a correction" not in text


def test_printable_view_is_in_the_cv_language(client, person):
    client.force_login(person)
    response = client.get(reverse("cv:print") + "?lang=ar", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ar" dir="rtl"' in text and "تحليل الميزانيات" in text
    assert "Budget analysis" not in text and "مدقق مالي" in text


def test_json_resume_export_validates_against_the_schema(client, person):
    client.force_login(person)
    response = client.get(reverse("cv:json") + "?lang=en")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    validator = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(data)) == []
    assert data["basics"]["name"] == "Mohammed Abdullah Saad Al-Qahtani"
    assert [w["position"] for w in data["work"]] == [
        "Financial auditor",
        "Senior accountant",
        "Accountant",
    ]
    assert data["work"][0]["startDate"] == "2021-04-01" and "endDate" not in data["work"][0]
    assert {"name": "Budget analysis"} in data["skills"]
    assert {"language": "French", "fluency": "C1 — advanced"} in data["languages"]
    names = [c["name"] for c in data["certificates"]]
    assert "Certified Internal Auditor" in names and "Internal audit" in names
    assert data["education"][0]["area"] == "Accounting"
    assert "تحليل الميزانيات" not in response.content.decode()


def test_the_schema_check_can_fail(person):
    """The shipped schema is strict enough to refuse a malformed export."""
    content = selectors.cv_content(employee=person.employee, language="en")
    resume = jsonresume.to_json_resume(content)
    resume["work"][0]["startDate"] = "1 April 2021"
    resume["skills"] = {"name": "not a list"}
    errors = list(Draft7Validator(SCHEMA).iter_errors(resume))
    assert len(errors) == 2
