"""The employee's pages of the promotions service (the HR side lives in admin.py)."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.catalogue import decide, service_required
from core.workflow import WorkflowError

from . import rules, selectors, services
from .forms import ObjectionForm, PreferencesForm
from .models import RoundStatus


def _crumbs(*extra):
    return [(_("Promotions"), reverse("promotions:index")), *extra]


def _round_crumb(round_):
    return (round_.title, reverse("promotions:round", args=[round_.pk]))


@require_GET
@service_required("promotions")
def index(request):
    employee = request.user.employee
    rounds = selectors.visible_rounds(employee=employee)
    return render(
        request,
        "promotions/index.html",
        {"rounds": rounds, "crumbs": [(_("Promotions"), None)]},
    )


def _window_open(round_) -> bool:
    now = timezone.now()
    return round_.status == RoundStatus.OPEN and round_.opens_at <= now < round_.closes_at


@require_GET
@service_required("promotions")
def round_detail(request, round_id):
    employee = request.user.employee
    round_ = selectors.access_round_for_employee(employee=employee, round_id=round_id)
    return render(
        request,
        "promotions/round.html",
        {
            "round": round_,
            "readiness": selectors.readiness(employee=employee, round_=round_),
            "preferences": selectors.my_preferences(employee=employee, round_=round_),
            "window_open": _window_open(round_),
            "published": round_.status == RoundStatus.PUBLISHED,
            "crumbs": _crumbs((round_.title, None)),
        },
    )


@require_http_methods(["GET", "POST"])
@service_required("promotions")
def preferences(request, round_id):
    employee = request.user.employee
    round_ = selectors.access_round_for_employee(employee=employee, round_id=round_id)
    readiness = selectors.readiness(employee=employee, round_=round_)
    # Only the positions whose class minimum the person meets are offered to them (the service
    # refuses the others anyway).
    offered = [
        offer
        for offer in selectors.offered_positions(round_=round_)
        if rules.meets(readiness.qualification, offer.position.job_class.min_qualification)
    ]
    current = {
        p.offered_id: p.order for p in selectors.my_preferences(employee=employee, round_=round_)
    }
    kwargs = {"offered": offered, "max_preferences": round_.max_preferences, "current": current}
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                saved = services.save_preferences(
                    employee=employee,
                    round_id=round_.pk,
                    offered_ids=form.cleaned_data["ordered"],
                    token=form.cleaned_data["token"],
                    request=request,
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return redirect(
                    "promotions:receipt", round_id=round_.pk, receipt=saved.submission.receipt
                )
        else:
            status = 400
    else:
        form = PreferencesForm(initial={"token": uuid.uuid4()}, **kwargs)
    return render(
        request,
        "promotions/preferences.html",
        {
            "round": round_,
            "form": form,
            "readiness": readiness,
            "window_open": _window_open(round_),
            "crumbs": _crumbs(_round_crumb(round_), (_("My preferences"), None)),
        },
        status=status,
    )


@require_GET
@service_required("promotions")
def receipt(request, round_id, receipt):
    employee = request.user.employee
    round_ = selectors.access_round_for_employee(employee=employee, round_id=round_id)
    submission = selectors.access_submission(employee=employee, round_=round_, receipt=receipt)
    return render(
        request,
        "promotions/receipt.html",
        {
            "round": round_,
            "submission": submission,
            "preferences": selectors.my_preferences(employee=employee, round_=round_),
            "crumbs": _crumbs(_round_crumb(round_), (_("Receipt"), None)),
        },
    )


def _published_round(request, round_id):
    round_ = selectors.access_round_for_employee(employee=request.user.employee, round_id=round_id)
    if round_.status != RoundStatus.PUBLISHED:
        raise Http404
    return round_


@require_GET
@service_required("promotions")
def result(request, round_id):
    employee = request.user.employee
    round_ = _published_round(request, round_id)
    return render(
        request,
        "promotions/result.html",
        {
            "round": round_,
            "result": selectors.my_result(employee=employee, round_=round_),
            "readiness": selectors.readiness(employee=employee, round_=round_),
            "crumbs": _crumbs(_round_crumb(round_), (_("Result"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
@service_required("promotions")
def objection(request, round_id):
    employee = request.user.employee
    round_ = _published_round(request, round_id)
    grievance_access = decide(request.user, "grievances")
    status = 200
    if request.method == "POST" and grievance_access:
        form = ObjectionForm(request.POST)
        if form.is_valid():
            try:
                grievance = services.object_to_result(
                    employee=employee,
                    round_=round_,
                    text=form.cleaned_data["text"],
                    remedy=form.cleaned_data["remedy"],
                    token=form.cleaned_data["token"],
                    request=request,
                )
            except WorkflowError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                return redirect("grievances:submitted", number=grievance.number)
        else:
            status = 400
    else:
        outcome = selectors.my_result(employee=employee, round_=round_).score
        text = _(
            "I object to the result of the promotion round “%(round)s” published on %(date)s."
        ) % {"round": round_.title, "date": timezone.localdate(round_.published_at).isoformat()}
        if outcome is not None:
            text += " " + _("My total was %(total)s and my place %(place)s.") % {
                "total": outcome.total,
                "place": outcome.place,
            }
        form = ObjectionForm(initial={"token": uuid.uuid4(), "text": text})
    return render(
        request,
        "promotions/objection.html",
        {
            "round": round_,
            "form": form,
            "grievance_access": grievance_access,
            "crumbs": _crumbs(_round_crumb(round_), (_("Object to this result"), None)),
        },
        status=status,
    )
