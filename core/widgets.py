"""Widgets whose markup is built in Python instead of through the form renderer's templates
(issue 16), for pages everyone opens: the record's filter of 27 action types cost a fifth of
that page's rendering as one template node per option attribute. The HTML is Django's, byte
for byte (templates/django/forms/widgets/select.html; core/tests/test_widgets.py compares)."""

from __future__ import annotations

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

_END_GROUP = SafeString("\n  </optgroup>")
_END_SELECT = SafeString("\n</select>")


def _text(value) -> str:
    """A value as a template writes it: localized, then escaped unless already safe."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _joined(pieces) -> SafeString:
    """Markup pieces (each already safe) as one."""
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _attributes(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: False leaves an attribute out, True writes its
    name alone, anything else its name and value."""
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    return format_html(
        '\n  <option value="{}"{}>{}</option>',
        str(option["value"]),
        _attributes(option["attrs"]),
        _text(option["label"]),
    )


class FastSelect(forms.Select):
    """Django's `Select`, rendered without a template."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', _text(group_name)))
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append(_END_GROUP)
        parts.append(_END_SELECT)
        return _joined(parts)
