"""The messages promotions sends (core.notifications): value = the `sms/<kind>.txt` template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PromotionNotice(models.TextChoices):
    PREFERENCES_SAVED = "promotion_preferences_saved", _("Promotion preferences saved")
    RESULT = "promotion_result", _("Promotion results published")
