"""The two admin sites: the HR console (`/hr/`, one government entity) and the ministry's
Django admin (`/admin/`, everything).

An HR specialist is an active staff account with an `HRProfile` in the "HR specialists" group;
every queryset, choice list and object of the console is filtered to the profile's entity, so a
row of another entity does not exist as far as the console is concerned.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY

HR_GROUP = "HR specialists"
MINISTRY_GROUP = "Ministry staff"


def hr_entity_id(user) -> int | None:
    profile = getattr(user, "hr_profile", None)
    return profile.entity_id if profile is not None else None


# The session's proof of a second factor names the user it belongs to: a flag left by one
# person never vouches for another (see forget_strong_sign_in_of_another_user).
AUTH_METHOD_KEY = "auth_method"
STRONG_SIGN_IN_USER_KEY = "strong_sign_in_user"
STRONG_METHODS = ("password_otp", "nafath")


def mark_strong_sign_in(request, *, method: str) -> None:
    """After login(): this session's person passed a second factor (`password_otp`, with the
    django-otp device already recorded by django_otp.login) or signed in with Nafath."""
    request.session[AUTH_METHOD_KEY] = method
    request.session[STRONG_SIGN_IN_USER_KEY] = str(request.user.pk)


def forget_strong_sign_in(session) -> None:
    for key in (AUTH_METHOD_KEY, STRONG_SIGN_IN_USER_KEY, DEVICE_ID_SESSION_KEY):
        session.pop(key, None)


def forget_strong_sign_in_of_another_user(sender, request, user, **kwargs):
    """user_logged_in receiver: any change of user drops the second-factor proof, whatever path
    signed them in (Django's login() keeps the session data when no one was signed in)."""
    if request is not None and request.session.get(STRONG_SIGN_IN_USER_KEY) != str(user.pk):
        forget_strong_sign_in(request.session)


def has_strong_sign_in(request) -> bool:
    """The signed-in person themselves verified a second factor (password + SMS code through
    django-otp, whose middleware only reports a device of this very user) or signed in with
    Nafath. Both admin sites require one of the two."""
    user = request.user
    session = request.session
    if not user.is_authenticated or session.get(STRONG_SIGN_IN_USER_KEY) != str(user.pk):
        return False
    method = session.get(AUTH_METHOD_KEY)
    if method == "nafath":
        return True
    is_verified = getattr(user, "is_verified", None)
    return method == "password_otp" and is_verified is not None and bool(is_verified())


class PortalSignInMixin:
    """The admin sites have no sign-in form of their own: everyone signs in through the portal
    (password + code, or Nafath) and comes back. Django's login view, GET or POST, never
    authenticates anyone here."""

    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(f"{self.name}:index")
        if has_strong_sign_in(request):
            if self.has_permission(request):
                return redirect(f"{self.name}:index")
            # Signed in strongly as someone without access to this console: a refusal, not a
            # form in which to sign in as someone else.
            raise PermissionDenied
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))

    def password_change(self, request, extra_context=None):
        # The portal's own page: it checks the current password against the lockout, audits the
        # change and texts the person; Django's admin form does none of that.
        return redirect("accounts:password_change")


class HRAdminSite(PortalSignInMixin, admin.AdminSite):
    site_header = _("Masar — HR console")
    site_title = _("HR console")
    index_title = _("Your entity's records")
    site_url = "/"

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and has_strong_sign_in(request)
            and hr_entity_id(user) is not None
            and user.groups.filter(name=HR_GROUP).exists()
        )

    index_template = "admin/hr_index.html"

    def each_context(self, request):
        context = super().each_context(request)
        profile = getattr(request.user, "hr_profile", None)
        context["hr_entity"] = profile.entity if profile else None
        return context

    def index(self, request, extra_context=None):
        """Work first: every service's queues with counts and deadlines, then the specialist's
        own recent actions, then the records (Django's model list)."""
        from .models import AuditEvent
        from .work_queues import summarise_all

        context = {
            "queues": summarise_all(user=request.user, entity_id=hr_entity_id(request.user)),
            "my_actions": AuditEvent.objects.filter(actor=request.user).order_by("-at", "-id")[:10],
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)


class MinistryAdminSite(PortalSignInMixin, admin.AdminSite):
    """Django's admin for ministry staff. HR specialists are kept out: their door is /hr/."""

    site_header = _("Masar — ministry administration")
    site_title = _("Masar administration")

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and has_strong_sign_in(request)
            and hr_entity_id(user) is None
            and (user.is_superuser or user.groups.filter(name=MINISTRY_GROUP).exists())
        )


hr_site = HRAdminSite(name="hr")


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _entity_id_of(obj) -> int | None:
    for path in ("entity_id", "employee"):
        value = getattr(obj, path, None)
        if isinstance(value, int):
            return value
        if value is not None and hasattr(value, "entity_id"):
            return value.entity_id
    return None


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete through an admin site writes an AuditEvent with old and new
    values; the admin's change view runs in one transaction, so both commit together."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {
            # A password (an account's, typed into the add form) is never written down.
            name: {"changed": True}
            if "password" in name
            else {
                "old": _jsonable(form.initial.get(name)),
                "new": _jsonable(form.cleaned_data.get(name)),
            }
            for name in form.changed_data
        }
        self._audit(request, obj, "change" if change else "add", changes)

    def delete_model(self, request, obj):
        self._audit(request, obj, "delete", {})
        super().delete_model(request, obj)

    def _audit(self, request, obj, verb, changes):
        from .audit import audit

        audit(
            action=f"{self.admin_site.name}.{obj._meta.model_name}.{verb}",
            actor=request.user,
            subject=obj,
            entity_id=_entity_id_of(obj),
            request=request,
            changes=changes,
        )


class EntityScopedAdmin(AuditedAdmin):
    """A ModelAdmin of the HR console: only rows of the specialist's own entity.

    `entity_lookup` is the path from the model to GovernmentEntity ("entity",
    "employee__entity"). Foreign-key choices are narrowed by `scoped_choice_lookups`.
    """

    entity_lookup = "entity"
    hr_permissions = ("view", "add", "change")
    # related model label -> lookup from that model to its entity id
    scoped_choice_lookups = {
        "employment_records.governmententity": "pk",
        "employment_records.organisationalunit": "entity",
        "employment_records.position": "entity",
        "employment_records.employee": "entity",
    }

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.entity_lookup}__pk": hr_entity_id(request.user)})
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        lookup = self.scoped_choice_lookups.get(db_field.related_model._meta.label_lower)
        if lookup is not None:
            related = db_field.related_model._default_manager
            kwargs["queryset"] = related.filter(**{lookup: hr_entity_id(request.user)})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _in_entity(self, request, obj) -> bool:
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_entity(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_entity(request, obj)

    def has_delete_permission(self, request, obj=None):
        if "delete" not in self.hr_permissions:
            return False
        return super().has_delete_permission(request, obj) and self._in_entity(request, obj)

    def save_model(self, request, obj, form, change):
        # A new row of a model that names its entity directly belongs to the specialist's.
        if self.entity_lookup == "entity" and not change:
            obj.entity_id = hr_entity_id(request.user)
        super().save_model(request, obj, form, change)


class ReadOnlyAdminMixin:
    """For records nobody edits by hand (the audit log)."""

    hr_permissions = ("view",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def sync_role_groups(**kwargs) -> None:
    """Give the HR group exactly the permissions its console registrations declare.

    Runs after every migrate, so a model registered on `hr_site` by a later app is
    reachable by HR specialists without a hand-written data migration.
    """
    hr_group, _created = Group.objects.get_or_create(name=HR_GROUP)
    Group.objects.get_or_create(name=MINISTRY_GROUP)
    wanted: list[Permission] = []
    for model, model_admin in hr_site._registry.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for action in getattr(model_admin, "hr_permissions", ("view",))
        ]
        wanted += Permission.objects.filter(content_type=content_type, codename__in=codenames)
    hr_group.permissions.set(wanted)


def ministry_permissions() -> models.QuerySet:
    """Ministry staff may view and change everything registered on the ministry admin."""
    content_types = [ContentType.objects.get_for_model(model) for model in admin.site._registry]
    return Permission.objects.filter(content_type__in=content_types)
