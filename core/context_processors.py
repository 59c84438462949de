"""Template context every page shares."""

from functools import cache

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .hr_admin import HR_GROUP, MINISTRY_GROUP, hr_entity_id


def _workplaces_of(user) -> list[dict]:
    """The consoles this person may open besides the portal: the HR console for a specialist
    of an entity, the ministry admin for ministry staff. Employees cost no query."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return []
    groups = set(user.groups.values_list("name", flat=True))
    places = []
    if HR_GROUP in groups and hr_entity_id(user) is not None:
        places.append({"name": _("HR console"), "url": reverse("hr:index")})
    if user.is_superuser or MINISTRY_GROUP in groups:
        places.append({"name": _("Ministry administration"), "url": reverse("admin:index")})
    return places


def workplaces(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"workplaces": []}
    return {"workplaces": SimpleLazyObject(lambda: _workplaces_of(user))}


def notifications(request):
    """`unread_notifications` for the header: read from the cache (core.notifications keeps it,
    one indexed COUNT when it is not there), only when a page shows it
    (at most once per request: templates call the function, its result is kept), and never for
    a visitor who is not signed in."""

    @cache
    def unread_notifications() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from .notifications import unread_count

        return unread_count(user)

    return {"unread_notifications": unread_notifications}
