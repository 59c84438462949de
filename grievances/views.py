"""The employee's pages of the grievances service (the HR side lives in admin.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import drafts
from core.catalogue import service_required
from core.ratelimit import Limit
from core.uploads import attachment_response
from core.workflow import WorkflowError

from . import selectors, services
from .forms import (
    AttachmentsStepForm,
    DecisionStepForm,
    DetailsStepForm,
    FollowForm,
    ReplyForm,
)

# Following by number is a lookup: bounded so nobody walks the number space.
FOLLOW_LIMIT = Limit(scope="grievance-follow", count=20, seconds=60)


def _crumbs(*extra):
    return [(_("Grievances"), reverse("grievances:index")), *extra]


@require_GET
@service_required("grievances")
def index(request):
    return _index_with(request, FollowForm(), status=200)


# Filing, in steps kept as a draft (core.drafts): the decision, the grievance, the supporting
# documents, then "check your answers". The draft survives sign-out; its reference doubles as
# the submission token, so submitting twice files one grievance.
SERVICE = "grievances"
FLOW = drafts.StepFlow(
    service=SERVICE,
    url_prefix="grievances:draft",
    steps=[
        drafts.Step("decision", gettext_lazy("The decision"), DecisionStepForm),
        drafts.Step("details", gettext_lazy("Your grievance"), DetailsStepForm),
        drafts.Step(
            "attachments",
            gettext_lazy("Supporting documents"),
            AttachmentsStepForm,
            files="attachments",
            lead=gettext_lazy(
                "Attach the decision and anything that supports your grievance, if you have "
                "them. Files you attach are kept with your draft."
            ),
        ),
    ],
)


def _filing_context():
    return {
        "page_title": _("File a grievance"),
        "crumbs": _crumbs((_("File a grievance"), None)),
    }


def _form_kwargs(request):
    employee = request.user.employee
    return lambda step: {"employee": employee}


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def submit(request):
    """The first step. A person who already has a grievance in progress continues it."""
    if request.method == "GET":
        draft = drafts.latest_draft(owner=request.user, service=SERVICE)
        if draft is not None:
            messages.info(
                request,
                _(
                    "We kept the grievance you started. Continue where you left off, or discard "
                    "the draft to start again."
                ),
            )
            return redirect(FLOW.resume_url(draft))
    return drafts.step_page(
        request,
        flow=FLOW,
        draft=None,
        step=FLOW.steps[0],
        form_kwargs={"employee": request.user.employee},
        context=_filing_context(),
        cancel_url=reverse("grievances:index"),
    )


def _draft(request, reference):
    return drafts.access_draft(owner=request.user, service=SERVICE, reference=reference)


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def draft_step(request, reference, step):
    draft = _draft(request, reference)
    return drafts.step_page(
        request,
        flow=FLOW,
        draft=draft,
        step=FLOW.get_step(step),
        form_kwargs={"employee": request.user.employee},
        context=_filing_context(),
        cancel_url=reverse("grievances:index"),
    )


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def draft_review(request, reference):
    try:
        draft = _draft(request, reference)
    except Http404:
        # Submitted a moment ago (a double click, a refresh): the grievance it became.
        grievance = selectors.grievance_filed_from(user=request.user, token=reference)
        return redirect("grievances:submitted", number=grievance.number)
    forms_by_name, first_bad = FLOW.validated(draft, _form_kwargs(request))
    if first_bad is not None:
        # A step is missing, or no longer valid (its errors show on the step).
        return redirect(FLOW.step_url(draft, first_bad) + "?from=review")
    context = {
        **_filing_context(),
        "submit_label": _("Submit the grievance"),
        "declaration": _(
            "By submitting, you confirm that what you wrote is true. You will get a grievance "
            "number on the next page and by SMS."
        ),
    }
    if request.method == "POST":
        decision = forms_by_name["decision"].cleaned_data
        details = forms_by_name["details"].cleaned_data
        try:
            grievance, _created = services.submit_grievance(
                employee=request.user.employee,
                data=services.GrievanceInput(
                    category=decision["category"],
                    decision_number=decision["decision_number"],
                    decision_date=decision["decision_date"],
                    learned_on=decision["learned_on"],
                    text=details["text"],
                    remedy=details["remedy"],
                    action_id=decision["action"].pk if decision.get("action") else None,
                ),
                attachments=[],
                submission_token=draft.reference,
                request=request,
                draft=draft,
            )
        except WorkflowError as error:
            step = "decision" if error.field in DecisionStepForm.base_fields else None
            url = FLOW.step_url(draft, step) + "?from=review" if step else None
            return drafts.review_page(
                request,
                flow=FLOW,
                draft=draft,
                forms_by_name=forms_by_name,
                context=context,
                errors=[(error.message, url)],
                status=400,
            )
        return redirect("grievances:submitted", number=grievance.number)
    return drafts.review_page(
        request, flow=FLOW, draft=draft, forms_by_name=forms_by_name, context=context
    )


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def draft_discard(request, reference):
    return drafts.discard_page(
        request,
        flow=FLOW,
        draft=_draft(request, reference),
        context=_filing_context(),
        done_url=reverse("grievances:index"),
    )


@require_GET
@service_required("grievances")
def draft_file(request, reference, attachment_id):
    return drafts.file_download(_draft(request, reference), attachment_id)


@require_POST
@service_required("grievances")
def draft_file_remove(request, reference, attachment_id):
    return drafts.file_remove(
        request, flow=FLOW, draft=_draft(request, reference), attachment_id=attachment_id
    )


@require_GET
@service_required("grievances")
def submitted(request, number):
    grievance = selectors.access_grievance_for_employee(user=request.user, number=number)
    return render(
        request,
        "grievances/submitted.html",
        {"grievance": grievance, "crumbs": _crumbs((grievance.number, None))},
    )


@require_GET
@service_required("grievances")
def mine(request):
    page_obj = selectors.my_grievances_page(user=request.user, page=request.GET.get("page", 1))
    return render(
        request,
        "grievances/mine.html",
        {
            "page_obj": page_obj,
            "page_range": page_obj.paginator.get_elided_page_range(page_obj.number),
            "crumbs": _crumbs((_("My grievances"), None)),
        },
    )


@require_GET
@service_required("grievances")
def follow(request):
    if "number" not in request.GET:
        # Opened directly (a bookmark, the address typed): the follow-up form, not a 400.
        return _index_with(request, FollowForm(), status=200)
    form = FollowForm(request.GET)
    if not FOLLOW_LIMIT.hit(f"user:{request.user.pk}"):
        form.is_valid()
        form.add_error(None, _("Too many look-ups. Wait a minute and try again."))
        return _index_with(request, form, status=429)
    if not form.is_valid():
        return _index_with(request, form, status=400)
    grievance = selectors.access_grievance_for_employee(
        user=request.user, number=form.cleaned_data["number"]
    )
    return redirect("grievances:detail", number=grievance.number)


def _index_with(request, form, *, status):
    draft = drafts.latest_draft(owner=request.user, service=SERVICE)
    return render(
        request,
        "grievances/index.html",
        {
            "follow_form": form,
            "draft": draft,
            "draft_url": FLOW.resume_url(draft) if draft else None,
            "draft_expires_on": drafts.expires_on(draft) if draft else None,
            "filing_days": services.filing_days("default"),
            "performance_days": services.filing_days("performance"),
            "answer_days": settings.GRIEVANCE_ANSWER_DAYS,
            # The section's own page: its name once, not a link to itself ('Grievances /
            # Grievances').
            "crumbs": [(_("Grievances"), None)],
        },
        status=status,
    )


def _detail_context(grievance, *, reply_form=None):
    return {
        "grievance": grievance,
        "appeal_until": services.appeal_deadline(grievance),
        "appeal_days": services.APPEAL_DAYS,
        "reply_form": reply_form or (ReplyForm() if grievance.awaits_employee else None),
        "crumbs": _crumbs(
            (_("My grievances"), reverse("grievances:mine")), (grievance.number, None)
        ),
    }


@require_GET
@service_required("grievances")
def detail(request, number):
    grievance = selectors.access_grievance_for_employee(user=request.user, number=number)
    return render(request, "grievances/detail.html", _detail_context(grievance))


@require_POST
@service_required("grievances")
def reply(request, number):
    grievance = selectors.access_grievance_for_employee(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_more_information(
                grievance=grievance,
                user=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                request=request,
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your answer was sent. The follow-up continues."))
            return redirect("grievances:detail", number=grievance.number)
    return render(
        request, "grievances/detail.html", _detail_context(grievance, reply_form=form), status=400
    )


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def withdraw(request, number):
    grievance = selectors.access_grievance_for_employee(user=request.user, number=number)
    error = None
    if request.method == "POST":
        try:
            services.withdraw_grievance(grievance=grievance, user=request.user, request=request)
        except WorkflowError as refused:
            error = refused.message
        else:
            messages.success(request, _("Your grievance was withdrawn."))
            return redirect("grievances:detail", number=grievance.number)
    return render(
        request,
        "grievances/withdraw.html",
        {
            "grievance": grievance,
            "error": error,
            "crumbs": _crumbs(
                (grievance.number, reverse("grievances:detail", args=[grievance.number])),
                (_("Withdraw"), None),
            ),
        },
        status=400 if error else 200,
    )


@require_GET
@service_required("grievances")
def attachment(request, number, attachment_id):
    found = selectors.access_attachment_for_employee(
        user=request.user, number=number, attachment_id=attachment_id
    )
    return _serve(found)


def _serve(found):
    try:
        return attachment_response(found)
    except FileNotFoundError:
        raise Http404 from None
