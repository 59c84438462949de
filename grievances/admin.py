"""The HR console's side of grievances: the entity's queue and one page per workflow step.

Each step is a small form on its own admin URL; the write goes through services.py, which
checks the transition table and the specialist's entity again under the row lock.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.console_lists import dual_calendar
from core.hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_entity_id, hr_site
from core.workflow import WorkflowError

from . import selectors, services
from .exports import GRIEVANCE_CSV_RELATED, grievance_columns
from .forms import AssignForm, CommitteeForm, DecideForm, MoreInfoForm
from .models import CLOCK_RUNNING, Grievance, Status
from .views import _serve
from .workflow import ALLOWED_TRANSITIONS


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer date")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue().values("pk"))
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


# step name -> (form class, title, the status the step needs)
STEPS = {
    "assign": (AssignForm, _("Assign to a specialist"), None),
    "more-info": (MoreInfoForm, _("Ask the employee for more information"), None),
    "committee": (CommitteeForm, _("Record the committee's recommendation"), None),
    "decide": (DecideForm, _("Decide the grievance"), None),
    "close": (None, _("Close the grievance"), None),
}


# Counts in words, with the six Arabic plural forms (core.console_lists.count_text).
GRIEVANCES = ngettext_lazy("%(count)s grievance", "%(count)s grievances", "count")


class GrievanceAdmin(EntityScopedAdmin):
    entity_lookup = "entity"
    count_noun = GRIEVANCES
    csv_columns = grievance_columns()
    hr_permissions = ("view", "change")
    list_display = (
        "number",
        "employee_name",
        "category",
        "status",
        "submitted_on",
        "answer_due",
        "assigned_to",
    )
    list_filter = ("status", "category", OverdueFilter, AssignedFilter)
    search_fields = ("=number", "=employee__national_id", "=decision_number")
    search_help_text = _("A grievance number, a national ID or a decision number (exact).")
    list_select_related = GRIEVANCE_CSV_RELATED
    ordering = ("due_at",)
    list_per_page = 50
    actions = ["assign_selected"]

    class Media:
        css = {"all": ("grievances/hr.css",)}

    def has_add_permission(self, request):
        return False  # employees file grievances; HR answers them

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("employee"), ordering="employee__national_id")
    def employee_name(self, obj):
        return f"{obj.employee.full_name()} ({obj.employee.national_id})"

    @admin.display(description=_("filed on"), ordering="submitted_at")
    def submitted_on(self, obj):
        return dual_calendar(obj.submitted_at)

    @admin.display(description=_("answer due by"), ordering="due_at")
    def answer_due(self, obj):
        if obj.status == Status.MORE_INFO_REQUESTED:
            return _("Paused: waiting for the employee")
        if obj.status not in CLOCK_RUNNING:
            return "—"
        if obj.due_at < timezone.now():
            return format_html(
                '<strong class="overdue">{} — {}</strong>', _("Overdue"), dual_calendar(obj.due_at)
            )
        return dual_calendar(obj.due_at)

    # --- bulk assignment ---------------------------------------------------------------

    @admin.action(
        description=_("Assign the selected grievances to a specialist"), permissions=["change"]
    )
    def assign_selected(self, request, queryset):
        """An intermediate page choosing the specialist, then grievances.services in one
        transaction; each refused grievance is named with its reason."""
        entity_id = hr_entity_id(request.user)
        form = AssignForm(request.POST if "apply" in request.POST else None, entity_id=entity_id)
        if form.is_bound and form.is_valid():
            result = services.assign_grievances(
                grievance_ids=queryset.values_list("pk", flat=True),
                specialist=form.cleaned_data["specialist"],
                actor=request.user,
                request=request,
            )
            if result.assigned:
                self.message_user(
                    request,
                    _("Assigned to %(name)s: %(numbers)s.")
                    % {
                        "name": form.cleaned_data["specialist"],
                        "numbers": _list_separator().join(result.assigned),
                    },
                    messages.SUCCESS,
                )
            for number, reason in result.refused:
                self.message_user(
                    request,
                    _("%(number)s was not assigned: %(reason)s")
                    % {"number": number, "reason": reason},
                    messages.ERROR,
                )
            return None  # back to the list, its filters kept
        return TemplateResponse(
            request,
            "admin/grievances/grievance/assign_selected.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Assign the selected grievances to a specialist"),
                "grievances": queryset.select_related("employee").order_by("due_at", "pk"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    # --- pages ---------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:object_id>/step/<str:step>/",
                wrap(self.step_view),
                name="grievances_grievance_step",
            ),
            path(
                "<int:object_id>/attachments/<int:attachment_id>/",
                wrap(self.attachment_view),
                name="grievances_grievance_attachment",
            ),
            *super().get_urls(),
        ]

    def _grievance(self, request, object_id) -> Grievance:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return selectors.access_grievance_for_hr(user=request.user, grievance_id=object_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Another entity's grievance (or a made-up id) answers 404, like its attachments.
        if not str(object_id).isdigit():
            raise Http404
        grievance = self._grievance(request, int(object_id))
        return TemplateResponse(
            request,
            "admin/grievances/grievance/hr_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Grievance %(number)s") % {"number": grievance.number},
                "grievance": grievance,
                "committee": getattr(grievance, "committee", None),
                "steps": self._available_steps(grievance, request.user),
            },
        )

    def _available_steps(self, grievance, user):
        if grievance.employee.is_account(user):
            return []  # nobody acts on a grievance about themselves
        allowed = ALLOWED_TRANSITIONS[grievance.status]
        steps = []
        if grievance.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
            steps.append("assign")
        if Status.MORE_INFO_REQUESTED in allowed:
            steps.append("more-info")
        if (
            grievance.needs_committee
            and grievance.status == Status.UNDER_REVIEW
            and not hasattr(grievance, "committee")
        ):
            steps.append("committee")
        if Status.DECIDED in allowed and (
            not grievance.needs_committee or hasattr(grievance, "committee")
        ):
            steps.append("decide")
        if Status.CLOSED in allowed:
            steps.append("close")
        return [(step, STEPS[step][1]) for step in steps]

    def step_view(self, request, object_id, step):
        if step not in STEPS:
            raise Http404
        grievance = self._grievance(request, object_id)
        if not self.has_change_permission(request, grievance):
            raise PermissionDenied
        form_class, title, _status = STEPS[step]
        form = self._step_form(form_class, request, grievance)
        error, status = None, 400 if request.method == "POST" else 200
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                self._run_step(step, request, grievance, form)
            except WorkflowError as refused:
                status = refused.status
                if form is not None and refused.field in form.fields:
                    form.add_error(refused.field, refused.message)  # what was typed stays
                else:
                    error = refused.message
            except Grievance.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("Saved. The employee is told by SMS."))
                return redirect(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
        return TemplateResponse(
            request,
            "admin/grievances/grievance/step.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "grievance": grievance,
                "form": form,
                "error": error,
            },
            status=status,
        )

    def _step_form(self, form_class, request, grievance):
        if form_class is None:
            return None
        data = request.POST if request.method == "POST" else None
        if form_class is DecideForm:
            return DecideForm(data, request.FILES if data is not None else None)
        if form_class is AssignForm:
            return AssignForm(
                data,
                entity_id=grievance.entity_id,
                initial={"specialist": grievance.assigned_to_id or request.user.pk},
            )
        return form_class(data)

    def _run_step(self, step, request, grievance, form):
        common = {"grievance_id": grievance.pk, "actor": request.user, "request": request}
        data = form.cleaned_data if form is not None else {}
        if step == "assign":
            services.assign_grievance(specialist=data["specialist"], **common)
        elif step == "more-info":
            services.request_more_information(question=data["question"], **common)
        elif step == "committee":
            services.record_committee_recommendation(
                members=(data["chair"], data["member_2"], data["member_3"]),
                recommendation=data["recommendation"],
                reasoning=data["reasoning"],
                met_on=data["met_on"],
                **common,
            )
        elif step == "decide":
            services.decide_grievance(
                outcome=data["outcome"],
                reasoning=data["reasoning"],
                letter=data.get("letter"),
                **common,
            )
        elif step == "close":
            services.close_grievance(**common)

    def attachment_view(self, request, object_id, attachment_id):
        if not self.has_view_permission(request) or hr_entity_id(request.user) is None:
            raise Http404
        found = selectors.access_attachment_for_hr(
            user=request.user, grievance_id=object_id, attachment_id=attachment_id
        )
        return _serve(found)


def _list_separator() -> str:
    return "، " if get_language() == "ar" else ", "


hr_site.register(Grievance, GrievanceAdmin)


@admin.register(Grievance)
class MinistryGrievanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ministry sees every entity's grievances, read-only: HR answers them in /hr/."""

    count_noun = GRIEVANCES

    list_display = ("number", "entity", "category", "status", "submitted_at", "outcome")
    list_filter = ("status", "category", "entity")
    search_fields = ("=number", "=employee__national_id", "=decision_number")
    search_help_text = _("A grievance number, a national ID or a decision number (exact).")
    list_select_related = ("entity",)
