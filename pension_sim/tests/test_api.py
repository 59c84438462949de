"""The simulated pension authority: its rules, its memory of keys and its faked failures."""

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from pension_sim.models import Submission
from pension_sim.rules import luhn_valid

URL = "/pension-sim/api/statements/"
CONTROL = "/pension-sim/api/control/"
PDF = base64.b64encode(b"%PDF-1.7\n%fake but shaped like one\n").decode()


def statement(**overrides):
    values = {
        "reference": "B-1448-000001",
        "national_id": "1000000008",
        "basic_salary": "12345.00",
        "end_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "end_reason": "retirement",
        "periods": [{"start": "2000-01-01", "end": "2020-01-01", "counts": True}],
    }
    values.update(overrides)
    return values


def post(client, key="key-00000001", pdf=PDF, **overrides):
    body = {"statement": statement(**overrides), "pdf_base64": pdf}
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


pytestmark = pytest.mark.django_db


def test_a_good_statement_is_acknowledged_with_a_reference(client):
    response = post(client)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "acknowledged" and body["reference"].startswith("PA-")
    stored = Submission.objects.get()
    assert stored.reference == body["reference"] and stored.pdf_size > 0


def test_a_repeated_key_gets_the_first_answer_and_nothing_new_is_stored(client):
    first = post(client).json()
    again = post(client)
    assert again.json() == first
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1
    assert Submission.objects.get().replays == 1


def test_a_key_reused_for_another_statement_is_refused(client):
    post(client)
    response = post(client, basic_salary="99.00")
    assert response.status_code == 409
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"national_id": "1000000009"}, "national_id_invalid"),
        ({"basic_salary": None}, "salary_missing"),
        ({"basic_salary": "0"}, "salary_missing"),
        ({"end_date": "2999-01-01"}, "end_date_in_future"),
        ({"end_date": "soon"}, "end_date_missing"),
        ({"end_reason": ""}, "end_reason_missing"),
        ({"periods": []}, "periods_missing"),
        ({"pdf": "bm90IGEgcGRm"}, "pdf_missing"),
    ],
)
def test_visible_rules_reject_with_a_code_and_a_reason(client, overrides, code):
    response = post(client, **overrides)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["code"] == code and body["reason"]
    # The rejection is remembered under the key like an acknowledgement.
    assert post(client, **overrides).json() == body


def test_the_reason_follows_the_senders_language(client):
    body = {"statement": statement(basic_salary=None), "pdf_base64": PDF}
    response = client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-arabic-1",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.json()["reason"] == "الراتب الأساسي الأخير غير مذكور."


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({}, "{}"),  # no key
        ({"HTTP_IDEMPOTENCY_KEY": "short"}, "{}"),
        ({"HTTP_IDEMPOTENCY_KEY": "key-00000002"}, "not json"),
        ({"HTTP_IDEMPOTENCY_KEY": "key-00000003"}, "[1, 2]"),
        ({"HTTP_IDEMPOTENCY_KEY": "key-00000004"}, '{"statement": 5}'),
    ],
)
def test_malformed_requests_get_a_400_and_are_not_stored(client, headers, data):
    response = client.post(URL, data=data, content_type="application/json", **headers)
    assert response.status_code == 400 and response.json()["error"]
    assert not Submission.objects.exists()


def test_it_can_be_told_to_fail_n_times_then_answers(client):
    told = client.post(
        CONTROL, data={"fail_next": 2, "fail_status": 503}, content_type="application/json"
    )
    assert told.json()["fail_next"] == 2
    assert post(client).status_code == 503
    assert post(client).status_code == 503
    assert post(client).status_code == 201
    assert Submission.objects.count() == 1


def test_control_refuses_nonsense_and_resets(client):
    bad = client.post(CONTROL, data={"fail_next": -1}, content_type="application/json")
    assert bad.status_code == 400
    client.post(CONTROL, data={"fail_next": 3}, content_type="application/json")
    assert client.delete(CONTROL).json()["fail_next"] == 0


def test_a_token_is_checked_when_configured(client, settings):
    settings.PENSION_SIM_TOKEN = "s3cret"
    assert post(client).status_code == 401
    body = {"statement": statement(), "pdf_base64": PDF}
    response = client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-00000009",
        HTTP_AUTHORIZATION="Bearer s3cret",
    )
    assert response.status_code == 201


def test_a_stored_answer_can_be_read_back_by_reference(client):
    reference = post(client).json()["reference"]
    response = client.get(f"{URL}{reference}/")
    assert response.json()["statement"]["national_id"] == "1000000008"
    assert client.get(f"{URL}PA-0000-999999/").status_code == 404
    assert client.get(URL).json()["statements"][0]["answer"]["reference"] == reference


@pytest.mark.parametrize(
    ("national_id", "valid"),
    [("1000000008", True), ("1056789017", True), ("1000000009", False), ("3000000008", False)],
)
def test_luhn(national_id, valid):
    assert luhn_valid(national_id) is valid
