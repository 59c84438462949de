from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DualCalendarDateField
from employment_records.models import ActionType

from .labels import EXCLUSION_CHOICES


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason.")},
    )


class PeriodForm(forms.Form):
    start = DualCalendarDateField(label=_("From"))
    end = DualCalendarDateField(label=_("To"))
    counts = forms.BooleanField(label=_("Counts towards service"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[*ActionType.choices, *EXCLUSION_CHOICES])
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the change.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("A period cannot end before it starts."))
        return data


class ExcludeForm(forms.Form):
    start = DualCalendarDateField(label=_("From"))
    end = DualCalendarDateField(label=_("To"))
    kind = forms.ChoiceField(label=_("Why the days do not count"), choices=EXCLUSION_CHOICES)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the change.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("A period cannot end before it starts."))
        return data
