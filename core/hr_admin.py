"""The two admin sites: the HR console (`/hr/`, one government entity) and the ministry's
Django admin (`/admin/`, everything).

An HR specialist is an active staff account with an `HRProfile` in the "HR specialists" group;
every queryset, choice list and object of the console is filtered to the profile's entity, so a
row of another entity does not exist as far as the console is concerned.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import bad_request
from django_otp import DEVICE_ID_SESSION_KEY

from .console_lists import ConsoleSiteMixin

HR_GROUP = "HR specialists"
ABOUT_YOURSELF = _(
    "You cannot record, change or grant anything about yourself. Another HR specialist "
    "of your entity must do it."
)
MINISTRY_GROUP = "Ministry staff"
# The ministry's roles in /admin/ (permissions set by sync_role_groups after every migrate).
# Who holds which is changed only through a role change request that a second administrator
# approves (accounts.roles).
MINISTRY_HELP_DESK = "Ministry help desk"
MINISTRY_AUDITORS = "Ministry auditors"
MINISTRY_ADMINISTRATORS = "Ministry administrators"
MINISTRY_ROLE_GROUPS = (
    MINISTRY_GROUP,
    MINISTRY_HELP_DESK,
    MINISTRY_AUDITORS,
    MINISTRY_ADMINISTRATORS,
)
# The help desk: find a person and their account, read the audit log, lift a sign-in lock.
HELP_DESK_PERMISSIONS = (
    "accounts.view_user",
    "accounts.view_signinguard",
    "accounts.change_signinguard",
    "accounts.view_hrprofile",
    "accounts.view_servicegrant",
    "employment_records.view_employee",
    "core.view_auditevent",
    "core.view_document",
)


# What a service adds to a ministry role beyond viewing (e.g. auditors decide job variables):
# each app registers its own from AppConfig.ready(), so core names no service.
_ROLE_WORK: dict[str, list[str]] = {}


def register_role_permissions(role: str, labels) -> None:
    """Give ministry role `role` these "app_label.codename" permissions at the next sync."""
    _ROLE_WORK.setdefault(role, []).extend(labels)


def in_group(request, *names: str) -> bool:
    """Whether the signed-in user is in one of these groups; asked once per request, since the
    admin checks its site's permission several times while rendering one page."""
    memo = request.__dict__.setdefault("_masar_group_checks", {})
    if names not in memo:
        memo[names] = request.user.groups.filter(name__in=names).exists()
    return memo[names]


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


# Date parts in changelist filters (date_hierarchy, `?at__year=`, `?at__year__gte=`) that
# datetime can hold: the year after the one asked for must exist too (the filter's upper bound).
DATE_PART_RANGES = {"year": (1, 9998), "iso_year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def _bad_date_part(query) -> bool:
    for key, values in query.lists():
        for part in key.split("__")[1:]:
            if part in DATE_PART_RANGES:
                low, high = DATE_PART_RANGES[part]
                for value in values:
                    if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
                        return True
    return False


def _out_of_range_date(error: Exception) -> bool:
    return isinstance(error, OverflowError) or "out of range" in str(error)


class BadInputMixin:
    """An out-of-range date in a changelist filter (`?at__year=99999`, `0`, `-1`, `abc`) is a
    400 on every page of the site, not a 500 from deep inside the query (the year's bounds are
    computed when the page's queryset is evaluated, while the template renders)."""

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        @wraps(view)
        def checked(request, *args, **kwargs):
            if _bad_date_part(request.GET):
                return bad_request(request, SuspiciousOperation("date filter out of range"))
            try:
                response = wrapped(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # here, so a date nobody can hold is caught below
            except (OverflowError, ValueError) as error:
                if not _out_of_range_date(error):
                    raise
                return bad_request(request, SuspiciousOperation("date out of range"))
            return response

        return checked


class HRAdminSite(ConsoleSiteMixin, BadInputMixin, PortalSignInMixin, admin.AdminSite):
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
            and in_group(request, HR_GROUP)
        )

    index_template = "admin/hr_index.html"

    def each_context(self, request):
        context = super().each_context(request)
        profile = getattr(request.user, "hr_profile", None)
        context["hr_entity"] = profile.entity if profile else None
        return context

    def get_urls(self):
        from django.urls import path

        export = path(
            "queues/export.csv", self.admin_view(self.queue_export_view), name="queue_export"
        )
        return [export, *super().get_urls()]

    def queue_export_view(self, request):
        """One work queue of the home page as CSV (`?queue=<key>`): the same rows the queue
        counts, in the specialist's entity, streamed (core.console_csv)."""
        from django.http import Http404

        from .console_csv import csv_response
        from .work_queues import queue_named

        queue = queue_named(request.GET.get("queue", ""))
        if queue is None or queue.csv_columns is None:
            raise Http404
        rows = queue.rows(request.user, hr_entity_id(request.user))
        return csv_response(
            filename=f"{queue.key.replace('.', '-')}.csv",
            columns=queue.csv_columns(),
            rows=rows.select_related(*queue.csv_related),
        )

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


class MinistryAdminSite(ConsoleSiteMixin, BadInputMixin, PortalSignInMixin, admin.AdminSite):
    """Django's admin for ministry staff. HR specialists are kept out: their door is /hr/."""

    site_header = _("Masar — ministry administration")
    site_title = _("Masar administration")
    index_template = "admin/ministry_index.html"

    def index(self, request, extra_context=None):
        """Work first: the queues waiting on the ministry (core.work_queues, site "admin",
        each shown to those allowed to see it), then the records."""
        from .work_queues import summarise_all

        context = {
            "queues": summarise_all(user=request.user, entity_id=None, site="admin"),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and has_strong_sign_in(request)
            and hr_entity_id(user) is None
            and (user.is_superuser or in_group(request, *MINISTRY_ROLE_GROUPS))
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


def _form_changes(form) -> dict:
    """The fields a form changed, old and new; a password is never written down."""
    return {
        name: {"changed": True}
        if "password" in name
        else {
            "old": _jsonable(form.initial.get(name)),
            "new": _jsonable(form.cleaned_data.get(name)),
        }
        for name in form.changed_data
    }


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete through an admin site writes an AuditEvent with old and new
    values, and so does every row added, changed or deleted through one of its inlines; the
    admin's change view runs in one transaction, so the change and its events commit together.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        from .audit import register_console_actions

        # The actions this admin writes, for its own model and for its inlines' models.
        register_console_actions(admin_site.name, model)
        for inline in self.inlines:
            register_console_actions(admin_site.name, inline.model)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "change" if change else "add", _form_changes(form))

    def delete_model(self, request, obj):
        self._audit(request, obj, "delete", {})
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Rows of an inline (an employment action added on the employee's page) are audited
        one event each, with their fields, like rows saved through their own admin."""
        deleted = [
            (inline_form.instance, inline_form.instance.pk, str(inline_form.instance))
            for inline_form in formset.deleted_forms
            if inline_form.instance.pk is not None
        ]
        edited = [
            (inline_form, inline_form.instance.pk is None)
            for inline_form in formset.forms
            if inline_form.has_changed() and inline_form not in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, added in edited:
            if inline_form.instance.pk is None:
                continue  # an extra form left empty
            self._audit(
                request,
                inline_form.instance,
                "add" if added else "change",
                _form_changes(inline_form),
            )
        for instance, pk, text in deleted:
            instance.pk = pk  # Django clears it on delete; the event names the row removed
            self._audit(request, instance, "delete", {"deleted": text})

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


def own_employee_id(user) -> int | None:
    """The employee record of the signed-in person, if they have one."""
    employee = getattr(user, "employee", None) if user.is_authenticated else None
    return employee.pk if employee is not None else None


def subject_employee_id(obj, cleaned_data: dict | None = None) -> int | None:
    """Whose record a console row is about: the employee itself, or the one it hangs off."""
    if obj is None:
        return None
    if obj._meta.label_lower == "employment_records.employee":
        return obj.pk
    for field in ("employee", "holder"):  # holder: a document issued to the person
        chosen = (cleaned_data or {}).get(field)
        if chosen is not None:
            return chosen.pk
        if getattr(obj, f"{field}_id", None) is not None:
            return getattr(obj, f"{field}_id")
    return None


class EntityScopedAdmin(AuditedAdmin):
    """A ModelAdmin of the HR console: only rows of the specialist's own entity.

    `entity_lookup` is the path from the model to GovernmentEntity: "entity", a column of
    the model's own table, for every table that grows with the ministry (a path through a join
    made a small entity's list pay for every entity's rows; tests/test_console_lists.py).
    Foreign-key choices are narrowed by `scoped_choice_lookups`.
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
            choices = related.filter(**{lookup: hr_entity_id(request.user)})
            if db_field.related_model._meta.label_lower == "employment_records.employee":
                # Nobody grants, records or decides anything about themselves.
                choices = choices.exclude(pk=own_employee_id(request.user))
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        own = own_employee_id(request.user)
        if own is None:
            return form

        class NotAboutYourself(form):
            # A raw-ID field accepts any typed id: the choice list alone does not stop it.
            def clean(self):
                cleaned_data = super().clean()
                if subject_employee_id(self.instance, cleaned_data) == own:
                    raise ValidationError(ABOUT_YOURSELF, code="about_yourself")
                return cleaned_data

        NotAboutYourself.__name__ = form.__name__
        return NotAboutYourself

    def _in_entity(self, request, obj) -> bool:
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def _about_self(self, request, obj) -> bool:
        subject = subject_employee_id(obj)  # first: a list (obj None) costs no query
        return subject is not None and subject == own_employee_id(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_entity(request, obj)

    def has_change_permission(self, request, obj=None):
        # Their own record, its actions and their own grants are read-only to a specialist.
        return (
            super().has_change_permission(request, obj)
            and self._in_entity(request, obj)
            and not self._about_self(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        if "delete" not in self.hr_permissions:
            return False
        return (
            super().has_delete_permission(request, obj)
            and self._in_entity(request, obj)
            and not self._about_self(request, obj)
        )

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


def _ensure_permissions() -> None:
    # post_migrate reaches this app before the apps listed after it have their permissions.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)


def _permissions(labels) -> list[Permission]:
    wanted = []
    for label in labels:
        app_label, codename = label.split(".")
        wanted += Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return wanted


def sync_role_groups(**kwargs) -> None:
    """Give the HR group exactly the permissions its console registrations declare, and each
    ministry role its own: the help desk what HELP_DESK_PERMISSIONS names, auditors view
    everything on the ministry admin plus the audit work services register for them
    (register_role_permissions), administrators everything there.

    Runs after every migrate, so a model registered on `hr_site` by a later app is
    reachable by HR specialists without a hand-written data migration.
    """
    _ensure_permissions()
    hr_group, _created = Group.objects.get_or_create(name=HR_GROUP)
    Group.objects.get_or_create(name=MINISTRY_GROUP)
    everything = ministry_permissions()
    roles = {
        MINISTRY_HELP_DESK: _permissions(HELP_DESK_PERMISSIONS),
        MINISTRY_AUDITORS: list(everything.filter(codename__startswith="view_"))
        + _permissions(_ROLE_WORK.get(MINISTRY_AUDITORS, [])),
        MINISTRY_ADMINISTRATORS: list(everything),
    }
    for name, permissions in roles.items():
        Group.objects.get_or_create(name=name)[0].permissions.set(permissions)
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
