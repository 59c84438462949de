from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NafathSimConfig(AppConfig):
    name = "nafath_sim"
    verbose_name = _("Nafath simulator")
