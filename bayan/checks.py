"""`manage.py check --deploy`: production must not deliver statements to the simulator."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def pension_authority_configured(app_configs, **kwargs):
    problems = []
    if settings.PENSION_SIMULATOR:
        problems.append(
            Error(
                "PENSION_SIMULATOR is on: the simulated pension authority is mounted at "
                "/pension-sim/ and would receive real statements.",
                hint="Set PENSION_SIMULATOR=off and PENSION_API_URL to the authority's endpoint.",
                id="bayan.E001",
            )
        )
    elif not settings.PENSION_API_URL:
        problems.append(
            Warning(
                "PENSION_API_URL is empty: approved Bayan statements cannot be delivered.",
                id="bayan.W001",
            )
        )
    return problems
