"""Pages behind sign-in carry personal data: no browser or proxy may keep a copy
(`Cache-Control: no-store`), so the back button after sign-out or a shared computer shows none.

NOTE for the merge (issue 14): item 12 belongs to another branch, which may bring its own
middleware for this; keep one of the two."""

from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        return response
