from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_grant_decision(sender, instance, **kwargs):
    from django.core.cache import cache

    from .admin import grant_cache_key

    user_id = getattr(instance.employee, "user_id", None)
    if user_id is not None:
        cache.delete(grant_cache_key(user_id))


class JobAuditConfig(AppConfig):
    name = "job_audit"
    verbose_name = _("Job data audit")

    def ready(self):
        from accounts.models import ServiceGrant

        post_save.connect(_forget_grant_decision, sender=ServiceGrant, dispatch_uid="ja-grant")
        post_delete.connect(_forget_grant_decision, sender=ServiceGrant, dispatch_uid="ja-grant-d")
