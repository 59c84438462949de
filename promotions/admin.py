"""The HR console's side of promotions: rounds of the specialist's entity, their offered
positions, readiness, steps, scoring progress and results; the ministry sees rounds read-only.

Every write goes through services.py, which checks the round's status under its row lock;
another entity's round answers 404 on every URL here.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_entity_id, hr_site
from core.models import Document
from core.uploads import private_file_response
from core.workflow import Role, WorkflowError
from employment_records.models import Employee

from . import rules, selectors, services
from .models import Criterion, Round, RoundStatus, TieBreak
from .workflow import ROUND_WORKFLOW

TIE_BREAK_ORDERS = [
    (
        "performance,seniority,hire_date,national_id",
        _("Higher performance, then longer time in rank, then earlier hire"),
    ),
    (
        "seniority,performance,hire_date,national_id",
        _("Longer time in rank, then higher performance, then earlier hire"),
    ),
    (
        "hire_date,performance,seniority,national_id",
        _("Earlier hire, then higher performance, then longer time in rank"),
    ),
]
WEIGHT_FIELDS = [f"weight_{c}" for c in Criterion.values]
RESULTS_PAGE_SIZE = 100
# The languages the results PDF is issued in (promotions.documents).
DOCUMENT_LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]


class RoundForm(forms.ModelForm):
    tie_break_order = forms.ChoiceField(
        label=_("Published tie-break"),
        choices=TIE_BREAK_ORDERS,
        help_text=_("Applied when totals are equal; the national ID decides last."),
    )

    class Meta:
        model = Round
        fields = [
            "title_ar",
            "title_en",
            "target_rank",
            "reference_date",
            "opens_at",
            "closes_at",
            "max_preferences",
            "min_years_in_rank",
            *WEIGHT_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tie_break_order"].initial = ",".join(self.instance.tie_break)

    def clean_target_rank(self):
        rank = self.cleaned_data["target_rank"]
        if not 2 <= rank <= 10:
            raise forms.ValidationError(_("This version promotes to ranks 2 to 10."))
        return rank

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in WEIGHT_FIELDS]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise forms.ValidationError(
                _("The weights add up to %(sum)s; they must add up to 100.") % {"sum": sum(weights)}
            )
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The window must close after it opens."))
        return data

    def save(self, commit=True):
        self.instance.tie_break = self.cleaned_data["tie_break_order"].split(",")
        return super().save(commit)


class OfferForm(forms.Form):
    positions = forms.ModelMultipleChoiceField(
        label=_("Vacant positions of the target rank"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].queryset = queryset
        self.fields["positions"].label_from_instance = lambda p: (
            f"{p.number} — {p.job_class.code} {p.job_class.title} — {p.unit.name}"
        )


class OtherPointsForm(forms.Form):
    national_id = forms.CharField(label=_("National ID"), max_length=10)
    points = forms.IntegerField(label=_("Points (0-100)"), min_value=0, max_value=100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


STEP_HELP = {
    "announce": _("Employees of the entity see the round and their readiness."),
    "open": _("Eligible employees may register preferences until the window closes."),
    "close": _("Preferences can no longer change."),
    "review": _("You have checked the results and ask a second specialist to publish them."),
    "publish": _("Publication is final: every candidate is told and can read their result."),
    "cancel": _("The round ends and its positions may be offered again."),
}


class RoundAdmin(EntityScopedAdmin):
    form = RoundForm
    entity_lookup = "entity"
    hr_permissions = ("view", "add", "change")
    list_display = ("title_ar", "title_en", "target_rank", "status", "opens_at", "closes_at")
    list_filter = ("status", "target_rank")
    search_fields = ("title_ar", "title_en")
    change_form_template = "admin/promotions/round/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != RoundStatus.DRAFT:
            return [*RoundForm.Meta.fields]
        return []

    def get_fields(self, request, obj=None):
        fields = [*RoundForm.Meta.fields]
        if obj is None or obj.status == RoundStatus.DRAFT:
            fields.append("tie_break_order")
        return fields

    def save_model(self, request, obj, form, change):
        if change and Round.objects.filter(pk=obj.pk).exclude(status=RoundStatus.DRAFT).exists():
            raise PermissionDenied
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- pages ---------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        name = "promotions_round"
        return [
            path("<int:object_id>/positions/", wrap(self.positions_view), name=f"{name}_positions"),
            path("<int:object_id>/readiness/", wrap(self.readiness_view), name=f"{name}_readiness"),
            path("<int:object_id>/step/<str:step>/", wrap(self.step_view), name=f"{name}_step"),
            path("<int:object_id>/score/", wrap(self.score_view), name=f"{name}_score"),
            path("<int:object_id>/progress/", wrap(self.progress_view), name=f"{name}_progress"),
            path("<int:object_id>/results/", wrap(self.results_view), name=f"{name}_results"),
            path("<int:object_id>/results.csv", wrap(self.csv_view), name=f"{name}_csv"),
            path("<int:object_id>/other-points/", wrap(self.other_view), name=f"{name}_other"),
            path("<int:object_id>/documents/", wrap(self.documents_view), name=f"{name}_documents"),
            path(
                "<int:object_id>/documents/<str:code>/",
                wrap(self.document_download_view),
                name=f"{name}_document",
            ),
            *super().get_urls(),
        ]

    def _round(self, request, object_id) -> Round:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return selectors.access_round_for_hr(
            entity_id=hr_entity_id(request.user), round_id=int(object_id)
        )

    def _context(self, request, round_, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "round": round_,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        round_ = self._round(request, object_id)
        extra = {
            "round": round_,
            "steps": [
                (t.name, t.label, STEP_HELP.get(t.name, ""))
                for t in ROUND_WORKFLOW.available(round_, role=Role.HR)
            ],
            "history": [
                (entry, RoundStatus(entry.status).label, self._step_label(entry.transition))
                for entry in round_.history.select_related("actor")
            ],
            "offered_rows": self._offered_rows(round_),
            "readiness": services.readiness_counts(round_),
            "rule_titles": {rule: rules.rule_title(rule) for rule in rules.RULES},
            "can_score": round_.status in (RoundStatus.CLOSED, RoundStatus.SCORED),
            "scoring": round_.scoring_started_at is not None and round_.scoring_finished_at is None,
        }
        if round_.status == RoundStatus.PUBLISHED:
            extra.update(self._documents_context(round_))
        if round_.status != RoundStatus.DRAFT:
            # Read-only after the draft: no save buttons that could only be refused.
            extra.update(show_save=False, show_save_and_continue=False)
            extra.update(show_save_and_add_another=False, show_delete=False)
        extra["readiness_rows"] = [
            (rules.rule_title(rule), count) for rule, count in extra["readiness"]["failed"]
        ]
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @staticmethod
    def _step_label(name: str) -> str:
        if name in ROUND_WORKFLOW.transitions:
            return ROUND_WORKFLOW.transition(name).label
        return name

    def _offered_rows(self, round_):
        counts = selectors.preference_counts(round_=round_)
        return [(o, counts.get(o.pk, 0)) for o in selectors.offered_positions(round_=round_)]

    def _back(self, round_):
        return redirect(reverse("hr:promotions_round_change", args=[round_.pk]))

    def positions_view(self, request, object_id):
        round_ = self._round(request, object_id)
        query = request.GET.get("q", "").strip()
        choices = selectors.eligible_positions_for_offer(round_=round_).exclude(
            offers__round=round_
        )
        if query:
            choices = choices.filter(
                Q(number__icontains=query)
                | Q(job_class__code__icontains=query)
                | Q(job_class__title_ar__icontains=query)
                | Q(job_class__title_en__icontains=query)
                | Q(unit__name_ar__icontains=query)
                | Q(unit__name_en__icontains=query)
            )
        form = OfferForm(request.POST or None, queryset=choices)
        error = None
        if request.method == "POST":
            if not self.has_change_permission(request, round_):
                raise PermissionDenied
            withdraw = request.POST.get("withdraw")
            try:
                if withdraw:
                    offered = round_.offered.filter(pk=withdraw).first()
                    if offered is None:
                        raise Http404
                    services.withdraw_offer(
                        round_=round_, offered=offered, actor=request.user, request=request
                    )
                    messages.success(request, _("The position was withdrawn from the round."))
                    return redirect(request.path)
                if form.is_valid():
                    services.offer_positions(
                        round_=round_,
                        positions=form.cleaned_data["positions"],
                        actor=request.user,
                        request=request,
                    )
                    messages.success(request, _("The positions are offered in the round."))
                    return redirect(request.path)
            except WorkflowError as refused:
                error = refused.message
        return TemplateResponse(
            request,
            "admin/promotions/round/positions.html",
            self._context(
                request,
                round_,
                title=_("Offered positions"),
                form=form,
                query=query,
                error=error,
                offered=selectors.offered_positions(round_=round_),
                editable=round_.status == RoundStatus.DRAFT,
            ),
            status=400 if request.method == "POST" else 200,
        )

    def readiness_view(self, request, object_id):
        round_ = self._round(request, object_id)
        if request.method != "POST":
            return self._back(round_)
        services.check_readiness(round_=round_)
        messages.success(request, _("Readiness was checked for every employee of the rank."))
        return self._back(round_)

    def step_view(self, request, object_id, step):
        round_ = self._round(request, object_id)
        if step not in ROUND_WORKFLOW.transitions or step == "score":
            raise Http404
        transition = ROUND_WORKFLOW.transition(step)
        error = None
        if request.method == "POST":
            if not self.has_change_permission(request, round_):
                raise PermissionDenied
            try:
                services.take_step(
                    round_id=round_.pk,
                    name=step,
                    actor=request.user,
                    request=request,
                    note=request.POST.get("note", "")[:1000],
                )
            except WorkflowError as refused:
                error = refused.message
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": transition.label})
                return self._back(round_)
        return TemplateResponse(
            request,
            "admin/promotions/round/step.html",
            self._context(
                request,
                round_,
                title=transition.label,
                help=STEP_HELP.get(step, ""),
                error=error,
            ),
            status=400 if error else 200,
        )

    def score_view(self, request, object_id):
        round_ = self._round(request, object_id)
        if request.method != "POST":
            return self._back(round_)
        try:
            services.start_scoring(round_id=round_.pk, actor=request.user, request=request)
        except WorkflowError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Scoring runs in the background; this page shows it."))
        return self._back(round_)

    def progress_view(self, request, object_id):
        round_ = self._round(request, object_id)
        return TemplateResponse(
            request,
            "admin/promotions/round/_progress.html",
            {"round": round_, "polling": round_.scoring_finished_at is None},
        )

    def results_view(self, request, object_id):
        round_ = self._round(request, object_id)
        # A page of places at a time: a round may have tens of thousands of candidates (the
        # whole table is the CSV export).
        page = Paginator(selectors.results_table(round_=round_), RESULTS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return TemplateResponse(
            request,
            "admin/promotions/round/results.html",
            self._context(
                request,
                round_,
                title=_("Results"),
                rows=page,
                page_obj=page,
                criteria=Criterion.choices,
                tie_breaks=dict(TieBreak.choices),
            ),
        )

    def csv_view(self, request, object_id):
        round_ = self._round(request, object_id)

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        header = [
            str(_("Place")),
            str(_("National ID")),
            str(_("Name")),
            *[str(label) for _c, label in Criterion.choices],
            str(_("Total")),
            str(_("Assigned position")),
            str(_("Preference obtained")),
            str(_("Outcome")),
        ]

        def rows():
            yield "\ufeff" + writer.writerow(header)
            for row in selectors.results_table(round_=round_).iterator(chunk_size=1000):
                yield writer.writerow(
                    [
                        row.place,
                        row.national_id,
                        row.employee.full_name(),
                        *[row.criteria[c]["weighted"] for c in Criterion.values],
                        row.total,
                        row.assigned.position.number if row.assigned else "",
                        row.assigned_preference or "",
                        row.get_outcome_display(),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="round-{round_.pk}-results.csv"'
        return response

    # --- the results PDF (core.documents) -------------------------------------------------

    @staticmethod
    def _documents_context(round_) -> dict:
        documents = selectors.results_documents(round_=round_)
        return {
            "results_documents": documents,
            "documents_pending": any(d.status == Document.Status.PENDING for d in documents),
            "document_languages": DOCUMENT_LANGUAGES,
        }

    def documents_view(self, request, object_id):
        """GET: the list of the round's results PDFs (what htmx polls while one is being
        prepared). POST: issue one in the language chosen, after publication."""
        round_ = self._round(request, object_id)
        if request.method == "POST":
            if not self.has_change_permission(request, round_):
                raise PermissionDenied
            language = request.POST.get("language", "ar")
            if language not in dict(DOCUMENT_LANGUAGES):
                messages.error(request, _("Choose the language of the document."))
                return self._back(round_)
            try:
                document = services.request_results_document(
                    round_id=round_.pk,
                    entity_id=round_.entity_id,
                    language=language,
                    actor=request.user,
                )
            except WorkflowError as refused:
                messages.error(request, refused.message)
            else:
                if document.status == Document.Status.READY:
                    messages.success(request, _("The results PDF is ready: download it below."))
                else:
                    messages.success(
                        request,
                        _("The results PDF is being prepared; this page shows when it is ready."),
                    )
            return redirect(
                reverse("hr:promotions_round_change", args=[round_.pk]) + "#results-documents"
            )
        return TemplateResponse(
            request,
            "admin/promotions/round/_documents.html",
            {"round": round_, **self._documents_context(round_)},
        )

    def document_download_view(self, request, object_id, code):
        round_ = self._round(request, object_id)
        document = selectors.access_results_document(round_=round_, code=code)
        return private_file_response(
            document.file_name,
            download_name=f"promotion-results-{round_.pk}-{document.language}-{document.code}.pdf",
            content_type="application/pdf",
        )

    def other_view(self, request, object_id):
        round_ = self._round(request, object_id)
        form = OtherPointsForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            if not self.has_change_permission(request, round_):
                raise PermissionDenied
            employee = Employee.objects.filter(
                entity_id=round_.entity_id, national_id=form.cleaned_data["national_id"]
            ).first()
            if employee is None:
                form.add_error("national_id", _("No employee of your entity has this ID."))
            else:
                try:
                    services.set_other_points(
                        round_=round_,
                        employee=employee,
                        points=form.cleaned_data["points"],
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                        request=request,
                    )
                except WorkflowError as refused:
                    error = refused.message
                else:
                    messages.success(request, _("The points were recorded."))
                    return self._back(round_)
        return TemplateResponse(
            request,
            "admin/promotions/round/step.html",
            self._context(request, round_, title=_("Other points"), form=form, error=error),
            status=400 if request.method == "POST" else 200,
        )


hr_site.register(Round, RoundAdmin)


@admin.register(Round)
class MinistryRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ministry sees every entity's rounds, read-only: HR runs them in /hr/."""

    list_display = ("title_ar", "entity", "target_rank", "status", "opens_at", "closes_at")
    list_filter = ("status", "entity")
    search_fields = ("title_ar", "title_en")
