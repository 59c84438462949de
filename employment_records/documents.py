"""The service statement (بيان خدمة) as a kind of the shared documents pipeline.

Rendered in the language the person asked for (Arabic, or English on request); the template
follows the active language, which `render_and_store` sets to the document's."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.documents import DocumentKind, register

from .models import Employee, EmploymentAction
from .selectors import service_length

SERVICE_STATEMENT = "service_statement"


def rank_change(action: EmploymentAction) -> tuple[str, str]:
    """The rank and step an action moved from and to, in words of the active language:
    ("From rank 7 to rank 8", "Step 3 to step 1"); one side when only one is recorded."""
    if action.from_rank and action.to_rank and action.from_rank != action.to_rank:
        rank = gettext("From rank %(from)s to rank %(to)s") % {
            "from": action.from_rank,
            "to": action.to_rank,
        }
    elif action.to_rank or action.from_rank:
        rank = gettext("Rank %(rank)s") % {"rank": action.to_rank or action.from_rank}
    else:
        rank = ""
    if action.from_step and action.to_step and action.from_step != action.to_step:
        step = gettext("Step %(from)s to step %(to)s") % {
            "from": action.from_step,
            "to": action.to_step,
        }
    elif action.to_step:
        step = gettext("Step %(step)s") % {"step": action.to_step}
    else:
        step = ""
    return rank, step


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
    return statement_context(employee=employee, actions=actions, end=end)


def statement_context(*, employee, actions, end) -> dict:
    """The template's context from records already read (bench/pdf_render.py passes unsaved
    ones). Labels are formatted here, once, in the active language."""
    rows = []
    for action in actions:
        rank, step = rank_change(action)
        rows.append({"action": action, "rank": rank, "step": step})
    return {
        "employee": employee,
        "rows": rows,
        "first_action": actions[0] if actions else None,
        "length": service_length(employee.hire_date, end),
        "end": end,
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
