"""Role changes in the ministry admin need two people: one administrator asks, another
approves. Nobody changes their own roles, and every step is audited.

A role is what the ministry admin lets an account do: the staff flag, superuser status and
the groups (each ministry role is a group, core.hr_admin.MINISTRY_ROLE_GROUPS). These fields
are read-only in the account form; this module is the only way to change them there."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit

from .models import RoleChangeRequest, User

ROLE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

NOT_YOUR_OWN = _("Nobody changes their own roles: another administrator must ask for it.")
SECOND_PERSON = _(
    "A role change is approved by a second administrator: neither the one who asked for it "
    "nor the person concerned."
)
ALREADY_DECIDED = _("This role change request has already been decided.")


def _roles_of(user: User) -> dict:
    return {
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _roles_asked(change: RoleChangeRequest) -> dict:
    return {
        "is_staff": change.is_staff,
        "is_superuser": change.is_superuser,
        "groups": sorted(change.groups.values_list("name", flat=True)),
    }


def check_may_request(*, user: User, requested_by: User) -> None:
    if user.pk == requested_by.pk:
        raise ValidationError(NOT_YOUR_OWN, code="own_roles")


def request_role_change(
    *, user: User, is_staff: bool, is_superuser: bool, groups, reason: str, requested_by: User,
    request=None,
) -> RoleChangeRequest:  # fmt: skip
    """A pending request; nothing changes until another administrator approves it."""
    check_may_request(user=user, requested_by=requested_by)
    with transaction.atomic():
        change = RoleChangeRequest.objects.create(
            user=user,
            is_staff=is_staff,
            is_superuser=is_superuser,
            reason=reason,
            requested_by=requested_by,
        )
        change.groups.set(groups)
        audit_requested(change=change, request=request)
    return change


def audit_requested(*, change: RoleChangeRequest, request=None) -> None:
    """In the transaction that saved the request and its groups (the admin's add form)."""
    audit(
        action="accounts.role_change_requested",
        actor=change.requested_by,
        subject=change.user,
        request=request,
        changes={
            "request": change.pk,
            "old": _roles_of(change.user),
            "new": _roles_asked(change),
        },
    )


def _decide(*, change: RoleChangeRequest, approver: User, approve: bool, request) -> None:
    with transaction.atomic():
        locked = RoleChangeRequest.objects.select_for_update().get(pk=change.pk)
        if locked.status != RoleChangeRequest.Status.PENDING:
            raise ValidationError(ALREADY_DECIDED, code="decided")
        if approver.pk in (locked.requested_by_id, locked.user_id):
            raise PermissionDenied(SECOND_PERSON)
        user = User.objects.select_for_update().get(pk=locked.user_id)
        before = _roles_of(user)
        if approve:
            user.is_staff, user.is_superuser = locked.is_staff, locked.is_superuser
            user.save(update_fields=["is_staff", "is_superuser"])
            user.groups.set(locked.groups.all())
        locked.status = (
            RoleChangeRequest.Status.APPROVED if approve else RoleChangeRequest.Status.REJECTED
        )
        locked.decided_by, locked.decided_at = approver, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit(
            action=f"accounts.role_change_{locked.status}",
            actor=approver,
            subject=user,
            request=request,
            changes={
                "request": locked.pk,
                "requested_by": locked.requested_by_id,
                "old": before,
                "new": _roles_of(user),
            },
        )


def approve_role_change(*, change: RoleChangeRequest, approver: User, request=None) -> None:
    _decide(change=change, approver=approver, approve=True, request=request)


def reject_role_change(*, change: RoleChangeRequest, approver: User, request=None) -> None:
    _decide(change=change, approver=approver, approve=False, request=request)
