import datetime as dt

from django import template

from core.dates import format_gregorian, format_hijri

register = template.Library()


@register.filter
def cv_date(value):
    """A date of the CV (a `date` or its ISO text in a snapshot) in both calendars."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{format_hijri(value)} ({format_gregorian(value)})"
