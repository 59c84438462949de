from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground every app stands on: it imports no other project app."""

    default = True
    name = "core"
    verbose_name = _("Masar")

    def ready(self):
        from .audit import CoreAction, register_actions
        from .hr_admin import sync_role_groups

        register_actions(CoreAction)

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="core.sync_role_groups")


class CoreAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the ministry's site as the default `admin.site`."""

    default = False
    default_site = "core.hr_admin.MinistryAdminSite"
