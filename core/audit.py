"""Write audit events inside the caller's transaction, so a change and its record stand or fall
together. Never pass a code, a password or a token in `changes`.

Actions are an enumeration, not free text: each app declares its actions as a `TextChoices`
(value "<area>.<verb>", label in words, translated) and registers it from its
`AppConfig.ready()` with `register_actions()`. `audit()` refuses an action nobody registered,
so a typo fails at once instead of writing an event no filter will ever find. The consoles'
save/delete events ("hr.employee.change") are registered by `core.hr_admin.AuditedAdmin` for
each model it serves.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .registry import Registered

_ACTIONS = Registered()


class UnregisteredAuditAction(ValueError):
    """audit() was given an action no app registered (a typo, or a missing register call)."""


class CoreAction(models.TextChoices):
    DOCUMENT_REQUESTED = "document.requested", _("Document requested")
    DOCUMENT_REVOKED = "document.revoked", _("Document revoked")


def register_actions(*enumerations: type[models.TextChoices]) -> None:
    """Make these actions known (call from AppConfig.ready(); registering twice is harmless)."""
    _ACTIONS.register(*enumerations)


def register_action(value: str, label) -> None:
    """One action whose value is built (the consoles' "<site>.<model>.<verb>")."""
    _ACTIONS.add(value, label)


def is_registered(action: str) -> bool:
    return action in _ACTIONS


def registered_actions() -> dict[str, object]:
    return _ACTIONS.as_dict()


def action_label(action: str) -> str:
    """The action in words, in the current language (the value itself if unknown)."""
    return _ACTIONS.label(action)


def subject_label(subject_type: str) -> str:
    """The subject's kind in words ("grievance", not "grievances.grievance")."""
    from django.apps import apps

    try:
        return str(apps.get_model(subject_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return subject_type


CONSOLE_VERBS = {
    "add": _("added"),
    "change": _("changed"),
    "delete": _("deleted"),
    "password_set": _("password set"),
}
CONSOLE_SITES = {"hr": _("HR console"), "admin": _("ministry administration")}


def register_console_actions(site_name: str, model: type[models.Model]) -> None:
    """The events an admin site writes for one model: "<site>.<model>.<verb>"."""
    site = CONSOLE_SITES.get(site_name, site_name)
    for verb, verb_label in CONSOLE_VERBS.items():
        register_action(
            f"{site_name}.{model._meta.model_name}.{verb}",
            format_lazy(
                "{model}: {verb} ({site})",
                model=_lazy_capfirst(model._meta.verbose_name),
                verb=verb_label,
                site=site,
            ),
        )


class _lazy_capfirst:  # noqa: N801 - reads like the function it defers
    def __init__(self, text):
        self.text = text

    def __str__(self):
        return capfirst(str(self.text))


def _parse_address(value: str) -> str | None:
    """An IP address from one header hop or REMOTE_ADDR, or None: `1.2.3.4:5678` and
    `[::1]:443` (proxies that add the port) give the address; `unknown`, `x`, empty give None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if getattr(address, "scope_id", None):  # fe80::1%eth0: PostgreSQL's inet has no zone
        return None
    return str(address)


def client_ip(request) -> str | None:
    """The client's address, or None when it cannot be known.

    With TRUSTED_PROXY_COUNT = 0 (the default) the peer address (REMOTE_ADDR) is the client and
    X-Forwarded-For is ignored: anyone can write it. Behind N proxies that each append the
    address they received from, the client is the N-th hop from the right; hops further left
    were written by the client and are never trusted. A header shorter than N (a request that
    bypassed the proxies) or a hop that is not an address gives the peer address instead.
    """
    if request is None:
        return None
    remote = _parse_address(str(request.META.get("REMOTE_ADDR") or ""))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    if len(hops) < proxies:
        return remote
    return _parse_address(hops[-proxies]) or remote


def audit(
    *,
    action: str,
    actor=None,
    subject: models.Model | None = None,
    entity=None,
    entity_id: int | None = None,
    request=None,
    changes: dict | None = None,
) -> AuditEvent:
    action = str(action)  # a TextChoices member stores its value
    if action not in _ACTIONS:
        raise UnregisteredAuditAction(
            f"Audit action {action!r} is not registered: declare it in the app's actions "
            "(a TextChoices) and register them in AppConfig.ready() with "
            "core.audit.register_actions()."
        )
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        entity_id=entity.pk if entity is not None else entity_id,
        ip_address=client_ip(request),
        changes=changes or {},
    )
