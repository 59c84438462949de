"""The HR console: create a draft, offer positions, readiness, steps, scoring, results, CSV;
another entity's round answers 404 on every URL."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_hr_specialist, sign_in_verified
from employment_records.tests.factories import EntityFactory
from promotions.models import OfferedPosition, Round, RoundStatus

from .factories import RoundFactory, candidate, offer, vacant_position

pytestmark = pytest.mark.django_db

ROUND_URLS = (
    "positions",
    "readiness",
    "score",
    "progress",
    "results",
    "csv",
    "other",
    "documents",
)


def _url(name, round_, *args):
    return reverse(f"hr:promotions_round_{name}", args=[round_.pk, *args])


@pytest.fixture
def specialist(client):
    entity = EntityFactory()
    user = make_hr_specialist(entity)
    sign_in_verified(client, user)
    return user


def _form(**overrides):
    now = timezone.localtime()
    data = {
        "title_ar": "ترقيات المرتبة التاسعة",
        "title_en": "Rank 9 promotions",
        "target_rank": "9",
        "reference_date": "2026-11-01",
        "opens_at_0": (now + dt.timedelta(days=1)).strftime("%Y-%m-%d"),
        "opens_at_1": "08:00:00",
        "closes_at_0": (now + dt.timedelta(days=8)).strftime("%Y-%m-%d"),
        "closes_at_1": "08:00:00",
        "max_preferences": "5",
        "min_years_in_rank": "4",
        "weight_performance": "50",
        "weight_training": "20",
        "weight_education": "0",
        "weight_seniority": "0",
        "weight_volunteering": "20",
        "weight_other": "10",
        "tie_break_order": "performance,seniority,hire_date,national_id",
    }
    data.update(overrides)
    return data


def test_create_a_draft_with_weights_summing_to_100(client, specialist):
    add = reverse("hr:promotions_round_add")
    response = client.post(add, _form(weight_other="20"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "must add up to 100" in response.content.decode()
    response = client.post(add, _form())
    assert response.status_code == 302
    round_ = Round.objects.get()
    assert round_.entity_id == specialist.hr_profile.entity_id
    assert round_.created_by == specialist and round_.status == RoundStatus.DRAFT


def test_offer_lists_only_eligible_positions_and_refuses_others(client, specialist):
    entity = specialist.hr_profile.entity
    round_ = RoundFactory(entity=entity)
    good = vacant_position(entity)
    wrong_rank = vacant_position(entity, rank=8)
    elsewhere = vacant_position(EntityFactory())
    page = client.get(_url("positions", round_))
    choices = {p.pk for p in page.context["form"].fields["positions"].queryset}
    assert choices == {good.pk}
    assert (
        client.get(_url("positions", round_), {"q": "zzz"})
        .context["form"]
        .fields["positions"]
        .queryset.count()
        == 0
    )
    response = client.post(_url("positions", round_), {"positions": [wrong_rank.pk, elsewhere.pk]})
    assert response.status_code == 400
    response = client.post(_url("positions", round_), {"positions": [good.pk]})
    assert response.status_code == 302
    assert OfferedPosition.objects.filter(round=round_, position=good).exists()


def test_readiness_then_steps_then_scoring_and_results(
    client, specialist, django_capture_on_commit_callbacks
):
    entity = specialist.hr_profile.entity
    round_ = RoundFactory(entity=entity)
    offer(round_, 2)
    candidate(entity)
    candidate(entity, rating="unsatisfactory")
    client.post(_url("readiness", round_))
    page = client.get(
        reverse("hr:promotions_round_change", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "1 of 2 employees of the rank are eligible." in page.content.decode()
    for step in ("announce", "open", "close"):
        assert client.post(_url("step", round_, step)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("score", round_))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCORED
    progress = client.get(_url("progress", round_)).content.decode()
    assert "hx-get" not in progress  # finished: no more polling
    results = client.get(_url("results", round_))
    assert len(results.context["rows"]) == 1
    csv = b"".join(client.get(_url("csv", round_)).streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("1,")
    # Publication: the reviewer cannot publish; a second specialist can.
    assert client.post(_url("step", round_, "review")).status_code == 302
    refused = client.post(_url("step", round_, "publish"))
    assert refused.status_code == 400
    second = make_hr_specialist(entity)
    sign_in_verified(client, second)
    assert client.post(_url("step", round_, "publish")).status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED


def test_a_running_score_polls_and_falls_back_to_a_refresh(client, specialist):
    round_ = RoundFactory(
        entity=specialist.hr_profile.entity,
        status=RoundStatus.CLOSED,
        scoring_started_at=timezone.now(),
        scoring_total=10,
        scoring_done=4,
    )
    page = client.get(reverse("hr:promotions_round_change", args=[round_.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'value="40"' in page


def test_another_entitys_round_is_404_everywhere(client, specialist):
    theirs = RoundFactory(entity=EntityFactory(), status=RoundStatus.SCORED)
    assert client.get(reverse("hr:promotions_round_change", args=[theirs.pk])).status_code == 404
    for name in ROUND_URLS:
        assert client.get(_url(name, theirs)).status_code == 404, name
        assert client.post(_url(name, theirs)).status_code == 404, name
    assert client.post(_url("step", theirs, "publish")).status_code == 404


def test_a_round_is_read_only_after_the_draft(client, specialist):
    round_ = RoundFactory(entity=specialist.hr_profile.entity, status=RoundStatus.OPEN)
    client.post(reverse("hr:promotions_round_change", args=[round_.pk]), _form(title_en="Changed"))
    round_.refresh_from_db()
    assert round_.title_en != "Changed"


def test_rounds_waiting_on_the_specialist_are_on_the_console_home(client, specialist):
    entity = specialist.hr_profile.entity
    open_round = RoundFactory(entity=entity, status=RoundStatus.OPEN)
    RoundFactory(entity=entity, status=RoundStatus.DRAFT)
    RoundFactory(entity=EntityFactory(), status=RoundStatus.OPEN)
    page = client.get(reverse("hr:index")).content.decode()
    assert reverse("hr:promotions_round_change", args=[open_round.pk]) in page


def test_results_come_a_page_at_a_time_and_name_the_deciding_tie_break(
    client, django_capture_on_commit_callbacks, monkeypatch, django_assert_max_num_queries
):
    from accounts.tests.factories import sign_in_verified as sign_in
    from promotions import admin as promotions_admin
    from promotions.models import CandidateScore

    from .factories import reviewed_round

    monkeypatch.setattr(promotions_admin, "RESULTS_PAGE_SIZE", 2)
    round_, _offers, _people, checker = reviewed_round(
        django_capture_on_commit_callbacks, n_candidates=5
    )
    CandidateScore.objects.filter(round=round_, place=1).update(decided_by="performance")
    sign_in(client, checker)
    with django_assert_max_num_queries(20) as first:
        page = client.get(_url("results", round_), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert len(page.context["rows"]) == 2 and 'rel="next"' in html
    assert "tie-break: higher performance score" in html
    with django_assert_max_num_queries(len(first.captured_queries)):
        last = client.get(_url("results", round_) + "?page=3", HTTP_ACCEPT_LANGUAGE="en")
    assert [row.place for row in last.context["rows"]] == [5]
