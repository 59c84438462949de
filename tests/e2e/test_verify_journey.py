"""A verifier checks the PDF they were given at /verify/<code>/ (issue 15): the issued file
matches, an altered one does not; Arabic and English, at desktop width and 390 px, axe-core
on every page. Without JavaScript the form posts the file; with it, the file can be dropped."""

import pytest

from core.documents import render_and_store, request_document
from employment_records.tests.factories import ActionFactory, EmployeeFactory
from tests.fixtures.browser import MOBILE_VIEWPORT, assert_accessible, click_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VERDICTS = {
    "ar": ("هذا الملف مطابق للملف الصادر", "غير مطابق", "التحقق من مستند"),
    "en": ("matches the issued file byte for byte", "Does not match", "Verify a document"),
}


@pytest.fixture
def issued(tmp_path):
    from django.core.files.storage import default_storage

    employee = EmployeeFactory()
    ActionFactory(employee=employee)
    document = render_and_store(
        request_document(kind="service_statement", holder=employee, requested_by=None).pk
    )
    original = tmp_path / "statement.pdf"
    original.write_bytes(default_storage.open(document.file_name).read())
    altered = tmp_path / "altered.pdf"
    data = original.read_bytes()
    middle = len(data) // 2
    altered.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    return document, original, altered


@pytest.mark.parametrize(
    ("language", "viewport"), [("ar", None), ("en", None), ("ar", MOBILE_VIEWPORT)]
)
def test_the_issued_pdf_matches_and_an_altered_one_does_not(
    live_server, new_page, issued, language, viewport
):
    document, original, altered = issued
    page = new_page(locale="ar-SA" if language == "ar" else "en-US", viewport=viewport)
    page.goto(f"/verify/{document.code}/")
    matches, does_not, title = VERDICTS[language]
    assert title in page.get_by_role("heading", level=1).inner_text()
    assert document.sha256 in page.content()
    assert_accessible(page)

    page.locator("#verify-file").set_input_files(str(original))
    click_and_wait(page.locator("#file-check button[type=submit]"))
    assert matches in page.locator("#file-check").inner_text()
    assert_accessible(page)

    page.locator("#verify-file").set_input_files(str(altered))
    click_and_wait(page.locator("#file-check button[type=submit]"))
    assert does_not in page.locator("#file-check").inner_text()
    assert_accessible(page)
    if viewport:  # nothing wider than the phone: the digests wrap
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE_VIEWPORT["width"]
