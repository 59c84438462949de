from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from core.audit import register_actions

        from .audit import AccountAction

        register_actions(AccountAction)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clock

        # Every way in (password + code, Nafath, the test client) starts the session clocks.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.session_clock")
