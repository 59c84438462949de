from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobAuditConfig(AppConfig):
    name = "job_audit"
    verbose_name = _("Job data audit")

    def ready(self):
        from core.audit import register_actions

        from .audit import JobAuditAction

        register_actions(JobAuditAction)

        from .queues import register

        register()

        from .documents import register_kinds

        register_kinds()
