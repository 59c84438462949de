"""The project's own pages: the dashboard that lists the services, and the favicon."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from core.catalogue import SERVICES, decide_all, group_refusals


def dashboard(request):
    """The six services and, for a signed-in person, whether each is open or why not."""
    decisions = decide_all(request.user) if request.user.is_authenticated else None
    refusals = group_refusals(decisions) if decisions else []
    # The cards show nothing but each service's outcome: that is all their cached copy's key
    # needs (besides the language), so people with the same outcomes share one rendering.
    cards_key = (
        ";".join(f"{d.service.code}:{d.failed or ''}" for d in decisions) if decisions else "-"
    )
    return render(
        request,
        "masar/dashboard.html",
        {
            "services": SERVICES,
            "decisions": decisions,
            "refusals": refusals,
            "cards_key": cards_key,
        },
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; the icon is an SVG."""
    return redirect(static("img/favicon.svg"), permanent=True)
