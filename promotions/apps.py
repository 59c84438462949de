from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self):
        from core.audit import register_actions

        from .audit import PromotionAction

        register_actions(PromotionAction)

        from core import notifications

        from .notices import PromotionNotice

        notifications.register_kinds(PromotionNotice)

        from .queues import register

        register()

        from .documents import register_kinds

        register_kinds()

        from django.urls import reverse

        from employment_records.sources import ActionSource, register_source

        from .models import RECORD_SOURCE

        # The record page links a promotion entry to the round's published result.
        register_source(
            ActionSource(
                kind=RECORD_SOURCE,
                label=_("Promotion round"),
                url_of=lambda pk: reverse("promotions:result", args=[pk]),
            )
        )
