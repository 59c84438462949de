from django import template

from core.dates import format_gregorian, format_hijri

register = template.Library()


@register.filter
def hijri_date(value):
    return format_hijri(value)


@register.filter
def gregorian_date(value):
    return format_gregorian(value)


@register.simple_tag
def dual_date(value):
    """Both calendars, Hijri first (the administrative calendar). Stripped: the template's final
    newline would otherwise put a space before the punctuation that follows ('2027م .')."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return mark_safe(render_to_string("components/date.html", {"value": value}).strip())  # noqa: S308


def mask_name(full_name: str) -> str:
    """'محمد عبدالله سعد القحطاني' -> 'محمد ع*** س*** ا***': enough to match a face to a
    paper, not enough to learn someone's family from a code."""
    first, *rest = (full_name or "").split() or [""]
    return " ".join([first, *(f"{part[0]}***" for part in rest)])


@register.filter
def masked_name(person):
    """A person's name (anything with `full_name()`) with all but the first name masked."""
    return mask_name(person.full_name())


@register.filter
def mask_id(national_id):
    """A national ID with all but the last four digits hidden."""
    from core.validators import mask_national_id

    return mask_national_id(national_id) if national_id else ""


@register.filter(name="mask_mobile")
def mask_mobile_filter(mobile):
    """A mobile number with all but the last digits hidden, as every page shows it."""
    from core.validators import mask_mobile

    return mask_mobile(mobile) if mobile else ""


@register.filter(name="file_size")
def file_size_filter(num_bytes):
    """'10 ميغابايت' / '10 MB'."""
    from core.uploads import file_size

    return file_size(num_bytes)


@register.simple_tag
def ltr(text):
    """Left-to-right text (a URL, a code) inside right-to-left text, isolated as one run.
    Documents print it on a line of its own (`<br>` before it, never wrapped: document.css),
    so a URL's trailing "/" does not sit against the Arabic word before it, where a reader
    of the line right to left met it first ("عبر /https://...")."""
    from django.utils.html import format_html

    return format_html('<bdi dir="ltr" class="latin">{}</bdi>', text)
