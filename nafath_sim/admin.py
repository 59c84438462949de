from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SignInRequest


@admin.register(SignInRequest)
class SignInRequestAdmin(admin.ModelAdmin):
    """Read-only: what the simulator was asked and answered, for debugging a sign-in."""

    list_display = (
        "reference_short",
        "national_id",
        "status",
        "client_id",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("national_id",)
    exclude = ("code_hash", "access_token_hash", "session_key")

    @admin.display(description=_("reference"))
    def reference_short(self, obj):
        return obj.reference[:8]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
