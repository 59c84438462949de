"""Write audit events inside the caller's transaction, so a change and its record stand or fall
together. Never pass a code, a password or a token in `changes`."""

from __future__ import annotations

from django.db import models

from .models import AuditEvent


def client_ip(request) -> str | None:
    # Behind the proxy in production the first X-Forwarded-For hop is the client.
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


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
