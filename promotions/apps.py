from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self):
        from core.audit import register_actions

        from .audit import PromotionAction

        register_actions(PromotionAction)

        from .queues import register

        register()
