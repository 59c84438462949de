from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NafathSimConfig(AppConfig):
    name = "nafath_sim"
    verbose_name = _("Nafath simulator")

    def ready(self):
        from .clients import register_portal_client

        # After migrate and after each transactional test's flush, so the client always exists.
        post_migrate.connect(_register_after_migrate, sender=self)
        self._register = register_portal_client


def _register_after_migrate(sender, **kwargs):
    from django.db import DEFAULT_DB_ALIAS

    if kwargs.get("using", DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
        sender._register()
