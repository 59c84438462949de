from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BayanConfig(AppConfig):
    name = "bayan"
    verbose_name = _("Bayan service statements")

    def ready(self):
        from core.audit import register_actions

        from . import checks  # noqa: F401  (registers the deploy check)
        from .audit import BayanAction
        from .documents import register_kinds

        register_actions(BayanAction)

        from core import notifications

        from .notices import BayanNotice

        notifications.register_kinds(BayanNotice)
        register_kinds()
