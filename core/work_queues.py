"""The consoles' homes are built around work: each service registers its queues here.

`core` imports no app, so each app registers its queues from its `AppConfig.ready()`. A queue
of the HR console (`site="hr"`) is a queryset of the specialist's entity (or of the
specialist); a queue of the ministry admin (`site="admin"`) spans every entity and is shown to
those holding its `permission`. Each is ordered by what is due first, with a date that the
home shows in both calendars and marks when overdue or due within a week (`due_field` None: a
queue without a deadline, shown by age).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

SOON_DAYS = 7
ITEMS_SHOWN = 5


@dataclass(frozen=True)
class WorkQueue:
    key: str
    title: str
    # (user, entity_id) -> the queue's rows, already ordered by `due_field` (nulls last)
    rows: Callable[[object, int | None], QuerySet]
    due_field: str | None
    # row -> the console address that works on it
    url_of: Callable[[object], str]
    # the console list of the whole queue
    list_url: Callable[[], str]
    # user -> whether the home shows the queue at all (a service open only to the
    # specialists it is granted to); None: every specialist of the entity
    visible: Callable[[object], bool] | None = None
    # the queue as CSV (core.console_csv): columns, and what to join so a row costs no query
    csv_columns: Callable[[], list] | None = None
    csv_related: tuple[str, ...] = ()
    # "hr": the HR console's home; "admin": the ministry admin's, for holders of `permission`
    site: str = "hr"
    permission: str | None = None


_QUEUES: dict[str, WorkQueue] = {}


def register_queue(queue: WorkQueue) -> None:
    _QUEUES[queue.key] = queue


def registered_queues(site: str = "hr") -> list[WorkQueue]:
    return [queue for queue in _QUEUES.values() if queue.site == site]


def queue_named(key: str) -> WorkQueue | None:
    return _QUEUES.get(key)


@dataclass(frozen=True)
class QueueItem:
    label: str
    url: str
    due: dt.date | None
    overdue: bool
    due_soon: bool


@dataclass(frozen=True)
class QueueSummary:
    queue: WorkQueue
    count: int
    overdue: int
    due_soon: int
    items: list[QueueItem]


def without_own(rows: QuerySet, user) -> QuerySet:
    """The rows that are not about `user` (nobody works on a request about themselves), left
    out by the person's employee id: `exclude(employee__user=user)` joins every row of the
    queue to its employee to compare users."""
    from .catalogue import employee_of

    own = employee_of(user)
    return rows if own is None else rows.exclude(employee_id=own.pk)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value)
    return value


def summarise(queue: WorkQueue, *, user, entity_id: int, today: dt.date) -> QueueSummary:
    """Two queries per queue: its counts in one pass over its rows (how many, how many late,
    how many due soon), then the first rows."""
    rows = queue.rows(user, entity_id)
    if queue.due_field is None:  # no deadline: the count and the oldest rows
        items = [
            QueueItem(
                label=str(row), url=queue.url_of(row), due=None, overdue=False, due_soon=False
            )
            for row in rows[:ITEMS_SHOWN]
        ]
        return QueueSummary(queue, rows.count(), 0, 0, items)
    soon = today + dt.timedelta(days=SOON_DAYS)
    is_datetime = rows.model._meta.get_field(queue.due_field).get_internal_type() == (
        "DateTimeField"
    )
    today_bound = (
        timezone.make_aware(dt.datetime.combine(today, dt.time.min)) if is_datetime else today
    )
    soon_bound = (
        timezone.make_aware(dt.datetime.combine(soon, dt.time.max)) if is_datetime else soon
    )
    field = queue.due_field
    counts = rows.order_by().aggregate(
        count=Count("pk"),
        overdue=Count("pk", filter=Q(**{f"{field}__lt": today_bound})),
        due_soon=Count(
            "pk", filter=Q(**{f"{field}__gte": today_bound, f"{field}__lte": soon_bound})
        ),
    )
    items = []
    for row in rows[:ITEMS_SHOWN]:
        due = _as_date(getattr(row, queue.due_field))
        items.append(
            QueueItem(
                label=str(row),
                url=queue.url_of(row),
                due=due,
                overdue=due is not None and due < today,
                due_soon=due is not None and today <= due <= soon,
            )
        )
    return QueueSummary(queue, counts["count"], counts["overdue"], counts["due_soon"], items)


def summarise_all(*, user, entity_id: int | None, site: str = "hr") -> list[QueueSummary]:
    today = timezone.localdate()
    return [
        summarise(queue, user=user, entity_id=entity_id, today=today)
        for queue in registered_queues(site)
        if (queue.permission is None or user.has_perm(queue.permission))
        and (queue.visible is None or queue.visible(user))
    ]
