"""The service statement PDF as text: what pdftotext extracts, in logical order (issue 15)."""

import datetime as dt
import shutil

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from core import documents
from core.dates import format_gregorian, format_hijri
from employment_records.models import ActionType
from employment_records.tests.factories import ActionFactory, EmployeeFactory
from employment_records.tests.pdf_text import is_tagged, pdf_language, pdftotext

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing"),
]


@pytest.fixture
def holder():
    employee = EmployeeFactory(unit__name_ar="إدارة الموارد البشرية")
    ActionFactory(
        employee=employee,
        action_type=ActionType.PROMOTION,
        decision_number="1444/00777",
        decision_date=dt.date(2023, 3, 1),
        effective_date=dt.date(2023, 3, 12),
        from_rank=7,
        to_rank=8,
        from_step=6,
        to_step=1,
    )
    return employee


def squeezed(text: str) -> str:
    return "".join(text.split())


def issued_pdf(holder, capture, **kwargs) -> tuple[object, bytes]:
    with capture(execute=True):
        document = documents.request_document(
            kind="service_statement", holder=holder, requested_by=None, **kwargs
        )
    document.refresh_from_db()
    return document, default_storage.open(document.file_name).read()


def test_names_and_titles_extract_in_logical_order(holder, django_capture_on_commit_callbacks):
    document, data = issued_pdf(holder, django_capture_on_commit_callbacks)
    text = pdftotext(data)
    # As written, not as drawn: no reversed ligature ("القحطاين"), no split word ("تار يخ").
    for phrase in (
        "محمد عبدالله سعد القحطاني",
        "تعريف بالخدمة",
        "البيانات الشخصية والوظيفية",
        "السجل الوظيفي",
        "تاريخ الإصدار",
        "الاسم (بالإنجليزية)",
        "تاريخ الميلاد",
        "إدارة الموارد البشرية",
        "Mohammed Abdullah Saad Al-Qahtani",
    ):
        assert phrase in text, phrase
    assert "القحطاين" not in text and "البرشية" not in text and "تار يخ" not in text
    # The titles come in reading order.
    positions = [text.index(t) for t in ("تعريف بالخدمة", "البيانات الشخصية", "السجل الوظيفي")]
    assert positions == sorted(positions)


def test_the_pdf_is_tagged_arabic(holder, django_capture_on_commit_callbacks):
    _, data = issued_pdf(holder, django_capture_on_commit_callbacks)
    assert is_tagged(data) and pdf_language(data) == "ar"


def test_the_record_shows_rank_from_and_to_and_both_calendars(
    holder, django_capture_on_commit_callbacks
):
    document, data = issued_pdf(holder, django_capture_on_commit_callbacks)
    # pdftotext puts the space beside a number inside Arabic on the number's other side
    # ("المرتبة  7إلى"): its own guess for digits in right-to-left lines. The words and
    # numbers themselves are in order, which is what is compared here.
    text = squeezed(pdftotext(data))
    assert squeezed("من المرتبة 7 إلى المرتبة 8") in text
    assert squeezed("من الدرجة 6 إلى الدرجة 1") in text
    with translation.override("ar"):
        effective = dt.date(2023, 3, 12)
        assert squeezed(format_hijri(effective)) in text
        assert squeezed(format_gregorian(effective)) in text


def test_the_verification_url_stands_on_its_own_line(holder, django_capture_on_commit_callbacks):
    document, data = issued_pdf(holder, django_capture_on_commit_callbacks)
    lines = [line.strip() for line in pdftotext(data, layout=True).splitlines()]
    assert documents.verification_url(document) in lines


def test_the_english_version_is_english_and_tagged_so(holder, django_capture_on_commit_callbacks):
    document, data = issued_pdf(holder, django_capture_on_commit_callbacks, language="en")
    assert document.language == "en" and is_tagged(data) and pdf_language(data) == "en"
    text = pdftotext(data)
    for phrase in (
        "Service certificate",
        "Personal and job data",
        "Employment record",
        "Mohammed Abdullah Saad Al-Qahtani",
        "محمد عبدالله سعد القحطاني",  # the Arabic name, still in logical order
        "From rank 7 to rank 8",
        "Step 6 to step 1",
        "Promotion",
        format_gregorian(dt.date(2023, 3, 12), "en"),
        "Anyone can check that this statement is authentic at",
    ):
        assert phrase in text, phrase
    # Fully translated: none of the Arabic labels of the Arabic version.
    for arabic in ("تعريف بالخدمة", "السجل الوظيفي", "تاريخ النفاذ", "المرتبة"):
        assert arabic not in text


def test_key_facts_are_stored_in_both_languages(holder, django_capture_on_commit_callbacks):
    document, _ = issued_pdf(holder, django_capture_on_commit_callbacks)
    english = dict(document.key_facts["en"])
    assert english["Rank and step"] == "Rank 8, step 3"
    assert english["Entries in the record"] == "1"
    assert english["Length of service"].endswith("days") or english["Length of service"].endswith(
        "day"
    )
    assert (
        english["Period covered"].startswith("From ")
        and "(1 September 2014)" in english["Period covered"]
    )
    arabic = dict(document.key_facts["ar"])
    assert arabic["المرتبة والدرجة"] == "المرتبة 8، الدرجة 3"
    assert "الفترة التي يشملها" in arabic and "مدة الخدمة" in arabic
    # Nothing the public page should not show: no name, no national ID.
    flat = str(document.key_facts)
    assert holder.national_id not in flat and "القحطاني" not in flat
