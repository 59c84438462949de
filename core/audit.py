"""Write audit events inside the caller's transaction, so a change and its record stand or fall
together. Never pass a code, a password or a token in `changes`."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models

from .models import AuditEvent


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
