from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvConfig(AppConfig):
    name = "cv"
    verbose_name = _("CV")

    def ready(self):
        from core.audit import register_actions

        from .audit import CvAction
        from .documents import register_kinds

        register_kinds()
        register_actions(CvAction)
