"""The ministry's summary of an audit run, a kind of the shared documents pipeline.

A holder-less document (core.documents): about one audit run of an entity, `params`
`{"run": <id>}`, its entity the run's. A ministry auditor requests it, the documents worker
renders it, and /verify/ shows what it states: the entity, the run's date, the positions
audited and the findings by severity. The figures are the run's own, fixed when it finished.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.dates import format_gregorian, format_hijri
from core.documents import DocumentKind, register

SUMMARY_DOCUMENT = "job_audit_summary"


def summary_context(document) -> dict:
    from . import selectors
    from .models import AuditRun

    run = AuditRun.objects.select_related("entity").get(
        pk=document.params["run"], entity_id=document.entity_id
    )
    return {
        "run": run,
        "summary": selectors.entity_summary(run.entity_id),
        "LANGUAGE_CODE": "ar",
    }


def summary_facts(document, context) -> list[tuple[str, str]]:
    """What the summary states, in the active language (called once per language)."""
    run = context["run"]
    facts = [
        (_("Government entity"), f"{run.entity.name} ({run.entity.code})"),
        (_("Audit run"), f"{format_hijri(run.created_at)} — {format_gregorian(run.created_at)}"),
        (_("Positions audited"), str(run.positions_total)),
    ]
    facts += [
        (_("Findings of %(severity)s severity") % {"severity": label}, str(count))
        for _severity, label, count in run.severity_rows()
    ]
    return facts


def register_kinds() -> None:
    register(
        DocumentKind(
            code=SUMMARY_DOCUMENT,
            label=_("Job data audit summary"),
            template_name="job_audit/documents/summary.html",
            build_context=summary_context,
            file_prefix="job-audit",
            key_facts=summary_facts,
        )
    )


def pdf_response(document):
    """The issued summary as a download; the caller has checked access."""
    from core.uploads import private_file_response

    return private_file_response(
        document.file_name,
        download_name=f"job-audit-summary-{document.code}.pdf",
        content_type="application/pdf",
    )
