"""Forms of the consoles. Choices are narrowed to the specialist's entity; positions are named
by number (an entity may hold 100,000) and looked up inside the entity only."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload
from employment_records.models import JobClass, OrganisationalUnit, Position

from .models import FindingState, VariableType
from .services import VariableInput


class MarkFindingForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Mark as"),
        choices=[
            (FindingState.RESOLVED, _("Resolved: a correction or a variable fixed it")),
            (FindingState.JUSTIFIED, _("Justified: it stays, for a reason")),
            (FindingState.OPEN, _("Open again")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or correction"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For resolved: the correction or the job variables request number."),
    )


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class VariableForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of change"), choices=VariableType.choices)
    position_number = forms.CharField(
        label=_("Position number"),
        required=False,
        max_length=20,
        help_text=_("The position the change applies to (every type but create)."),
    )
    new_number = forms.CharField(
        label=_("New position number"),
        required=False,
        max_length=20,
        help_text=_("Create only: unique within your entity."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrganisationalUnit.objects.none(),
        required=False,
        help_text=_("Create and transfer: the unit of your entity the position goes to."),
    )
    job_class = forms.ModelChoiceField(
        label=_("Job class"),
        queryset=JobClass.objects.all(),
        required=False,
        help_text=_("Create and reclassify: the class must fit the rank."),
    )
    new_rank = forms.IntegerField(
        label=_("New rank"),
        required=False,
        min_value=1,
        max_value=15,
        help_text=_("Create, upgrade and downgrade."),
    )
    exceptional = forms.BooleanField(
        label=_("Exceptional upgrade (more than one rank)"), required=False
    )
    justification = forms.CharField(
        label=_("Justification"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, JPG or PNG."),
    )

    def __init__(self, *args, entity_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity_id = entity_id
        self.fields["unit"].queryset = OrganisationalUnit.objects.filter(entity_id=entity_id)

    def clean_position_number(self):
        number = (self.cleaned_data.get("position_number") or "").strip()
        if not number:
            return None
        position = (
            Position.objects.select_related("job_class", "unit")
            .filter(entity_id=self.entity_id, number=number, abolition__isnull=True)
            .first()
        )
        if position is None:
            raise ValidationError(
                _("Your entity has no position numbered %(number)s."),
                params={"number": number},
            )
        return position

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return check_upload(upload) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("type") and data["type"] != VariableType.CREATE:
            if not data.get("position_number") and "position_number" not in self.errors:
                self.add_error("position_number", _("Give the position number."))
        return data

    def to_input(self) -> VariableInput:
        data = self.cleaned_data
        return VariableInput(
            type=data["type"],
            justification=data["justification"],
            position=data.get("position_number"),
            new_number=data.get("new_number") or "",
            unit=data.get("unit"),
            job_class=data.get("job_class"),
            new_rank=data.get("new_rank"),
            exceptional=bool(data.get("exceptional")),
        )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to reject or to return the request."),
    )
