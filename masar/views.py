"""The project's own page: the dashboard that lists the services."""

from django.shortcuts import render

from core.catalogue import SERVICES, decide_all


def dashboard(request):
    """The six services and, for a signed-in person, whether each is open or why not."""
    decisions = decide_all(request.user) if request.user.is_authenticated else None
    return render(request, "masar/dashboard.html", {"services": SERVICES, "decisions": decisions})
