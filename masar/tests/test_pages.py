"""The pages every person can reach: footer pages, the favicon, and the workplaces each may use."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory, make_hr_specialist, sign_in_verified
from core.hr_admin import MINISTRY_GROUP
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

FOOTER_PAGES = ["help", "privacy", "accessibility", "terms"]


@pytest.mark.parametrize("name", FOOTER_PAGES)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_footer_pages_answer_in_both_languages(client, name, language):
    client.cookies["django_language"] = language
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = response.content.decode()
    assert f'lang="{language}"' in text
    for other in FOOTER_PAGES:  # every page links every other from the footer
        assert f'href="{reverse(other)}"' in text


def test_the_footer_pages_are_translated(client):
    text = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الخصوصية" in text and "Privacy" not in text


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_an_employee_has_no_workplace_links(client, employee_user):
    client.force_login(employee_user)
    text = client.get("/").content.decode()
    assert 'href="/hr/"' not in text and 'href="/admin/"' not in text


def test_an_hr_specialist_sees_the_hr_console_on_the_dashboard_and_header(client):
    specialist = make_hr_specialist(EntityFactory())
    sign_in_verified(client, specialist)
    text = client.get("/").content.decode()
    assert text.count('href="/hr/"') == 2  # header and dashboard
    assert 'href="/admin/"' not in text


def test_ministry_staff_see_the_ministry_admin(client):
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=MINISTRY_GROUP)[0])
    sign_in_verified(client, staff)
    text = client.get("/").content.decode()
    assert text.count('href="/admin/"') == 2
    assert 'href="/hr/"' not in text
