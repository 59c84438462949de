import datetime as dt
import functools

from django import template
from django.utils.translation import get_language

from core.dates import format_gregorian, format_hijri

register = template.Library()


@register.filter
def cv_date(value):
    """A date of the CV (a `date` or its ISO text in a snapshot) in both calendars."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return _both_calendars(value, get_language())


@functools.lru_cache(maxsize=8192)
def _both_calendars(value: dt.date, language: str | None) -> str:
    """Memoised per day and language, as core.dates.dual_date (the catalogues only change on
    restart): the CV page writes each of its dates without converting calendars again."""
    return f"{format_hijri(value, language)} ({format_gregorian(value, language)})"
