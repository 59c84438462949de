"""Shared pages: health probes, error pages and public document verification."""

import hashlib
import io
import logging

from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from .uploads import file_size

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


def _verification_context(document) -> dict:
    """What /verify/ shows of a document found by its code (none of it for a revoked one)."""
    from . import documents

    context = {"document": document, "kind_label": documents.kind_label(document.kind)}
    if not document.is_revoked:
        language = translation.get_language()
        context["key_facts"] = documents.facts_for_language(document, language)
        context["file_max_bytes"] = VERIFY_FILE_MAX_BYTES
        context.update(documents.verification_extra(document))
    return context


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
        if document is not None:
            context.update(_verification_context(document))
    status = 404 if typed and context.get("document") is None else 200
    return render(request, "core/verify.html", context, status=status)


# The PDF a verifier uploads to compare with the issued file: read in memory, never written to
# disk or kept, and refused past this size (an issued statement is well under 1 MB).
VERIFY_FILE_MAX_BYTES = 5 * 1024 * 1024


class _InMemoryUpload(FileUploadHandler):
    """Keeps the uploaded file in memory up to `limit` bytes, never in a temporary file
    (Django's default handlers spill anything over 2.5 MB to disk); past it, the upload is
    stopped and `too_large` is set."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size,
            self.charset, self.content_type_extra,
        )  # fmt: skip


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
@require_POST
@never_cache
def verify_document_file(request, code: str):
    """Public: does this PDF match, byte for byte, the file issued under the code? Rate-limited
    with /verify/ (one budget per address), at most 5 MB, compared by SHA-256, never stored."""
    handler = _InMemoryUpload(request, VERIFY_FILE_MAX_BYTES)
    request.upload_handlers = [handler]
    return _check_document_file(request, code, handler)


@csrf_protect
def _check_document_file(request, code: str, handler: _InMemoryUpload):
    from . import documents
    from .ratelimit import ip_key

    context = {"typed": code, "checked": True}
    if not _verify_limit().hit(ip_key(request)):
        return render(request, "core/verify.html", {**context, "limited": True}, status=429)
    document = documents.find_for_verification(code)
    if document is None:
        return render(request, "core/verify.html", context, status=404)
    context.update(_verification_context(document))
    if document.is_revoked:
        return render(request, "core/verify.html", context, status=409)
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    upload = None if declared > VERIFY_FILE_MAX_BYTES + 65536 else request.FILES.get("file")
    if handler.too_large or declared > VERIFY_FILE_MAX_BYTES + 65536:
        error, status = (
            _("The file is larger than %(size)s.") % {"size": file_size(VERIFY_FILE_MAX_BYTES)},
            413,
        )
    elif upload is None:
        error, status = _("Choose the PDF file you were given."), 400
    else:
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            error, status = _("This file is not a PDF. Choose the PDF file you were given."), 400
        else:
            context["file_check"] = {
                "matches": documents.sha256_matches(document, data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "name": upload.name,
            }
            return render(request, "core/verify.html", context)
    return render(request, "core/verify.html", {**context, "file_error": error}, status=status)
