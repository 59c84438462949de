from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances")

    def ready(self):
        from core.audit import register_actions

        from .audit import GrievanceAction

        register_actions(GrievanceAction)

        from core import notifications

        from .notices import GrievanceNotice

        notifications.register_kinds(GrievanceNotice)

        from .queues import register

        register()
