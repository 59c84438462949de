from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BayanConfig(AppConfig):
    name = "bayan"
    verbose_name = _("Bayan service statements")
