"""The Bayan statement as a kind of the shared documents pipeline (Arabic, verifiable code).

The PDF prints the statement as approved (its frozen snapshot), never the live record."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import both_calendars
from core.documents import DocumentKind, register

from .labels import kind_label
from .models import Statement
from .periods import Totals, format_totals

BAYAN_DOCUMENT = "bayan_statement"


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def bayan_context(document) -> dict:
    statement = Statement.objects.select_related("employee", "entity").get(document=document)
    snapshot = statement.snapshot
    totals = snapshot["totals"]
    return {
        "statement": statement,
        "employee": statement.employee,
        "snapshot": snapshot,
        "end_date": _date(snapshot["end_date"]),
        "hire_date": _date(snapshot["hire_date"]),
        "end_reason": statement.get_end_reason_display(),
        "periods": [
            {
                **period,
                "start": _date(period["start"]),
                "end": _date(period["end"]),
                "label": kind_label(period["kind"]),
            }
            for period in snapshot["periods"]
        ],
        "totals": totals,
        "gregorian_words": format_totals(Totals(**totals["gregorian"])),
        "hijri_words": format_totals(Totals(**totals["hijri"])),
        "LANGUAGE_CODE": "ar",
    }


def bayan_key_facts(document, context) -> list[tuple[str, str]]:
    """What /verify/ repeats from the statement as approved: its number and version, the
    service period, the reason it ended and the counted service (in the page's language)."""
    snapshot, totals = context["snapshot"], context["totals"]
    version = gettext("version %(version)s") % {"version": snapshot["version"]}
    return [
        (gettext("Statement number"), f"{snapshot['number']} ({version})"),
        (gettext("Hire date"), both_calendars(context["hire_date"])),
        (gettext("End of service date"), both_calendars(context["end_date"])),
        (gettext("End of service reason"), context["statement"].get_end_reason_display()),
        (gettext("Counted service (Hijri)"), format_totals(Totals(**totals["hijri"]))),
        (gettext("Counted service (Gregorian)"), format_totals(Totals(**totals["gregorian"]))),
    ]  # fmt: skip


def register_kinds() -> None:
    register(
        DocumentKind(
            code=BAYAN_DOCUMENT,
            label=_("Bayan end-of-service statement"),
            template_name="bayan/documents/statement.html",
            build_context=bayan_context,
            file_prefix="bayan",
            language="ar",
            key_facts=bayan_key_facts,
        )
    )


def pdf_response(document):
    """The statement's PDF as a download (private storage: only through access-checked views)."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    response = FileResponse(
        default_storage.open(document.file_name, "rb"),
        as_attachment=True,
        filename=f"bayan-{document.code}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
