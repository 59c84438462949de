"""core.pdf: tagged PDF whose Arabic text extracts in logical order (pdftotext)."""

import shutil

import pytest

from core import pdf
from employment_records.tests.pdf_text import is_tagged, pdftotext

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")

# Words with the ligatures and letter pairs that came out scrambled: lam-alef ("الإصدار" read
# "اإلصدار"), nun-yeh ("القحطاني" read "القحطاين"), sheen-ra ("البشرية" read "البرشية"), and
# bold ra/zain before yeh ("تاريخ", "بالإنجليزية" read "تار يخ", "بالإنجلزي ية").
WORDS = ["الإصدار", "القحطاني", "البشرية", "ديسمبر", "الآخرة", "الميلاد"]
BOLD = ["تاريخ الميلاد", "الاسم (بالإنجليزية)", "تعريف بالخدمة"]


def html(body: str) -> str:
    return (
        '<html lang="ar" dir="rtl"><head><title>اختبار</title>'
        f'<link rel="stylesheet" href="css/document.css"></head><body>{body}</body></html>'
    )


def test_arabic_extracts_in_logical_order_with_ligatures_and_bold():
    data = pdf.html_to_pdf(
        html("<p>" + " ".join(WORDS) + "</p>" + "".join(f"<h2>{text}</h2>" for text in BOLD))
    )
    text = pdftotext(data)
    assert " ".join(WORDS) in text
    for heading in BOLD:
        assert heading in text
    assert "القحطاين" not in text and "اإلصدار" not in text


def test_rendering_again_keeps_the_order():
    """The visual-order mapping is applied to each document's own fonts, once."""
    first = pdftotext(pdf.html_to_pdf(html("<p>القحطاني الإصدار</p>")))
    second = pdftotext(pdf.html_to_pdf(html("<p>القحطاني الإصدار</p>")))
    assert "القحطاني الإصدار" in first and "القحطاني الإصدار" in second


def test_the_pdf_is_tagged_with_its_language():
    data = pdf.html_to_pdf(html("<h1>بيان</h1>"))
    assert is_tagged(data)


def test_the_verification_url_has_a_line_of_its_own_ending_with_its_slash():
    from django.template import Context, Template

    url = "https://masar.example.sa/verify/7K2M9QXD4TPA/"
    body = Template("{% load core_tags %}<p>تحقق عبر<br>{% ltr url %}</p>").render(
        Context({"url": url})
    )
    lines = [
        line.strip() for line in pdftotext(pdf.html_to_pdf(html(body)), layout=True).splitlines()
    ]
    assert url in lines and "تحقق عبر" in lines


def test_the_wrapper_is_installed_once():
    pdf.font_configuration()
    pdf._install_logical_ligatures()
    import weasyprint.pdf as weasyprint_pdf

    assert weasyprint_pdf.build_fonts_dictionary.masar_logical_ligatures
    assert not getattr(
        weasyprint_pdf.build_fonts_dictionary.__closure__[0].cell_contents,
        "masar_logical_ligatures",
        False,
    )
