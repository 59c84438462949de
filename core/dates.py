"""Umm al-Qura Hijri dates beside Gregorian ones.

Every date in the database is Gregorian; Hijri is a way of showing and typing one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from hijridate import Gregorian, Hijri

from core.validators import normalise_digits

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day in Riyadh: a UTC timestamp near midnight belongs to the next day."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def to_hijri(value: dt.date) -> Hijri | None:
    try:
        return Gregorian(value.year, value.month, value.day).to_hijri()
    except (OverflowError, ValueError):  # outside the Umm al-Qura table (1924-2077)
        return None


def hijri_year(value: dt.date) -> int:
    hijri = to_hijri(value)
    return hijri.year if hijri else value.year


def format_hijri(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'18 جمادى الآخرة 1448 هـ' or '18 Jumada al-Akhirah 1448 AH'."""
    if value is None:
        return ""
    value = local_date(value)
    hijri = to_hijri(value)
    if hijri is None:
        return ""
    if (language or get_language()) == "en":
        return f"{hijri.day} {hijri.month_name('en')} {hijri.year} AH"
    return f"{hijri.day} {hijri.month_name('ar')} {hijri.year} هـ"


def format_gregorian(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """'28 November 2026' or '28 نوفمبر 2026م' (Django's localised month names)."""
    if value is None:
        return ""
    value = local_date(value)
    active = get_language()
    language = language or active
    if language == active:
        text = formats.date_format(value, "j F Y")
    else:
        with translation.override(language):  # the month's name in the language asked for
            text = formats.date_format(value, "j F Y")
    return text if language == "en" else f"{text}م"


@dataclass(frozen=True, slots=True)
class DualDate:
    """A date in both calendars, formatted once: `{{ value }}` prints the date component's
    markup (Hijri first, the administrative calendar), `.hijri` and `.gregorian` the parts."""

    hijri: str
    gregorian: str

    def __html__(self) -> str:
        return format_html(
            '<span class="dual-date"><span>{}</span> <span class="dual-date-greg">{}</span></span>',
            self.hijri,
            self.gregorian,
        )

    __str__ = __html__


@functools.lru_cache(maxsize=8192)
def _dual_date(value: dt.date, language: str) -> DualDate:
    return DualDate(format_hijri(value, language), format_gregorian(value, language))


def dual_date(value: dt.date | dt.datetime | None) -> DualDate | None:
    """Both calendars in the active language, or None for no date. Memoised per (day,
    language): a page of 20 record rows formats each distinct date once per process, not
    through a template include per cell (issue 16). The catalogues only change on restart."""
    if not value:
        return None
    return _dual_date(local_date(value), get_language() or "ar")


def both_calendars(value: dt.date | dt.datetime | None) -> str:
    """Plain text for documents and /verify/: '18 جمادى الآخرة 1448 هـ (28 نوفمبر 2026م)'."""
    dates = dual_date(value)
    return f"{dates.hijri} ({dates.gregorian})" if dates else ""


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


def parse_date_parts(text: str) -> tuple[int, int, int] | None:
    text = normalise_digits(text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return int(match["y"]), int(match["m"]), int(match["d"])
    return None


class Calendar:
    HIJRI = "hijri"
    GREGORIAN = "gregorian"
    CHOICES = [(HIJRI, _("Hijri")), (GREGORIAN, _("Gregorian"))]


def to_gregorian(calendar: str, year: int, month: int, day: int) -> dt.date:
    """A Gregorian date from parts in either calendar, or ValidationError."""
    try:
        if calendar == Calendar.HIJRI:
            return dt.date(*Hijri(year, month, day).to_gregorian().datetuple())
        return dt.date(year, month, day)
    except (OverflowError, ValueError):
        raise ValidationError(
            _("This date does not exist in the chosen calendar."), code="invalid_date"
        ) from None


class DualCalendarWidget(forms.MultiWidget):
    template_name = "components/dual_calendar_widget.html"

    def __init__(self, attrs=None):
        widgets = {
            "calendar": forms.Select(choices=Calendar.CHOICES),
            "date": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "placeholder": _("YYYY-MM-DD"),
                    "autocomplete": "off",
                }
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [Calendar.GREGORIAN, value.isoformat()]
        return [Calendar.HIJRI, ""]


class DualCalendarDateField(forms.MultiValueField):
    """A date typed in Hijri (the default) or Gregorian; cleans to a Gregorian `date`.

    Accepts YYYY-MM-DD or DD/MM/YYYY with Western or Eastern Arabic digits.
    """

    widget = DualCalendarWidget
    default_error_messages = {
        "invalid": _("Enter the date as YYYY-MM-DD, for example 1411-08-19."),
        "required": _("Enter the date."),
    }

    def __init__(self, *, min_date=None, max_date=None, **kwargs):
        self.min_date, self.max_date = min_date, max_date
        # The calendar select always sends a value, so an empty date is judged here, not
        # by the parts: an optional field left empty is None, a required one "Enter the date."
        fields = (
            forms.ChoiceField(choices=Calendar.CHOICES, required=False),
            forms.CharField(max_length=12, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not data_list[1]:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        calendar = data_list[0] or Calendar.HIJRI
        parts = parse_date_parts(data_list[1])
        if parts is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        value = to_gregorian(calendar, *parts)
        if self.max_date and value > self.max_date:
            raise ValidationError(_("The date cannot be in the future."), code="max_date")
        if self.min_date and value < self.min_date:
            raise ValidationError(_("The date is too far in the past."), code="min_date")
        return value
