"""Input of the person's own entries: one form per section, with clear translated messages.

Dates are typed in Hijri or Gregorian (core.dates); a date that cannot be in the future (an
issue date, hours already volunteered) is refused there. Duplicates and the per-section limit
are checked by the service under the person's lock, and the database holds both too.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DualCalendarDateField
from core.uploads import check_upload

from . import models


class EntryForm(forms.ModelForm):
    """Shared by every section: the CV language is chosen when an entry is added and is fixed
    afterwards (an entry moves between languages by adding it in the other one)."""

    language = forms.ChoiceField(
        label=_("CV language"),
        choices=models.CvLanguage.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose Arabic or English.")},
    )
    # Dates that cannot be in the future; others (an expiry date) may be.
    past_dates: tuple[str, ...] = ()
    future_dates: tuple[str, ...] = ()

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        for name in self.past_dates:
            required = self.fields[name].required
            self.fields[name] = DualCalendarDateField(
                label=self.fields[name].label, required=required, max_date=today
            )
        for name in self.future_dates:
            required = self.fields[name].required
            self.fields[name] = DualCalendarDateField(
                label=self.fields[name].label, required=required
            )
        if editing:
            del self.fields["language"]

    def _post_clean(self):
        # The service validates the instance under the person's lock (duplicates, the limit);
        # the model's own unique checks would need the owner, which the form does not carry.
        pass

    def cleaned_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "language"}


class SummaryForm(EntryForm):
    class Meta:
        model = models.Summary
        fields = ["language", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    text = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences about you and your work, up to 2000 characters."),
    )


class SkillForm(EntryForm):
    class Meta:
        model = models.Skill
        fields = ["language", "name"]


class LanguageSkillForm(EntryForm):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("Choose a level")), *models.LanguageLevel.choices],
        help_text=_("The Common European Framework levels (A1 to C2), or native speaker."),
        error_messages={
            "invalid_choice": _("Choose a level from the list."),
            "required": _("Choose a level from the list."),
        },
    )

    class Meta:
        model = models.LanguageSkill
        fields = ["language", "name", "level"]
        labels = {"name": _("Language spoken")}


class CertificateForm(EntryForm):
    past_dates = ("issued_on",)
    future_dates = ("expires_on",)
    attachment = forms.FileField(
        label=_("Copy of the certificate"),
        required=False,
        help_text=_("Optional: one PDF, JPG or PNG file."),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attached copy"), required=False)

    class Meta:
        model = models.Certificate
        fields = ["language", "name", "issuer", "issued_on", "expires_on"]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, editing=editing, **kwargs)
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        if not (editing and self.instance.has_attachment):
            del self.fields["remove_attachment"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return check_upload(upload) if upload else None

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry date comes before the issue date."))
        return data


class VolunteeringForm(EntryForm):
    past_dates = ("start_date", "end_date")

    class Meta:
        model = models.Volunteering
        fields = ["language", "organisation", "role", "start_date", "end_date", "hours"]
        help_texts = {"end_date": _("Leave empty if you still volunteer there.")}

    hours = forms.IntegerField(
        label=_("Hours"),
        min_value=1,
        max_value=100000,
        error_messages={"min_value": _("Enter at least one hour.")},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date comes before the start date."))
        return data


class AchievementForm(EntryForm):
    past_dates = ("achieved_on",)

    class Meta:
        model = models.Achievement
        fields = ["language", "title", "achieved_on", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def _http_only(url: str) -> str:
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError(_("Enter an address starting with https:// or http://."))
    return url


class PublicationForm(EntryForm):
    past_dates = ("published_on",)
    url = forms.URLField(
        label=_("Web address"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = models.Publication
        fields = ["language", "title", "publisher", "published_on", "url"]

    def clean_url(self):
        return _http_only(self.cleaned_data["url"])


class LinkForm(EntryForm):
    url = forms.URLField(
        label=_("Web address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("A full address starting with https:// or http://."),
    )

    class Meta:
        model = models.Link
        fields = ["language", "label", "url"]

    def clean_url(self):
        return _http_only(self.cleaned_data["url"])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class ExportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("CV language"),
        choices=models.CvLanguage.choices,
        error_messages={"invalid_choice": _("Choose Arabic or English.")},
    )
