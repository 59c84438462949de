"""One Nafath sign-in request: the number the person must pick, and the OpenID Connect
authorization request it answers.

The simulator keeps its own records and never writes to the portal's tables: the portal's
account is created by the relying party, as it would be against the real provider.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting for the Nafath app")
    COMPLETED = "completed", pgettext_lazy("Nafath request", "Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class SignInRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    national_id = models.CharField(_("national ID"), max_length=10, db_index=True)
    number = models.PositiveSmallIntegerField(_("number to pick"))
    choices = models.JSONField(_("numbers shown in the app"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.WAITING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The browser session that started it: only that session may see the number or continue.
    session_key = models.CharField(max_length=64)

    # The OpenID Connect authorization request this sign-in answers.
    client_id = models.CharField(_("client ID"), max_length=255)
    redirect_uri = models.URLField(_("redirect URI"), max_length=1000)
    scope = models.CharField(_("scope"), max_length=500)
    state = models.CharField(max_length=500, blank=True)
    nonce = models.CharField(max_length=500, blank=True)
    code_challenge = models.CharField(max_length=128)

    # What the token endpoint exchanges: stored hashed, used once.
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    code_issued_at = models.DateTimeField(null=True, blank=True)
    code_used_at = models.DateTimeField(null=True, blank=True)
    access_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Nafath sign-in request")
        verbose_name_plural = _("Nafath sign-in requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=10, number__lte=99),
                name="nafath_sim_two_digit_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name="nafath_sim_known_status",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="nafath_sim_expires_later",
            ),
        ]

    def __str__(self):
        return f"{self.reference[:8]}… ({self.status})"

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.expires_at - timezone.now()).total_seconds()))
