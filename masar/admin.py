from django.contrib import admin

from .hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_site
from .models import AuditEvent


class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "actor", "subject_type", "subject_id", "entity", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "subject_id", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor", "entity")


class HRAuditEventAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = AuditEventAdmin.list_display
    list_filter = AuditEventAdmin.list_filter
    search_fields = AuditEventAdmin.search_fields
    list_select_related = AuditEventAdmin.list_select_related


admin.site.register(AuditEvent, AuditEventAdmin)
hr_site.register(AuditEvent, HRAuditEventAdmin)
