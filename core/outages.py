"""A dependency that is down (PostgreSQL, Redis, the broker) is an outage, not a bug: the
person gets a 503 "try again in a moment" page in both languages with `Retry-After`, never a
500. The middleware catches what views raise; `server_error` (handler500) catches what other
middleware raises (the session saved after the view, the user loaded for the sign-in check).
Nothing is kept across requests, so the next request after the recovery just works."""

from __future__ import annotations

import logging
import sys

from django import db
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [db.OperationalError, db.InterfaceError]
    try:
        import redis

        errors.append(redis.exceptions.ConnectionError)
        errors.append(redis.exceptions.TimeoutError)
        errors.append(redis.exceptions.BusyLoadingError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        import kombu.exceptions

        errors.append(kombu.exceptions.OperationalError)  # the broker refused a publish
    except ImportError:  # pragma: no cover - kombu comes with celery
        pass
    return tuple(errors)


def is_outage(error: BaseException | None) -> bool:
    return error is not None and isinstance(error, outage_errors())


def unavailable_response():
    """The standalone 503 page: no context, no request, no database, no cache."""
    from django.http import HttpResponse

    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """Maps a view's database, cache or broker outage to the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        logger.warning(
            "outage on %s %s: %s", request.method, request.path, type(exception).__name__
        )
        return unavailable_response()


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: an outage raised outside a view (by a middleware) is still a 503."""
    if is_outage(sys.exc_info()[1]):
        return unavailable_response()
    return defaults.server_error(request, template_name=template_name)
