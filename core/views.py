"""Shared pages: health probes, error pages and public document verification."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request):
    """The process is up; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _check_broker():
    from celery import current_app as app

    if app.conf.task_always_eager:
        return  # embedded mode: tasks run in-process, there is no broker to reach
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


READINESS_CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@require_GET
@never_cache
def readyz(request):
    """Ready to serve: database, cache and broker reachable; 503 naming what failed."""
    results, failed = {}, []
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure of a dependency means "not ready"
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            results[name] = "unavailable"
            failed.append(name)
    status = 503 if failed else 200
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed},
        status=status,
    )


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


VERIFY_WINDOW_SECONDS = 60


def _verify_limit():
    from django.conf import settings

    from .ratelimit import Limit

    return Limit("verify", settings.VERIFY_RATE_LIMIT, VERIFY_WINDOW_SECONDS)


@require_GET
@never_cache
def verify_document(request, code: str | None = None):
    """Public: is a printed document authentic? Minimal data, no sign-in, rate-limited."""
    from django.shortcuts import redirect

    from . import documents
    from .ratelimit import ip_key

    typed = code or request.GET.get("code", "").strip()
    if code is None and typed:
        normalised = documents.normalise_code(typed)
        if normalised:  # the typed form lands on the same URL as the QR code
            return redirect("verify", code=normalised)
    context = {"typed": typed, "checked": bool(typed)}
    if typed:
        if not _verify_limit().hit(ip_key(request)):
            return render(request, "core/verify.html", {**context, "limited": True}, status=429)
        document = documents.find_for_verification(typed)
        context.update(
            document=document, kind_label=document and documents.kind_label(document.kind)
        )
        if document is not None and not document.is_revoked:
            context["key_facts"] = documents.facts_for_language(document, request.LANGUAGE_CODE)
            context.update(documents.verification_extra(document))
    status = 404 if typed and context.get("document") is None else 200
    return render(request, "core/verify.html", context, status=status)
