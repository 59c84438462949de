from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from masar.hr_admin import AuditedAdmin, EntityScopedAdmin, hr_site

from .models import HRProfile, ServiceGrant, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "mobile",
        "is_staff",
        "nafath_verified_at",
    )
    search_fields = ("username", "first_name", "last_name", "email", "mobile")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Contact"),
            {"fields": ("first_name", "last_name", "email", "mobile", "preferred_language")},
        ),
        (_("Identity"), {"fields": ("nafath_verified_at",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("nafath_verified_at", "last_login", "date_joined")


class ServiceGrantAdmin(AuditedAdmin):
    list_display = ("employee", "service", "entity", "valid_from", "valid_until", "revoked_at")
    list_filter = ("service", "entity")
    search_fields = ("employee__national_id",)
    raw_id_fields = ("employee",)
    list_select_related = ("employee", "entity")
    readonly_fields = ("granted_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class HRServiceGrantAdmin(EntityScopedAdmin, ServiceGrantAdmin):
    list_filter = ("service",)
    exclude = ("entity",)


admin.site.register(ServiceGrant, ServiceGrantAdmin)
hr_site.register(ServiceGrant, HRServiceGrantAdmin)


@admin.register(HRProfile)
class HRProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "entity", "is_lead")
    list_filter = ("entity", "is_lead")
    raw_id_fields = ("user",)
