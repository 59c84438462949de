"""Generated documents: a registry of kinds, the request service, the render step and the
selectors. Shared by the service statement (employment_records), Bayan and the CV.

A kind registers itself from its app's `AppConfig.ready()`:

    register(DocumentKind(
        code="service_statement", label=_("Service certificate"),
        template_name="employment_records/documents/service_statement.html",
        build_context=service_statement_context,      # (document) -> dict
    ))

Flow: `request_document()` creates a pending row and, after commit, enqueues
`core.tasks.render_document` (queue `documents`); the task calls `render_and_store()`, which is
safe to run twice; `/verify/<code>/` answers from `find_for_verification()`.

A document is about a person (`holder`) or, with no holder, about something of an entity named
in `params` (a promotion round's results). At issue time the file's SHA-256 and the kind's key
facts (in Arabic and English) are stored, so /verify/ can show what the document states and
check an uploaded copy byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .audit import audit
from .models import CODE_ALPHABET, CODE_LENGTH, Document
from .pdf import qr_data_uri, render_pdf

logger = logging.getLogger(__name__)

# A pending document older than this is queued again by the beat task (a lost message, a
# broker that was down). A worker killed mid-render is covered sooner by acks_late with
# task_reject_on_worker_lost and the broker's visibility timeout (settings.py).
STALE_AFTER = dt.timedelta(minutes=2)
# Past this, the person is told it is taking longer than usual (and how long it has waited).
SLOW_AFTER = dt.timedelta(seconds=30)


def is_slow(document: Document, *, now=None) -> bool:
    return document.status == Document.Status.PENDING and (
        (now or timezone.now()) - document.created_at > SLOW_AFTER
    )


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    template_name: str
    build_context: Callable[[Document], dict]
    file_prefix: str = "document"
    language: str = "ar"  # documents are rendered in their own language, not the browser's
    # What /verify/ adds for this kind (e.g. the CV's official part): a template included
    # under the key facts, and its context built from the document. Empty: key facts only.
    verification_template: str = ""
    verification_context: Callable[[Document], dict] | None = None
    # (document, render context) -> [(label, value), ...] in the active language: what the
    # document states, stored at issue time for /verify/. Called once per language.
    key_facts: Callable[[Document, dict], list[tuple[str, str]]] | None = None
    # The languages a person may ask for; `language` is the default.
    languages: tuple[str, ...] = ("ar",)


_REGISTRY: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> None:
    _REGISTRY[kind.code] = kind


def get_kind(code: str) -> DocumentKind:
    return _REGISTRY[code]


def verification_extra(document: Document) -> dict:
    """The kind's own part of the /verify/ page: {"template": ..., **context} or {}."""
    kind = _REGISTRY.get(document.kind)
    if kind is None or not kind.verification_template:
        return {}
    context = kind.verification_context(document) if kind.verification_context else {}
    return {"verification_template": kind.verification_template, **context}


def kind_label(code: str) -> str:
    kind = _REGISTRY.get(code)
    return str(kind.label) if kind else code


class DocumentError(ValidationError):
    """A document that cannot be requested; the message is shown to the person."""


# --- services -----------------------------------------------------------------------------


def request_document(
    *, kind: str, requested_by, holder=None, entity=None, params=None, language=None
) -> Document:
    """A pending document, rendered by a worker after commit: about `holder` (its entity is the
    holder's), or about something of `entity` named in `params`."""
    if kind not in _REGISTRY:
        raise DocumentError(_("This kind of document does not exist."), code="unknown_kind")
    document_kind = _REGISTRY[kind]
    language = language or document_kind.language
    if language not in document_kind.languages:
        raise DocumentError(
            _("This document is not issued in the language asked for."), code="language"
        )
    entity_id = holder.entity_id if holder is not None else getattr(entity, "pk", entity)
    if entity_id is None or (holder is None and not params):
        raise ValueError("a document needs a holder, or an entity and params")
    with transaction.atomic():
        document = Document.objects.create(
            kind=kind,
            holder=holder,
            entity_id=entity_id,
            language=language,
            params=params or {},
            requested_by=requested_by,
            enqueued_at=timezone.now(),
        )
        audit(
            action="document.requested",
            actor=requested_by,
            subject=document,
            entity_id=entity_id,
            changes={"kind": kind, "language": language, **({"params": params} if params else {})},
        )
        transaction.on_commit(lambda: enqueue_render(document.pk))
    return document


def enqueue_render(document_id: int) -> None:
    """Queue the render. A broker that is down loses nothing: the document stays pending
    and the beat re-queue (requeue_stale) sends it again once the broker is back."""
    from .outages import is_outage
    from .tasks import render_document

    try:
        render_document.delay(document_id)
    except Exception as error:
        if not is_outage(error):
            raise
        logger.warning("document %s not queued (%s): left for the re-queue", document_id, error)


def verification_url(document: Document) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("verify", args=[document.code])


def render_and_store(document_id: int) -> Document:
    """Render the PDF and mark the document ready. Safe to run twice or concurrently: a
    document that is already ready is returned as it is, and the second of two racing
    renders discards its own file."""
    document = Document.objects.select_related("holder", "entity").get(pk=document_id)
    if document.status == Document.Status.READY and default_storage.exists(document.file_name):
        return document
    kind = get_kind(document.kind)
    issued_at = timezone.now()
    with translation.override(document.language):
        context = {
            **kind.build_context(document),
            "document": document,
            "issued_at": issued_at,
            "verification_url": verification_url(document),
            "qr_data_uri": qr_data_uri(verification_url(document)),
        }
        pdf = render_pdf(kind.template_name, context)
    key_facts = stated_facts(kind, document, context)
    name = default_storage.save(
        f"documents/{kind.file_prefix}-{uuid.uuid4().hex}.pdf", ContentFile(pdf)
    )
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document_id)
        if locked.status == Document.Status.READY and default_storage.exists(locked.file_name):
            default_storage.delete(name)  # another delivery of the task won the race
            return locked
        locked.status = Document.Status.READY
        locked.file_name = name
        locked.issued_at = issued_at
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.key_facts = key_facts
        locked.save(update_fields=["status", "file_name", "issued_at", "sha256", "key_facts"])
    return locked


def stated_facts(kind: DocumentKind, document: Document, context: dict) -> dict:
    """The kind's key facts in each portal language, as plain strings for the JSON column."""
    if kind.key_facts is None:
        return {}
    facts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            facts[language] = [
                [str(label), str(value)] for label, value in kind.key_facts(document, context)
            ]
    return facts


def facts_for_language(document: Document, language: str) -> list[list[str]]:
    """The stored key facts in `language`, else in Arabic (the documents' first language)."""
    facts = document.key_facts or {}
    return facts.get(language) or facts.get("ar") or []


def sha256_matches(document: Document, data: bytes) -> bool:
    """Is `data` byte for byte the file issued as `document`?"""
    return bool(document.sha256) and hashlib.sha256(data).hexdigest() == document.sha256


def mark_failed(document_id: int) -> None:
    Document.objects.filter(pk=document_id, status=Document.Status.PENDING).update(
        status=Document.Status.FAILED
    )


def requeue_stale(*, now=None) -> list[int]:
    """Re-enqueue documents left pending longer than STALE_AFTER (a lost task, a dead
    worker); returns their ids."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    ids = list(
        Document.objects.filter(status=Document.Status.PENDING, enqueued_at__lt=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:500]
    )
    Document.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    for document_id in ids:
        enqueue_render(document_id)
    if ids:
        logger.info("re-enqueued %d stale documents", len(ids))
    return ids


def revoke(*, document: Document, actor) -> Document:
    with transaction.atomic():
        document.revoked_at = timezone.now()
        document.save(update_fields=["revoked_at"])
        audit(action="document.revoked", actor=actor, subject=document, entity=document.entity)
    return document


# --- selectors ----------------------------------------------------------------------------


def documents_of_holder(*, holder, kind: str):
    return Document.objects.filter(holder=holder, kind=kind).order_by("-created_at", "-id")


def documents_of_entity(*, entity_id: int, kind: str, params: dict | None = None):
    """An entity's documents of one kind that have no holder (optionally about `params`)."""
    documents = Document.objects.filter(entity_id=entity_id, kind=kind, holder__isnull=True)
    if params is not None:
        documents = documents.filter(params=params)
    return documents.order_by("-created_at", "-id")


def access_document_for_entity(*, entity_id: int, code: str) -> Document:
    """The entity's own holder-less document, or 404 (another entity's code reveals nothing)."""
    return get_object_or_404(
        Document, entity_id=entity_id, holder__isnull=True, code=normalise_code(code) or "-"
    )


def access_document_for_holder(*, holder, code: str) -> Document:
    """The holder's own document, or 404: another person's code reveals nothing here."""
    return get_object_or_404(Document, holder=holder, code=normalise_code(code) or "-")


def normalise_code(text: str) -> str | None:
    """The stored form of a typed code (spaces and dashes dropped, case ignored, and the
    letters people confuse with digits read as the digits), or None when it cannot be one."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -")
    cleaned = cleaned.translate(str.maketrans("ILO", "110"))
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def find_for_verification(code: str) -> Document | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return (
        Document.objects.select_related("holder", "entity")
        .filter(code=normalised, status=Document.Status.READY)
        .first()
    )
