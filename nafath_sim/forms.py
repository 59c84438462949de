from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import normalise, person


class NationalIdForm(forms.Form):
    national_id = forms.CharField(
        label=_("National ID"),
        max_length=14,
        help_text=_("The 10 digits on your national ID card or residence permit."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"}
        ),
    )

    def __init__(self, *args, must_be_registered: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.must_be_registered = must_be_registered

    def clean_national_id(self):
        value = normalise(self.cleaned_data["national_id"])
        if len(value) != 10 or not value.isdigit():
            raise forms.ValidationError(_("A national ID is exactly 10 digits."))
        if self.must_be_registered and person(value) is None:
            raise forms.ValidationError(
                _("This national ID is not registered with Nafath. Check the digits and try again.")
            )
        return value
