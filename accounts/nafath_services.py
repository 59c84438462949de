"""Writes of a Nafath sign-in: find or create the account, record the strong authentication.

Kept apart from `accounts.services` (password and SMS-code sign-in) so the two grow
independently; both follow the same rules: keyword-only, one transaction, an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.validators import mask_national_id
from employment_records.models import Employee

from .models import NafathIdentity, User


class NafathRefused(Exception):
    """A Nafath sign-in that must not go ahead; `reason` picks the message the person sees."""

    def __init__(self, reason: str, *, national_id: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.national_id = national_id


REFUSAL_MESSAGES = {
    "unknown_person": _(
        "Your identity was confirmed by Nafath, but there is no government employee record "
        "with your national ID. Masar is for government employees; if you are one, ask your "
        "entity's human resources department to check your record."
    ),
    "identity_mismatch": _(
        "This Nafath identity is linked to a different account. Contact the service desk."
    ),
    "subject_conflict": _(
        "Your account is already linked to a different Nafath identity. For your protection "
        "you have not been signed in. Contact the help desk to link your new Nafath identity."
    ),
    "inactive": _("This account is inactive. Contact your entity's human resources department."),
    "not_completed": _(
        "The sign-in with Nafath was not completed: the request was rejected, expired or "
        "cancelled. You have not been signed in."
    ),
    "too_many_attempts": _("Too many sign-in attempts. Wait a minute and try again."),
    "provider_unavailable": _(
        "Nafath cannot be reached right now. Try again in a few minutes, or sign in with your "
        "password."
    ),
}
REFUSAL_MESSAGES["provider_misconfigured"] = REFUSAL_MESSAGES["provider_unavailable"]
# Anything else (tampered state, bad signature, wrong audience...) is a failed verification.
DEFAULT_REFUSAL = _(
    "The sign-in with Nafath could not be verified, so you have not been signed in. Start again."
)


def refusal_message(reason: str) -> str:
    return REFUSAL_MESSAGES.get(reason, DEFAULT_REFUSAL)


@dataclass(frozen=True)
class NafathAssertion:
    """What a verified ID token (and userinfo) said about the person."""

    issuer: str
    subject: str
    national_id: str
    acr: str = ""
    amr: list[str] = field(default_factory=list)


def do_nafath_sign_in(*, assertion: NafathAssertion, request=None) -> User:
    """The account for a verified Nafath identity, created on the first sign-in of an employee.

    Raises NafathRefused when the person has no employee record (and no account), when the
    provider's subject is linked to another account, or when the account is inactive.
    """
    now = timezone.now()
    with transaction.atomic():
        user = _account_for(assertion)
        if not user.is_active:
            raise NafathRefused("inactive", national_id=assertion.national_id)
        # One subject per account and issuer: a second subject for the same national ID is
        # refused (the ministry re-links it after checking), never a 500.
        if (
            NafathIdentity.objects.filter(user=user, issuer=assertion.issuer)
            .exclude(subject=assertion.subject)
            .exists()
        ):
            raise NafathRefused("subject_conflict", national_id=assertion.national_id)
        user.nafath_verified_at = now
        user.save(update_fields=["nafath_verified_at"])
        NafathIdentity.objects.update_or_create(
            issuer=assertion.issuer,
            subject=assertion.subject,
            defaults={
                "user": user,
                "last_acr": assertion.acr,
                "last_amr": assertion.amr,
                "last_signed_in_at": now,
            },
        )
        employee = getattr(user, "employee", None)
        audit(
            action="accounts.nafath_sign_in",
            actor=user,
            subject=user,
            entity_id=employee.entity_id if employee else None,
            request=request,
            changes={"acr": assertion.acr, "amr": assertion.amr},
        )
    return user


def _account_for(assertion: NafathAssertion) -> User:
    linked = (
        NafathIdentity.objects.select_related("user")
        .filter(issuer=assertion.issuer, subject=assertion.subject)
        .first()
    )
    if linked is not None and linked.user.username != assertion.national_id:
        raise NafathRefused("identity_mismatch", national_id=assertion.national_id)
    user = User.objects.select_for_update().filter(username=assertion.national_id).first()
    employee = (
        Employee.objects.select_for_update().filter(national_id=assertion.national_id).first()
    )
    if user is None and employee is None:
        raise NafathRefused("unknown_person", national_id=assertion.national_id)
    if user is None:
        user = _create_account(assertion.national_id)
        audit(
            action="accounts.created_by_nafath",
            actor=user,
            subject=user,
            entity_id=employee.entity_id,
        )
    if employee is not None and employee.user_id is None:
        employee.user = user
        employee.save(update_fields=["user"])
    return user


def _create_account(national_id: str) -> User:
    """A Nafath-only account (no usable password until the person registers one).

    Two first sign-ins of one person at the same moment must not fail: the loser of the race
    takes the winner's account."""
    try:
        with transaction.atomic():  # a savepoint: the unique violation leaves ours usable
            user = User(username=national_id)
            user.set_unusable_password()
            user.save()
    except IntegrityError:
        user = User.objects.select_for_update().get(username=national_id)
    return user


def record_nafath_refusal(*, reason: str, national_id: str = "", request=None) -> None:
    """An audit row for a refused sign-in: the reason and a masked ID, never a token."""
    changes = {"reason": reason}
    if national_id:
        changes["national_id"] = mask_national_id(national_id)
    audit(action="accounts.nafath_sign_in_refused", request=request, changes=changes)


def unlink_nafath_identities(*, identities, actor, request=None) -> int:
    """The ministry's help desk removes links (audited), so the person's next Nafath sign-in
    links the subject the provider gives them now."""
    count = 0
    with transaction.atomic():
        for identity in identities.select_related("user").select_for_update(of=("self",)):
            audit(
                action="accounts.nafath_identity_unlinked",
                actor=actor,
                subject=identity.user,
                request=request,
                changes={"issuer": identity.issuer, "subject": identity.subject},
            )
            identity.delete()
            count += 1
    return count
