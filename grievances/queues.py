"""The grievances' queues on the HR console home (core.work_queues)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.work_queues import WorkQueue, register_queue, without_own

from .exports import GRIEVANCE_CSV_RELATED, grievance_columns
from .models import CLOCK_RUNNING, Grievance, Status


def _change_url(grievance) -> str:
    return reverse("hr:grievances_grievance_change", args=[grievance.pk])


def _list_url() -> str:
    return reverse("hr:grievances_grievance_changelist")


def _to_assign_url() -> str:
    return _list_url() + f"?status__exact={Status.SUBMITTED}&assigned=nobody"


def _mine_url() -> str:
    return _list_url() + "?assigned=me"


def _open_in_entity(user, entity_id):
    # Nobody handles a grievance about themselves, so it never waits in their own queue. By
    # the specialist's employee id: excluding `employee__user` joined every row of the queue
    # to its employee (16 ms a count for 5,000 grievances at 1M employees).
    return without_own(Grievance.objects.filter(entity_id=entity_id), user).order_by("due_at", "id")


def to_assign(user, entity_id):
    return _open_in_entity(user, entity_id).filter(
        status=Status.SUBMITTED, assigned_to__isnull=True
    )


def waiting_on_me(user, entity_id):
    return _open_in_entity(user, entity_id).filter(assigned_to=user, status__in=CLOCK_RUNNING)


def register() -> None:
    register_queue(
        WorkQueue(
            key="grievances.to_assign",
            title=_("Grievances to assign"),
            rows=to_assign,
            due_field="due_at",
            url_of=_change_url,
            list_url=_to_assign_url,
            csv_columns=grievance_columns,
            csv_related=GRIEVANCE_CSV_RELATED,
        )
    )
    register_queue(
        WorkQueue(
            key="grievances.waiting_on_me",
            title=_("Grievances waiting on me"),
            rows=waiting_on_me,
            due_field="due_at",
            url_of=_change_url,
            list_url=_mine_url,
            csv_columns=grievance_columns,
            csv_related=GRIEVANCE_CSV_RELATED,
        )
    )
