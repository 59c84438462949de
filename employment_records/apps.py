from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentRecordsConfig(AppConfig):
    name = "employment_records"
    verbose_name = _("Employment records")

    def ready(self):
        from core.audit import register_actions

        from .audit import RecordAction

        register_actions(RecordAction)

        from core import notifications

        from .notices import RecordNotice

        notifications.register_kinds(RecordNotice)

        from . import queues
        from .documents import register_kinds

        register_kinds()
        queues.register()
