"""core.widgets.FastSelect writes the markup Django's Select writes with the project's
templates, byte for byte, for every kind of choice and attribute."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from core.widgets import FastSelect
from employment_records.forms import RecordFilterForm
from employment_records.models import ActionType

CHOICES = [("", "All"), ("a", "Alpha & <b>"), (2, 2000), ("q\"'", mark_safe("<i>safe</i>"))]
GROUPED = [("", "None"), ("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, "", None),
        (CHOICES, "a", {"id": "id_kind", "required": True, "disabled": False}),
        (CHOICES, 2, {"aria-describedby": 'help "x"', "data-n": 3, "hidden": None}),
        (CHOICES, "not a choice", None),
        (GROUPED, "y", {"class": "wide"}),
        ([("", gettext_lazy("All types")), *ActionType.choices], "promotion", None),
    ],
)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_markup_is_django_s(choices, value, attrs, language):
    with override(language):
        expected = forms.Select(choices=choices).render("kind", value, attrs=attrs)
        got = FastSelect(choices=choices).render("kind", value, attrs=attrs)
    assert got == expected


def test_widget_attributes_and_option_attributes_are_kept():
    widget = FastSelect(attrs={"class": "filter"}, choices=CHOICES)
    widget.option_inherits_attrs = True
    expected = forms.Select(attrs={"class": "filter"}, choices=CHOICES)
    expected.option_inherits_attrs = True
    assert widget.render("kind", "a") == expected.render("kind", "a")


def test_the_record_filter_uses_it_and_keeps_the_bound_field_s_attributes():
    """As a bound field renders it: id, and Django 5.2's aria-invalid on an error."""
    form = RecordFilterForm({"type": "nonsense"}, choices=ActionType.choices)
    assert isinstance(form.fields["type"].widget, FastSelect)
    assert not form.is_valid()
    html = str(form["type"])
    assert 'name="type"' in html and 'id="id_type"' in html and 'aria-invalid="true"' in html
    reference = RecordFilterForm({"type": "nonsense"}, choices=ActionType.choices)
    reference.fields["type"].widget = forms.Select(choices=reference.fields["type"].choices)
    reference.is_valid()
    assert html == str(reference["type"])
