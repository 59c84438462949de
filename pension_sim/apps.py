from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionSimConfig(AppConfig):
    name = "pension_sim"
    verbose_name = _("Pension authority simulator")
