"""The profile shows everything the record holds about the person (issue 15): every part of
the name and every correctable field with its own correction link, salary from the scale,
qualifications, evaluations, the leave balance and a masked mobile; at a fixed query count."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from employment_records.corrections import EMPLOYEE_FIELDS
from employment_records.models import (
    PerformanceEvaluation,
    Qualification,
    QualificationLevel,
    Rating,
    SalaryScale,
)

pytestmark = pytest.mark.django_db

PROFILE = reverse("employment_records:profile")


@pytest.fixture
def signed_in(client, employee_user):
    client.force_login(employee_user)
    return client


def _fill(employee, *, years=3):
    SalaryScale.objects.create(rank=employee.rank, step=employee.step, amount=Decimal("9850.00"))
    for n in range(years):
        Qualification.objects.create(
            employee=employee,
            level=QualificationLevel.choices[n % len(QualificationLevel.choices)][0],
            major=f"Major {n}",
            institution=f"University {n}",
            graduation_date=dt.date(2000 + n, 6, 1),
        )
        PerformanceEvaluation.objects.create(
            employee=employee, year=1440 + n, score=Decimal("91.50"), rating=Rating.EXCELLENT
        )
    employee.annual_leave_balance = 27
    employee.leave_balance_as_of = dt.date(2026, 11, 1)
    employee.save()


def test_every_correctable_field_has_its_own_correction_link(signed_in):
    text = signed_in.get(PROFILE).content.decode()
    linked = set(re.findall(r"new/\?field=([a-z_]+)", text)) | set(
        re.findall(r"correction[^\"]*\?field=([a-z_]+)", text)
    )
    assert linked == set(EMPLOYEE_FIELDS), set(EMPLOYEE_FIELDS) - linked
    assert len(EMPLOYEE_FIELDS) == 11


def test_profile_shows_salary_qualifications_evaluations_and_leave(signed_in, employee_user):
    employee = employee_user.employee
    _fill(employee)
    text = signed_in.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "9850.00 SAR a month" in text
    assert "Major 2" in text and "University 0" in text
    assert "1442 AH" in text and "91.50 / 100" in text and "Excellent" in text
    assert "27 days" in text and "Annual leave balance" in text
    arabic = signed_in.get(PROFILE, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الراتب الأساسي" in arabic and "المؤهلات" in arabic and "تقويمات الأداء" in arabic
    assert "رصيد الإجازة الاعتيادية" in arabic


def test_profile_without_the_data_says_so(signed_in):
    text = signed_in.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No qualifications are recorded." in text
    assert "No performance evaluations are recorded." in text
    assert "Not reported by your entity yet" in text


def test_profile_masks_the_mobile(signed_in, employee_user):
    text = signed_in.get(PROFILE).content.decode()
    mobile = employee_user.mobile
    assert mobile and mobile not in text
    assert f"••{mobile[-2:]}" in text


@pytest.mark.parametrize("years", [1, 8])
def test_profile_query_count_does_not_grow(
    signed_in, employee_user, years, django_assert_max_num_queries
):
    _fill(employee_user.employee, years=years)
    # session, user, employee (+grants) for the access check, the employee with its
    # relations, salary, qualifications, evaluations: 11 whatever the record holds.
    with django_assert_max_num_queries(11):
        assert signed_in.get(PROFILE).status_code == 200


def test_tab_and_bayan_card_are_named_apart(signed_in):
    english = signed_in.get(reverse("employment_records:statements"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Service certificate" in english.content.decode()
    arabic = signed_in.get(reverse("employment_records:statements"), HTTP_ACCEPT_LANGUAGE="ar")
    text = arabic.content.decode()
    assert "تعريف بالخدمة" in text and "بيان الخدمة<" not in text
    dashboard = signed_in.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "بيان نهاية الخدمة" in dashboard
