"""The simulated pension authority's JSON API (documented in the README)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .models import Submission

MAX_BODY = 20 * 1024 * 1024


def _authorised(request) -> bool:
    token = getattr(settings, "PENSION_SIM_TOKEN", "")
    if not token:
        return True
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return constant_time_compare(given, token)


def _json(request):
    try:
        value = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _answer(answer: services.Answer) -> JsonResponse:
    response = JsonResponse(answer.body, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def statements(request):
    if not _authorised(request):
        return JsonResponse({"error": "Unauthorised."}, status=401)
    if request.method == "GET":
        rows = Submission.objects.all()[:50]
        return JsonResponse(
            {
                "statements": [
                    {
                        "idempotency_key": row.idempotency_key,
                        "national_id": row.national_id,
                        "status": row.status_code,
                        "answer": row.answer,
                        "received_at": row.received_at.isoformat(),
                        "replays": row.replays,
                    }
                    for row in rows
                ]
            }
        )
    key = request.headers.get("Idempotency-Key", "").strip()
    if not 8 <= len(key) <= 100:
        return JsonResponse(
            {"error": "Send an Idempotency-Key header of 8 to 100 characters."}, status=400
        )
    failure = services.faked_failure()
    if failure is not None:
        return _answer(failure)
    payload = _json(request)
    if payload is None:
        return JsonResponse({"error": "The body must be a JSON object."}, status=400)
    return _answer(services.receive(key=key, raw_body=request.body, payload=payload))


@csrf_exempt
@require_http_methods(["GET"])
def statement(request, reference):
    if not _authorised(request):
        return JsonResponse({"error": "Unauthorised."}, status=401)
    found = Submission.objects.filter(reference=reference).first()
    if found is None:
        raise Http404
    return JsonResponse({**found.answer, "statement": found.statement})


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def control(request):
    """Tell the simulator to fail: {"fail_next": 2, "fail_status": 500, "delay_next": 1,
    "delay_seconds": 3}. DELETE resets it."""
    if not _authorised(request):
        return JsonResponse({"error": "Unauthorised."}, status=401)
    current = services.control()
    if request.method == "DELETE":
        current.fail_next = current.delay_next = 0
        current.fail_status, current.delay_seconds = 500, 0
        current.save()
    elif request.method == "POST":
        payload = _json(request)
        if payload is None:
            return JsonResponse({"error": "The body must be a JSON object."}, status=400)
        try:
            for name, cast in (
                ("fail_next", int),
                ("fail_status", int),
                ("delay_next", int),
                ("delay_seconds", float),
            ):
                if name in payload:
                    value = cast(payload[name])
                    if value < 0 or (name == "fail_status" and not 400 <= value <= 599):
                        raise ValueError(name)
                    setattr(current, name, value)
        except (TypeError, ValueError):
            return JsonResponse(
                {"error": "Counts and delays are non-negative numbers; fail_status is 400-599."},
                status=400,
            )
        current.save()
    return JsonResponse(
        {
            "fail_next": current.fail_next,
            "fail_status": current.fail_status,
            "delay_next": current.delay_next,
            "delay_seconds": current.delay_seconds,
        }
    )
