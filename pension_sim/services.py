"""Receiving a statement: faked failures first, then the stored answer of a repeated key, then
the rules. A new answer is stored before it is sent, so a sender that never read it gets the
same answer when it asks again with the same key."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Control, Submission
from .rules import decode_pdf, rejection


@dataclass
class Answer:
    status: int
    body: dict
    replayed: bool = False


def control() -> Control:
    return Control.objects.get_or_create(pk=1)[0]


def faked_failure() -> Answer | None:
    """Consume one faked failure, if the simulator was told to fail."""
    with transaction.atomic():
        current = Control.objects.select_for_update().filter(pk=1).first()
        if current is None or current.fail_next == 0:
            return None
        current.fail_next -= 1
        current.save(update_fields=["fail_next"])
    return Answer(current.fail_status, {"error": "simulated failure"})


def faked_delay() -> float:
    with transaction.atomic():
        current = Control.objects.select_for_update().filter(pk=1).first()
        if current is None or current.delay_next == 0:
            return 0.0
        current.delay_next -= 1
        current.save(update_fields=["delay_next"])
    return current.delay_seconds


def _replay(submission: Submission) -> Answer:
    Submission.objects.filter(pk=submission.pk).update(replays=submission.replays + 1)
    return Answer(submission.status_code, submission.answer, replayed=True)


def receive(*, key: str, raw_body: bytes, payload: dict) -> Answer:
    body_sha256 = hashlib.sha256(raw_body).hexdigest()
    existing = Submission.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.body_sha256 != body_sha256:
            return Answer(
                409,
                {"error": "This Idempotency-Key was used for a different statement."},
            )
        return _replay(existing)

    statement = payload.get("statement")
    if not isinstance(statement, dict):
        return Answer(400, {"error": "The body needs a `statement` object."})
    pdf = decode_pdf(payload.get("pdf_base64"))
    refused = rejection(statement, pdf)
    now = timezone.now()
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                idempotency_key=key,
                body_sha256=body_sha256,
                national_id=str(statement.get("national_id", ""))[:10],
                statement=statement,
                pdf_size=len(pdf or b""),
                pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf else "",
                status_code=422 if refused else 201,
            )
            if refused:
                code, reason = refused
                submission.answer = {"status": "rejected", "code": code, "reason": reason}
            else:
                submission.reference = f"PA-{now:%Y}-{submission.pk:06d}"
                submission.answer = {
                    "status": "acknowledged",
                    "reference": submission.reference,
                    "received_at": now.isoformat(),
                }
            submission.save(update_fields=["answer", "reference"])
    except IntegrityError:  # the same key arrived twice at once: the first one answers both
        return _replay(Submission.objects.get(idempotency_key=key))
    delay = faked_delay()
    if delay:
        time.sleep(delay)  # stored already: a sender that gives up finds it on its next try
    return Answer(submission.status_code, submission.answer)
