from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentRecordsConfig(AppConfig):
    name = "employment_records"
    verbose_name = _("Employment records")

    def ready(self):
        from . import queues
        from .documents import register_kinds

        register_kinds()
        queues.register()
