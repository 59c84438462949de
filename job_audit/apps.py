from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobAuditConfig(AppConfig):
    name = "job_audit"
    verbose_name = _("Job data audit")

    def ready(self):
        from core.audit import register_actions

        from .audit import JobAuditAction

        register_actions(JobAuditAction)

        from core import notifications

        from .notices import JobAuditNotice

        notifications.register_kinds(JobAuditNotice)

        from .queues import register

        register()

        from .documents import register_kinds

        register_kinds()

        from core.hr_admin import MINISTRY_AUDITORS, register_role_permissions

        # Ministry auditors approve, reject or return the entities' job variables requests.
        register_role_permissions(MINISTRY_AUDITORS, ["job_audit.change_variablerequest"])
