"""The messages employment records sends (core.notifications): value = the `sms/<kind>.txt`
template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordNotice(models.TextChoices):
    CORRECTION_STATUS = "correction_status", _("Correction request status")
