"""The documents contract: documents about an entity (no holder), languages, key facts stored
at issue time, and the SHA-256 of the issued file."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core import documents
from core.models import Document
from employment_records.tests.factories import EmployeeFactory, EntityFactory
from employment_records.tests.pdf_text import contains_phrase

pytestmark = pytest.mark.django_db

TEMPLATES_HERE = Path(__file__).parent / "templates"


def round_facts(document, context):
    return [(_("Title"), context["title"]), (_("Language"), document.language)]


@pytest.fixture
def entity_kind(settings):
    templates = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_HERE]}
    ]
    kind = documents.DocumentKind(
        code="test_entity_report",
        label="Test report",
        template_name="core_tests/entity_document.html",
        build_context=lambda document: {"title": f"Round {document.params['round']}"},
        key_facts=round_facts,
        languages=("ar", "en"),
    )
    documents.register(kind)
    with override_settings(TEMPLATES=templates):
        yield kind
    documents._REGISTRY.pop(kind.code)


def issue(capture, **kwargs):
    with capture(execute=True):
        document = documents.request_document(requested_by=None, **kwargs)
    document.refresh_from_db()
    return document


def test_a_document_about_an_entity_is_issued_with_its_digest_and_facts(
    entity_kind, django_capture_on_commit_callbacks
):
    entity = EntityFactory()
    document = issue(
        django_capture_on_commit_callbacks,
        kind=entity_kind.code,
        entity=entity,
        params={"round": 7},
        language="en",
    )
    assert document.holder is None and document.entity == entity
    assert document.status == Document.Status.READY and document.language == "en"
    data = default_storage.open(document.file_name).read()
    assert contains_phrase(data, "Round 7")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert documents.sha256_matches(document, data)
    assert not documents.sha256_matches(document, data + b"%")
    assert document.key_facts["en"] == [["Title", "Round 7"], ["Language", "en"]]
    assert document.key_facts["ar"][0] == ["العنوان", "Round 7"]
    assert documents.facts_for_language(document, "fr") == document.key_facts["ar"]


def test_the_entity_selectors_answer_only_for_the_entity(
    entity_kind, django_capture_on_commit_callbacks
):
    entity, other = EntityFactory(), EntityFactory()
    document = issue(
        django_capture_on_commit_callbacks,
        kind=entity_kind.code,
        entity=entity,
        params={"round": 1},
    )
    assert documents.access_document_for_entity(entity_id=entity.pk, code=document.code) == document
    with pytest.raises(Http404):
        documents.access_document_for_entity(entity_id=other.pk, code=document.code)
    assert list(documents.documents_of_entity(entity_id=entity.pk, kind=entity_kind.code)) == [
        document
    ]
    assert not documents.documents_of_entity(
        entity_id=entity.pk, kind=entity_kind.code, params={"round": 2}
    ).exists()


def test_a_language_the_kind_does_not_issue_is_refused(entity_kind):
    holder = EmployeeFactory()
    with pytest.raises(documents.DocumentError):
        documents.request_document(
            kind="service_statement", holder=holder, requested_by=None, language="fr"
        )
    with pytest.raises(ValueError):  # neither a holder nor what the document is about
        documents.request_document(kind=entity_kind.code, requested_by=None, entity=holder.entity)


def test_verify_shows_the_stated_facts_and_the_digest(
    client, entity_kind, django_capture_on_commit_callbacks
):
    document = issue(
        django_capture_on_commit_callbacks,
        kind=entity_kind.code,
        entity=EntityFactory(),
        params={"round": 3},
    )
    page = client.get(reverse("verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="ar")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Round 3" in text and document.sha256 in text
    assert "العنوان" in text
