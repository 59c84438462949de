from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DualCalendarDateField
from core.validators import normalise_digits, normalise_national_id, normalise_saudi_mobile

from .models import CODE_LENGTH, User


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


class SaudiMobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("A Saudi mobile number, for example 05XXXXXXXX."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        return normalise_saudi_mobile(value) if value else value


class IdentityForm(forms.Form):
    """National ID and date of birth (Hijri by default), plus a honeypot field that people
    never see or reach; bots that fill every input give themselves away."""

    national_id = NationalIdField()
    date_of_birth = DualCalendarDateField(
        label=_("Date of birth"),
        help_text=_("Hijri by default; choose Gregorian if you prefer. Example: 1411-08-19."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="max_date")
        return value

    @property
    def filled_honeypot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class NewPasswordMixin:
    """Two password fields checked by Django's validators against the person's own data."""

    def _password_fields(self):
        self.fields["password1"] = forms.CharField(
            label=_("Password"),
            strip=False,
            max_length=128,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_(
                "At least 12 characters. A phrase of several words is easy to remember and "
                "hard to guess."
            ),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Confirm the password"),
            strip=False,
            max_length=128,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def _check_passwords(self, cleaned, user_like):
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first:
            try:
                password_validation.validate_password(first, user=user_like)
            except ValidationError as error:
                self.add_error("password1", error)


def user_like_for(employee, email: str = "") -> User:
    """An unsaved User carrying what the similarity validator compares a password with."""
    return User(
        username=employee.national_id,
        first_name=employee.first_name_en,
        last_name=employee.family_name_en,
        email=email,
    )


class RegistrationDetailsForm(NewPasswordMixin, forms.Form):
    # No mobile: the code goes to the number the civil registry links to the ID.
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        self._password_fields()

    def clean(self):
        cleaned = super().clean()
        self._check_passwords(cleaned, user_like_for(self.employee, cleaned.get("email", "")))
        return cleaned


class NewPasswordForm(NewPasswordMixin, forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._password_fields()

    def clean(self):
        cleaned = super().clean()
        self._check_passwords(cleaned, self.user)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        help_text=_("The 6 digits in the text message."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )

    def clean_code(self):
        code = normalise_digits(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or not code.isdigit():
            raise ValidationError(_("The code is 6 digits."), code="format")
        return code


class SignInForm(forms.Form):
    national_id = NationalIdField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class MobileChangeForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    mobile = SaudiMobileField(label=_("New mobile number"))


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    """The current password, then the new one twice (a signed-in person's own change)."""

    current_password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._password_fields()
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("Confirm the new password")

    def clean(self):
        cleaned = super().clean()
        self._check_passwords(cleaned, self.user)
        return cleaned
