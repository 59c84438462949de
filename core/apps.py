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
        from django.db.backends.signals import connection_created

        from .audit import CoreAction, register_actions
        from .hr_admin import sync_role_groups
        from .search import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="core.masar_normalise")

        from django.core.signals import request_finished

        from .cached import clear_prefetched

        # Values read ahead with the session serve only the request that read them.
        request_finished.connect(clear_prefetched, dispatch_uid="core.clear_prefetched")

        from .catalogue import grants_key
        from .notifications import unread_key
        from .sessions import register_companion_kind

        # Read on every signed-in page: fetched with the session, in its round trip.
        register_companion_kind(grants_key(""))
        register_companion_kind(unread_key(""))

        register_actions(CoreAction)

        from django.db.models.signals import post_delete, post_save

        from .models import Notification
        from .notifications import notification_changed

        for signal in (post_save, post_delete):
            signal.connect(notification_changed, sender=Notification, dispatch_uid="core.unread")

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="core.sync_role_groups")


class CoreAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the ministry's site as the default `admin.site`."""

    default = False
    default_site = "core.hr_admin.MinistryAdminSite"
