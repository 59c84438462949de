from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .validators import normalise_national_id


class NationalIdField(forms.CharField):
    """Ten digits, Eastern Arabic digits accepted, checked with the Luhn rule."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("National ID"))
        kwargs.setdefault("max_length", 14)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalise_national_id(value) if value else value


class SignInForm(AuthenticationForm):
    username = NationalIdField()
    error_messages = {
        "invalid_login": _("The national ID or the password is not correct."),
        "inactive": _("This account is inactive."),
    }
