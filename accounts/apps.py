from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from core.audit import register_actions

        from .audit import AccountAction

        register_actions(AccountAction)

        from core import notifications

        from .notices import AccountNotice

        notifications.register_kinds(AccountNotice)

        from django.contrib.auth.signals import user_logged_in

        from core.hr_admin import forget_strong_sign_in_of_another_user

        from . import checks  # noqa: F401 - registers the deploy checks
        from .queues import register

        register()
        from core.sessions import register_companion

        from .backends import user_key_of_session

        # The signed-in user's cached row comes with the session, in one round trip.
        register_companion(user_key_of_session)
        from .middleware import start_session_clock

        # Every way in (password + code, Nafath, the test client) starts the session clocks.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.session_clock")
        # A change of user drops the previous person's second-factor proof, whatever the door.
        user_logged_in.connect(
            forget_strong_sign_in_of_another_user, dispatch_uid="accounts.strong_sign_in"
        )

        from django.db.models.signals import post_delete, post_save

        from .models import ServiceGrant, User

        # The catalogue caches each employee's grants: any change to one forgets the copy.
        for signal in (post_save, post_delete):
            signal.connect(
                _forget_grants, sender=ServiceGrant, dispatch_uid="accounts.forget_grants"
            )
            # The signed-in user is read through the cache (accounts.backends).
            signal.connect(_forget_user, sender=User, dispatch_uid="accounts.forget_user")


def _forget_grants(sender, instance, **kwargs):
    from core.catalogue import forget_grants

    forget_grants(instance.employee_id)


def _forget_user(sender, instance, **kwargs):
    from .backends import forget_users

    forget_users(instance.pk)
