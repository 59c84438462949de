"""The HR console's side of Bayan (`/hr/bayan/statement/`): the work list, one page per
statement with its periods, totals, delivery and history, and one small page per step.

Only specialists with an active grant on Bayan see any of it; every write goes through
services.py, which checks the entity, the grant and the workflow again under the row lock.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.documents import access_document_for_holder
from core.hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_entity_id, hr_site
from core.workflow import Role, WorkflowError
from employment_records.models import Employee

from . import selectors, services
from .documents import pdf_response
from .forms import ExcludeForm, PeriodForm, ReasonForm
from .labels import kind_label
from .models import Delivery, Statement, Status
from .periods import format_totals
from .workflow import WORKFLOW

# step -> (title, form class or None, service)
STEPS = {
    "submit": (_("Submit for approval"), None),
    "approve": (_("Approve and send to the pension authority"), None),
    "return": (_("Return to the preparer"), ReasonForm),
    "new-version": (_("Prepare a new version"), None),
    "retry": (_("Try the delivery again"), None),
}


# Counts in words, with the six Arabic plural forms (core.console_lists.count_text).
STATEMENTS = ngettext_lazy("%(count)s statement", "%(count)s statements", "count")


class StatementAdmin(EntityScopedAdmin):
    entity_lookup = "entity"
    count_noun = STATEMENTS
    hr_permissions = ("view", "change")
    # Below the work list, every statement of the entity as a console list (core.console_lists:
    # bounded counts, seek pages, no DISTINCT scans), the latest change first.
    list_display = ("number", "version", "employee", "status", "end_date", "updated_at")
    list_filter = ("status",)
    search_fields = ("=number", "=employee__national_id")
    search_help_text = _("A statement number or a national ID (exact).")
    list_select_related = ("employee",)
    ordering = ("-updated_at", "-id")
    list_per_page = 50
    change_list_template = "admin/bayan/statement/work_list.html"

    # --- who sees it ---------------------------------------------------------------------

    def _granted(self, request) -> bool:
        return services.has_bayan_grant(request.user)

    def get_model_perms(self, request):
        # The console's index and sidebar list Bayan by role alone (no grant query on every
        # page of the console); the pages themselves need the grant and say so.
        return {
            "add": False,
            "change": super().has_change_permission(request),
            "delete": False,
            "view": super().has_view_permission(request),
        }

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._granted(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._granted(request)

    def has_add_permission(self, request):
        return False  # statements are prepared from the work list

    def has_delete_permission(self, request, obj=None):
        return False

    # --- pages ---------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "prepare/<int:employee_id>/",
                wrap(self.prepare_view),
                name="bayan_statement_prepare",
            ),
            path(
                "<int:object_id>/step/<str:step>/",
                wrap(self.step_view),
                name="bayan_statement_step",
            ),
            path(
                "<int:object_id>/periods/<int:period_id>/",
                wrap(self.period_view),
                name="bayan_statement_period",
            ),
            path(
                "<int:object_id>/exclude/", wrap(self.exclude_view), name="bayan_statement_exclude"
            ),
            path("<int:object_id>/pdf/", wrap(self.pdf_view), name="bayan_statement_pdf"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def _statement(self, request, object_id) -> Statement:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return selectors.access_statement_for_hr(user=request.user, statement_id=int(object_id))

    def changelist_view(self, request, extra_context=None):
        """The work list (whose statement is due, overdue first), then every statement."""
        if not self.has_view_permission(request):
            if super().has_view_permission(request):  # an HR specialist without the grant
                return TemplateResponse(
                    request,
                    "admin/bayan/statement/no_grant.html",
                    self._context(request, title=_("Bayan: end-of-service statements")),
                    status=403,
                )
            raise PermissionDenied
        items = selectors.work_list(user=request.user)
        full = len(items) >= selectors.WORK_LIST_LIMIT  # more may wait: the page says so
        return super().changelist_view(
            request,
            {
                "title": _("Bayan: end-of-service statements"),
                "items": items,
                "work_list_limit": selectors.WORK_LIST_LIMIT if full else None,
                **(extra_context or {}),
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        statement = self._statement(request, object_id)
        totals = services.totals_of(
            statement,
            [
                services.rules.Period(p.start, p.end, p.counts, p.kind, p.decision_number, p.rank)
                for p in statement.periods.all()
            ],
        )
        delivery = getattr(statement, "delivery", None)
        return TemplateResponse(
            request,
            "admin/bayan/statement/hr_detail.html",
            self._context(
                request,
                title=_("Statement %(number)s") % {"number": statement.number},
                statement=statement,
                periods=[(period, kind_label(period.kind)) for period in statement.periods.all()],
                totals=totals,
                gregorian_words=format_totals(totals.gregorian),
                hijri_words=format_totals(totals.hijri),
                delivery=delivery,
                steps=self._steps(statement, delivery, request.user),
                history=[
                    (row, WORKFLOW.label(row.status), _step_label(row.transition))
                    for row in statement.history.all()
                ],
            ),
        )

    def _steps(self, statement, delivery, user):
        names = []
        for transition in WORKFLOW.available(statement, role=Role.HR):
            try:  # a maker is not offered the checker's steps
                WORKFLOW.check(statement, transition, actor=user, role=Role.HR)
            except WorkflowError:
                continue
            names.append(transition.name)
        steps = [step for step in ("submit", "approve", "return") if step in names]
        if statement.status in (Status.REJECTED, Status.ACKNOWLEDGED):
            steps.append("new-version")
        if delivery is not None and delivery.state == Delivery.State.FAILED:
            steps.append("retry")
        return [(step, STEPS[step][0]) for step in steps]

    def prepare_view(self, request, employee_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if not Employee.objects.filter(
            pk=employee_id, entity_id=hr_entity_id(request.user)
        ).exists():
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            statement = services.prepare_statement(
                employee_id=employee_id, actor=request.user, request=request
            )
        except WorkflowError as refused:
            if refused.status == 404:
                raise Http404 from None
            messages.error(request, refused.message)
            return redirect(reverse("hr:bayan_statement_changelist"))
        messages.success(request, _("The statement is prepared from the record. Check it."))
        return redirect(reverse("hr:bayan_statement_change", args=[statement.pk]))

    def step_view(self, request, object_id, step):
        if step not in STEPS:
            raise Http404
        statement = self._statement(request, object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        title, form_class = STEPS[step]
        form = form_class(request.POST or None) if form_class else None
        error = None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                target = self._run_step(step, request, statement, form)
            except WorkflowError as refused:
                if refused.status == 404:
                    raise Http404 from None
                error = refused.message
            else:
                messages.success(
                    request, _("Done: %(status)s.") % {"status": target.get_status_display()}
                )
                pk = target.pk
                return redirect(reverse("hr:bayan_statement_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/bayan/statement/step.html",
            self._context(request, title=title, statement=statement, form=form, error=error),
            status=400 if request.method == "POST" else 200,
        )

    def _run_step(self, step, request, statement, form):
        common = {"statement_id": statement.pk, "actor": request.user, "request": request}
        if step == "submit":
            return services.submit_statement(**common)
        if step == "approve":
            return services.approve_statement(**common)
        if step == "return":
            return services.return_statement(reason=form.cleaned_data["reason"], **common)
        if step == "new-version":
            return services.new_version(**common)
        services.retry_delivery(**common)
        statement.refresh_from_db()
        return statement

    def period_view(self, request, object_id, period_id):
        statement = self._statement(request, object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        period = next((p for p in statement.periods.all() if p.pk == period_id), None)
        if period is None:
            raise Http404
        initial = {
            "start": period.start,
            "end": period.end,
            "counts": period.counts,
            "kind": period.kind,
        }
        form = PeriodForm(request.POST or None, initial=initial)
        return self._form_page(
            request,
            statement,
            form,
            _("Edit a period"),
            lambda data: services.edit_period(
                statement_id=statement.pk,
                period_id=period.pk,
                data=services.PeriodInput(
                    data["start"], data["end"], data["counts"], data["kind"], data["reason"]
                ),
                actor=request.user,
                request=request,
            ),
        )

    def exclude_view(self, request, object_id):
        statement = self._statement(request, object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        form = ExcludeForm(request.POST or None)
        return self._form_page(
            request,
            statement,
            form,
            _("Add days that do not count"),
            lambda data: services.exclude_stretch(
                statement_id=statement.pk,
                start=data["start"],
                end=data["end"],
                kind=data["kind"],
                reason=data["reason"],
                actor=request.user,
                request=request,
            ),
        )

    def _form_page(self, request, statement, form, title, action):
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                action(form.cleaned_data)
            except WorkflowError as refused:
                if refused.field and refused.field in form.fields:
                    form.add_error(refused.field, refused.message)
                else:
                    error = refused.message
            else:
                messages.success(request, _("Saved. The change and its reason are kept."))
                return redirect(reverse("hr:bayan_statement_change", args=[statement.pk]))
        return TemplateResponse(
            request,
            "admin/bayan/statement/step.html",
            self._context(request, title=title, statement=statement, form=form, error=error),
            status=400 if request.method == "POST" else 200,
        )

    def pdf_view(self, request, object_id):
        statement = self._statement(request, object_id)
        if statement.document is None or statement.document.status != "ready":
            raise Http404
        document = access_document_for_holder(
            holder=statement.employee, code=statement.document.code
        )
        return pdf_response(document)


def _step_label(name: str) -> str:
    try:
        return str(WORKFLOW.transition(name).label)
    except KeyError:
        return name


hr_site.register(Statement, StatementAdmin)


@admin.register(Statement)
class MinistryStatementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ministry sees every entity's statements, read-only: HR prepares and approves."""

    count_noun = STATEMENTS

    list_display = ("number", "version", "entity", "status", "end_date", "pension_reference")
    list_filter = ("status", "entity")
    search_fields = ("=number", "=employee__national_id", "=pension_reference")
    search_help_text = _("A statement number, a national ID or a pension reference (exact).")
    list_select_related = ("entity",)


@admin.register(Delivery)
class MinistryDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("statement", "state", "attempts", "next_attempt_at", "response_status")
    list_filter = ("state",)
    list_select_related = ("statement",)
