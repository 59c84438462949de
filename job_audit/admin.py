"""The job-data audit in the two consoles.

HR console (`/hr/`): an entity's specialists holding the job-audit grant see the position
inventory, the findings (mark them resolved or justified), the audit runs (start one, follow
its progress) and their job variables requests (prepare, submit). Everything is filtered to the
specialist's entity: another entity's id answers 404 on every URL.

Ministry admin (`/admin/`): auditors see every entity's submitted requests as a queue with
filters and the answer date, and approve, reject or return them; findings and runs read-only.
"""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.catalogue import decide
from core.console_lists import ValueFilter
from core.hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_entity_id, hr_site
from core.models import Document
from core.uploads import attachment_response
from core.workflow import Role, WorkflowError
from employment_records.models import JobClass, OrganisationalUnit

from . import selectors, services
from .documents import pdf_response
from .forms import DecisionForm, MarkFindingForm, RequestForm, VariableForm
from .models import (
    AuditRun,
    Finding,
    FindingHistory,
    FindingState,
    InventoryPosition,
    JobVariable,
    RequestStatus,
    RunStatus,
    VariableAttachment,
    VariableRequest,
    VariableType,
)


def job_audit_allowed(request) -> bool:
    """The specialist holds the job-audit grant (core.catalogue), decided once per request:
    every console page asks, since the sidebar lists this app (one query a page)."""
    if not hasattr(request, "_job_audit_allowed"):
        request._job_audit_allowed = decide(request.user, "job_audit").allowed
    return request._job_audit_allowed


class GrantRequiredMixin:
    """The console's job-audit pages need the service grant as well as the HR profile."""

    def has_module_permission(self, request):
        return job_audit_allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return job_audit_allowed(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return job_audit_allowed(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return job_audit_allowed(request) and super().has_add_permission(request, *args)


def _object_id(object_id) -> int:
    if not str(object_id).isdigit():
        raise Http404
    return int(object_id)


class HtmxMedia:
    """htmx for the progress panel; the script is a static file (CSP: no inline scripts)."""

    class Media:
        js = ("js/htmx.min.js",)
        css = {"all": ("job_audit/console.css",)}


def due_date(value, *, overdue: bool):
    """A due date in both calendars, marked when it has passed."""
    from core.console_lists import dual_calendar

    if value is None:
        return "—"
    if overdue:
        return format_html(
            '<strong class="overdue">{} — {}</strong>', _("Overdue"), dual_calendar(value)
        )
    return dual_calendar(value)


# --- inventory -------------------------------------------------------------------------------


class IdFilter(admin.SimpleListFilter):
    """A filter on a foreign key's id column (`column`): a value that is not an id matches
    nothing rather than raising."""

    column = ""

    def queryset(self, request, queryset):
        value = self.value()
        if value:
            return (
                queryset.filter(**{self.column: int(value)}) if value.isdigit() else queryset.none()
            )
        return queryset


class UnitFilter(IdFilter):
    """Units of the specialist's own entity only (Django's related filter would list all)."""

    title = _("unit")
    parameter_name = "unit"
    column = "unit_id"

    def lookups(self, request, model_admin):
        units = OrganisationalUnit.objects.filter(entity_id=hr_entity_id(request.user))
        return [(str(u.pk), f"{u.code} {u.name}") for u in units.order_by("code")]


class JobClassFilter(IdFilter):
    title = _("job class")
    parameter_name = "job_class"
    column = "job_class_id"

    def lookups(self, request, model_admin):
        # The classification manual is reference data (a few hundred classes): listing it
        # whole costs less than finding the classes used, a DISTINCT over the positions.
        return [(str(c.pk), str(c)) for c in JobClass.objects.order_by("code")]


class HasFindingsFilter(admin.SimpleListFilter):
    title = _("findings")
    parameter_name = "findings"

    def lookups(self, request, model_admin):
        return [("yes", _("With open findings")), ("no", _("Without open findings"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(open_findings__gt=0)
        if self.value() == "no":
            return queryset.filter(open_findings=0)
        return queryset


class InventoryAdmin(GrantRequiredMixin, EntityScopedAdmin):
    hr_permissions = ("view",)
    list_display = (
        "number",
        "class_code",
        "class_title",
        "rank",
        "unit_name",
        "status",
        "occupant",
        "findings",
    )
    list_filter = (UnitFilter, JobClassFilter, "rank", "status", HasFindingsFilter)
    search_fields = ("=number",)
    search_help_text = _("A position number (exact).")
    # (entity, number) is unique: the ordering is total, so no id is added, and the
    # constraint's index gives the rows in order.
    ordering = ("entity", "number")
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return selectors.inventory_for(hr_entity_id(request.user))

    def has_add_permission(self, request):
        return False  # positions come and go through job variables

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("class code"), ordering="job_class__code")
    def class_code(self, obj):
        return obj.job_class.code

    @admin.display(description=_("class"))
    def class_title(self, obj):
        return obj.job_class.title

    @admin.display(description=_("unit"), ordering="unit__code")
    def unit_name(self, obj):
        return obj.unit.name

    @admin.display(description=_("occupant"))
    def occupant(self, obj):
        people = obj.active_occupants
        return "، ".join(f"{p.short_name} ({p.national_id})" for p in people) or "—"

    @admin.display(description=_("open findings"), ordering="open_findings")
    def findings(self, obj):
        if not obj.open_findings:
            return "0"
        url = reverse("hr:job_audit_finding_changelist")
        return format_html('<a href="{}?position={}">{}</a>', url, obj.pk, obj.open_findings)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            position = selectors.access_position(
                entity_id=hr_entity_id(request.user), position_id=_object_id(object_id)
            )
        except InventoryPosition.DoesNotExist:
            raise Http404 from None
        return TemplateResponse(
            request,
            "admin/job_audit/position_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Position %(number)s") % {"number": position.number},
                "position": position,
                "findings": selectors.findings_for(position.entity_id)
                .filter(Q(position_id=position.pk))
                .current(),
                "history": selectors.position_history(position.pk),
            },
        )


# --- findings --------------------------------------------------------------------------------


class PositionIdFilter(IdFilter):
    """Reached from the inventory's findings link: one position's findings."""

    title = _("position")
    parameter_name = "position"
    column = "position_id"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return False


class CurrentFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in FindingState]

    def queryset(self, request, queryset):
        if self.value() in FindingState.values:
            return queryset.filter(state=self.value())
        return queryset.current()  # gone findings only when asked for


def _csv_rows(findings, header):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield "\ufeff"  # spreadsheets then read the Arabic as UTF-8
    yield writer.writerow(header)
    rows = findings.values_list(
        "pk",
        "type",
        "severity",
        "state",
        "position__number",
        "employee__national_id",
        "other_employee__national_id",
        "details",
        "note",
        "entity__code",
    ).order_by("pk")
    from .findings import explain

    for (
        pk,
        kind,
        severity,
        state,
        number,
        national_id,
        other,
        details,
        note,
        entity,
    ) in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                pk,
                entity,
                kind,
                severity,
                state,
                number or "",
                national_id or "",
                other or "",
                explain(kind, details, language="ar"),
                explain(kind, details, language="en"),
                note,
            ]
        )


def csv_response(findings, filename: str) -> StreamingHttpResponse:
    header = [
        "id",
        "entity",
        "type",
        "severity",
        "state",
        "position",
        "employee",
        "other_employee",
        "explanation_ar",
        "explanation_en",
        "note",
    ]
    response = StreamingHttpResponse(_csv_rows(findings, header), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class FindingPages:
    """What both consoles' finding lists share: the explanation column and the CSV export of
    the findings `export_rows` picks (the specialist's entity; the ministry's filter)."""

    def export_rows(self, request):
        raise NotImplementedError

    @admin.display(description=_("explanation"))
    def explanation(self, obj):
        return obj.explanation

    def get_urls(self):
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="job_audit_finding_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return csv_response(self.export_rows(request), "findings.csv")


class FindingAdmin(FindingPages, HtmxMedia, GrantRequiredMixin, EntityScopedAdmin):
    hr_permissions = ("view", "change")
    list_display = ("type", "severity", "state", "explanation", "position_link", "last_seen")
    list_filter = (CurrentFilter, "type", "severity", PositionIdFilter)
    search_fields = ("=position__number", "=employee__national_id")
    search_help_text = _("A position number or a national ID (exact).")
    list_select_related = ("position", "employee", "last_run")
    ordering = ("type", "id")
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("position"), ordering="position__number")
    def position_link(self, obj):
        if obj.position_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("hr:job_audit_inventoryposition_change", args=[obj.position_id]),
            obj.position.number,
        )

    @admin.display(description=_("last seen"), ordering="last_run__created_at")
    def last_seen(self, obj):
        from core.console_lists import dual_calendar

        return dual_calendar(obj.last_run.created_at)

    def export_rows(self, request):
        return Finding.objects.filter(entity_id=hr_entity_id(request.user)).current()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        entity_id = hr_entity_id(request.user)
        try:
            finding = selectors.access_finding(
                entity_id=entity_id, finding_id=_object_id(object_id)
            )
        except Finding.DoesNotExist:
            raise Http404 from None
        form = MarkFindingForm(
            request.POST if request.method == "POST" else None,
            initial={"state": finding.state, "note": finding.note},
        )
        status = 200
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.mark_finding(
                        finding_id=finding.pk,
                        entity_id=entity_id,
                        state=form.cleaned_data["state"],
                        note=form.cleaned_data["note"],
                        actor=request.user,
                        request=request,
                    )
                except WorkflowError as refused:
                    form.add_error(refused.field, refused.message)
                    status = refused.status
                else:
                    messages.success(request, _("The finding's state is saved."))
                    return redirect(reverse("hr:job_audit_finding_change", args=[finding.pk]))
            else:
                status = 400
        return TemplateResponse(
            request,
            "admin/job_audit/finding_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": finding.get_type_display(),
                "finding": finding,
                "form": form,
                "can_mark": finding.state != FindingState.CLOSED,
            },
            status=status,
        )


# --- audit runs ------------------------------------------------------------------------------


class AuditRunAdmin(HtmxMedia, GrantRequiredMixin, EntityScopedAdmin):
    hr_permissions = ("view", "add")
    list_display = ("created_at", "status", "progress", "findings_total", "opened", "closed")
    list_filter = ("status",)
    ordering = ("-created_at",)
    change_list_template = "admin/job_audit/auditrun/change_list.html"

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.percent}%"

    @admin.display(description=_("findings"))
    def findings_total(self, obj):
        return obj.total_findings

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("start/", wrap(self.start_view), name="job_audit_auditrun_start"),
            path(
                "<int:run_id>/progress/",
                wrap(self.progress_view),
                name="job_audit_auditrun_progress",
            ),
            path(
                "<int:run_id>/summary.pdf",
                wrap(self.summary_pdf_view),
                name="job_audit_auditrun_summary_pdf",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("hr:job_audit_auditrun_changelist")

    def start_view(self, request):
        if request.method != "POST":
            return redirect("hr:job_audit_auditrun_changelist")
        if not self.has_add_permission(request):
            raise PermissionDenied
        run = services.start_audit_run(
            entity_id=hr_entity_id(request.user), actor=request.user, request=request
        )
        return redirect(reverse("hr:job_audit_auditrun_change", args=[run.pk]))

    def _run(self, request, run_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return selectors.access_run(entity_id=hr_entity_id(request.user), run_id=run_id)
        except AuditRun.DoesNotExist:
            raise Http404 from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, _object_id(object_id))
        return TemplateResponse(
            request,
            "admin/job_audit/run_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Audit run"),
                "run": run,
                "summary": selectors.summary_document(entity_id=run.entity_id, run_id=run.pk),
            },
        )

    def summary_pdf_view(self, request, run_id):
        """The summary the ministry had issued for the entity's run, if any."""
        run = self._run(request, run_id)
        return summary_pdf_response(entity_id=run.entity_id, run_id=run.pk)

    def progress_view(self, request, run_id):
        """The panel alone for htmx; the whole page for anyone else."""
        if request.headers.get("HX-Request") != "true":
            return redirect(reverse("hr:job_audit_auditrun_change", args=[run_id]))
        run = self._run(request, run_id)
        return TemplateResponse(request, "admin/job_audit/_run_progress.html", {"run": run})


# --- job variables requests (both consoles) --------------------------------------------------


class VariableRequestPages(HtmxMedia):
    """What the HR console's and the ministry's request pages share: the request fetched within
    the console's scope (the specialist's entity; every entity but drafts for the ministry),
    its attachments, and the variables' count of the rows on the page only."""

    # (route, view method, URL name) of the console's own pages, besides the attachment's.
    extra_views: tuple[tuple[str, str, str], ...] = ()

    def scope(self, request) -> int | None:
        """The entity whose requests this console sees; None: the ministry's view."""
        raise NotImplementedError

    def get_queryset(self, request):
        # The rows on the page bring their variables' ids (one query for the page): no count
        # grouped over every request of the list.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("variables", queryset=JobVariable.objects.only("pk", "request_id"))
            )
        )

    @admin.display(description=_("variables"))
    def variable_count(self, obj):
        return len(obj.variables.all())

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        views = (
            *self.extra_views,
            (
                "<int:request_id>/attachments/<int:attachment_id>/",
                "attachment_view",
                "job_audit_variablerequest_attachment",
            ),
        )
        return [
            *(
                path(route, self.admin_site.admin_view(getattr(self, view)), name=name)
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def _request(self, request, request_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return selectors.access_request(entity_id=self.scope(request), request_id=request_id)
        except VariableRequest.DoesNotExist:
            raise Http404 from None

    def attachment_view(self, request, request_id, attachment_id):
        variable_request = self._request(request, request_id)
        found = VariableAttachment.objects.filter(
            pk=attachment_id, variable__request=variable_request
        ).first()
        if found is None:
            raise Http404
        return attachment_response(found)


class VariableRequestAdmin(VariableRequestPages, GrantRequiredMixin, EntityScopedAdmin):
    hr_permissions = ("view", "add", "change")
    list_display = (
        "number",
        "title",
        "status",
        "variable_count",
        "submitted_at",
        "due_at",
        "changes_due",
    )
    list_filter = ("status",)
    search_fields = ("number", "title")
    ordering = ("-created_at",)
    list_per_page = 50
    extra_views = (
        (
            "<int:request_id>/variables/<int:variable_id>/remove/",
            "remove_variable_view",
            "job_audit_variablerequest_remove_variable",
        ),
        ("<int:request_id>/submit/", "submit_view", "job_audit_variablerequest_submit"),
    )

    def scope(self, request) -> int | None:
        return hr_entity_id(request.user)

    @admin.display(description=_("changes due by"), ordering="changes_due_at")
    def changes_due(self, obj):
        if obj.status != RequestStatus.RETURNED or obj.changes_due_at is None:
            return "—"
        return due_date(obj.changes_due_at, overdue=obj.changes_overdue)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RequestForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            created = services.create_request(
                entity_id=hr_entity_id(request.user),
                title=form.cleaned_data["title"],
                actor=request.user,
                request=request,
            )
            return redirect(reverse("hr:job_audit_variablerequest_change", args=[created.pk]))
        return TemplateResponse(
            request,
            "admin/job_audit/request_add.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("New job variables request"),
                "form": form,
            },
            status=400 if form.is_bound else 200,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        variable_request = self._request(request, _object_id(object_id))
        entity_id = variable_request.entity_id
        form = VariableForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            entity_id=entity_id,
        )
        status = 200
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.add_variable(
                        request_id=variable_request.pk,
                        entity_id=entity_id,
                        data=form.to_input(),
                        attachment=form.cleaned_data.get("attachment"),
                        actor=request.user,
                        request=request,
                    )
                except WorkflowError as refused:
                    form.add_error(
                        refused.field if refused.field in form.fields else None, refused.message
                    )
                    status = refused.status
                else:
                    messages.success(request, _("The variable is added to the request."))
                    return redirect(
                        reverse("hr:job_audit_variablerequest_change", args=[variable_request.pk])
                    )
            else:
                status = 400
        return TemplateResponse(
            request,
            "admin/job_audit/request_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Job variables request %(number)s")
                % {"number": variable_request.number},
                "vrequest": variable_request,
                "form": form if variable_request.is_editable else None,
                "console": "hr",
            },
            status=status,
        )

    def remove_variable_view(self, request, request_id, variable_id):
        if request.method != "POST":
            raise Http404
        variable_request = self._request(request, request_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            services.remove_variable(
                request_id=variable_request.pk,
                variable_id=variable_id,
                entity_id=variable_request.entity_id,
                actor=request.user,
                request=request,
            )
        except variable_request.variables.model.DoesNotExist:
            raise Http404 from None
        return redirect(reverse("hr:job_audit_variablerequest_change", args=[request_id]))

    def submit_view(self, request, request_id):
        if request.method != "POST":
            raise Http404
        variable_request = self._request(request, request_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        services.submit_request(
            request_id=variable_request.pk,
            entity_id=variable_request.entity_id,
            actor=request.user,
            request=request,
        )  # a refusal is a WorkflowError: the middleware shows it as a 4xx page
        messages.success(request, _("Submitted to the ministry for audit."))
        return redirect(reverse("hr:job_audit_variablerequest_change", args=[request_id]))


hr_site.register(InventoryPosition, InventoryAdmin)
hr_site.register(Finding, FindingAdmin)
hr_site.register(AuditRun, AuditRunAdmin)
hr_site.register(VariableRequest, VariableRequestAdmin)


# --- ministry admin --------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer date")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        late = Q(
            status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT],
            due_at__lt=timezone.now(),
            paused_since__isnull=True,
        )
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """Auditors land on their queue: submitted and under audit, oldest answer date first."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", _("All requests"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Waiting for the ministry"),
        }
        yield {
            "selected": self.value() == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": _("All requests"),
        }

    def queryset(self, request, queryset):
        if self.value() == "all" or request.GET.get("status__exact"):
            return queryset
        return queryset.filter(status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT])


class MinistryStatusFilter(admin.SimpleListFilter):
    """The statuses the ministry sees (a draft never reaches it)."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in RequestStatus if s != RequestStatus.DRAFT]

    def queryset(self, request, queryset):
        if self.value() in RequestStatus.values:
            return queryset.filter(status=self.value())
        return queryset


class VariableTypeFilter(admin.SimpleListFilter):
    title = _("type of change")
    parameter_name = "variable_type"

    def lookups(self, request, model_admin):
        return VariableType.choices

    def queryset(self, request, queryset):
        if self.value() in VariableType.values:
            # EXISTS per request, not a join made DISTINCT over every row.
            return queryset.filter(
                Exists(JobVariable.objects.filter(request=OuterRef("pk"), type=self.value()))
            )
        return queryset


@admin.register(VariableRequest)
class MinistryVariableRequestAdmin(VariableRequestPages, admin.ModelAdmin):
    list_display = (
        "number",
        "entity",
        "title",
        "status",
        "variable_count",
        "submitted_at",
        "answer_due",
        "auditor",
    )
    # The entity by its code, typed: a list of every government entity is no filter.
    list_filter = (
        QueueFilter,
        MinistryStatusFilter,
        OverdueFilter,
        VariableTypeFilter,
        ("entity__code", ValueFilter),
    )
    search_fields = ("number", "title", "entity__code")
    list_select_related = ("entity", "auditor")
    # The queue: the ministry's answer date first. Drafts (no date yet) are the entity's own
    # and never listed here, so the seek pages follow the date.
    ordering = ("due_at", "id")
    seek_not_null = ("due_at",)
    list_per_page = 50
    extra_views = (("<int:request_id>/decide/", "decide_view", "job_audit_variablerequest_decide"),)

    def scope(self, request) -> int | None:
        return None

    def get_queryset(self, request):
        return super().get_queryset(request).filter(selectors.SEEN_BY_THE_MINISTRY)

    @admin.display(description=_("answer due by"), ordering="due_at")
    def answer_due(self, obj):
        if obj.paused_since is not None:
            return _("Paused: returned to the entity")
        waiting = obj.status in (RequestStatus.SUBMITTED, RequestStatus.UNDER_AUDIT)
        return due_date(obj.due_at, overdue=waiting and obj.is_overdue)

    def has_add_permission(self, request):
        return False  # entities prepare requests in /hr/

    def change_view(self, request, object_id, form_url="", extra_context=None):
        variable_request = self._request(request, _object_id(object_id))
        return self._detail(request, variable_request, DecisionForm(), status=200)

    def _detail(self, request, variable_request, form, *, status, error=None):
        steps = [
            (t.name, t.label)
            for t in services.WORKFLOW.available(variable_request, role=Role.MINISTRY)
        ]
        return TemplateResponse(
            request,
            "admin/job_audit/request_detail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Job variables request %(number)s")
                % {"number": variable_request.number},
                "vrequest": variable_request,
                "decision_form": form if steps else None,
                "steps": steps,
                "error": error,
                "console": "admin",
            },
            status=status,
        )

    def decide_view(self, request, request_id):
        if request.method != "POST":
            raise Http404
        step = request.POST.get("step", "")
        variable_request = self._request(request, request_id)
        if not self.has_change_permission(request, variable_request):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self._detail(request, variable_request, form, status=400)
        try:
            services.decide_request(
                request_id=variable_request.pk,
                step=step,
                actor=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except WorkflowError as refused:
            if refused.field in form.fields:
                form.add_error(refused.field, refused.message)
                error = None
            else:
                error = refused.message
            variable_request = self._request(request, request_id)
            return self._detail(request, variable_request, form, status=refused.status, error=error)
        messages.success(request, gettext("Saved. The entity's specialist is told by SMS."))
        return redirect(reverse("admin:job_audit_variablerequest_change", args=[request_id]))


class FindingHistoryInline(admin.TabularInline):
    model = FindingHistory
    extra = 0
    fields = ("at", "previous", "state", "note", "actor", "run")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class MinistryFindingAdmin(FindingPages, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("type", "severity", "state", "entity", "explanation", "last_seen")
    list_filter = ("state", "type", "severity", "entity")
    search_fields = ("=position__number", "=employee__national_id", "=entity__code")
    search_help_text = _("A position number, a national ID or an entity code (exact).")
    list_select_related = ("entity", "last_run")
    inlines = [FindingHistoryInline]
    show_full_result_count = False

    @admin.display(description=_("last seen"), ordering="last_run__created_at")
    def last_seen(self, obj):
        # The run's date in both calendars, not the run's name (which carries an ISO date).
        from core.console_lists import dual_calendar

        return dual_calendar(obj.last_run.created_at)

    def export_rows(self, request):
        rows = Finding.objects.current()
        entity = request.GET.get("entity__id__exact", "")
        return rows.filter(entity_id=int(entity)) if entity.isdigit() else rows


@admin.register(AuditRun)
class MinistryAuditRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "entity",
        "created_at",
        "status",
        "positions_total",
        "opened",
        "closed",
        "summary_pdf",
    )
    list_filter = ("status", "entity")
    list_select_related = ("entity",)

    @admin.display(description=_("summary"))
    def summary_pdf(self, obj):
        if obj.status != RunStatus.DONE:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:job_audit_auditrun_summary", args=[obj.pk]),
            _("Summary PDF"),
        )

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:run_id>/summary/", wrap(self.summary_view), name="job_audit_auditrun_summary"
            ),
            path(
                "<int:run_id>/summary.pdf",
                wrap(self.summary_pdf_view),
                name="job_audit_auditrun_summary_pdf",
            ),
            *super().get_urls(),
        ]

    def _finished_run(self, request, run_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            run = selectors.access_run(entity_id=None, run_id=run_id)
        except AuditRun.DoesNotExist:
            raise Http404 from None
        if run.status != RunStatus.DONE:
            raise Http404
        return run

    def summary_view(self, request, run_id):
        """The run's summary PDF for the ministry (core.documents): ask for it (POST), follow
        it while the worker renders it, download it once issued."""
        run = self._finished_run(request, run_id)
        if request.method == "POST":
            services.request_summary(run_id=run.pk, actor=request.user)
            return redirect(reverse("admin:job_audit_auditrun_summary", args=[run.pk]))
        document = selectors.summary_document(entity_id=run.entity_id, run_id=run.pk)
        return TemplateResponse(
            request,
            "admin/job_audit/summary_document.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Job data audit summary"),
                "run": run,
                "document": document,
                "pdf_url": reverse("admin:job_audit_auditrun_summary_pdf", args=[run.pk]),
                "console": "admin",
            },
        )

    def summary_pdf_view(self, request, run_id):
        run = self._finished_run(request, run_id)
        return summary_pdf_response(entity_id=run.entity_id, run_id=run.pk)


def summary_pdf_response(*, entity_id: int, run_id: int):
    """The run's issued summary, if the entity has one (another entity's run: 404)."""
    document = selectors.summary_document(entity_id=entity_id, run_id=run_id)
    if document is None or document.status != Document.Status.READY:
        raise Http404
    return pdf_response(document)
