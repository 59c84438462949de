"""What the simulated pension authority remembers: every statement it answered, by the
sender's idempotency key, and the failures it was told to fake."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One answered statement. A repeat of its key gets exactly this answer again."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    body_sha256 = models.CharField(_("request body SHA-256"), max_length=64)
    national_id = models.CharField(_("national ID"), max_length=10, blank=True)
    statement = models.JSONField(_("statement"), default=dict)
    pdf_size = models.PositiveIntegerField(_("PDF size"), default=0)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status answered"))
    answer = models.JSONField(_("answer"), default=dict)
    reference = models.CharField(_("reference"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    replays = models.PositiveIntegerField(_("repeats answered"), default=0)

    class Meta:
        verbose_name = _("received statement")
        verbose_name_plural = _("received statements")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["-received_at", "-id"], name="submission_list")]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="pension_sim_reference_unique",
            )
        ]

    def __str__(self):
        return f"{self.idempotency_key}: {self.status_code}"


class Control(models.Model):
    """The failures to fake next (one row). Tests and demos set it through /api/control/."""

    fail_next = models.PositiveIntegerField(_("requests to fail"), default=0)
    fail_status = models.PositiveSmallIntegerField(_("status of a faked failure"), default=500)
    delay_next = models.PositiveIntegerField(_("requests to answer late"), default=0)
    delay_seconds = models.FloatField(_("seconds late"), default=0)

    class Meta:
        verbose_name = _("simulator control")
        verbose_name_plural = _("simulator control")

    def __str__(self):
        return (
            f"fail {self.fail_next} x {self.fail_status}, "
            f"delay {self.delay_next} x {self.delay_seconds}s"
        )
