"""The service statement (بيان خدمة) as a kind of the shared documents pipeline.

Rendered in the language the person asked for (Arabic, or English on request); the template
follows the active language, which `render_and_store` sets to the document's."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import both_calendars, local_date
from core.documents import DocumentKind, register
from core.pdf import static_dir

from .models import Employee, EmploymentAction
from .selectors import service_length

SERVICE_STATEMENT = "service_statement"
STATEMENT_TEMPLATE = "employment_records/documents/service_statement.html"
STATEMENT_STYLESHEET = "css/document.css"


def statement_files() -> list[Path]:
    """The files that decide how a statement looks: its template, the templates it extends or
    includes (one level: the statement's includes include nothing) and its stylesheet."""
    source = Path(get_template(STATEMENT_TEMPLATE).origin.name)
    included = re.findall(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']", source.read_text())
    return [
        source,
        *(Path(get_template(name).origin.name) for name in included),
        static_dir() / STATEMENT_STYLESHEET,
    ]


@functools.cache
def statement_layout() -> str:
    """A digest of statement_files(), part of every statement's fingerprint: when they change,
    a statement issued before is rendered again instead of being handed out in the old layout.
    (A number raised by hand did this before, and was easy to forget.)"""
    digest = hashlib.sha256()
    for path in statement_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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


def statement_records(employee_id: int) -> tuple[Employee, list[EmploymentAction]]:
    """The holder and their record as the statement prints them (two queries)."""
    employee = Employee.objects.select_related("entity", "unit", "position__job_class").get(
        pk=employee_id
    )
    actions = list(
        EmploymentAction.objects.filter(employee=employee).order_by("effective_date", "id")
    )
    return employee, actions


def service_statement_context(document) -> dict:
    """Everything the statement prints, read in two queries whatever the record's length."""
    employee, actions = statement_records(document.holder_id)
    end = employee.end_date or local_date(document.issued_at or document.created_at)
    return statement_context(employee=employee, actions=actions, end=end)


def statement_fingerprint(*, employee_id: int, language: str, today=None) -> str:
    """A digest of everything a statement issued today would print, apart from its code and
    issue date. Two requests with the same fingerprint get the same document: the statement
    is rendered once and handed out again until the data changes. For an employee in
    service the length of service grows every day, so today's date is part of it."""
    employee, actions = statement_records(employee_id)
    end = employee.end_date or today or timezone.localdate()
    printed = {
        "layout": statement_layout(),
        "language": language,
        "end": end,
        "employee": [
            employee.national_id, employee.full_name("ar"), employee.full_name("en"),
            employee.date_of_birth, employee.entity.name_ar, employee.entity.name_en,
            employee.unit and (employee.unit.name_ar, employee.unit.name_en),
            employee.position and (employee.position.number, employee.position.job_class.title_ar,
                                   employee.position.job_class.title_en),
            employee.rank, employee.step, employee.hire_date, employee.status,
            employee.end_reason, employee.end_date,
        ],
        "actions": [
            [a.action_type, a.decision_number, a.decision_date, a.effective_date,
             a.from_rank, a.to_rank, a.from_step, a.to_step]
            for a in actions
        ],
    }  # fmt: skip
    encoded = json.dumps(printed, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


def statement_key_facts(document, context) -> list[tuple[str, str]]:
    """What /verify/ repeats from the statement: rank, length of service, the period it
    covers and how many entries its record lists (nothing the PDF does not print)."""
    employee = context["employee"]
    rank = gettext("Rank %(rank)s, step %(step)s") % {"rank": employee.rank, "step": employee.step}
    length = render_to_string(
        "employment_records/includes/length.html", {"length": context["length"]}
    ).strip()
    period = gettext("From %(start)s to %(end)s") % {
        "start": both_calendars(employee.hire_date),
        "end": both_calendars(context["end"]),
    }
    return [
        (gettext("Rank and step"), rank),
        (gettext("Length of service"), length),
        (gettext("Period covered"), period),
        (gettext("Entries in the record"), str(len(context["rows"]))),
    ]


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
            template_name=STATEMENT_TEMPLATE,
            build_context=service_statement_context,
            file_prefix="service-statement",
            language="ar",
            languages=("ar", "en"),
            key_facts=statement_key_facts,
        )
    )
