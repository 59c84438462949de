from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BayanConfig(AppConfig):
    name = "bayan"
    verbose_name = _("Bayan service statements")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
        from .documents import register_kinds

        register_kinds()
