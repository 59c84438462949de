"""The employee's pages of the grievances service (the HR side lives in admin.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.catalogue import service_required
from core.ratelimit import Limit
from core.uploads import attachment_response
from core.workflow import WorkflowError

from . import selectors, services
from .forms import FollowForm, GrievanceForm, ReplyForm

# Following by number is a lookup: bounded so nobody walks the number space.
FOLLOW_LIMIT = Limit(scope="grievance-follow", count=20, seconds=60)


def _crumbs(*extra):
    return [(_("Grievances"), reverse("grievances:index")), *extra]


@require_GET
@service_required("grievances")
def index(request):
    return _index_with(request, FollowForm(), status=200)


@require_http_methods(["GET", "POST"])
@service_required("grievances")
def submit(request):
    employee = request.user.employee
    if request.method == "POST":
        form = GrievanceForm(request.POST, request.FILES, employee=employee)
        if form.is_valid():
            grievance = _file(request, form, employee)
            if grievance is not None:
                return redirect("grievances:submitted", number=grievance.number)
    else:
        # One token per form shown: the same form submitted twice files one grievance.
        form = GrievanceForm(initial={"submission_token": uuid.uuid4()}, employee=employee)
    return render(
        request,
        "grievances/submit.html",
        {"form": form, "crumbs": _crumbs((_("File a grievance"), None))},
        status=400 if form.is_bound else 200,
    )


def _file(request, form, employee):
    data = form.cleaned_data
    try:
        grievance, _created = services.submit_grievance(
            employee=employee,
            data=services.GrievanceInput(
                category=data["category"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                learned_on=data["learned_on"],
                text=data["text"],
                remedy=data["remedy"],
                action_id=data["action"].pk if data.get("action") else None,
            ),
            attachments=data["attachments"],
            submission_token=data["submission_token"],
            request=request,
        )
    except WorkflowError as error:
        form.add_error(error.field, error.message)
        return None
    return grievance


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
    return render(
        request,
        "grievances/index.html",
        {
            "follow_form": form,
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
