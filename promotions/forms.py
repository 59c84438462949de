"""Forms of the promotions service: input shape here, the round's rules in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

OBJECTION_MIN_LENGTH = 30


class PreferencesForm(forms.Form):
    """One select per offered position: its place in the person's list (or not chosen).

    Works without JavaScript; reordering is choosing other numbers."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, offered, max_preferences: int, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.max_preferences = max_preferences
        choices = [("", _("Not chosen"))] + [
            (str(i), str(i)) for i in range(1, max_preferences + 1)
        ]
        for offer in offered:
            position = offer.position
            self.fields[f"p{offer.pk}"] = forms.TypedChoiceField(
                label=f"{position.number} — {position.job_class.title}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(offer.pk),
                help_text=_("Unit: %(unit)s · class %(code)s")
                % {
                    "unit": position.unit.name,
                    "code": position.job_class.code,
                },
            )

    def position_fields(self):
        return [self[f"p{offer.pk}"] for offer in self.offered]

    def clean(self):
        data = super().clean()
        chosen = [
            (data[f"p{offer.pk}"], offer.pk)
            for offer in self.offered
            if data.get(f"p{offer.pk}") is not None
        ]
        if not chosen:
            raise forms.ValidationError(_("Choose at least one position."))
        orders = [order for order, _pk in chosen]
        if len(set(orders)) != len(orders):
            raise forms.ValidationError(_("Give each chosen position a different number."))
        data["ordered"] = [pk for _order, pk in sorted(chosen)]
        return data


class ObjectionForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Why do you object to the result?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=OBJECTION_MIN_LENGTH,
        max_length=4000,
    )
    remedy = forms.CharField(
        label=_("What do you ask for?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
