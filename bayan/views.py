"""The employee's page of Bayan: the state of their end-of-service statement, and its PDF once
approved. (The HR side lives in admin.py.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.catalogue import service_required

from . import selectors, services
from .documents import pdf_response
from .models import Status

# What the employee reads for each step of the statement's history (HR's internal steps,
# edits and returns, are not shown: they are the entity's work on the draft).
SHOWN_STEPS = {
    "prepare": gettext_lazy("Your entity started preparing your statement"),
    "approve": gettext_lazy("Your entity approved your statement"),
    "send": gettext_lazy("Sent to the pension authority"),
    "acknowledge": gettext_lazy("The pension authority acknowledged your statement"),
    "reject": gettext_lazy("The pension authority asked your entity to correct the statement"),
}
WITH_PDF = (Status.APPROVED, Status.SENT, Status.ACKNOWLEDGED)


@dataclass(frozen=True)
class Entry:
    label: str
    at: object
    note: str = ""


def _timeline(statement) -> list[Entry]:
    entries, seen_prepare = [], False
    for row in statement.history.all():
        if row.transition == "prepare":
            if seen_prepare:
                continue
            seen_prepare = True
        if row.transition in SHOWN_STEPS:
            entries.append(Entry(str(SHOWN_STEPS[row.transition]), row.at))
    return entries


@require_GET
@service_required("bayan")
def index(request):
    employee = request.user.employee
    crumbs = [(_("Bayan service statement"), None)]
    if employee.in_service:
        return render(request, "bayan/in_service.html", {"crumbs": crumbs})
    statement = selectors.latest_statement_of(employee)
    end_date, end_reason = services.expected_end(employee)
    pdf_statement = statement if statement and statement.status in WITH_PDF else None
    return render(
        request,
        "bayan/index.html",
        {
            "crumbs": crumbs,
            "employee": employee,
            "statement": statement,
            "timeline": _timeline(statement) if statement else [],
            "due": services.due_date(end_date),
            "pdf_ready": bool(
                pdf_statement
                and pdf_statement.document
                and pdf_statement.document.status == "ready"
            ),
            "pdf_url": reverse("bayan:pdf", args=[statement.pk]) if pdf_statement else "",
        },
    )


@require_GET
@service_required("bayan")
def pdf(request, statement_id: int):
    """The employee's own approved statement as a PDF; anyone else's id is 404."""
    statement = selectors.access_statement_for_employee(
        employee=request.user.employee, statement_id=statement_id
    )
    document = statement.document
    if statement.status not in WITH_PDF or document is None or document.status != "ready":
        raise Http404
    return pdf_response(document)
