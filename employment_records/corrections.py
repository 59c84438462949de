"""Which fields a correction may change, and how a proposed value is typed, stored and applied.

A proposed value is stored as text in one canonical form per kind (ISO dates, plain integers,
choice values), so what HR approves is exactly what the employee proposed; it is parsed and
validated again by the model field when HR approves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DualCalendarDateField, format_gregorian, format_hijri

from .models import (
    CORRECTABLE_ACTION_FIELDS,
    CORRECTABLE_EMPLOYEE_FIELDS,
    Employee,
    EmploymentAction,
)

TEXT, DATE, NUMBER, CHOICE = "text", "date", "number", "choice"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    model: type
    kind: str

    @property
    def model_field(self):
        return self.model._meta.get_field(self.name)

    @property
    def label(self) -> str:
        return self.model_field.verbose_name

    @property
    def on_action(self) -> bool:
        return self.model is EmploymentAction

    def form_field(self) -> forms.Field:
        """The input for the proposed value, with the same limits as the database column."""
        label = _("Proposed value")
        if self.kind == DATE:
            return DualCalendarDateField(label=label, max_date=timezone.localdate())
        if self.kind == NUMBER:
            return forms.IntegerField(label=label, min_value=1, max_value=15)
        if self.kind == CHOICE:
            return forms.ChoiceField(label=label, choices=self.model_field.choices)
        return forms.CharField(label=label, max_length=self.model_field.max_length)

    def to_text(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value).strip()

    def current_text(self, obj) -> str:
        return self.to_text(getattr(obj, self.name))

    def parse(self, text: str):
        """The Python value of a stored proposal, validated by the model field."""
        try:
            if self.kind == DATE:
                value = dt.date.fromisoformat(text)
            elif self.kind == NUMBER:
                value = int(text)
            else:
                value = text
        except ValueError:
            raise ValidationError(_("The proposed value is not valid for this field.")) from None
        return self.model_field.clean(value, None)

    def display(self, text: str) -> str:
        """How a stored value reads for people: both calendars for dates, labels for choices."""
        if not text:
            return "—"
        if self.kind == DATE:
            value = dt.date.fromisoformat(text)
            return f"{format_hijri(value)} ({format_gregorian(value)})"
        if self.kind == CHOICE:
            return str(dict(self.model_field.choices).get(text, text))
        return text


def _kind(model, name) -> str:
    field = model._meta.get_field(name)
    if field.get_internal_type() == "DateField":
        return DATE
    if field.get_internal_type() == "PositiveSmallIntegerField":
        return NUMBER
    if field.choices:
        return CHOICE
    return TEXT


EMPLOYEE_FIELDS = {
    name: FieldSpec(name, Employee, _kind(Employee, name)) for name in CORRECTABLE_EMPLOYEE_FIELDS
}
ACTION_FIELDS = {
    name: FieldSpec(name, EmploymentAction, _kind(EmploymentAction, name))
    for name in CORRECTABLE_ACTION_FIELDS
}


def spec_for(field_name: str, *, on_action: bool) -> FieldSpec | None:
    return (ACTION_FIELDS if on_action else EMPLOYEE_FIELDS).get(field_name)
