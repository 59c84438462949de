"""Deploy checks of the accounts app (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def nafath_simulator_off_when_deployed(app_configs, **kwargs):
    """The simulator signs anyone in by national ID alone: never in a deployed site."""
    if getattr(settings, "NAFATH_SIMULATOR", False):
        return [
            Error(
                "NAFATH_SIMULATOR is on: the simulated Nafath signs anyone in by national ID "
                "alone, /hr/ and /admin/ included.",
                hint="Set NAFATH_SIMULATOR=off and point NAFATH_OIDC_* at the real provider.",
                id="accounts.E001",
            )
        ]
    return []
