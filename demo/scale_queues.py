"""The consoles' queues and logs at national scale (bench/scale.py): `seed_scale` loads
employees and their records, and nothing fills the grievance queue, the audit log, the
notification outbox or the issued documents, so their lists would be measured over a handful
of demo rows. These add rows in bulk with COPY (PostgreSQL only, as the benchmark), spread
over the loaded employees and their entities; the caller runs ANALYZE afterwards
(bench/scale.py does, once for every table)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import connection
from django.utils import timezone

from core.models import AuditEvent, Document, Notification, new_verification_code
from demo.management.commands.seed_scale import insert_rows
from employment_records.documents import SERVICE_STATEMENT
from employment_records.models import CorrectionRequest, CorrectionStatus, Employee
from grievances.models import Category, Grievance, Status

# Numbers of a past Hijri year no demo or live grievance takes: G-1440-000001 onwards.
GRIEVANCE_YEAR = 1440
BATCH = 20_000


def _employees(count: int) -> list[tuple[int, int]]:
    """(employee id, entity id) of `count` employees of every entity, newest first."""
    return list(Employee.objects.order_by("-pk").values_list("pk", "entity_id")[: max(count, 1)])


def _hr_staff() -> dict[int, list[int]]:
    """The user ids of each entity's HR specialists."""
    from accounts.models import HRProfile

    staff: dict[int, list[int]] = {}
    for user_id, entity_id in HRProfile.objects.values_list("user_id", "entity_id"):
        staff.setdefault(entity_id, []).append(user_id)
    return staff


def add_grievances(count: int, *, seed: int = 16) -> int:
    """`count` grievances awaiting an answer (submitted or under follow-up), filed over the
    last year, due 30 days after filing, each by another employee."""
    start = Grievance.objects.filter(number__startswith=f"G-{GRIEVANCE_YEAR}-").count()
    # Seeded by where this batch starts: a second batch must not repeat the first's tokens.
    rng = random.Random(f"{seed}:{start}")  # noqa: S311 - benchmark data
    people = _employees(count)
    now = timezone.now()
    fields = (
        "number", "employee_id", "entity_id", "category", "decision_number", "decision_date",
        "learned_on", "text", "remedy", "status", "submitted_at", "due_at", "outcome",
        "reasoning", "submission_token",
    )  # fmt: skip
    categories = list(Category.values)
    rows = []
    for index in range(count):
        employee_id, entity_id = people[index % len(people)]
        submitted = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        decided_on = submitted.date() - dt.timedelta(days=rng.randrange(5, 40))
        rows.append(
            (
                f"G-{GRIEVANCE_YEAR}-{start + index + 1:06d}",
                employee_id,
                entity_id,
                rng.choice(categories),
                f"SC/{rng.randrange(1, 99999):05d}",
                decided_on,
                decided_on + dt.timedelta(days=rng.randrange(0, 5)),
                "تظلم من القرار المذكور لعدم احتساب الخدمة السابقة.",
                "إعادة النظر في القرار.",
                rng.choice((Status.SUBMITTED, Status.UNDER_REVIEW)),
                submitted,
                submitted + dt.timedelta(days=30),
                "",
                "",
                uuid.UUID(int=rng.getrandbits(128)),
            )
        )
    _insert(Grievance, fields, rows)
    return count


def add_corrections(count: int, *, seed: int = 16) -> int:
    """`count` requests to correct a name, over the last two years: one in twenty still
    waiting for HR (due ten days after filing), the rest decided."""
    prefix = f"C-{GRIEVANCE_YEAR}-"
    start = CorrectionRequest.objects.filter(number__startswith=prefix).count()
    rng = random.Random(f"{seed}:{start}")  # noqa: S311 - benchmark data
    people = _employees(min(count, 100_000))
    now = timezone.now()
    fields = (
        "number", "employee_id", "entity_id", "field_name", "current_value", "proposed_value",
        "reason", "status", "due_at", "submitted_at", "updated_at", "decided_at",
    )  # fmt: skip
    waiting = (CorrectionStatus.SUBMITTED, CorrectionStatus.UNDER_REVIEW)
    decided = (CorrectionStatus.APPROVED, CorrectionStatus.REJECTED, CorrectionStatus.WITHDRAWN)
    rows = []
    for index in range(count):
        employee_id, entity_id = people[index % len(people)]
        submitted = now - dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        is_open = rng.random() < 0.05
        decided_at = None if is_open else submitted + dt.timedelta(days=rng.randrange(1, 10))
        rows.append(
            (
                f"{prefix}{start + index + 1:06d}", employee_id, entity_id, "family_name_en",
                "Alqahtani",
                "Al-Qahtani", "The spelling on my passport.",
                rng.choice(waiting if is_open else decided), submitted + dt.timedelta(days=10),
                submitted, decided_at or submitted, decided_at,
            )
        )  # fmt: skip
    _insert(CorrectionRequest, fields, rows)
    return count


def add_audit_events(count: int, *, seed: int = 16) -> int:
    """`count` audit events over the last two years, each in an employee's entity."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    people = _employees(min(count, 100_000))
    staff = _hr_staff()
    now = timezone.now()
    actions = ("employee.view", "grievance.submit", "statement.issue", "record.export")
    fields = ("action", "subject_type", "subject_id", "entity_id", "at", "changes", "actor_id")
    rows = []
    for index in range(count):
        employee_id, entity_id = people[index % len(people)]
        at = now - dt.timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600))
        # Half are the entity's HR specialists at work (the console home lists their own).
        colleagues = staff.get(entity_id)
        actor = rng.choice(colleagues) if colleagues and rng.random() < 0.5 else None
        rows.append((rng.choice(actions), "employee", str(employee_id), entity_id, at, "{}", actor))
    _insert(AuditEvent, fields, rows)
    return count


def add_notifications(count: int, *, seed: int = 16) -> int:
    """`count` SMS notices sent over the last year (the outbox keeps what it sent)."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    now = timezone.now()
    fields = (
        "mobile", "kind", "language", "body", "body_encrypted", "link", "sms", "inbox", "status",
        "reason", "attempts", "sent_at", "provider_message_id", "idempotency_key", "created_at",
    )  # fmt: skip
    run = uuid.uuid4().hex[:12]  # idempotency keys unique across batches
    rows = []
    for index in range(count):
        created = now - dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        rows.append(
            (
                f"+9665{rng.randrange(10**8):08d}", "grievance.status", "ar", "", b"", "",
                True, False, Notification.Status.SENT, "", 1, created, "", f"scale-{run}-{index}",
                created,
            )
        )  # fmt: skip
    _insert(Notification, fields, rows)
    return count


def add_documents(count: int, *, seed: int = 16) -> int:
    """`count` issued service certificates over the last two years, each an employee's."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    people = _employees(min(count, 100_000))
    now = timezone.now()
    fields = (
        "code", "kind", "holder_id", "entity_id", "status", "language", "params", "key_facts",
        "sha256", "file_name", "created_at", "issued_at",
    )  # fmt: skip
    rows = []
    for index in range(count):
        employee_id, entity_id = people[index % len(people)]
        created = now - dt.timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600))
        rows.append(
            (
                new_verification_code(), SERVICE_STATEMENT, employee_id, entity_id,
                Document.Status.READY, "ar", "{}", "{}", f"{rng.getrandbits(256):064x}",
                f"scale/{index}.pdf", created, created,
            )
        )  # fmt: skip
    _insert(Document, fields, rows)
    return count


def _insert(model, fields, rows) -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError("demo.scale_queues loads with PostgreSQL's COPY")
    for first in range(0, len(rows), BATCH):
        insert_rows(model, fields, rows[first : first + BATCH], copy=True)
