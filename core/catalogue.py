"""The six Masar services and the one place that decides who may use each.

Every rule from DOMAIN.md lives in `decide()`: a linked government employee; Saudi nationality
where the seed states it (Bayan, job-data audit, CV and grievances; promotions, whose rounds on
the civil-service ranks concern Saudi employees); in service where the service needs it; an
active grant for the service in the person's entity; and for grievances an identity verified
by Nafath. My employment data names no nationality ("for civil employees and HR specialists").
A refusal names the first condition that failed, in the person's language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from django.core.signals import setting_changed
from django.db import models
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cached import forget, read_through
from .prepared import PreparedQuery


class ServiceCode(models.TextChoices):
    PROMOTIONS = "promotions", _("Promotions")
    EMPLOYMENT_DATA = "employment_data", _("My employment data")
    GRIEVANCES = "grievances", _("Grievances")
    BAYAN = "bayan", _("Bayan service statement")
    JOB_AUDIT = "job_audit", _("Job data and variables audit")
    CV = "cv", _("CV")


@dataclass(frozen=True)
class Service:
    code: ServiceCode
    description: str
    url_name: str
    needs_active_service: bool = False
    needs_nafath: bool = False
    needs_saudi: bool = True

    @property
    def name(self) -> str:
        return self.code.label

    @property
    def url(self) -> str:
        return _service_url(self.url_name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=64)
def _service_url(url_name: str, prefix: str, urlconf) -> str:
    """A service's start page, reversed once per process (the dashboard asks twice per card
    on every request); keyed by what reverse() depends on."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:  # the service's pages are not built yet
        return ""


def _forget_service_urls(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":  # tests that swap the URLs
        _service_url.cache_clear()


setting_changed.connect(_forget_service_urls)


SERVICES: tuple[Service, ...] = (
    Service(
        ServiceCode.PROMOTIONS,
        _("Register your preferences in an open promotion round and follow your results."),
        "promotions:index",
        needs_active_service=True,
    ),
    Service(
        ServiceCode.EMPLOYMENT_DATA,
        _("Your personal and job data, your full employment record, and corrections."),
        "employment_records:profile",
        needs_saudi=False,
    ),
    Service(
        ServiceCode.GRIEVANCES,
        _("File a grievance against a decision, follow it and read the response."),
        "grievances:index",
        needs_nafath=True,
    ),
    Service(
        ServiceCode.BAYAN,
        _("Your end-of-service statement as prepared by your entity."),
        "bayan:index",
    ),
    Service(
        ServiceCode.JOB_AUDIT,
        _("The position inventory of your entity and the requests that change it."),
        "job_audit:index",
        needs_active_service=True,
    ),
    Service(
        ServiceCode.CV,
        _("A CV built from your record and your own entries, as a PDF."),
        "cv:index",
    ),
)
SERVICES_BY_CODE = {service.code: service for service in SERVICES}


class Condition(StrEnum):
    """The conditions of access, in the order they are checked."""

    SIGNED_IN = "signed_in"
    EMPLOYEE = "employee"
    SAUDI = "saudi"
    SAUDI_CIVIL_SERVICE = "saudi_civil_service"
    IN_SERVICE = "in_service"
    GRANT = "grant"
    NAFATH = "nafath"


REFUSAL_REASONS = {
    Condition.SIGNED_IN: _("Sign in to use this service."),
    Condition.EMPLOYEE: _(
        "This service is for government employees: your account is not linked "
        "to an employee record."
    ),
    Condition.SAUDI: _("This service is available to government employees of Saudi nationality."),
    Condition.SAUDI_CIVIL_SERVICE: _(
        "Promotion rounds on the civil-service ranks concern Saudi employees; employees of other "
        "nationalities serve on contracts, which have no promotion rounds."
    ),
    Condition.IN_SERVICE: _("This service is for employees in service; your service has ended."),
    Condition.GRANT: _(
        "You do not have a permission for this service. Your entity's HR department grants it."
    ),
    Condition.NAFATH: _(
        "This service needs an identity verified by Nafath. Sign in with Nafath to use it."
    ),
}


# The same reasons said of several services at once (the dashboard groups refusals that share
# a reason): "These services are...", not "This service is..." under a list of four.
REFUSAL_REASONS_MANY = {
    Condition.EMPLOYEE: _(
        "These services are for government employees: your account is not linked "
        "to an employee record."
    ),
    Condition.SAUDI: _(
        "These services are available to government employees of Saudi nationality."
    ),
    Condition.IN_SERVICE: _("These services are for employees in service; your service has ended."),
    Condition.GRANT: _(
        "You do not have a permission for these services. Your entity's HR department grants them."
    ),
    Condition.NAFATH: _(
        "These services need an identity verified by Nafath. Sign in with Nafath to use them."
    ),
}


@dataclass(frozen=True)
class AccessDecision:
    service: Service
    failed: Condition | None = None

    @property
    def allowed(self) -> bool:
        return self.failed is None

    @property
    def reason(self) -> str:
        return REFUSAL_REASONS[self.failed] if self.failed else ""

    def __bool__(self) -> bool:
        return self.allowed


# The grants of an employee are kept in the cache (issue 16: one query less on every service
# page), as the rows' raw fields: whether a grant is active today, and in the employee's current
# entity, is still decided on every request. Any save or delete of a grant forgets the copy at
# once and again after commit (accounts connects `forget_grants` to ServiceGrant's signals); a
# change that bypasses the signals (a queryset `update()`, a bulk seed) is seen within
# GRANTS_CACHE_SECONDS. A cache outage only costs the query again.
GRANTS_CACHE_SECONDS = 5 * 60
_GRANT_FIELDS = ("service", "entity_id", "revoked_at", "valid_from", "valid_until")


def grants_key(employee_id) -> str:
    return f"catalogue:grants:{employee_id}"


def _grant_rows(employee) -> list[tuple]:
    return read_through(
        grants_key(employee.pk),
        lambda: list(employee.service_grants.values_list(*_GRANT_FIELDS)),
        seconds=GRANTS_CACHE_SECONDS,
    )


def forget_grants(employee_id) -> None:
    forget(grants_key(employee_id))


def granted_services(employee, *, on=None) -> set[str]:
    """Codes of the services the employee holds an active grant for, in their own entity.

    Uses the prefetched `service_grants` when the caller loaded them, else the cached rows
    (one query when the cache has none)."""
    today = on or timezone.localdate()
    cache = getattr(employee, "_prefetched_objects_cache", {})
    if "service_grants" in cache:
        rows = [
            tuple(getattr(grant, field) for field in _GRANT_FIELDS)
            for grant in cache["service_grants"]
        ]
    else:
        rows = _grant_rows(employee)
    return {
        service
        for service, entity_id, revoked_at, valid_from, valid_until in rows
        if entity_id == employee.entity_id
        and revoked_at is None
        and valid_from <= today
        and (valid_until is None or valid_until >= today)
    }


def employee_of(user):
    """The signed-in person's employee record, read once per request: memoised on the user as
    Django's own `user.employee` cache, with the relations the employee's model names in
    `REQUEST_SELECT_RELATED` joined in the same query (the access policy and then the view
    both use it). Its SQL is built once per process (core.prepared)."""
    if not user.is_authenticated:
        return None
    cache = user._state.fields_cache
    if "employee" not in cache:
        employee = _request_employee().first(user.pk)
        if employee is not None:
            employee._state.fields_cache["user"] = user
        cache["employee"] = employee
    return cache["employee"]


@functools.cache
def _request_employee() -> PreparedQuery:
    from django.contrib.auth import get_user_model

    model = get_user_model()._meta.get_field("employee").related_model
    related = getattr(model, "REQUEST_SELECT_RELATED", ())
    return PreparedQuery(
        lambda user_id: model._default_manager.select_related(*related).filter(user_id=user_id)
    )


def decide(user, code: str, *, granted: set[str] | None = None) -> AccessDecision:
    """May this person use this service, and if not, which condition failed first."""
    service = SERVICES_BY_CODE[ServiceCode(code)]
    employee = employee_of(user)
    if not user.is_authenticated:
        failed = Condition.SIGNED_IN
    elif employee is None:
        failed = Condition.EMPLOYEE
    elif service.needs_saudi and not employee.is_saudi:
        failed = (
            Condition.SAUDI_CIVIL_SERVICE
            if service.code == ServiceCode.PROMOTIONS
            else Condition.SAUDI
        )
    elif service.needs_active_service and not employee.in_service:
        failed = Condition.IN_SERVICE
    elif code not in (granted if granted is not None else granted_services(employee)):
        failed = Condition.GRANT
    elif service.needs_nafath and user.nafath_verified_at is None:
        failed = Condition.NAFATH
    else:
        failed = None
    return AccessDecision(service=service, failed=failed)


@dataclass(frozen=True)
class RefusalGroup:
    """Services refused for the same reason, said once on the dashboard."""

    failed: Condition
    services: tuple[Service, ...]

    @property
    def reason(self) -> str:
        if len(self.services) > 1 and self.failed in REFUSAL_REASONS_MANY:
            return REFUSAL_REASONS_MANY[self.failed]
        return REFUSAL_REASONS[self.failed]


def group_refusals(decisions: list[AccessDecision]) -> list[RefusalGroup]:
    """Refusals that share a reason, in the order their first service appears."""
    groups: dict[Condition, list[Service]] = {}
    for decision in decisions:
        if decision.failed is not None:
            groups.setdefault(decision.failed, []).append(decision.service)
    return [RefusalGroup(failed, tuple(services)) for failed, services in groups.items()]


def decide_all(user) -> list[AccessDecision]:
    """Every service's decision for the dashboard, from one load of the person's grants."""
    employee = employee_of(user)
    granted = granted_services(employee) if employee is not None else set()
    return [decide(user, service.code, granted=granted) for service in SERVICES]


def service_required(code: str):
    """View decorator: run the view only when `decide()` allows it, else explain the refusal."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            decision = decide(request.user, code)
            if decision.failed is Condition.SIGNED_IN:
                from django.contrib.auth.views import redirect_to_login  # needs the user model

                return redirect_to_login(request.get_full_path())
            if not decision:
                return render(request, "core/refusal.html", {"decision": decision}, status=403)
            request.service_decision = decision
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class ServiceRequiredMixin:
    """Class-based views' form of `service_required`."""

    service_code: str

    @classmethod
    def as_view(cls, **initkwargs):
        return service_required(cls.service_code)(super().as_view(**initkwargs))
