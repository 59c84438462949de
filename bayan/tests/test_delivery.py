"""Delivery to the pension authority, against the simulator served by `live_server` over
real HTTP: retries, timeouts, a worker killed mid-way, rejections. Never lost, never doubled."""

import datetime as dt

import pytest
import requests
from django.utils import timezone

from bayan import services, tasks
from bayan.models import Delivery, Statement, Status
from bayan.tests.factories import approved, retiree, specialist
from employment_records.tests.factories import EntityFactory
from pension_sim.models import Submission

LATER = dt.timedelta(hours=2)  # past any backoff: the next attempt is due


@pytest.fixture
def authority(live_server, settings, monkeypatch):
    """The simulator's URLs; approval does not send by itself here, the test drives attempts."""
    settings.PENSION_API_URL = f"{live_server.url}/pension-sim/api/statements/"
    settings.PENSION_API_TIMEOUT = 5
    queued = []
    monkeypatch.setattr(services, "enqueue_delivery", queued.append)
    control = f"{live_server.url}/pension-sim/api/control/"
    requests.delete(control, timeout=5)
    return {"control": control, "queued": queued}


@pytest.fixture
def people(transactional_db):
    entity = EntityFactory()
    return entity, specialist(entity), specialist(entity)


def later(times=1):
    return timezone.now() + LATER * times


def test_approval_queues_the_delivery_after_commit(people, authority):
    entity, maker, checker = people
    statement = approved(retiree(entity), maker, checker)
    assert authority["queued"] == [statement.delivery.pk]


def test_500_twice_then_200_gives_exactly_one_acknowledged_submission(people, authority):
    entity, maker, checker = people
    requests.post(authority["control"], json={"fail_next": 2, "fail_status": 500}, timeout=5)
    statement = approved(retiree(entity), maker, checker)
    delivery_id = statement.delivery.pk

    first = services.attempt_delivery(delivery_id)
    assert first.state == Delivery.State.PENDING and "HTTP 500" in first.last_error
    # Not due again until its backoff has passed: nothing is sent in between.
    assert services.attempt_delivery(delivery_id) is None
    second = services.attempt_delivery(delivery_id, now=later(1))
    assert second.state == Delivery.State.PENDING and second.attempts == 2
    third = services.attempt_delivery(delivery_id, now=later(2))
    assert third.state == Delivery.State.DONE and third.attempts == 3

    statement.refresh_from_db()
    submission = Submission.objects.get()
    assert statement.status == Status.ACKNOWLEDGED
    assert statement.pension_reference == submission.reference
    assert submission.idempotency_key == str(third.idempotency_key)
    assert [h.transition for h in statement.history.all()][-2:] == ["send", "acknowledge"]
    # A late duplicate of the task changes nothing.
    assert services.attempt_delivery(delivery_id, now=later(3)) is None
    assert Submission.objects.count() == 1


def test_a_timeout_then_success_gives_one_submission(people, authority, settings):
    entity, maker, checker = people
    settings.PENSION_API_TIMEOUT = 0.5
    # The authority stores the statement, then answers too late for the portal.
    requests.post(authority["control"], json={"delay_next": 1, "delay_seconds": 2}, timeout=5)
    statement = approved(retiree(entity), maker, checker)

    first = services.attempt_delivery(statement.delivery.pk)
    assert first.state == Delivery.State.PENDING and "Timeout" in first.last_error
    done = services.attempt_delivery(statement.delivery.pk, now=later())
    assert done.state == Delivery.State.DONE

    submission = Submission.objects.get()
    assert submission.replays == 1  # the second attempt got the first answer again
    statement.refresh_from_db()
    assert statement.status == Status.ACKNOWLEDGED
    assert statement.pension_reference == submission.reference


def test_a_worker_killed_between_sending_and_recording_is_redriven_without_a_duplicate(
    people, authority
):
    entity, maker, checker = people
    statement = approved(retiree(entity), maker, checker)
    delivery_id = statement.delivery.pk

    claim = services.claim_delivery(delivery_id)
    services.post_statement(claim)  # the authority has it ...
    # ... and the worker dies here: nothing recorded. The row still says "sent, pending".
    statement.refresh_from_db()
    assert statement.status == Status.SENT
    assert Delivery.objects.get(pk=delivery_id).state == Delivery.State.PENDING
    # While the lease holds, the re-drive leaves it alone; once it expires, it sends again.
    assert services.due_deliveries() == []
    assert services.due_deliveries(now=later()) == [delivery_id]
    redriven = services.attempt_delivery(delivery_id, now=later())
    assert redriven.state == Delivery.State.DONE

    submission = Submission.objects.get()
    assert submission.replays == 1
    statement.refresh_from_db()
    assert statement.status == Status.ACKNOWLEDGED
    assert statement.pension_reference == submission.reference


def test_the_beat_redrive_enqueues_what_is_due(people, authority):
    entity, maker, checker = people
    statement = approved(retiree(entity), maker, checker)
    authority["queued"].clear()
    assert tasks.batch_redrive_deliveries() == 1
    assert authority["queued"] == [statement.delivery.pk]


def test_a_rejection_goes_back_to_hr_with_the_reason(people, authority):
    entity, maker, checker = people
    # The registry let through an ID the authority's Luhn check refuses.
    employee = retiree(entity, with_account=False, national_id="1000000009")
    statement = approved(employee, maker, checker)
    done = services.attempt_delivery(statement.delivery.pk)
    assert done.state == Delivery.State.DONE and done.response["code"] == "national_id_invalid"
    statement.refresh_from_db()
    assert statement.status == Status.REJECTED
    assert statement.rejection_reason == "رقم الهوية الوطنية غير صحيح."
    # HR fixes it in a new version; the rejected one stays in the history.
    second = services.new_version(statement_id=statement.pk, actor=maker)
    assert second.status == Status.DRAFT and second.version == 2
    assert Statement.objects.filter(employee=employee).count() == 2


def test_a_dead_authority_is_given_up_after_the_last_attempt_and_hr_can_retry(
    people, authority, settings
):
    entity, maker, checker = people
    settings.PENSION_MAX_ATTEMPTS = 2
    settings.PENSION_API_URL = "http://127.0.0.1:9/nothing-listens-here/"
    statement = approved(retiree(entity), maker, checker)
    services.attempt_delivery(statement.delivery.pk)
    failed = services.attempt_delivery(statement.delivery.pk, now=later())
    assert failed.state == Delivery.State.FAILED and "ConnectionError" in failed.last_error
    assert services.due_deliveries(now=later(5)) == []

    settings.PENSION_API_URL = authority["control"].replace("control/", "statements/")
    services.retry_delivery(statement_id=statement.pk, actor=checker)
    done = services.attempt_delivery(statement.delivery.pk)
    assert done.state == Delivery.State.DONE
    assert Submission.objects.count() == 1
