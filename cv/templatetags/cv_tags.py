import datetime as dt

from django import template

from core.dates import dual_date

register = template.Library()


@register.filter
def cv_date(value):
    """A date of the CV (a `date` or its ISO text in a snapshot) in both calendars, from
    core.dates.dual_date, memoised per day and language."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    both = dual_date(value)
    return f"{both.hijri} ({both.gregorian})"
