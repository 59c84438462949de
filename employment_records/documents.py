"""The service statement (بيان خدمة) as a kind of the shared documents pipeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.documents import DocumentKind, register

from .models import Employee, EmploymentAction
from .selectors import service_length

SERVICE_STATEMENT = "service_statement"


def service_statement_context(document) -> dict:
    """Everything the statement prints, read in three queries whatever the record's length."""
    employee = Employee.objects.select_related("entity", "unit", "position__job_class").get(
        pk=document.holder_id
    )
    actions = list(
        EmploymentAction.objects.filter(employee=employee)
        .select_related("to_position__job_class")
        .order_by("effective_date", "id")
    )
    end = employee.end_date or (document.issued_at or document.created_at).date()
    return {
        "employee": employee,
        "actions": actions,
        "length": service_length(employee.hire_date, end),
        # The statement is an Arabic document whatever language the person browses in.
        "LANGUAGE_CODE": "ar",
    }


def register_kinds() -> None:
    register(
        DocumentKind(
            code=SERVICE_STATEMENT,
            label=_("Service certificate"),
            template_name="employment_records/documents/service_statement.html",
            build_context=service_statement_context,
            file_prefix="service-statement",
            language="ar",
        )
    )
