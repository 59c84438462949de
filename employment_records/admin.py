from django.contrib import admin

from masar.hr_admin import AuditedAdmin, EntityScopedAdmin, hr_site

from . import models


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


class EmployeeAdmin(AuditedAdmin):
    list_display = (
        "national_id",
        "full_name_ar",
        "full_name_en",
        "entity",
        "rank",
        "step",
        "status",
    )
    list_filter = ("status", "entity", "rank", "nationality")
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


class PositionAdmin(AuditedAdmin):
    list_display = ("number", "entity", "unit", "job_class", "rank", "status")
    list_filter = ("status", "entity", "rank")
    search_fields = ("number", "job_class__code", "job_class__title_ar", "job_class__title_en")
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


class ActionAdmin(EmployeeChildAdmin):
    list_display = ("employee", "action_type", "decision_number", "decision_date", "effective_date")
    list_filter = ("action_type",)
    raw_id_fields = ("employee", "from_position", "to_position")


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
    models.SalaryScale: AuditedAdmin,
}
for model, model_admin in MINISTRY_REGISTRY.items():
    admin.site.register(model, model_admin)

# The HR console: the same admins, scoped to the specialist's entity.
HR_REGISTRY = {
    models.OrganisationalUnit: (UnitAdmin, "entity"),
    models.Position: (PositionAdmin, "entity"),
    models.Employee: (EmployeeAdmin, "entity"),
    models.EmploymentAction: (ActionAdmin, "employee__entity"),
    models.TrainingDecision: (TrainingAdmin, "employee__entity"),
    models.ScholarshipDecision: (ScholarshipAdmin, "employee__entity"),
    models.PerformanceEvaluation: (EvaluationAdmin, "employee__entity"),
    models.Qualification: (QualificationAdmin, "employee__entity"),
}
for model, (base_admin, lookup) in HR_REGISTRY.items():
    scoped = type(
        f"HR{base_admin.__name__}", (EntityScopedAdmin, base_admin), {"entity_lookup": lookup}
    )
    if lookup == "entity":
        scoped.list_filter = tuple(f for f in base_admin.list_filter if f != "entity")
        scoped.exclude = ("entity",)
    if model is models.Employee:
        scoped.exclude = ("entity", "user")  # accounts are linked by registration, not by HR
        scoped.raw_id_fields = ("position",)
    hr_site.register(model, scoped)
