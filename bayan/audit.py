"""Bayan's audit actions (core.audit refuses an action nobody registered)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BayanAction(models.TextChoices):
    PREPARE = "bayan.prepare", _("Bayan statement prepared")
    EDIT = "bayan.edit", _("Bayan statement period edited")
    SUBMIT = "bayan.submit", _("Bayan statement submitted for approval")
    RETURN = "bayan.return", _("Bayan statement returned to its preparer")
    APPROVE = "bayan.approve", _("Bayan statement approved")
    SEND = "bayan.send", _("Bayan statement sent to the pension authority")
    ACKNOWLEDGE = "bayan.acknowledge", _("Bayan statement acknowledged by the pension authority")
    REJECT = "bayan.reject", _("Bayan statement rejected by the pension authority")
    SUPERSEDE = "bayan.supersede", _("Bayan statement replaced by a new version")
    RETRY_DELIVERY = "bayan.retry_delivery", _("Bayan delivery tried again")
