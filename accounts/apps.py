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

        from core.hr_admin import forget_strong_sign_in_of_another_user

        from . import checks  # noqa: F401 - registers the deploy checks
        from .queues import register

        register()
        from .middleware import start_session_clock

        # Every way in (password + code, Nafath, the test client) starts the session clocks.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.session_clock")
        # A change of user drops the previous person's second-factor proof, whatever the door.
        user_logged_in.connect(
            forget_strong_sign_in_of_another_user, dispatch_uid="accounts.strong_sign_in"
        )
