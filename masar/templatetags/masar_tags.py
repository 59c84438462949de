from django import template

from masar.dates import format_gregorian, format_hijri

register = template.Library()


@register.filter
def hijri_date(value):
    return format_hijri(value)


@register.filter
def gregorian_date(value):
    return format_gregorian(value)


@register.inclusion_tag("components/date.html")
def dual_date(value):
    """Both calendars, Hijri first (the administrative calendar)."""
    return {"value": value}
