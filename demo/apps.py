from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and scale data: the only app that may import every app; no business rule lives here."""

    name = "demo"
    verbose_name = _("Demo data")
