from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances")

    def ready(self):
        from core.audit import register_actions

        from .audit import GrievanceAction

        register_actions(GrievanceAction)

        from .queues import register

        register()
