"""The promotion rounds waiting on HR, on the HR console home (core.work_queues)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.work_queues import WorkQueue, register_queue

from .models import Round, RoundStatus


def to_act_on(user, entity_id):
    # A round this specialist reviewed waits on a colleague's approval, not on them.
    return (
        Round.objects.filter(
            entity_id=entity_id,
            status__in=[
                RoundStatus.ANNOUNCED,
                RoundStatus.OPEN,
                RoundStatus.CLOSED,
                RoundStatus.SCORED,
            ],
        )
        .exclude(status=RoundStatus.SCORED, history__transition="review", history__actor=user)
        .order_by("closes_at", "id")
    )


def register() -> None:
    register_queue(
        WorkQueue(
            key="promotions.rounds",
            title=_("Promotion rounds to move on"),
            rows=to_act_on,
            due_field="closes_at",
            url_of=lambda round_: reverse("hr:promotions_round_change", args=[round_.pk]),
            list_url=lambda: reverse("hr:promotions_round_changelist"),
        )
    )
