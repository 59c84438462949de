"""My employment data (/my-data/): thin views over selectors and services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import drafts
from core.catalogue import service_required
from core.documents import access_document_for_holder, documents_of_holder, is_slow
from core.hr_admin import hr_site
from core.models import Document
from core.ratelimit import Limit
from core.uploads import attachment_response, private_file_response
from core.workflow import WorkflowError

from . import selectors, services
from .corrections import ACTION_FIELDS, EMPLOYEE_FIELDS, spec_for
from .forms import (
    AnswerForm,
    CorrectionForm,
    EvidenceStepForm,
    RecordFilterForm,
    StatementRequestForm,
)
from .models import ActionType

employment_data = service_required("employment_data")
# Each statement is a PDF rendered by a worker: a person cannot flood the documents queue.
STATEMENT_LIMIT = Limit("statement_request", 10, 3600)


def _crumbs(*pairs):
    return [(_("My employment data"), reverse("employment_records:profile")), *pairs]


NAME_PARTS = (
    (gettext_lazy("First name"), "first_name"),
    (gettext_lazy("Father's name"), "father_name"),
    (gettext_lazy("Grandfather's name"), "grandfather_name"),
    (gettext_lazy("Family name"), "family_name"),
)


class _CorrectionLinks:
    """The profile's link to request a correction of one field, written in Python: eleven
    includes of a template were a tenth of the page's rendering (issue 16)."""

    def __init__(self):
        self.url = reverse("employment_records:new_correction")
        self.text = _("Request a correction")

    def __call__(self, field: str) -> str:
        if field not in EMPLOYEE_FIELDS:
            return ""
        return format_html(
            ' <a class="correct-link" href="{}?field={}">{}'
            '<span class="visually-hidden">: {}</span></a>',
            self.url,
            field,
            self.text,
            capfirst(EMPLOYEE_FIELDS[field].label),
        )


def _name_parts(employee, link: _CorrectionLinks):
    """The four parts of the name in both languages, each a correctable field of its own."""
    parts = []
    for label, stem in NAME_PARTS:
        row = {"label": label}
        for language in ("ar", "en"):
            field = f"{stem}_{language}"
            row[language] = {"value": getattr(employee, field), "link": link(field)}
        parts.append(row)
    return parts


@employment_data
@require_GET
def profile(request):
    employee = selectors.employee_of_user(request.user)
    link = _CorrectionLinks()
    return render(
        request,
        "employment_records/profile.html",
        {
            "employee": employee,
            "length": selectors.length_of_service(employee),
            "name_parts": _name_parts(employee, link),
            "correction_links": {
                field: link(field) for field in ("gender", "date_of_birth", "hire_date")
            },
            "basic_salary": selectors.basic_salary_of(employee),
            "qualifications": list(selectors.qualifications_of(employee)),
            "evaluations": list(selectors.evaluations_of(employee)),
            "crumbs": [(_("My employment data"), None)],
        },
    )


@employment_data
@require_GET
def record(request):
    employee = selectors.employee_of_user(request.user)
    form = RecordFilterForm(request.GET or None, choices=ActionType.choices)
    action_type = form.cleaned_data["type"] if form.is_valid() else ""
    page_obj = selectors.record_page(
        employee=employee, action_type=action_type, page=request.GET.get("page", 1)
    )
    return render(
        request,
        "employment_records/record.html",
        {
            "employee": employee,
            "form": form,
            "page_obj": page_obj,
            "page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
            "crumbs": _crumbs((_("Employment record"), None)),
        },
    )


@employment_data
@require_GET
def training(request):
    employee = selectors.employee_of_user(request.user)
    return render(
        request,
        "employment_records/training.html",
        {
            "training": selectors.training_of(employee),
            "scholarships": selectors.scholarships_of(employee),
            "crumbs": _crumbs((_("Training and scholarships"), None)),
        },
    )


@employment_data
@require_GET
def corrections(request):
    employee = selectors.employee_of_user(request.user)
    return render(
        request,
        "employment_records/corrections.html",
        {
            "requests": selectors.corrections_of(employee),
            "drafts": _drafts_in_progress(request.user),
            "draft_keep_days": drafts.keep_days(),
            "sla_days": settings.CORRECTION_SLA_DAYS,
            "crumbs": _crumbs((_("Correction requests"), None)),
        },
    )


def _drafts_in_progress(user):
    """The person's correction drafts: the field each is about, and where to continue."""
    rows = []
    for draft in drafts.drafts_of(owner=user, service=SERVICE):
        name, _at, action_id = draft.subject.partition("@")
        spec = spec_for(name, on_action=bool(action_id))
        if spec is not None:
            rows.append(
                {
                    "draft": draft,
                    "label": spec.label,
                    "on_action": bool(action_id),
                    "resume_url": FLOW.resume_url(draft),
                    "discard_url": FLOW.discard_url(draft),
                    "expires_on": drafts.expires_on(draft),
                }
            )
    return rows


def _correction_target(request, employee):
    """The record entry (or None: the profile) and the field named in the query string.
    Another person's entry or an unknown field answers 404."""
    action_id = request.GET.get("action") or ""
    action = None
    if action_id:
        if not action_id.isdigit():
            raise Http404
        action = selectors.action_of_employee(employee=employee, action_id=action_id)
    field_name = request.GET.get("field", "")
    spec = spec_for(field_name, on_action=action is not None)
    if spec is None and field_name:
        raise Http404
    return spec, action


def _choose_field(request, employee, action):
    """Several fields could be wrong (a record entry, the four-part name): the person picks."""
    specs = ACTION_FIELDS if action is not None else EMPLOYEE_FIELDS
    target = action or employee
    fields = [(spec, spec.display(spec.current_text(target))) for spec in specs.values()]
    return render(
        request,
        "employment_records/correction_choose.html",
        {
            "action": action,
            "fields": fields,
            "crumbs": _crumbs((_("Request a correction"), None)),
        },
    )


# A correction request in steps kept as a draft (core.drafts): the correction, the evidence,
# then "check your answers". The draft's subject names the field (and the record entry), so
# coming back to the same field continues the same draft.
SERVICE = "corrections"
FLOW = drafts.StepFlow(
    service=SERVICE,
    url_prefix="employment_records:correction_draft",
    steps=[
        drafts.Step("change", gettext_lazy("The correction"), CorrectionForm),
        drafts.Step(
            "evidence",
            gettext_lazy("Evidence"),
            EvidenceStepForm,
            files="evidence",
            lead=gettext_lazy(
                "Attach a document that shows the correct value, if you have one: a copy of "
                "the civil registry record, the decision, a certificate. Files you attach are "
                "kept with your draft."
            ),
        ),
    ],
)


def _subject(spec, action) -> str:
    return f"{spec.name}@{action.pk}" if action is not None else spec.name


def _target_of(draft, employee):
    """The field and record entry a draft is about, checked again against its owner."""
    name, _at, action_id = draft.subject.partition("@")
    action = (
        selectors.action_of_employee(employee=employee, action_id=action_id) if action_id else None
    )
    spec = spec_for(name, on_action=action is not None)
    if spec is None:
        raise Http404
    return spec, action


def _correction_context(spec, action, employee):
    target = action or employee
    facts = []
    if action is not None:
        facts.append(
            (_("Record entry"), f"{action.get_action_type_display()} — {action.decision_number}")
        )
    facts += [
        (_("Field"), str(spec.label)[:1].upper() + str(spec.label)[1:]),
        (_("Current value"), spec.display(spec.current_text(target))),
    ]
    return {
        "page_title": _("Request a correction"),
        "facts": facts,
        "crumbs": _crumbs(
            (_("Correction requests"), reverse("employment_records:corrections")),
            (_("New request"), None),
        ),
    }


@employment_data
@require_http_methods(["GET", "POST"])
def new_correction(request):
    employee = selectors.employee_of_user(request.user)
    spec, action = _correction_target(request, employee)
    if spec is None:
        return _choose_field(request, employee, action)
    subject = _subject(spec, action)
    if request.method == "GET":
        draft = drafts.latest_draft(owner=request.user, service=SERVICE, subject=subject)
        if draft is not None:
            messages.info(
                request,
                _(
                    "We kept the request you started about this field. Continue where you "
                    "left off, or discard the draft to start again."
                ),
            )
            return redirect(FLOW.resume_url(draft))
    return drafts.step_page(
        request,
        flow=FLOW,
        draft=None,
        step=FLOW.steps[0],
        form_kwargs={"spec": spec},
        context=_correction_context(spec, action, employee),
        subject=subject,
        cancel_url=reverse("employment_records:corrections"),
    )


def _draft(request, reference):
    return drafts.access_draft(owner=request.user, service=SERVICE, reference=reference)


@employment_data
@require_http_methods(["GET", "POST"])
def correction_draft_step(request, reference, step):
    employee = selectors.employee_of_user(request.user)
    draft = _draft(request, reference)
    spec, action = _target_of(draft, employee)
    return drafts.step_page(
        request,
        flow=FLOW,
        draft=draft,
        step=FLOW.get_step(step),
        form_kwargs={"spec": spec},
        context=_correction_context(spec, action, employee),
        cancel_url=reverse("employment_records:corrections"),
    )


@employment_data
@require_http_methods(["GET", "POST"])
def correction_draft_review(request, reference):
    employee = selectors.employee_of_user(request.user)
    draft = _draft(request, reference)
    spec, action = _target_of(draft, employee)
    forms_by_name, first_bad = FLOW.validated(draft, lambda step: {"spec": spec})
    if first_bad is not None:
        return redirect(FLOW.step_url(draft, first_bad) + "?from=review")
    context = {
        **_correction_context(spec, action, employee),
        "submit_label": _("Submit the request"),
    }
    if request.method == "POST":
        change = forms_by_name["change"].cleaned_data
        data = services.CorrectionInput(
            field_name=spec.name,
            proposed_value=change["proposed_value"],
            reason=change["reason"],
            evidence=[],
            action=action,
        )
        try:
            created = services.submit_correction(
                employee=employee, data=data, actor=request.user, draft=draft
            )
        except WorkflowError as refused:
            step = "change" if refused.field in ("proposed_value", "reason") else None
            url = FLOW.step_url(draft, step) + "?from=review" if step else None
            return drafts.review_page(
                request,
                flow=FLOW,
                draft=draft,
                forms_by_name=forms_by_name,
                context=context,
                errors=[(refused.message, url)],
                status=refused.status if refused.status != 200 else 400,
            )
        messages.success(
            request,
            _("Your request %(number)s was submitted. We will tell you by SMS when it changes.")
            % {"number": created.number},
        )
        return redirect("employment_records:correction", number=created.number)
    return drafts.review_page(
        request, flow=FLOW, draft=draft, forms_by_name=forms_by_name, context=context
    )


@employment_data
@require_http_methods(["GET", "POST"])
def correction_draft_discard(request, reference):
    employee = selectors.employee_of_user(request.user)
    draft = _draft(request, reference)
    spec, action = _target_of(draft, employee)
    return drafts.discard_page(
        request,
        flow=FLOW,
        draft=draft,
        context=_correction_context(spec, action, employee),
        done_url=reverse("employment_records:corrections"),
    )


@employment_data
@require_GET
def correction_draft_file(request, reference, attachment_id):
    return drafts.file_download(_draft(request, reference), attachment_id)


@employment_data
@require_POST
def correction_draft_file_remove(request, reference, attachment_id):
    return drafts.file_remove(
        request, flow=FLOW, draft=_draft(request, reference), attachment_id=attachment_id
    )


def _detail_context(correction, answer_form=None):
    spec = spec_for(correction.field_name, on_action=correction.action_id is not None)
    return {
        "correction": correction,
        "spec": spec,
        "current": spec.display(correction.current_value),
        "proposed": spec.display(correction.proposed_value),
        "answer_form": answer_form or AnswerForm(),
        "crumbs": _crumbs(
            (_("Correction requests"), reverse("employment_records:corrections")),
            (correction.number, None),
        ),
    }


@employment_data
@require_GET
def correction_detail(request, number):
    employee = selectors.employee_of_user(request.user)
    correction = selectors.access_correction_for_employee(employee=employee, number=number)
    return render(request, "employment_records/correction_detail.html", _detail_context(correction))


@employment_data
@require_POST
def respond_correction(request, number):
    employee = selectors.employee_of_user(request.user)
    correction = selectors.access_correction_for_employee(employee=employee, number=number)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_more_info(
                request=correction,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                evidence=form.cleaned_data["evidence"],
            )
        except WorkflowError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, _("Your answer was sent to HR."))
            return redirect("employment_records:correction", number=number)
    return render(
        request,
        "employment_records/correction_detail.html",
        _detail_context(correction, answer_form=form),
        status=400,
    )


@employment_data
@require_POST
def withdraw_correction(request, number):
    employee = selectors.employee_of_user(request.user)
    correction = selectors.access_correction_for_employee(employee=employee, number=number)
    try:
        services.withdraw_correction(request=correction, actor=request.user)
    except WorkflowError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("employment_records:correction", number=number)


@login_required
@require_GET
def evidence_download(request, number, evidence_id):
    """For the request's owner and for HR of the owner's entity; 404 for everyone else."""
    evidence = selectors.access_evidence(
        user=request.user,
        number=number,
        evidence_id=evidence_id,
        hr_console=hr_site.has_permission(request),
    )
    try:
        return attachment_response(evidence)
    except FileNotFoundError:
        raise Http404 from None


@employment_data
def statements(request):
    employee = selectors.employee_of_user(request.user)
    form = StatementRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not STATEMENT_LIMIT.hit(str(request.user.pk)):
            messages.error(
                request, _("You have requested many statements in the last hour. Try again later.")
            )
            return redirect("employment_records:statements")
        document = services.request_service_statement(
            employee=employee, actor=request.user, language=form.cleaned_data["language"]
        )
        return redirect("employment_records:statement", code=document.code)
    return render(
        request,
        "employment_records/statements.html",
        {
            "form": form,
            "documents": documents_of_holder(holder=employee, kind=services.SERVICE_STATEMENT)[:10],
            "crumbs": _crumbs((_("Service certificate"), None)),
        },
        status=400 if form.errors else 200,
    )


@employment_data
@require_GET
def statement_status(request, code):
    employee = selectors.employee_of_user(request.user)
    document = access_document_for_holder(holder=employee, code=code)
    slow = is_slow(document)
    context = {
        "document": document,
        "slow": slow,
        "crumbs": _crumbs(
            (_("Service certificate"), reverse("employment_records:statements")),
            (document.display_code, None),
        ),
    }
    if request.headers.get("HX-Request"):
        # htmx polls: "no change" is a 204, which htmx does not swap, so a screen reader hears
        # the live region once, when the statement is ready, not every second (and once when
        # it starts taking longer than usual).
        if document.status == Document.Status.PENDING and slow == bool(request.GET.get("slow")):
            return HttpResponse(status=204)
        return render(request, "employment_records/includes/statement_panel.html", context)
    return render(request, "employment_records/statement.html", context)


@employment_data
@require_GET
def statement_download(request, code):
    employee = selectors.employee_of_user(request.user)
    document = access_document_for_holder(holder=employee, code=code)
    if document.status != Document.Status.READY or not default_storage.exists(document.file_name):
        raise Http404
    return private_file_response(
        document.file_name,
        download_name=f"service-statement-{document.code}.pdf",
        content_type="application/pdf",
    )
