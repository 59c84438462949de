"""Every write of the CV: one use case per function, one transaction each.

All writes of one person's CV first lock that person's `Employee` row: adding (the next
position, the limit, duplicates), editing, removing and reordering are then serialised per
person, so two racing requests (two tabs, a double click) never break the order or the limit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.audit import audit
from core.documents import request_document
from core.uploads import CheckedUpload, store_privately
from employment_records.models import Employee

from . import selectors
from .documents import CV_KIND
from .models import CvExport
from .sections import Section


class CvError(ValidationError):
    """A refused change; the message (or the field messages) are shown on the form."""


def _lock_person(employee: Employee) -> None:
    Employee.objects.select_for_update().only("pk").get(pk=employee.pk)


def _check_duplicate(*, section: Section, employee, language: str, values: dict, exclude=None):
    if not section.identity:
        return
    lookup = {}
    for name in section.identity:
        value = values.get(name)
        lookup[f"{name}__iexact" if isinstance(value, str) else name] = value
    same = section.model.objects.filter(employee=employee, language=language, **lookup)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise CvError(
            {section.identity[0]: _("This entry is already in your CV in this language.")},
            code="duplicate",
        )


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _store_attachment(entry, upload: CheckedUpload | None) -> str:
    """Keep the certificate's copy; returns the new file's name (to delete on failure)."""
    if upload is None:
        return ""
    name = store_privately(upload, folder="cv")
    _delete_file_on_commit(entry.storage_name)  # the copy it replaces
    entry.storage_name = name
    entry.original_name = upload.original_name
    entry.content_type = upload.content_type
    entry.size = upload.size
    return name


def _clear_attachment(entry) -> None:
    _delete_file_on_commit(entry.storage_name)
    entry.storage_name = entry.original_name = entry.content_type = ""
    entry.size = 0


def _save(entry, *, section, stored: str):
    """Save, turning a constraint the checks above missed into a message; a file stored for
    this change is removed when it fails."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if stored:
            default_storage.delete(stored)
        raise CvError(
            _("This entry is already in your CV in this language."), code="duplicate"
        ) from None
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise


@transaction.atomic
def add_entry(*, employee: Employee, section: Section, language: str, values: dict, actor):
    _lock_person(employee)
    entries = section.model.objects.filter(employee=employee, language=language)
    if entries.count() >= section.limit:
        raise CvError(
            _("This section already has %(count)s entries in this language, the most it can hold.")
            % {"count": section.limit},
            code="limit",
        )
    values = dict(values)
    attachment = values.pop("attachment", None)
    values.pop("remove_attachment", None)
    _check_duplicate(section=section, employee=employee, language=language, values=values)
    last = entries.aggregate(last=Max("position"))["last"] or 0
    entry = section.model(employee=employee, language=language, position=last + 1, **values)
    stored = _store_attachment(entry, attachment) if hasattr(entry, "storage_name") else ""
    _save(entry, section=section, stored=stored)
    audit(
        action="cv.entry_added",
        actor=actor,
        subject=entry,
        entity_id=employee.entity_id,
        changes={"section": section.code, "language": language},
    )
    return entry


@transaction.atomic
def update_entry(*, employee: Employee, section: Section, entry_id: int, values: dict, actor):
    _lock_person(employee)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    values = dict(values)
    attachment = values.pop("attachment", None)
    remove = values.pop("remove_attachment", False)
    _check_duplicate(
        section=section, employee=employee, language=entry.language, values=values, exclude=entry.pk
    )
    for name, value in values.items():
        setattr(entry, name, value)
    stored = ""
    if hasattr(entry, "storage_name"):
        if attachment is not None:
            stored = _store_attachment(entry, attachment)
        elif remove:
            _clear_attachment(entry)
    _save(entry, section=section, stored=stored)
    audit(
        action="cv.entry_changed",
        actor=actor,
        subject=entry,
        entity_id=employee.entity_id,
        changes={"section": section.code, "fields": sorted(values)},
    )
    return entry


@transaction.atomic
def remove_entry(*, employee: Employee, section: Section, entry_id: int, actor) -> None:
    _lock_person(employee)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    if hasattr(entry, "storage_name"):
        _delete_file_on_commit(entry.storage_name)
    audit(
        action="cv.entry_removed",
        actor=actor,
        subject=entry,
        entity_id=employee.entity_id,
        changes={"section": section.code, "language": entry.language},
    )
    entry.delete()


@transaction.atomic
def move_entry(
    *, employee: Employee, section: Section, entry_id: int, direction: str, actor
) -> bool:
    """Swap the entry with its neighbour above ("up") or below ("down") in its language.
    False when it is already first (or last). The swap goes through a free position (0) so the
    unique order holds at every statement."""
    _lock_person(employee)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    siblings = section.model.objects.filter(employee=employee, language=entry.language)
    if direction == "up":
        neighbour = siblings.filter(position__lt=entry.position).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=entry.position).order_by("position").first()
    if neighbour is None:
        return False
    mine, theirs = entry.position, neighbour.position
    siblings.filter(pk=entry.pk).update(position=0)
    siblings.filter(pk=neighbour.pk).update(position=mine)
    siblings.filter(pk=entry.pk).update(position=theirs)
    audit(
        action="cv.entry_moved",
        actor=actor,
        subject=entry,
        entity_id=employee.entity_id,
        changes={"section": section.code, "direction": direction},
    )
    return True


def request_cv_pdf(*, employee: Employee, language: str, actor):
    """A CV document in `language`, frozen now (the snapshot), rendered after commit."""
    with transaction.atomic():
        snapshot = selectors.cv_content(employee=employee, language=language)
        document = request_document(kind=CV_KIND, holder=employee, requested_by=actor)
        CvExport.objects.create(document=document, language=language, snapshot=snapshot)
    return document
