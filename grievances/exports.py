"""Grievance lists and queues as CSV (core.console_csv), from the HR console."""

from django.utils.translation import gettext_lazy as _

from core.console_csv import Column, field_column

from .models import Grievance

# Read with the rows, so a row costs no query of its own.
GRIEVANCE_CSV_RELATED = ("employee", "assigned_to__employee")


def grievance_columns():
    """The CSV of a grievance list or queue (core.console_csv): both calendars for dates."""
    return [
        field_column(Grievance, "number"),
        Column(_("national ID"), lambda grievance: grievance.employee.national_id),
        Column(_("employee"), lambda grievance: grievance.employee.full_name()),
        field_column(Grievance, "category"),
        field_column(Grievance, "status"),
        field_column(Grievance, "submitted_at", title=_("filed on")),
        field_column(Grievance, "due_at", title=_("answer due by")),
        Column(_("assigned to"), lambda grievance: grievance.assigned_to or ""),
    ]
