from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.uploads import EvidenceField
from core.widgets import FastSelect

from .corrections import FieldSpec

# EvidenceField formats its help text when the field is built, i.e. once at import and in the
# language of that moment; rebuilding it lazily gives each request its own language.
evidence_help = lazy(lambda: str(EvidenceField().help_text), str)


REASON_MAX = 2000


# A correction request is asked in two steps kept as a draft (core.drafts): the correction
# itself, then the evidence, then "check your answers".


class CorrectionForm(forms.Form):
    """Step 1: the proposed value (typed by the field's kind) and the reason."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what is wrong and where the correct value comes from."),
    )

    def __init__(self, *args, spec: FieldSpec, **kwargs):
        super().__init__(*args, **kwargs)
        # The proposed value comes first, in the input that suits the field.
        fields = {"proposed_value": spec.form_field()}
        fields.update(self.fields)
        self.fields = fields


class EvidenceStepForm(forms.Form):
    """Step 2: the evidence, stored on the draft as soon as it is checked."""

    evidence = EvidenceField(label=_("Evidence"), help_text=evidence_help())

    def __init__(self, *args, spec: FieldSpec | None = None, **kwargs):
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = EvidenceField(label=_("More evidence"), help_text=evidence_help())


class RecordFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Action type"), required=False, widget=FastSelect)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *choices]


class DecisionForm(forms.Form):
    """HR's decision on a correction request (HR console)."""

    REVIEW, APPROVE, MORE_INFO, REJECT = "review", "approve", "more_info", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (REVIEW, _("Take under review")),
            (APPROVE, _("Approve and apply the change to the record")),
            (MORE_INFO, _("Ask the employee for more information")),
            (REJECT, _("Reject")),
        ],
    )
    note = forms.CharField(
        label=_("Note to the employee"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject (the reason) or to ask for more information."),
    )


class StatementRequestForm(forms.Form):
    """The service certificate's language: Arabic (the default) or English."""

    language = forms.ChoiceField(
        label=_("Language of the certificate"),
        choices=settings.LANGUAGES,
        initial="ar",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose Arabic or English.")},
    )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or "ar"  # a form posted without the choice
