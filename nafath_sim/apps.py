from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NafathSimConfig(AppConfig):
    name = "nafath_sim"
    verbose_name = _("Nafath simulator")

    def ready(self):
        # After every migrate, and after each transactional test's flush (which re-sends
        # post_migrate), so the portal's client always exists with the configured values.
        post_migrate.connect(register_after_migrate, sender=self)


def register_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    from .clients import register_portal_client

    if using == DEFAULT_DB_ALIAS:
        register_portal_client()
