"""Template context for every page."""

from functools import cache


def notifications(request):
    """`unread_notifications` for the header: one indexed COUNT, run only when a page shows it
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
