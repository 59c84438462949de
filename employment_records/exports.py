"""Correction lists and queues as CSV (core.console_csv), from the HR console."""

from django.utils.translation import gettext_lazy as _

from core.console_csv import Column, field_column

from . import models


def correction_columns():
    """The CSV of a correction list or queue (core.console_csv): both calendars for dates."""
    model = models.CorrectionRequest
    return [
        field_column(model, "number"),
        Column(_("national ID"), lambda correction: correction.employee.national_id),
        Column(_("employee"), lambda correction: correction.employee.full_name()),
        Column(_("field"), lambda correction: correction.field_label),
        field_column(model, "status"),
        field_column(model, "submitted_at"),
        field_column(model, "due_at"),
    ]
