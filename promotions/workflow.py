"""A round's states as data: draft -> announced -> open -> closed -> scored -> published, and
cancelled from draft or announced. Every step writes a RoundHistory row and an audit event
(`promotion_round.<step>`) through core.workflow.

Publication is maker-checker: one specialist asks for it ("review", a step that keeps the round
scored), and a different one publishes (`checker_of=("review",)`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.workflow import Role, Transition, Workflow

from .models import OfferedPosition, RoundHistory, RoundStatus

S = RoundStatus
HR = frozenset({Role.HR})
HR_OR_SYSTEM = frozenset({Role.HR, Role.SYSTEM})


def _retire_offers(round_, step) -> None:
    """A published or cancelled round no longer holds its positions: they may be offered again."""
    OfferedPosition.objects.filter(round=round_).update(live=False)


def _stamp_publication(round_, step) -> None:
    round_.published_at = timezone.now()
    round_.save(update_fields=["published_at"])


def candidates_of(round_) -> set[int]:
    """The accounts of everyone eligible in the round: nobody moves a round they compete in."""
    return {
        user_id
        for user_id in round_.eligibilities.filter(eligible=True).values_list(
            "employee__user", flat=True
        )
        if user_id is not None
    }


ROUND_WORKFLOW = Workflow(
    statuses=RoundStatus,
    transitions=[
        Transition("announce", (S.DRAFT,), S.ANNOUNCED, HR, _("Announce")),
        Transition("open", (S.ANNOUNCED,), S.OPEN, HR_OR_SYSTEM, _("Open for preferences")),
        Transition("close", (S.OPEN,), S.CLOSED, HR_OR_SYSTEM, _("Close")),
        Transition("score", (S.CLOSED,), S.SCORED, frozenset({Role.SYSTEM}), _("Scored")),
        Transition("review", (S.SCORED,), S.SCORED, HR, _("Reviewed: ask for publication")),
        Transition(
            "publish",
            (S.SCORED,),
            S.PUBLISHED,
            HR,
            _("Approve and publish"),
            checker_of=("review",),
            effects=(_stamp_publication, _retire_offers),
        ),
        Transition(
            "cancel",
            (S.DRAFT, S.ANNOUNCED),
            S.CANCELLED,
            HR,
            _("Cancel the round"),
            effects=(_retire_offers,),
        ),
    ],
    history=RoundHistory,
    subject_field="round",
    audit_prefix="promotion_round",
    entity_of=lambda round_: round_.entity_id,
    people=lambda round_: candidates_of(round_),
)
