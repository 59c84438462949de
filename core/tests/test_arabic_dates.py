"""Arabic dates written the Arabic way (issue 15): no Latin commas, no stray space before the
punctuation that follows a date."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone, translation


def render(source, **context):
    return Template("{% load core_tags %}" + source).render(Context(context))


def test_a_dual_date_is_followed_directly_by_its_punctuation():
    with translation.override("ar"):
        text = render("{% dual_date d %}.", d=dt.date(2027, 1, 5))
    assert text.endswith("2027م</span></span>.")


def test_arabic_date_and_datetime_formats_have_no_latin_comma():
    moment = timezone.make_aware(dt.datetime(2026, 12, 2, 13, 5))
    with translation.override("ar"):
        text = render("{{ d|date }} | {{ m }}", d=dt.date(2026, 12, 2), m=moment)
    assert "," not in text
    assert text.startswith("2 ديسمبر 2026م |") and "2026م، 13:05" in text
    with translation.override("en"):
        assert render("{{ d|date }}", d=dt.date(2026, 12, 2)) == "Dec. 2, 2026"


def test_the_date_placeholder_is_in_the_page_language():
    from django import forms

    from core.dates import DualCalendarDateField

    class Form(forms.Form):
        born = DualCalendarDateField(label="Born")

    with translation.override("ar"):
        assert 'placeholder="سنة-شهر-يوم"' in str(Form()["born"])
    with translation.override("en"):
        assert 'placeholder="YYYY-MM-DD"' in str(Form()["born"])


def test_documents_write_both_calendars_one_way():
    """Statements, Bayan and promotion results state dates to /verify/ in one form."""
    from core.dates import both_calendars

    with translation.override("ar"):
        assert both_calendars(dt.date(2026, 11, 28)) == "18 جمادى الآخرة 1448 هـ (28 نوفمبر 2026م)"
    with translation.override("en"):
        assert (
            both_calendars(dt.date(2026, 11, 28))
            == "18 Jumada al-Akhirah 1448 AH (28 November 2026)"
        )
    assert both_calendars(None) == ""
