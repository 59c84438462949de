from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.hr_admin import AuditedAdmin, EntityScopedAdmin, hr_site

from . import nafath_services, roles, services
from .models import HRProfile, NafathIdentity, RoleChangeRequest, ServiceGrant, SignInGuard, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Ministry staff's view of accounts; every change (staff flag, groups...) is audited."""

    list_display = (
        "username",
        "first_name",
        "last_name",
        "mobile",
        "is_staff",
        "nafath_verified_at",
    )
    search_fields = ("=username",)
    search_help_text = _("A national ID (exact).")
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "mobile" in form.changed_data:
            # Whoever changes a mobile, the old number is told and the new one cools down.
            services.record_mobile_set_by_staff(
                user=obj, old_mobile=form.initial.get("mobile") or "", actor=request.user,
                request=request,
            )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        # Roles change only through a role change request approved by a second administrator
        # (accounts.roles), never in this form, and nobody's own roles here at all.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "is_staff", "is_superuser", "groups") if obj is not None else fields

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was accepted
            user = self.get_object(request, id)
            self._audit(request, user, "password_set", {})
            services.record_password_set_by_staff(user=user)
        return response


class ServiceGrantAdmin(AuditedAdmin):
    list_display = ("employee", "service", "entity", "valid_from", "valid_until", "revoked_at")
    list_filter = ("service", "entity")
    search_fields = ("=employee__national_id",)
    search_help_text = _("A national ID (exact).")
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
class HRProfileAdmin(AuditedAdmin):
    list_display = ("user", "entity", "is_lead")
    list_filter = ("entity", "is_lead")
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        # An HR profile opens the HR console: nobody gives one to themselves.
        own = obj is not None and obj.user_id == request.user.pk
        return super().has_change_permission(request, obj) and not own

    def has_delete_permission(self, request, obj=None):
        own = obj is not None and obj.user_id == request.user.pk
        return super().has_delete_permission(request, obj) and not own

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class NotYourOwn(form):
            def clean(self):
                cleaned_data = super().clean()
                if cleaned_data.get("user") is not None and cleaned_data["user"] == request.user:
                    raise ValidationError(roles.NOT_YOUR_OWN, code="own_roles")
                return cleaned_data

        return NotYourOwn


# --- Roles: groups are defined in code (core.hr_admin.sync_role_groups), read-only here ---

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """The roles and their permissions are defined in code and synced after every migrate: a
    permission added here would raise its members' privileges with no second person."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleChangeRequest)
class RoleChangeRequestAdmin(admin.ModelAdmin):
    """Ask for a change of someone's roles; a second administrator approves or rejects it."""

    list_display = ("user", "is_staff", "is_superuser", "status", "requested_by", "requested_at",
                    "decided_by", "decided_at")  # fmt: skip
    list_filter = ("status",)
    search_fields = ("=user__username",)
    search_help_text = _("A national ID (exact).")
    list_select_related = ("user", "requested_by", "decided_by")
    raw_id_fields = ("user",)
    fields = ("user", "is_staff", "is_superuser", "groups", "reason")
    actions = ("approve", "reject")

    def has_change_permission(self, request, obj=None):
        # The actions need it; a request itself is never edited, only decided.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class NotYourOwn(form):
            def clean(self):
                cleaned_data = super().clean()
                if cleaned_data.get("user") is not None:
                    roles.check_may_request(user=cleaned_data["user"], requested_by=request.user)
                return cleaned_data

        return NotYourOwn

    def save_model(self, request, obj, form, change):
        obj.requested_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the groups asked for
        roles.audit_requested(change=form.instance, request=request)

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for change in queryset:
            try:
                decide(change=change, approver=request.user, request=request)
            except (PermissionDenied, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else error
                self.message_user(request, f"{change}: {message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve and apply the selected role changes"),
                  permissions=("change",))  # fmt: skip
    def approve(self, request, queryset):
        self._decide(
            request, queryset, roles.approve_role_change, _("Role changes applied: %(count)s.")
        )

    @admin.action(description=_("Reject the selected role changes"), permissions=("change",))
    def reject(self, request, queryset):
        self._decide(
            request, queryset, roles.reject_role_change, _("Role changes rejected: %(count)s.")
        )


class LockedNowFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("Locked now"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=timezone.now())
        return queryset


@admin.register(SignInGuard)
class SignInGuardAdmin(admin.ModelAdmin):
    """Locked sign-ins, for the ministry's help desk: read-only, with an audited unlock."""

    list_display = ("national_id", "address", "consecutive_failures", "lockouts", "locked_until")
    list_filter = (LockedNowFilter,)
    search_fields = ("=national_id",)
    search_help_text = _("A national ID (exact).")
    readonly_fields = (
        "national_id",
        "address",
        "consecutive_failures",
        "lockouts",
        "locked_until",
    )
    actions = ("unlock",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would forget the lockout history that makes locks grow

    @admin.action(description=_("Unlock the selected sign-ins"), permissions=("change",))
    def unlock(self, request, queryset):
        count = services.unlock_sign_in(guards=queryset, actor=request.user, request=request)
        self.message_user(
            request,
            ngettext("%(count)d sign-in unlocked.", "%(count)d sign-ins unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NafathIdentity)
class NafathIdentityAdmin(admin.ModelAdmin):
    """Which Nafath subject each account is linked to. Read-only; the help desk unlinks an
    identity (audited) when the provider issued the person a new subject, so that their next
    Nafath sign-in links the new one."""

    list_display = ("user", "issuer", "subject", "last_signed_in_at")
    search_fields = ("=user__username",)
    search_help_text = _("A national ID (exact).")
    list_select_related = ("user",)
    readonly_fields = ("user", "issuer", "subject", "last_acr", "last_amr", "last_signed_in_at")
    actions = ("unlink",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # only through the audited action

    @admin.action(
        description=_("Unlink the selected identities (the next Nafath sign-in links again)"),
        permissions=("change",),
    )
    def unlink(self, request, queryset):
        count = nafath_services.unlink_nafath_identities(
            identities=queryset, actor=request.user, request=request
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d Nafath identity unlinked.",
                "%(count)d Nafath identities unlinked.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
