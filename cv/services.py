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
from core.uploads import CheckedUpload, files_removed_on_rollback, store_privately
from employment_records.models import Employee

from . import selectors
from .audit import CvAction
from .documents import CV_KIND
from .models import CertificateCopy, CvExport
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


def _replace_copy(entry, upload: CheckedUpload | None, *, remove: bool, stored: list) -> None:
    """Attach a new copy (the old file goes after commit) or remove the current one."""
    if upload is None and not remove:
        return
    current = entry.attachment
    if current is not None:
        _delete_file_on_commit(current.storage_name)
        current.delete()
    if upload is not None:
        name = store_privately(upload, folder="cv")
        stored.append(name)
        CertificateCopy.objects.create(
            certificate=entry,
            storage_name=name,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
        )


def _save(entry) -> None:
    """Save, turning a duplicate the checks above missed into a message."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise CvError(
            _("This entry is already in your CV in this language."), code="duplicate"
        ) from None


def add_entry(*, employee: Employee, section: Section, language: str, values: dict, actor):
    with files_removed_on_rollback() as stored, transaction.atomic():
        return _add_entry(
            employee=employee,
            section=section,
            language=language,
            values=values,
            actor=actor,
            stored=stored,
        )


def _add_entry(*, employee, section, language, values, actor, stored):
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
    _save(entry)
    _replace_copy(entry, attachment, remove=False, stored=stored)
    audit(
        action=CvAction.ENTRY_ADDED,
        actor=actor,
        subject=entry,
        entity_id=employee.entity_id,
        changes={"section": section.code, "language": language},
    )
    return entry


def update_entry(*, employee: Employee, section: Section, entry_id: int, values: dict, actor):
    with files_removed_on_rollback() as stored, transaction.atomic():
        return _update_entry(
            employee=employee,
            section=section,
            entry_id=entry_id,
            values=values,
            actor=actor,
            stored=stored,
        )


def _update_entry(*, employee, section, entry_id, values, actor, stored):
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
    _save(entry)
    if section.code == "certificates":
        _replace_copy(entry, attachment, remove=remove, stored=stored)
    audit(
        action=CvAction.ENTRY_CHANGED,
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
    if section.code == "certificates" and entry.attachment is not None:
        _delete_file_on_commit(entry.attachment.storage_name)
    audit(
        action=CvAction.ENTRY_REMOVED,
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
    selectors.forget_own_sections(employee.pk)  # update() sends no signal
    audit(
        action=CvAction.ENTRY_MOVED,
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
        document = request_document(
            kind=CV_KIND, holder=employee, requested_by=actor, language=language
        )
        CvExport.objects.create(document=document, language=language, snapshot=snapshot)
    return document
