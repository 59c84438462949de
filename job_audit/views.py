"""The employee-facing page of the job-data audit (`/job-audit/`).

The access policy (core.catalogue) lets in Saudi employees in service holding the job-audit
grant; the summary is their entity's, and the work itself happens in the HR console, which
the page links to when the person is one of the entity's specialists.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.catalogue import service_required
from core.hr_admin import hr_entity_id

from . import selectors


@require_GET
@service_required("job_audit")
def index(request):
    employee = request.user.employee
    entity_id = employee.entity_id
    # Only staff can be specialists: nobody else pays the HR profile's query.
    is_specialist = request.user.is_staff and hr_entity_id(request.user) == entity_id
    return render(
        request,
        "job_audit/index.html",
        {
            "entity": employee.entity,
            "summary": selectors.entity_summary(entity_id),
            "is_specialist": is_specialist,
            "crumbs": [(_("Job data and variables audit"), None)],
            "console": _console_links() if is_specialist else {},
        },
    )


def _console_links() -> dict[str, str]:
    """Where a specialist of the entity does the work (the page links there only for them)."""
    return {
        "inventory": reverse("hr:job_audit_inventoryposition_changelist"),
        "findings": reverse("hr:job_audit_finding_changelist"),
        "runs": reverse("hr:job_audit_auditrun_changelist"),
        "requests": reverse("hr:job_audit_variablerequest_changelist"),
    }
