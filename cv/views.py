"""The CV (/cv/): thin views over cv.selectors and cv.services.

Every page reads the signed-in person's own record (`employee_of_user`), and every entry,
attachment and document is fetched through that person, so another person's id answers 404.
Reordering is a POST form that works without JavaScript; htmx swaps the section in place.
"""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.catalogue import service_required
from core.documents import access_document_for_holder
from core.models import Document
from core.ratelimit import Limit
from core.uploads import attachment_response, private_file_response

from . import jsonresume, selectors, services
from .documents import CV_KIND
from .forms import ExportForm, MoveForm
from .models import CvLanguage
from .sections import SECTIONS, get_section

cv_service = service_required("cv")
# Each PDF is rendered by a worker: a person cannot flood the documents queue.
PDF_LIMIT = Limit("cv_pdf_request", 10, 3600)


def _cv_language(request) -> str:
    """The CV language being edited or exported: ?lang=, else the language of the pages."""
    language = request.GET.get("lang") or request.POST.get("lang") or get_language()
    return language if language in CvLanguage.values else CvLanguage.ARABIC


def _index_url(language: str, section_code: str = "") -> str:
    url = f"{reverse('cv:index')}?lang={language}"
    return f"{url}#section-{section_code}" if section_code else url


def _crumbs(*pairs):
    return [(_("CV"), reverse("cv:index")), *pairs]


# An entry's links, reversed once per process and section with a stand-in id (issue 16: four
# `{% url %}` per entry were a tenth of the CV page).
_STAND_IN_ID = 987654321


@functools.cache
def _entry_url_patterns(section_code: str, script_prefix: str) -> dict[str, str]:
    patterns = {
        name: reverse(f"cv:{name}", args=[section_code, _STAND_IN_ID])
        for name in ("edit", "remove", "move")
    }
    if section_code == "certificates":
        patterns["attachment"] = reverse("cv:certificate_attachment", args=[_STAND_IN_ID])
    return patterns


@functools.cache
def _add_url(section_code: str, script_prefix: str) -> str:
    return reverse("cv:add", args=[section_code])


def _with_urls(section, entries: list[dict]) -> list[dict]:
    """The entries, each with its `urls` (edit, remove, move; a certificate's attachment)."""
    patterns = _entry_url_patterns(section.code, get_script_prefix())
    stand_in = str(_STAND_IN_ID)
    return [
        {
            **entry,
            "urls": {
                name: pattern.replace(stand_in, str(entry["id"]))
                for name, pattern in patterns.items()
            },
        }
        for entry in entries
    ]


def _sections_with_urls(content) -> list[tuple]:
    """(section, its entries with their links, the link to add one) for each section."""
    prefix = get_script_prefix()
    return [
        (
            section,
            _with_urls(section, content["sections"][section.code]),
            _add_url(section.code, prefix),
        )
        for section in SECTIONS
    ]


def _section_context(employee, section, language, *, notice=""):
    entries = [
        section.as_dict(entry)
        for entry in selectors.entries_of(employee=employee, section=section, language=language)
    ]
    return {
        "section": section,
        "entries": _with_urls(section, entries),
        "add_url": _add_url(section.code, get_script_prefix()),
        "lang": language,
        "notice": notice,
    }


@cv_service
@require_GET
def index(request):
    employee = selectors.employee_of_user(request.user)
    language = _cv_language(request)
    content = selectors.cv_content(employee=employee, language=language)
    return render(
        request,
        "cv/index.html",
        {
            "cv": content,
            "lang": language,
            "languages": CvLanguage.choices,
            "sections": _sections_with_urls(content),
            "documents": selectors.recent_documents(employee),
            "crumbs": [(_("CV"), None)],
        },
    )


def _entry_form_page(request, *, section, form, entry=None, status=200):
    title = section.add_label if entry is None else _("Edit the entry")
    return render(
        request,
        "cv/entry_form.html",
        {
            "section": section,
            "form": form,
            "entry": entry,
            "title": title,
            "lang": entry.language if entry is not None else _cv_language(request),
            "crumbs": _crumbs((title, None)),
        },
        status=400 if form.errors else status,
    )


@cv_service
def add_entry(request, section_code):
    section = get_section(section_code)
    employee = selectors.employee_of_user(request.user)
    language = _cv_language(request)
    form = section.form_class(
        request.POST or None, request.FILES or None, initial={"language": language}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.add_entry(
                employee=employee,
                section=section,
                language=language,
                values=form.cleaned_values(),
                actor=request.user,
            )
        except services.CvError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Added to %(section)s (%(language)s).")
                % {"section": section.label, "language": CvLanguage(language).label},
            )
            return redirect(_index_url(language, section.code))
    return _entry_form_page(request, section=section, form=form)


@cv_service
def edit_entry(request, section_code, entry_id):
    section = get_section(section_code)
    employee = selectors.employee_of_user(request.user)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    form = section.form_class(
        request.POST or None, request.FILES or None, instance=entry, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_entry(
                employee=employee,
                section=section,
                entry_id=entry.pk,
                values=form.cleaned_values(),
                actor=request.user,
            )
        except services.CvError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(_index_url(entry.language, section.code))
    return _entry_form_page(request, section=section, form=form, entry=entry)


@cv_service
def remove_entry(request, section_code, entry_id):
    section = get_section(section_code)
    employee = selectors.employee_of_user(request.user)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    if request.method == "POST":
        services.remove_entry(
            employee=employee, section=section, entry_id=entry.pk, actor=request.user
        )
        messages.success(request, _("The entry was removed from your CV."))
        return redirect(_index_url(entry.language, section.code))
    return render(
        request,
        "cv/confirm_remove.html",
        {
            "section": section,
            "entry": section.as_dict(entry),
            "lang": entry.language,
            "crumbs": _crumbs((_("Remove the entry"), None)),
        },
    )


@cv_service
@require_POST
def move_entry(request, section_code, entry_id):
    section = get_section(section_code)
    employee = selectors.employee_of_user(request.user)
    entry = selectors.entry_of(employee=employee, section=section, entry_id=entry_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose up or down."), status=400, content_type="text/plain")
    moved = services.move_entry(
        employee=employee,
        section=section,
        entry_id=entry.pk,
        direction=form.cleaned_data["direction"],
        actor=request.user,
    )
    if not moved:
        notice = _("The entry is already at that end of the list.")
    elif form.cleaned_data["direction"] == "up":
        notice = _("The entry moved up.")
    else:
        notice = _("The entry moved down.")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "cv/includes/section.html",
            _section_context(employee, section, entry.language, notice=notice),
        )
    (messages.success if moved else messages.info)(request, notice)
    return redirect(_index_url(entry.language, section.code))


@cv_service
@require_GET
def certificate_attachment(request, entry_id):
    employee = selectors.employee_of_user(request.user)
    entry = selectors.entry_of(
        employee=employee, section=get_section("certificates"), entry_id=entry_id
    )
    copy = entry.attachment
    if copy is None or not default_storage.exists(copy.storage_name):
        raise Http404
    return attachment_response(copy)


@cv_service
@require_GET
def printable(request):
    employee = selectors.employee_of_user(request.user)
    language = _cv_language(request)
    content = selectors.cv_content(employee=employee, language=language)
    return render(
        request,
        "cv/print.html",
        {
            "cv": content,
            "cv_language": language,
            "sections": [(section, content["sections"][section.code]) for section in SECTIONS],
        },
    )


@cv_service
@require_GET
def json_resume(request):
    employee = selectors.employee_of_user(request.user)
    language = _cv_language(request)
    content = selectors.cv_content(employee=employee, language=language)
    body = json.dumps(jsonresume.to_json_resume(content), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cv-{language}.resume.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@cv_service
@require_POST
def request_pdf(request):
    employee = selectors.employee_of_user(request.user)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Arabic or English."))
        return redirect("cv:index")
    language = form.cleaned_data["language"]
    if not PDF_LIMIT.hit(str(request.user.pk)):
        messages.error(
            request, _("You have requested many PDF files in the last hour. Try again later.")
        )
        return redirect(_index_url(language))
    document = services.request_cv_pdf(employee=employee, language=language, actor=request.user)
    messages.success(request, _("Your CV is being prepared as a PDF."))
    return redirect("cv:document", code=document.code)


def _cv_document(request, code) -> Document:
    employee = selectors.employee_of_user(request.user)
    document = access_document_for_holder(holder=employee, code=code)
    if document.kind != CV_KIND:
        raise Http404
    return document


@cv_service
@require_GET
def document_status(request, code):
    document = _cv_document(request, code)
    context = {
        "document": document,
        "crumbs": _crumbs((_("CV as a PDF"), None)),
    }
    if request.headers.get("HX-Request"):
        # htmx polls: "no change" is a 204, which htmx does not swap.
        if document.status == Document.Status.PENDING:
            return HttpResponse(status=204)
        return render(request, "cv/includes/document_panel.html", context)
    return render(request, "cv/document.html", context)


@cv_service
@require_GET
def document_download(request, code):
    document = _cv_document(request, code)
    if document.status != Document.Status.READY or not default_storage.exists(document.file_name):
        raise Http404
    return private_file_response(
        document.file_name,
        download_name=f"cv-{document.code}.pdf",
        content_type="application/pdf",
    )
