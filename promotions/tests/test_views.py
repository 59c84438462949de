"""The employee's pages: scoped, constant query counts, the window enforced, the objection."""

import re
import uuid

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist
from employment_records.tests.factories import EntityFactory
from grievances.models import Grievance
from promotions import services
from promotions.models import PreferenceSubmission, Round, RoundStatus

from .factories import RoundFactory, candidate, offer

pytestmark = pytest.mark.django_db


def _person(entity, **kwargs):
    user = UserFactory()
    employee = candidate(entity, user=user, national_id=user.username, **kwargs)
    grant_all(employee)
    return user, employee


@pytest.fixture
def open_round():
    round_ = RoundFactory(status=RoundStatus.OPEN)
    offers = offer(round_, 4)
    return round_, offers


def test_the_dashboard_card_is_available(client, open_round):
    user, _employee = _person(open_round[0].entity)
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("promotions:index") in page


def test_readiness_shows_rules_inputs_and_sources(
    client, open_round, django_assert_max_num_queries
):
    round_, _offers = open_round
    user, employee = _person(round_.entity)
    client.force_login(user)
    url = reverse("promotions:round", args=[round_.pk])
    with django_assert_max_num_queries(30):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "You meet every rule of this round." in page
    assert 'data-criterion="training"' in page
    assert "/my-data/corrections/new/?action=" in page
    # More records do not cost more queries.
    for _ in range(3):
        candidate(round_.entity)
    with django_assert_max_num_queries(len_queries(client, url)):
        client.get(url)


def len_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_an_ineligible_person_sees_which_rule_failed(client, open_round):
    round_, _offers = open_round
    user, _employee = _person(round_.entity, rating="unsatisfactory")
    client.force_login(user)
    page = client.get(reverse("promotions:round", args=[round_.pk])).content.decode()
    assert 'id="failed-rule"' in page
    assert 'data-rule="performance"' in page
    response = client.get(
        reverse("promotions:preferences", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Save my preferences" not in response.content.decode()


def test_another_entitys_round_is_404(client, open_round):
    other = RoundFactory(entity=EntityFactory(), status=RoundStatus.OPEN)
    user, _employee = _person(open_round[0].entity)
    client.force_login(user)
    for name in ("round", "preferences", "result", "object"):
        assert client.get(reverse(f"promotions:{name}", args=[other.pk])).status_code == 404


def _post_preferences(client, round_, choices, token=None):
    data = {"token": str(token or uuid.uuid4())}
    data.update({f"p{offered.pk}": str(order) for offered, order in choices})
    return client.post(reverse("promotions:preferences", args=[round_.pk]), data)


def test_register_reorder_and_receipt(client, open_round):
    round_, offers = open_round
    user, employee = _person(round_.entity)
    client.force_login(user)
    token = uuid.uuid4()
    response = _post_preferences(client, round_, [(offers[2], 1), (offers[0], 2)], token)
    assert response.status_code == 302
    again = _post_preferences(client, round_, [(offers[2], 1), (offers[0], 2)], token)
    assert again["Location"] == response["Location"]  # double submission: same receipt
    receipt = client.get(response["Location"]).content.decode()
    assert re.search(r"PR-\d{4}-\d{6}", receipt)
    _post_preferences(client, round_, [(offers[0], 1), (offers[2], 2)])
    form = client.get(reverse("promotions:preferences", args=[round_.pk])).content.decode()
    assert "selected" in form
    assert PreferenceSubmission.objects.filter(employee=employee).count() == 2


def test_bad_preferences_answer_4xx_with_a_message(client, open_round):
    round_, offers = open_round
    user, _employee = _person(round_.entity)
    client.force_login(user)
    response = _post_preferences(client, round_, [(offers[0], 1), (offers[1], 1)])
    assert response.status_code == 400
    too_many = [(o, i) for i, o in enumerate(offers, start=1)]
    Round.objects.filter(pk=round_.pk).update(max_preferences=2)
    response = _post_preferences(client, round_, too_many[:2] + [(offers[2], 2)])
    assert response.status_code == 400
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    response = _post_preferences(client, round_, [(offers[0], 1)])
    assert response.status_code == 409
    assert not PreferenceSubmission.objects.exists()


def _published(round_, offers, people, django_capture_on_commit_callbacks):
    for person in people:
        services.save_preferences(
            employee=person, round_id=round_.pk, offered_ids=[offers[0].pk], token=uuid.uuid4()
        )
    hr, second = make_hr_specialist(round_.entity), make_hr_specialist(round_.entity)
    services.take_step(round_id=round_.pk, name="close", actor=hr)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_scoring(round_id=round_.pk, actor=hr)
    services.take_step(round_id=round_.pk, name="review", actor=hr)
    services.take_step(round_id=round_.pk, name="publish", actor=second)


def test_result_and_a_prefilled_objection(
    client, open_round, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    round_, offers = open_round
    user, employee = _person(round_.entity, score="80.00")
    winner = candidate(round_.entity, score="95.00")
    _published(round_, offers, [employee, winner], django_capture_on_commit_callbacks)
    client.force_login(user)
    with django_assert_max_num_queries(35):
        page = client.get(reverse("promotions:result", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "You were not promoted in this round." in text
    assert "place 2 of 2" in text
    objection = client.get(reverse("promotions:object", args=[round_.pk])).content.decode()
    # Grievances need Nafath: the page says so instead of a form that would fail.
    user.nafath_verified_at = user.date_joined
    user.save()
    objection = client.get(reverse("promotions:object", args=[round_.pk])).content.decode()
    assert round_.title_ar in objection or round_.title_en in objection
    token = re.search(r'name="token" value="([^"]+)"', objection).group(1)
    response = client.post(
        reverse("promotions:object", args=[round_.pk]),
        {
            "token": token,
            "text": "I object to the result: my training hours were not all counted.",
            "remedy": "Recount my training and review the result.",
        },
    )
    assert response.status_code == 302
    grievance = Grievance.objects.get(employee=employee)
    assert grievance.category == "promotion" and grievance.decision_number == f"PROMO-{round_.pk}"


def test_only_positions_the_person_qualifies_for_are_listed(client):
    from employment_records.models import QualificationLevel

    round_ = RoundFactory(status=RoundStatus.OPEN)
    bachelor = offer(round_)[0]
    doctorate = offer(round_, minimum=QualificationLevel.DOCTORATE)[0]
    user, _employee = _person(round_.entity)
    client.force_login(user)
    form = client.get(reverse("promotions:preferences", args=[round_.pk])).context["form"]
    assert f"p{bachelor.pk}" in form.fields and f"p{doctorate.pk}" not in form.fields
