"""Reads of the accounts app, each fetching and authorising in one step."""

from __future__ import annotations

from employment_records.models import Employee

from .models import PendingVerification


def match_employee(*, national_id: str, date_of_birth) -> Employee | None:
    """The employee with this ID *and* date of birth, or None: the caller answers the same
    for an unknown ID and a wrong date, so the page never reveals which IDs exist."""
    return (
        Employee.objects.select_related("user")
        .filter(national_id=national_id, date_of_birth=date_of_birth)
        .first()
    )


def access_verification(*, verification_id: str | None, purpose: str, national_id=None):
    """The flow named in the person's session, still open, or None."""
    if not verification_id:
        return None
    queryset = PendingVerification.objects.select_related("employee").filter(
        pk=verification_id, purpose=purpose, completed_at__isnull=True
    )
    if national_id is not None:
        queryset = queryset.filter(national_id=national_id)
    return queryset.first()


def unregistered_employee(*, employee_id) -> Employee | None:
    """The employee chosen at step one of registration, while still without an account."""
    if employee_id is None:
        return None
    return Employee.objects.filter(pk=employee_id, user__isnull=True).first()
