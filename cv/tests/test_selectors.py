"""The official part is read from the record: positions held, qualifications, training."""

import datetime as dt

import pytest

from cv import selectors
from cv.tests.factories import career
from employment_records.models import ActionType, EmployeeStatus, EndReason
from employment_records.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_positions_held_follow_appointment_promotion_and_transfer(employee):
    actions = career(employee)
    positions = selectors.positions_held(employee=employee, language="en")
    # Newest first; the increment and the leave start no period.
    assert [p["title"] for p in positions] == [
        "Financial auditor",
        "Senior accountant",
        "Accountant",
    ]
    auditor, senior, accountant = positions
    assert auditor["entity"] == "Ministry of Finance" and auditor["unit"] == "Budget"
    assert (auditor["start"], auditor["end"]) == ("2021-04-01", None)
    assert (senior["start"], senior["end"]) == ("2018-02-01", "2021-04-01")
    assert (accountant["start"], accountant["end"]) == ("2014-09-01", "2018-02-01")
    assert [p["rank"] for p in positions] == [7, 7, 6]
    assert senior["class_code"] == actions[2].to_position.job_class.code
    assert senior["source"] == {
        "action_id": actions[2].pk,
        "action": "Promotion",
        "decision_number": "PRO-1",
        "decision_date": "2018-01-10",
    }
    arabic = selectors.positions_held(employee=employee, language="ar")
    assert [p["title"] for p in arabic] == ["مدقق مالي", "محاسب أول", "محاسب"]
    assert arabic[0]["entity"] == "وزارة المالية" and arabic[1]["source"]["action"] == "ترقية"


def test_an_ended_service_closes_the_last_position(employee):
    career(employee)
    ActionFactory(
        employee=employee,
        action_type=ActionType.RETIREMENT,
        decision_number="END-1",
        decision_date=dt.date(2024, 6, 1),
        effective_date=dt.date(2024, 6, 30),
        to_rank=None,
        to_step=None,
    )
    employee.status, employee.end_date = EmployeeStatus.ENDED, dt.date(2024, 6, 30)
    employee.end_reason = EndReason.RETIREMENT
    employee.save()
    positions = selectors.positions_held(employee=employee, language="en")
    assert positions[0]["end"] == "2024-06-30"


def test_only_completed_training_and_the_qualifications(employee):
    career(employee)
    official = selectors.official_part(employee=employee, language="en")
    assert [t["title"] for t in official["training"]] == ["Internal audit"]
    assert official["qualifications"][0]["major"] == "Accounting"
    assert official["qualifications"][0]["level_label"] == "Bachelor's degree"
    assert official["scholarships"] == []


def test_cv_content_costs_a_fixed_number_of_queries(employee, django_assert_max_num_queries):
    career(employee)
    for _ in range(5):
        career(employee)  # a long record must not cost more queries
    with django_assert_max_num_queries(14):
        selectors.cv_content(employee=employee, language="ar")
