"""Widgets whose markup is built in Python instead of through the form renderer's templates
(issue 16), for pages everyone opens: the record's filter of 27 action types cost a fifth of
that page's rendering as one template node per option attribute. The HTML is Django's, byte
for byte (templates/django/forms/widgets/select.html; core/tests/test_widgets.py compares)."""

from __future__ import annotations

from html import escape  # what Django's escape() calls, without its lazy-argument check

from django import forms
from django.utils.formats import localize
from django.utils.safestring import SafeData, SafeString


def _value(value) -> str:
    """A value as `{{ value|stringformat:'s' }}` writes it: as text, escaped unless safe."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _text(value) -> str:
    """A value as `{{ value }}` writes it: localized, then as _value()."""
    value = localize(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False leaves an attribute out, True writes its
    name alone, anything else its name and value."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option: dict) -> str:
    attributes = _attributes(option["attrs"]) if option["attrs"] else ""
    return (
        f'\n  <option value="{_value(option["value"])}"{attributes}>'
        f"{_text(option['label'])}</option>"
    )


class FastSelect(forms.Select):
    """Django's `Select`, rendered without a template."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return SafeString("".join(parts))  # every piece escaped above
