from django.contrib import admin

from .models import Control, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "national_id", "status_code", "reference", "received_at")
    search_fields = ("idempotency_key", "national_id", "reference")
    readonly_fields = [field.name for field in Submission._meta.fields]


@admin.register(Control)
class ControlAdmin(admin.ModelAdmin):
    list_display = ("id", "fail_next", "fail_status", "delay_next", "delay_seconds")
