"""Uploads are judged by their content, size and name."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import EvidenceField, check_name, check_upload, store_privately


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("evidence.pdf", pdf_bytes(), "application/pdf"), ("قرار.png", png_bytes(), "image/png")],
)
def test_real_pdf_and_png_are_accepted(name, content, kind):
    assert check_upload(upload(name, content)).content_type == kind


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("script.pdf", b"<script>alert(1)</script>", "bad_type"),
        ("renamed.pdf", png_bytes(), "bad_type"),
        ("broken.pdf", b"%PDF-1.7 not really", "bad_type"),
        ("program.exe", b"MZ\x90\x00", "bad_type"),
        (".hidden.pdf", pdf_bytes(), "bad_name"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.code == code


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\win.pdf", "a/b.pdf", "x\x00.pdf", "..pdf", ""]
)
def test_path_like_names_are_refused(name):
    # Django's multipart parser already keeps only the base name; this is the second wall,
    # for names that reach us by any other path.
    with pytest.raises(ValidationError) as error:
        check_name(name)
    assert error.value.code == "bad_name"


def test_oversize_files_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        check_upload(upload("big.png", png_bytes() + b"\0" * 200))
    assert error.value.code == "too_large"


def test_too_many_files_are_refused(settings):
    settings.UPLOAD_MAX_FILES = 2
    field = EvidenceField()
    with pytest.raises(ValidationError) as error:
        field.clean([upload(f"f{i}.png", png_bytes()) for i in range(3)])
    assert error.value.code == "too_many"


def test_stored_under_a_server_generated_name():
    checked = check_upload(upload("my evidence.pdf", pdf_bytes()))
    stored = store_privately(checked, folder="evidence")
    assert stored.startswith("evidence/") and stored.endswith(".pdf")
    assert "my evidence" not in stored


def test_file_sizes_are_written_out_in_the_page_language():
    from django.utils import translation

    from core.uploads import file_size

    with translation.override("ar"):
        assert file_size(10 * 1024 * 1024) == "10 ميغابايت"
        assert file_size(2300) == "2.2 كيلوبايت"
        assert file_size(500) == "500 بايت"
    with translation.override("en"):
        assert file_size(10 * 1024 * 1024) == "10 MB"
