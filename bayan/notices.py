"""The messages Bayan sends (core.notifications): value = the `sms/<kind>.txt` template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BayanNotice(models.TextChoices):
    APPROVED = "bayan_approved", _("End-of-service statement approved")
    RETURNED = "bayan_returned", _("End-of-service statement returned to its preparer")
    ACKNOWLEDGED = "bayan_acknowledged", _("Statement acknowledged by the pension authority")
    REJECTED = "bayan_rejected", _("Statement rejected by the pension authority")
    DELIVERY_FAILED = "bayan_delivery_failed", _("Statement not delivered to the pension authority")
