"""The results PDF through the shared documents pipeline: requested from the round's HR page
after publication, rendered by the documents worker, downloadable by HR of the round's entity
only, with its key facts on /verify/. The PDF's text is read back with pdftotext."""

import subprocess

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import make_hr_specialist, sign_in_verified
from core.dates import format_gregorian, format_hijri
from core.models import Document
from employment_records.tests.factories import EntityFactory
from employment_records.tests.pdf_text import contains_phrase
from promotions import services
from promotions.documents import PROMOTION_RESULTS
from promotions.models import CandidateScore

from .factories import reviewed_round

pytestmark = pytest.mark.django_db


def pdftotext_lines(data: bytes) -> list[str]:
    """pdftotext's lines, each also reversed (right-to-left runs come out in visual order;
    employment_records.tests.pdf_text explains)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    # pdftotext marks embedding levels with the Unicode bidi controls: not text.
    text = text.translate({code: None for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    lines = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            lines += [line, line[::-1]]
    return lines


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    round_, offers, people, checker = reviewed_round(django_capture_on_commit_callbacks)
    services.take_step(round_id=round_.pk, name="publish", actor=checker)
    round_.refresh_from_db()
    return round_, offers, people, checker


def _issue(client, round_, language, capture):
    with capture(execute=True):  # the documents worker renders once the request commits
        response = client.post(
            reverse("hr:promotions_round_documents", args=[round_.pk]), {"language": language}
        )
    assert response.status_code == 302
    return Document.objects.filter(kind=PROMOTION_RESULTS).order_by("-id").first()


def _download(client, round_, document):
    response = client.get(reverse("hr:promotions_round_document", args=[round_.pk, document.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"].startswith("private, no-store")
    return b"".join(response.streaming_content)


def test_hr_issues_the_arabic_results_pdf_and_downloads_it(
    client, published, django_capture_on_commit_callbacks
):
    round_, offers, people, checker = published
    sign_in_verified(client, checker)
    page = client.get(reverse("hr:promotions_round_change", args=[round_.pk])).content.decode()
    assert "results-documents" in page and 'name="language"' in page
    document = _issue(client, round_, "ar", django_capture_on_commit_callbacks)
    assert document.holder is None and document.entity_id == round_.entity_id
    assert document.params == {"round": round_.pk} and document.language == "ar"
    assert document.status == Document.Status.READY
    data = _download(client, round_, document)
    lines = pdftotext_lines(data)
    first = CandidateScore.objects.get(round=round_, employee=people[0])
    assert contains_phrase(lines, round_.title_ar)
    assert contains_phrase(lines, people[0].full_name("ar"))
    assert contains_phrase(lines, str(first.total))
    assert contains_phrase(lines, offers[0].position.number)
    assert contains_phrase(lines, document.display_code)
    # The round page lists it with its download link.
    page = client.get(reverse("hr:promotions_round_change", args=[round_.pk])).content.decode()
    assert reverse("hr:promotions_round_document", args=[round_.pk, document.code]) in page


def test_the_english_results_pdf_and_its_key_facts_on_verify(
    client, published, django_capture_on_commit_callbacks
):
    round_, _offers, people, checker = published
    sign_in_verified(client, checker)
    document = _issue(client, round_, "en", django_capture_on_commit_callbacks)
    lines = pdftotext_lines(_download(client, round_, document))
    second = CandidateScore.objects.get(round=round_, employee=people[1])
    assert contains_phrase(lines, round_.title_en)
    assert contains_phrase(lines, people[1].full_name("en"))
    assert contains_phrase(lines, str(second.total))
    # What /verify/ states: title, reference date, candidates, promoted, publication date.
    published_on = timezone.localdate(round_.published_at)

    def both(value):
        return f"{format_hijri(value, 'en')} ({format_gregorian(value, 'en')})"

    with translation.override("en"):
        expected = [
            ["Promotion round", round_.title_en],
            ["Reference date", both(round_.reference_date)],
            ["Number of candidates", "3"],
            ["Number promoted", "2"],
            ["Published on", both(published_on)],
        ]
    assert document.key_facts["en"] == expected
    assert document.key_facts["ar"][0][1] == round_.title_ar
    client.logout()
    verify = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="en")
    text = verify.content.decode()
    assert verify.status_code == 200
    assert round_.title_en in text and "Number promoted" in text and document.sha256 in text
    # No name of a candidate is among the facts anyone can read.
    assert people[0].full_name("en") not in text


def test_another_entitys_hr_gets_404(client, published, django_capture_on_commit_callbacks):
    round_, _offers, _people, checker = published
    sign_in_verified(client, checker)
    document = _issue(client, round_, "ar", django_capture_on_commit_callbacks)
    sign_in_verified(client, make_hr_specialist(EntityFactory()))
    for response in (
        client.get(reverse("hr:promotions_round_document", args=[round_.pk, document.code])),
        client.get(reverse("hr:promotions_round_documents", args=[round_.pk])),
        client.post(reverse("hr:promotions_round_documents", args=[round_.pk]), {"language": "en"}),
    ):
        assert response.status_code == 404
    assert Document.objects.filter(kind=PROMOTION_RESULTS).count() == 1


def test_a_code_of_another_round_is_404(client, published, django_capture_on_commit_callbacks):
    round_, _offers, _people, checker = published
    sign_in_verified(client, checker)
    document = _issue(client, round_, "ar", django_capture_on_commit_callbacks)
    other, *_rest = reviewed_round(django_capture_on_commit_callbacks)
    other.entity = round_.entity
    other.save(update_fields=["entity"])
    response = client.get(reverse("hr:promotions_round_document", args=[other.pk, document.code]))
    assert response.status_code == 404


def test_before_publication_no_document_is_issued(client, django_capture_on_commit_callbacks):
    round_, _offers, _people, checker = reviewed_round(django_capture_on_commit_callbacks)
    sign_in_verified(client, checker)
    page = client.get(reverse("hr:promotions_round_change", args=[round_.pk])).content.decode()
    action = reverse("hr:promotions_round_documents", args=[round_.pk])
    assert f'action="{action}"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("hr:promotions_round_documents", args=[round_.pk]), {"language": "ar"})
    assert not Document.objects.filter(kind=PROMOTION_RESULTS).exists()


def test_asking_twice_makes_one_document_per_language(
    client, published, django_capture_on_commit_callbacks
):
    round_, _offers, _people, checker = published
    sign_in_verified(client, checker)
    first = _issue(client, round_, "ar", django_capture_on_commit_callbacks)
    again = _issue(client, round_, "ar", django_capture_on_commit_callbacks)
    english = _issue(client, round_, "en", django_capture_on_commit_callbacks)
    assert first.pk == again.pk and english.pk != first.pk
    assert Document.objects.filter(kind=PROMOTION_RESULTS).count() == 2
    assert default_storage.exists(first.file_name)


def test_the_list_polls_while_a_document_is_being_prepared(client, published):
    round_, _offers, _people, checker = published
    sign_in_verified(client, checker)
    # Without running the worker: the document stays pending.
    client.post(reverse("hr:promotions_round_documents", args=[round_.pk]), {"language": "ar"})
    fragment = client.get(reverse("hr:promotions_round_documents", args=[round_.pk]))
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    page = client.get(reverse("hr:promotions_round_change", args=[round_.pk])).content.decode()
    assert 'http-equiv="refresh"' in page  # the refresh fallback without JavaScript


def test_a_large_round_prints_every_decision_and_the_top_of_the_table(
    client, published, django_capture_on_commit_callbacks, monkeypatch
):
    from promotions import documents

    round_, _offers, people, checker = published
    monkeypatch.setattr(documents, "RANKED_ROWS", 1)
    sign_in_verified(client, checker)
    document = _issue(client, round_, "en", django_capture_on_commit_callbacks)
    lines = pdftotext_lines(_download(client, round_, document))
    # Both promoted people are in the decisions, only place 1 in the ranked table, and the
    # third (not promoted, place 3) nowhere; the note says where the whole table is.
    assert contains_phrase(lines, people[1].national_id)
    assert not contains_phrase(lines, people[2].national_id)
    assert contains_phrase(lines, "Places 1 to 1 of 3 candidates.")
    assert document.key_facts["en"][2] == ["Number of candidates", "3"]
