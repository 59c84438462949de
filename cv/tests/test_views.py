"""What the person sees at /cv/: pages, messages, scoping (404 for others), query counts."""

import pytest
from django.urls import reverse

from cv.tests.factories import SkillFactory, career

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, employee_user):
    client.force_login(employee_user)
    return client


def test_index_shows_the_official_part_and_own_sections(signed_in, employee_user):
    employee = employee_user.employee
    career(employee)
    SkillFactory(employee=employee, language="en", name="Budget analysis")
    SkillFactory(employee=employee, language="ar", name="تحليل الميزانيات")
    response = signed_in.get(reverse("cv:index") + "?lang=en", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Financial auditor" in text and "Senior accountant" in text
    assert "Budget analysis" in text and "تحليل الميزانيات" not in text
    assert "From the official record" in text
    assert reverse("employment_records:new_correction") + "?action=" in text
