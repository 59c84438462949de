"""Findings: what is inconsistent in one government entity's position inventory.

This module only reads. `entity_findings(entity_id=...)` walks the entity's positions in
primary-key order, `chunk_size` at a time (keyset pagination, never OFFSET), then its employees
in service who hold no position, and yields one list of `Found` per chunk. Each position chunk
costs the same three queries whatever its size and however many positions the entity has:

1. the chunk's positions with their unit's entity and their class's minimum qualification;
2. the employees in service on those positions, each with their highest qualification
   (one aggregate, no query per employee);
3. the record entries naming the chunk's positions (a possible second claimant is someone
   they name who does not hold the position) — and, only when there are such people, one
   query for whether they are in service and one for their latest placing entry.

The employee pass costs one query per chunk as well. So the number of queries grows with
N / chunk_size only, never with N itself: a run over 100,000 positions with chunks of 2,000 is
about 150 to 200 queries to read (bench/job_audit.py prints the whole run's count).

Each finding has a stable `fingerprint` (type + position + employee), which is how an audit
run recognises a finding it has seen before and carries over its resolved/justified state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, IntegerField, Max, Value, When
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from employment_records.models import (
    QUALIFICATION_ORDER,
    Employee,
    EmployeeStatus,
    EmploymentAction,
    Position,
    PositionStatus,
    QualificationLevel,
)

DEFAULT_CHUNK_SIZE = 2000


class FindingType(models.TextChoices):
    RANK_MISMATCH = "rank_mismatch", _("Occupant's rank differs from the position's")
    QUALIFICATION_BELOW = "qualification_below", _("Occupant's qualification below the class")
    DOUBLE_OCCUPANCY = "double_occupancy", _("Two employees on one position")
    NO_POSITION = "no_position", _("Employee in service without a position")
    VACANT_BUT_OCCUPIED = "vacant_but_occupied", _("Marked vacant but occupied")
    OCCUPIED_WITHOUT_OCCUPANT = "occupied_without_occupant", _("Marked occupied with no occupant")
    FROZEN_BUT_OCCUPIED = "frozen_but_occupied", _("Frozen but occupied")
    FOREIGN_UNIT = "foreign_unit", _("Unit of another entity")


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


SEVERITY = {
    FindingType.RANK_MISMATCH: Severity.MEDIUM,
    FindingType.QUALIFICATION_BELOW: Severity.MEDIUM,
    FindingType.DOUBLE_OCCUPANCY: Severity.HIGH,
    FindingType.NO_POSITION: Severity.MEDIUM,
    FindingType.VACANT_BUT_OCCUPIED: Severity.HIGH,
    FindingType.OCCUPIED_WITHOUT_OCCUPANT: Severity.LOW,
    FindingType.FROZEN_BUT_OCCUPIED: Severity.HIGH,
    FindingType.FOREIGN_UNIT: Severity.HIGH,
}

# One sentence per type; the details dict fills the placeholders. Rendered in Arabic and
# English from the same msgid (see `explain`), so the two never drift apart.
EXPLANATIONS = {
    FindingType.RANK_MISMATCH: _(
        "Position %(position)s is of rank %(position_rank)s but its occupant %(employee)s "
        "holds rank %(employee_rank)s."
    ),
    FindingType.QUALIFICATION_BELOW: _(
        "The class of position %(position)s requires at least %(required)s; its occupant "
        "%(employee)s has %(held)s."
    ),
    FindingType.DOUBLE_OCCUPANCY: _(
        "Position %(position)s is held by %(employee)s in the inventory, and the employment "
        "record of %(other)s also places them on it."
    ),
    FindingType.NO_POSITION: _(
        "Employee %(employee)s is in service but holds no position in the inventory."
    ),
    FindingType.VACANT_BUT_OCCUPIED: _(
        "Position %(position)s is marked vacant but %(employee)s, in service, holds it."
    ),
    FindingType.OCCUPIED_WITHOUT_OCCUPANT: _(
        "Position %(position)s is marked occupied but no employee in service holds it."
    ),
    FindingType.FROZEN_BUT_OCCUPIED: _(
        "Position %(position)s is frozen but %(employee)s, in service, holds it."
    ),
    FindingType.FOREIGN_UNIT: _(
        "Position %(position)s sits in unit %(unit)s, which belongs to another entity."
    ),
}

# Types whose fingerprint names an employee as well as a position: the same position with a
# different person is a different finding.
_WITH_EMPLOYEE = {
    FindingType.RANK_MISMATCH,
    FindingType.QUALIFICATION_BELOW,
    FindingType.DOUBLE_OCCUPANCY,
    FindingType.NO_POSITION,
    FindingType.VACANT_BUT_OCCUPIED,
    FindingType.FROZEN_BUT_OCCUPIED,
}


@dataclass(frozen=True)
class Found:
    """One finding as computed; `job_audit.models.Finding` is its stored form."""

    type: str
    position_id: int | None = None
    employee_id: int | None = None
    other_employee_id: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return SEVERITY[FindingType(self.type)]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.type, self.position_id, self.employee_id, self.other_employee_id)


def fingerprint(type_, position_id, employee_id, other_employee_id=None) -> str:
    parts = [str(type_), f"p{position_id or '-'}"]
    if FindingType(type_) in _WITH_EMPLOYEE:
        parts.append(f"e{employee_id or '-'}")
    if other_employee_id:
        parts.append(f"o{other_employee_id}")
    return ":".join(parts)


def _qualification_label(level: str) -> str:
    return str(QualificationLevel(level).label) if level else gettext("No qualification")


def explain(type_: str, details: dict, *, language: str) -> str:
    """The finding's sentence in `language` ("ar" or "en")."""
    with translation.override(language):
        params = dict(details)
        for key in ("required", "held"):
            if key in params:
                params[key] = _qualification_label(params[key])
        return str(EXPLANATIONS[FindingType(type_)]) % defaultdict(str, params)


# The qualification levels as integers, so the database can take the highest per employee.
_LEVEL_RANK = Case(
    *[
        When(qualifications__level=level, then=Value(i))
        for i, level in enumerate(QUALIFICATION_ORDER)
    ],
    default=Value(0),
    output_field=IntegerField(),
)


def _position_chunk(entity_id: int, after: int, size: int) -> list[dict]:
    return list(
        Position.objects.filter(entity_id=entity_id, pk__gt=after, abolition__isnull=True)
        .order_by("pk")
        .values(
            "pk",
            "number",
            "rank",
            "status",
            "unit__code",
            "unit__entity_id",
            "job_class__min_qualification",
        )[:size]
    )


def _holders(position_ids: list[int]) -> dict[int, list[dict]]:
    rows = (
        Employee.objects.filter(position_id__in=position_ids, status=EmployeeStatus.ACTIVE)
        .values("pk", "position_id", "rank", "national_id")
        .annotate(best=Max(_LEVEL_RANK))
        .order_by("pk")
    )
    by_position: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_position[row["position_id"]].append(row)
    return by_position


def _record_claimants(position_ids: list[int], holders: dict[int, list[dict]]) -> dict:
    """Employees in service whose latest placing record entry names one of these positions,
    while the inventory has them on another position (or none).

    In steps, so the database never joins or compares more than it must: the record entries
    naming these positions (one indexed read, no join); those of people who do not hold the
    position are candidates (usually none, else people whose service ended); only for
    candidates, whether they are in service and where (one query), then which placing entry is
    their latest (one query)."""
    held_by = {pid: {h["pk"] for h in rows} for pid, rows in holders.items()}
    candidates = [
        (pk, employee_id, position_id)
        for pk, employee_id, position_id in EmploymentAction.objects.filter(
            to_position_id__in=position_ids
        ).values_list("pk", "employee_id", "to_position_id")
        if employee_id not in held_by.get(position_id, ())
    ]
    if not candidates:
        return {}
    people = {
        row["pk"]: row
        for row in Employee.objects.filter(
            pk__in={employee_id for _pk, employee_id, _p in candidates},
            status=EmployeeStatus.ACTIVE,
        ).values("pk", "position_id", "national_id")
    }
    candidates = [c for c in candidates if c[1] in people and people[c[1]]["position_id"] != c[2]]
    if not candidates:
        return {}
    latest: dict[int, int] = {}
    for employee_id, pk in (
        EmploymentAction.objects.filter(
            employee_id__in={employee_id for _pk, employee_id, _p in candidates},
            to_position__isnull=False,
        )
        .order_by("employee_id", "-effective_date", "-pk")
        .values_list("employee_id", "pk")
    ):
        latest.setdefault(employee_id, pk)
    by_position: dict[int, list[dict]] = defaultdict(list)
    for pk, employee_id, position_id in sorted(candidates, key=lambda c: c[1]):
        if latest.get(employee_id) == pk:
            by_position[position_id].append(
                {
                    "employee_id": employee_id,
                    "employee__national_id": people[employee_id]["national_id"],
                }
            )
    return by_position


def _position_findings(entity_id: int, positions: list[dict]) -> list[Found]:
    ids = [p["pk"] for p in positions]
    holders = _holders(ids)
    claimants = _record_claimants(ids, holders)
    found: list[Found] = []
    for p in positions:
        number = p["number"]
        base = {"position": number}
        held = holders.get(p["pk"], [])
        if p["unit__entity_id"] != entity_id:
            found.append(
                Found(FindingType.FOREIGN_UNIT, p["pk"], details={**base, "unit": p["unit__code"]})
            )
        if not held and p["status"] == PositionStatus.OCCUPIED:
            found.append(Found(FindingType.OCCUPIED_WITHOUT_OCCUPANT, p["pk"], details=base))
        for holder in held:
            person = {**base, "employee": holder["national_id"]}
            if p["status"] == PositionStatus.VACANT:
                found.append(
                    Found(FindingType.VACANT_BUT_OCCUPIED, p["pk"], holder["pk"], details=person)
                )
            elif p["status"] == PositionStatus.FROZEN:
                found.append(
                    Found(FindingType.FROZEN_BUT_OCCUPIED, p["pk"], holder["pk"], details=person)
                )
            if holder["rank"] != p["rank"]:
                found.append(
                    Found(
                        FindingType.RANK_MISMATCH,
                        p["pk"],
                        holder["pk"],
                        details={
                            **person,
                            "position_rank": p["rank"],
                            "employee_rank": holder["rank"],
                        },
                    )
                )
            required = p["job_class__min_qualification"]
            best = holder["best"]
            has_any = best is not None
            if required and QUALIFICATION_ORDER.index(required) > (best if has_any else 0):
                found.append(
                    Found(
                        FindingType.QUALIFICATION_BELOW,
                        p["pk"],
                        holder["pk"],
                        details={
                            **person,
                            "required": required,
                            "held": QUALIFICATION_ORDER[best] if has_any else "",
                        },
                    )
                )
        # Two on one position: more than one holder in the inventory (the database refuses that
        # today, imported data may not have), or a holder plus someone whose record says so.
        others = [h for h in held[1:]] + [
            {"pk": c["employee_id"], "national_id": c["employee__national_id"]}
            for c in claimants.get(p["pk"], [])
        ]
        if held and others:
            first = held[0]
            for other in others:
                found.append(
                    Found(
                        FindingType.DOUBLE_OCCUPANCY,
                        p["pk"],
                        first["pk"],
                        other["pk"],
                        details={
                            **base,
                            "employee": first["national_id"],
                            "other": other["national_id"],
                        },
                    )
                )
    return found


def _unplaced_chunk(entity_id: int, after: int, size: int) -> list[dict]:
    return list(
        Employee.objects.filter(
            entity_id=entity_id,
            status=EmployeeStatus.ACTIVE,
            position__isnull=True,
            pk__gt=after,
        )
        .order_by("pk")
        .values("pk", "national_id")[:size]
    )


def entity_findings(
    *, entity_id: int, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[tuple[int, list[Found]]]:
    """Yield `(positions_done, findings)` per chunk: first the positions, then the employees
    in service without a position (`positions_done` stays at the total during that pass)."""
    after, done = 0, 0
    while True:
        positions = _position_chunk(entity_id, after, chunk_size)
        if not positions:
            break
        after = positions[-1]["pk"]
        done += len(positions)
        yield done, _position_findings(entity_id, positions)
        if len(positions) < chunk_size:
            break
    after = 0
    while True:
        employees = _unplaced_chunk(entity_id, after, chunk_size)
        if not employees:
            break
        after = employees[-1]["pk"]
        yield (
            done,
            [
                Found(
                    FindingType.NO_POSITION, None, e["pk"], details={"employee": e["national_id"]}
                )
                for e in employees
            ],
        )
        if len(employees) < chunk_size:
            break


def findings_for_entity(*, entity_id: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[Found]:
    """Every finding of the entity at once (tests, small entities)."""
    return [
        found
        for _done, chunk in entity_findings(entity_id=entity_id, chunk_size=chunk_size)
        for found in chunk
    ]
