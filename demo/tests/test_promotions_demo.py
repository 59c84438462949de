"""seed_demo's promotion rounds (issue 10): an open round persona 1012345672 may compete in, a
published earlier round with results (its winners' decisions in their records), and colleagues
who each fail one rule."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo import demo_data
from demo.promotions_demo import OPEN_TITLE, PAST_TITLE
from employment_records.models import ActionType, Employee, EmploymentAction, PositionStatus
from promotions.models import CandidateScore, Eligibility, Outcome, Round, RoundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_rounds():
    call_command("seed_demo", stdout=StringIO())
    persona = Employee.objects.get(national_id=demo_data.EMPLOYEE_ID)
    rounds = Round.objects.filter(entity=persona.entity)

    current = rounds.get(title_ar=OPEN_TITLE[0])
    assert (current.status, current.target_rank) == (RoundStatus.OPEN, 9)
    offered = current.offered.select_related("position")
    assert offered.count() >= 3
    assert all(o.position.rank == 9 and o.position.status == PositionStatus.VACANT for o in offered)
    verdicts = Eligibility.objects.filter(round=current)
    assert verdicts.get(employee=persona).eligible
    # Colleagues who fail each rule the readiness check can fail (everyone looked at holds the
    # rank below the target, so the rank rule fails nobody there).
    assert {"in_service", "saudi", "time_in_rank", "performance", "qualification"} <= set(
        verdicts.filter(eligible=False).values_list("failed_rule", flat=True)
    )

    past = rounds.get(title_ar=PAST_TITLE[0])
    assert past.status == RoundStatus.PUBLISHED and past.published_at is not None
    mine = CandidateScore.objects.get(round=past, employee=persona)
    assert mine.outcome == Outcome.ALL_TAKEN and mine.place > 1
    winners = CandidateScore.objects.filter(round=past, outcome=Outcome.PROMOTED)
    assert winners.exists()
    # Publication wrote each winner's decision into their record: its newest entry.
    for winner in winners.select_related("employee", "assigned__position"):
        action = EmploymentAction.objects.get(
            employee=winner.employee, source=f"promotion_round:{past.pk}"
        )
        assert action.action_type == ActionType.PROMOTION and action.to_rank == 9
        assert action.to_position == winner.assigned.position
        assert winner.employee.rank == 9 and winner.employee.rank_since == action.effective_date
        assert winner.employee.actions.order_by("-effective_date", "-id").first() == action
    persona.refresh_from_db()
    assert persona.rank == 8
