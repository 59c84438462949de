"""Forms of the grievances service: input checked here, rules of the workflow in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DualCalendarDateField, format_hijri
from core.uploads import EvidenceField, check_upload
from core.workflow import WorkflowError

from .models import Category, Outcome

TEXT_MIN_LENGTH = 30
TEXT_MAX_LENGTH = 4000
REMEDY_MAX_LENGTH = 1000


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, action):
        return f"{action.get_action_type_display()} — {action.decision_number} — " + format_hijri(
            action.decision_date
        )


# Filing is split into steps (core.drafts): the decision, the grievance itself, the supporting
# documents, then the review page. Each step's form checks its own fields; submission checks
# every step again and the service checks the deadline.


class DecisionStepForm(forms.Form):
    """Step 1: what the grievance is about and which decision it concerns."""

    category = forms.ChoiceField(
        label=_("What is the grievance about?"),
        choices=[("", _("Choose a category"))] + Category.choices,
    )
    action = ActionChoiceField(
        label=_("The decision, from your employment record"),
        queryset=None,
        required=False,
        empty_label=_("The decision is not in the list"),
        help_text=_("Or leave this and give the decision number and date below."),
    )
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=30,
        required=False,
        help_text=_("Only when the decision is not in the list above."),
    )
    decision_date = DualCalendarDateField(
        label=_("Decision date"),
        required=False,
        max_date=None,
        help_text=_("Only when the decision is not in the list above. Hijri or Gregorian."),
    )
    learned_on = DualCalendarDateField(
        label=_("The date you learned of the decision"),
        help_text=_("The filing deadline counts from this date. Hijri or Gregorian."),
    )

    def __init__(self, *args, employee, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import decisions_for_employee

        self.fields["action"].queryset = decisions_for_employee(employee=employee)
        today = timezone.localdate()
        self.fields["learned_on"].max_date = today
        self.fields["decision_date"].max_date = today

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action is not None:
            cleaned["decision_number"] = action.decision_number
            cleaned["decision_date"] = action.decision_date
        elif not self.has_error("decision_number") and not self.has_error("decision_date"):
            if not cleaned.get("decision_number"):
                self.add_error(
                    "decision_number",
                    _("Choose the decision from your record, or enter its number."),
                )
            if not cleaned.get("decision_date"):
                self.add_error(
                    "decision_date", _("Choose the decision from your record, or enter its date.")
                )
        learned_on, decided_on = cleaned.get("learned_on"), cleaned.get("decision_date")
        if learned_on and decided_on and learned_on < decided_on:
            self.add_error(
                "learned_on", _("You cannot have learned of a decision before it was made.")
            )
        category = cleaned.get("category")
        if learned_on and category and not self.has_error("learned_on"):
            # Said at the first step, not after the whole form: a late grievance cannot be filed.
            from .services import check_filing_deadline

            try:
                check_filing_deadline(
                    category=category, learned_on=learned_on, today=timezone.localdate()
                )
            except WorkflowError as late:
                self.add_error("learned_on", late.message)
        return cleaned


class DetailsStepForm(forms.Form):
    """Step 2: why the decision is wrong, and what the person asks for."""

    text = forms.CharField(
        label=_("Your grievance"),
        min_length=TEXT_MIN_LENGTH,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    remedy = forms.CharField(
        label=_("What do you ask for?"),
        max_length=REMEDY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, employee=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string formatted at import keeps the import's language.
        self.fields["text"].help_text = _(
            "Explain why the decision is wrong, in %(min)s to %(max)s characters."
        ) % {"min": TEXT_MIN_LENGTH, "max": TEXT_MAX_LENGTH}


class AttachmentsStepForm(forms.Form):
    """Step 3: supporting documents, stored on the draft as soon as they are checked."""

    attachments = EvidenceField(label=_("Supporting documents"))

    def __init__(self, *args, employee=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = EvidenceField(label=_("Supporting documents"))


class FollowForm(forms.Form):
    number = forms.RegexField(
        label=_("Grievance number"),
        regex=r"^\s*[Gg]-\d{4}-\d{6}\s*$",
        max_length=20,
        help_text=_("For example G-1448-000123."),
        error_messages={"invalid": _("Enter a grievance number such as G-1448-000123.")},
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


# --- HR console forms ----------------------------------------------------------------------


class AssignForm(forms.Form):
    specialist = forms.ModelChoiceField(label=_("Specialist"), queryset=None)

    def __init__(self, *args, entity_id, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["specialist"].queryset = User.objects.filter(
            hr_profile__entity_id=entity_id, is_active=True
        ).order_by("username")


class MoreInfoForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need from the employee?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CommitteeForm(forms.Form):
    chair = forms.CharField(label=_("Committee chair"), max_length=150)
    member_2 = forms.CharField(label=_("Second member"), max_length=150)
    member_3 = forms.CharField(label=_("Third member"), max_length=150)
    met_on = forms.DateField(
        label=_("Meeting date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Outcome.choices)
    reasoning = forms.CharField(
        label=_("Reasons"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean_met_on(self):
        met_on = self.cleaned_data["met_on"]
        if met_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return met_on

    def clean(self):
        cleaned = super().clean()
        names = [cleaned.get(name, "").strip() for name in ("chair", "member_2", "member_3")]
        if all(names) and len(set(names)) != 3:
            raise forms.ValidationError(_("The committee has three different members."))
        return cleaned


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reasoning = forms.CharField(
        label=_("Reasons"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The employee reads these reasons with the result."),
    )
    letter = forms.FileField(
        label=_("Official reply letter (optional)"),
        required=False,
        help_text=_(
            "The signed letter of the entity, as a PDF, JPG or PNG file. "
            "The employee can download it with the result."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_letter(self):
        letter = self.cleaned_data.get("letter")
        return check_upload(letter) if letter else None
