from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.hr_admin import AuditedAdmin, EntityScopedAdmin, ReadOnlyAdminMixin, hr_site
from core.workflow import WorkflowError

from . import models, selectors, services
from .exports import correction_columns
from .nationalities import NATIONALITIES, SAUDI


class ActionInline(admin.TabularInline):
    model = models.EmploymentAction
    fk_name = "employee"
    extra = 0
    fields = (
        "action_type",
        "decision_number",
        "decision_date",
        "effective_date",
        "to_rank",
        "to_step",
    )
    show_change_link = True


class NationalityFilter(admin.SimpleListFilter):
    """Nationalities in words ("Egyptian", not "EG"), from a fixed list: no scan of the table
    for the codes it holds. Saudi first, then "not Saudi", then the others by name."""

    title = _("nationality")
    parameter_name = "nationality"
    NOT_SAUDI = "not_sa"

    def lookups(self, request, model_admin):
        others = sorted(
            ((code, label) for code, label in NATIONALITIES.items() if code != SAUDI),
            key=lambda item: str(item[1]),
        )
        return [(SAUDI, NATIONALITIES[SAUDI]), (self.NOT_SAUDI, _("Not Saudi")), *others]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NOT_SAUDI:
            return queryset.exclude(nationality=SAUDI)
        if value:
            return queryset.filter(nationality=value)
        return queryset


# Counts in words, with the six Arabic plural forms (core.console_lists.count_text).
EMPLOYEES = ngettext_lazy("%(count)s employee", "%(count)s employees", "count")
POSITIONS = ngettext_lazy("%(count)s position", "%(count)s positions", "count")
ACTIONS = ngettext_lazy("%(count)s employment action", "%(count)s employment actions", "count")
CORRECTIONS = ngettext_lazy(
    "%(count)s correction request", "%(count)s correction requests", "count"
)


class EmployeeAdmin(AuditedAdmin):
    count_noun = EMPLOYEES
    list_display = (
        "national_id",
        "name_ar",
        "name_en",
        "entity",
        "rank",
        "step",
        "status",
    )
    list_filter = ("status", "entity", "rank", NationalityFilter)
    search_fields = (
        "national_id",
        "first_name_ar",
        "family_name_ar",
        "first_name_en",
        "family_name_en",
    )
    list_select_related = ("entity",)
    raw_id_fields = ("position", "user")
    inlines = [ActionInline]
    search_help_text = _("A national ID (exact), or any part of the name in Arabic or English.")

    @admin.display(description=_("full name (Arabic)"))
    def name_ar(self, obj):
        return obj.full_name_ar

    @admin.display(description=_("full name (English)"))
    def name_en(self, obj):
        return obj.full_name_en

    def get_search_results(self, request, queryset, search_term):
        # An exact national ID or an indexed, Arabic-normalised name search (not LIKE '%x%'
        # over five columns).
        return selectors.search_employees(queryset, search_term), False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The position left behind and the one taken (or left by an ended service).
        services.sync_position_status(form.initial.get("position"), obj.position_id)

    def delete_model(self, request, obj):
        position_id = obj.position_id
        super().delete_model(request, obj)
        services.sync_position_status(position_id)


class PositionAdmin(AuditedAdmin):
    count_noun = POSITIONS
    list_display = ("number", "entity", "unit", "job_class", "rank", "status")
    list_filter = ("status", "entity", "rank")
    search_fields = ("=number", "job_class__code", "job_class__title_ar", "job_class__title_en")
    search_help_text = _("A position number (exact), or a job class code or title.")
    list_select_related = ("entity", "unit", "job_class")


class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name_ar", "name_en", "entity")
    list_filter = ("entity",)
    search_fields = ("code", "name_ar", "name_en")


class EmployeeChildAdmin(AuditedAdmin):
    """Records hanging off an employee: listed with the employee, searched by national ID."""

    list_select_related = ("employee",)
    search_fields = ("employee__national_id",)
    raw_id_fields = ("employee",)

    def get_search_results(self, request, queryset, search_term):
        has_number = any(f.name == "decision_number" for f in self.model._meta.fields)
        found = selectors.search_employee_records(queryset, search_term, decision_number=has_number)
        return found, False


class ActionAdmin(EmployeeChildAdmin):
    count_noun = ACTIONS
    list_display = ("employee", "action_type", "decision_number", "decision_date", "effective_date")
    list_filter = ("action_type",)
    show_full_result_count = False  # a second count over the largest table, on every filter
    raw_id_fields = ("employee", "from_position", "to_position")
    readonly_fields = ("source",)  # written by the service that made the decision


class TrainingAdmin(EmployeeChildAdmin):
    list_display = ("employee", "title_ar", "start_date", "end_date", "status")
    list_filter = ("status",)


class ScholarshipAdmin(EmployeeChildAdmin):
    list_display = ("employee", "degree", "institution", "start_date", "status")
    list_filter = ("status", "degree")


class EvaluationAdmin(EmployeeChildAdmin):
    list_display = ("employee", "year", "score", "rating")
    list_filter = ("rating", "year")


class QualificationAdmin(EmployeeChildAdmin):
    list_display = ("employee", "level", "major", "institution", "graduation_date")


class VolunteeringAdmin(EmployeeChildAdmin):
    list_display = ("employee", "organisation", "hours", "start_date", "end_date")


MINISTRY_REGISTRY = {
    models.GovernmentEntity: AuditedAdmin,
    models.OrganisationalUnit: UnitAdmin,
    models.JobClass: AuditedAdmin,
    models.Position: PositionAdmin,
    models.Employee: EmployeeAdmin,
    models.EmploymentAction: ActionAdmin,
    models.TrainingDecision: TrainingAdmin,
    models.ScholarshipDecision: ScholarshipAdmin,
    models.PerformanceEvaluation: EvaluationAdmin,
    models.Qualification: QualificationAdmin,
    models.VolunteeringEntry: VolunteeringAdmin,
    models.SalaryScale: AuditedAdmin,
}
for model, model_admin in MINISTRY_REGISTRY.items():
    admin.site.register(model, model_admin)

# The HR console: the same admins, scoped to the specialist's entity, but for the reference
# data the ministry keeps. Every model here names its entity in a column of its own (the records
# copy their employee's: TakesEmployeesEntity), so each list reads one entity's rows on its own
# index, without a join.
MINISTRY_ONLY = {models.GovernmentEntity, models.JobClass, models.SalaryScale}
for model, base_admin in MINISTRY_REGISTRY.items():
    if model in MINISTRY_ONLY:
        continue
    scoped = type(f"HR{base_admin.__name__}", (EntityScopedAdmin, base_admin), {})
    scoped.list_filter = tuple(f for f in base_admin.list_filter if f != "entity")
    scoped.exclude = ("entity",)
    if model is models.Employee:
        # Accounts are linked by registration, not by HR; the civil registry's data (the mobile
        # registration codes go to, the ID's expiry) is not HR's to change.
        scoped.exclude = ("entity", "user", "registry_mobile", "national_id_expiry")
        scoped.raw_id_fields = ("position",)
    hr_site.register(model, scoped)


# --- Correction requests: the HR queue ---------------------------------------------------------


class SlaFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("due_soon", _("Due within 7 days")),
            ("on_time", _("On time")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        open_requests = queryset.filter(status__in=models.OPEN_CORRECTION_STATUSES)
        running = open_requests.filter(paused_since__isnull=True)  # a paused clock is not late
        if self.value() == "overdue":
            return running.filter(due_at__lt=now)
        if self.value() == "due_soon":
            return running.filter(due_at__gte=now, due_at__lte=now + timedelta(days=7))
        if self.value() == "on_time":
            return open_requests.exclude(pk__in=running.filter(due_at__lte=now + timedelta(days=7)))
        return queryset


class CorrectionAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    """Read-only list and detail; every decision goes through the review page, which calls
    `employment_records.services` (never a plain model save)."""

    entity_lookup = "entity"
    count_noun = CORRECTIONS
    csv_columns = correction_columns()
    list_display = ("number", "employee", "field_label", "status", "due_at", "overdue", "review")
    list_filter = ("status", SlaFilter)
    search_fields = ("=number", "=employee__national_id")
    search_help_text = _("A request number or a national ID (exact).")
    list_select_related = ("employee", "action")
    ordering = ("due_at", "id")

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("field"))
    def field_label(self, obj):
        return obj.field_label

    @admin.display(description=_("review"))
    def review(self, obj):
        url = reverse(
            f"{self.admin_site.name}:employment_records_correctionrequest_review", args=[obj.pk]
        )
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request's number opens its review page (evidence, proposed beside current,
        decision), never the read-only model form. Anything but a GET stays with the read-only
        change view, which refuses it."""
        if request.method != "GET":
            return super().change_view(request, object_id, form_url, extra_context)
        if not str(object_id).isdigit():
            raise Http404
        return redirect(
            f"{self.admin_site.name}:employment_records_correctionrequest_review", pk=object_id
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="employment_records_correctionrequest_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, pk):
        from . import selectors, services
        from .forms import DecisionForm

        if not self.has_view_permission(request):
            raise PermissionDenied
        correction = selectors.access_correction_for_hr(user=request.user, pk=pk)
        form = DecisionForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                self._decide(services, correction, request.user, **form.cleaned_data)
            except WorkflowError as refused:
                status = refused.status  # the form keeps what was typed
                form.add_error(
                    refused.field if refused.field in form.fields else None, refused.message
                )
            except models.CorrectionRequest.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("The decision was recorded and the employee notified."))
                return redirect(
                    f"{self.admin_site.name}:employment_records_correctionrequest_review", pk=pk
                )
        spec = correction.spec
        context = {
            **self.admin_site.each_context(request),
            "title": _("Correction request %(number)s") % {"number": correction.number},
            "correction": correction,
            "current": spec.display(correction.current_value),
            "proposed": spec.display(correction.proposed_value),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request,
            "admin/employment_records/correction_review.html",
            context,
            status=400 if form.errors and status == 200 else status,
        )

    @staticmethod
    def _decide(services, correction, actor, *, decision, note):
        if decision == "review":
            services.start_review(request=correction, actor=actor)
        elif decision == "approve":
            services.approve_correction(request=correction, actor=actor, note=note)
        elif decision == "more_info":
            services.ask_for_more_info(request=correction, actor=actor, question=note)
        else:
            services.reject_correction(request=correction, actor=actor, reason=note)


hr_site.register(models.CorrectionRequest, CorrectionAdmin)


class MinistryCorrectionAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    count_noun = CORRECTIONS
    list_display = ("number", "employee", "field_label", "status", "due_at")
    list_filter = ("status", SlaFilter)
    search_fields = ("=number", "=employee__national_id")
    search_help_text = _("A request number or a national ID (exact).")
    list_select_related = ("employee",)

    @admin.display(description=_("field"))
    def field_label(self, obj):
        return obj.field_label


admin.site.register(models.CorrectionRequest, MinistryCorrectionAdmin)
