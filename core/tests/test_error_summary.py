"""The error summary names each field and links to its input (issue 15): the sign-in summary
said 'This field is required.' twice, with nothing to tell the two apart."""

import re

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class SignInLike(forms.Form):
    national_id = forms.CharField(label="National ID")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    calendar = forms.ChoiceField(
        label="Calendar", choices=[("g", "Gregorian"), ("h", "Hijri")], widget=forms.RadioSelect
    )


def test_each_error_names_its_field_and_links_to_its_input():
    form = SignInLike(data={})
    with translation.override("en"):
        html = render_to_string("components/error_summary.html", {"form": form})
    items = re.findall(r'<a href="#([^"]+)">(.*?)</a>', html, re.S)
    text = {target: re.sub(r"<[^>]+>", "", label) for target, label in items}
    assert text == {
        "id_national_id": "National ID: This field is required.",
        "id_password": "Password: This field is required.",
        "id_calendar_0": "Calendar: This field is required.",
    }
