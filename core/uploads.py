"""Evidence and attachments: checked by content, size and name; stored privately under
server-generated names; served only through views that have checked access.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# content type -> (leading bytes, extensions accepted for it, extension stored)
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-", {".pdf"}, ".pdf"),
    "image/png": (b"\x89PNG\r\n\x1a\n", {".png"}, ".png"),
    "image/jpeg": (b"\xff\xd8\xff", {".jpg", ".jpeg"}, ".jpg"),
}
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    content_type: str
    original_name: str
    size: int

    @property
    def stored_extension(self) -> str:
        return ALLOWED_TYPES[self.content_type][2]


def check_name(name: str) -> str:
    """The file's own name, or ValidationError for a name that tries to be a path."""
    normalised = unicodedata.normalize("NFC", name or "")
    if (
        not normalised
        or len(normalised) > MAX_NAME_LENGTH
        or any(sep in normalised for sep in ("/", "\\", "\x00"))
        or normalised.startswith(".")
        or ".." in normalised
        or any(unicodedata.category(char) == "Cc" for char in normalised)
    ):
        raise ValidationError(
            _(
                "The file name “%(name)s” is not accepted. Rename the file using letters, digits, "
                "spaces, dashes and one dot before the extension."
            ),
            code="bad_name",
            params={"name": normalised[:40]},
        )
    return normalised


def sniff_type(head: bytes) -> str | None:
    for content_type, (magic, _extensions, _stored) in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def _content_is_sound(content_type: str, data: bytes) -> bool:
    """Opening the file, not just its first bytes: a renamed or truncated file fails here."""
    try:
        if content_type == "application/pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            return len(reader.pages) > 0
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:  # any parsing failure means the file is not what it claims
        return False


def check_upload(upload) -> CheckedUpload:
    """Validate one uploaded file; ValidationError with a message the person can act on."""
    name = check_name(upload.name)
    if upload.size == 0:
        raise ValidationError(
            _("The file “%(name)s” is empty."), code="empty", params={"name": name}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file “%(name)s” is larger than %(limit)s."),
            code="too_large",
            params={"name": name, "limit": file_size(settings.UPLOAD_MAX_BYTES)},
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = sniff_type(data[:16])
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if (
        content_type is None
        or extension not in ALLOWED_TYPES[content_type][1]
        or not _content_is_sound(content_type, data)
    ):
        raise ValidationError(
            _(
                "The file “%(name)s” is not a PDF, JPG or PNG file (its content was checked, "
                "not only its name)."
            ),
            code="bad_type",
            params={"name": name},
        )
    return CheckedUpload(
        file=upload, content_type=content_type, original_name=name, size=upload.size
    )


def file_size(num_bytes) -> str:
    """'10 MB' / '10 ميغابايت': the unit written out in the page's language (Django's
    filesizeformat gives '10,0 م.ب' in Arabic)."""
    num_bytes = int(num_bytes or 0)

    def number(value: float) -> str:
        return f"{value:.1f}".removesuffix(".0")

    if num_bytes < 1024:
        return _("%(size)s bytes") % {"size": num_bytes}
    if num_bytes < 1024 * 1024:
        return _("%(size)s KB") % {"size": number(num_bytes / 1024)}
    return _("%(size)s MB") % {"size": number(num_bytes / (1024 * 1024))}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _evidence_help_text() -> str:
    return _("PDF, JPG or PNG; up to %(count)s files of %(size)s each.") % {
        "count": settings.UPLOAD_MAX_FILES,
        "size": file_size(settings.UPLOAD_MAX_BYTES),
    }


class EvidenceField(forms.FileField):
    """Up to UPLOAD_MAX_FILES files, each checked; cleans to a list of CheckedUpload."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        # Lazy: fields are built when a form class is imported, and the text must follow the
        # language of each request, not the one active at import.
        kwargs.setdefault("help_text", lazy(_evidence_help_text, str)())
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/*")

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > settings.UPLOAD_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)s files."),
                code="too_many",
                params={"count": settings.UPLOAD_MAX_FILES},
            )
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return checked


def store_privately(checked: CheckedUpload, *, folder: str) -> str:
    """Save under a server-generated name; returns the storage name to keep on the model."""
    name = f"{folder}/{uuid.uuid4().hex}{checked.stored_extension}"
    return default_storage.save(name, checked.file)


def private_file_response(
    storage_name: str, *, download_name: str, content_type: str
) -> FileResponse:
    """Serve a private file that the caller has already authorised."""
    response = FileResponse(
        default_storage.open(storage_name, "rb"),
        as_attachment=True,
        filename=download_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


class PrivateAttachment(models.Model):
    """A checked upload kept in private storage; the concrete model adds its owner's key.

    Stored only through `store_privately` inside `files_removed_on_rollback`, served only
    through `attachment_response` by a view that has checked access.
    """

    storage_name = models.CharField(_("stored file"), max_length=200, unique=True)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]
        constraints = [
            # The upload check lets only these through; the table agrees.
            models.CheckConstraint(
                condition=models.Q(content_type__in=list(ALLOWED_TYPES)),
                name="%(app_label)s_%(class)s_type_allowed",
            )
        ]

    def __str__(self):
        return self.original_name


class _StoredFiles(list):
    """Storage names written in one transaction; knows whether that transaction committed."""

    committed = False

    def append(self, name: str) -> None:
        if not self:
            # Registered with the first file, before the notices that follow it: when a later
            # on-commit hook raises (a broker refusing an SMS), this one has already run, and
            # the files of committed rows stay.
            transaction.on_commit(self._mark_committed, robust=True)
        super().append(name)

    def _mark_committed(self) -> None:
        self.committed = True


@contextmanager
def files_removed_on_rollback():
    """Files are written before their rows commit. Store them inside this block (append each
    storage name to the list it yields) and wrap the transaction in it: when the block raises
    before its transaction commits, the files are deleted, so storage never holds a file
    without a row."""
    stored = _StoredFiles()
    try:
        yield stored
    except BaseException:
        if not stored.committed:
            for name in stored:
                default_storage.delete(name)
        raise


def attachment_response(attachment: PrivateAttachment) -> FileResponse:
    """Download a stored attachment the caller has already authorised."""
    return private_file_response(
        attachment.storage_name,
        download_name=attachment.original_name,
        content_type=attachment.content_type,
    )
