"""/admin/ and /hr/ need a verified second factor or a Nafath sign-in."""

import pytest
from django.urls import reverse

from accounts.tests.conftest import last_code
from accounts.tests.factories import PASSWORD, UserFactory, make_hr_specialist, sign_in_verified
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def specialist(db):
    return make_hr_specialist(EntityFactory())


def test_password_only_session_is_sent_to_the_portal_sign_in(client, superuser):
    client.force_login(superuser)  # a session without the second factor
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"


def test_the_admin_login_form_is_replaced_by_the_portal(client):
    response = client.get(reverse("admin:login") + "?next=/admin/auth/")
    assert response["Location"] == "/accounts/login/?next=/admin/auth/"
    response = client.get(reverse("hr:login"))
    assert response["Location"] == "/accounts/login/?next=/hr/"


def test_otp_verified_superuser_enters_the_admin(client, superuser):
    sign_in_verified(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_nafath_session_enters_the_hr_console(client, specialist):
    client.force_login(specialist)
    assert client.get("/hr/").status_code == 302
    session = client.session
    session["auth_method"] = "nafath"
    session.save()
    assert client.get("/hr/").status_code == 200


def test_otp_verified_specialist_enters_the_hr_console(client, specialist):
    sign_in_verified(client, specialist)
    assert client.get("/hr/").status_code == 200


def test_verified_specialist_is_still_kept_out_of_the_ministry_admin(client, specialist):
    sign_in_verified(client, specialist)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_signing_in_with_password_and_code_reach_the_admin(web, outbox):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = web.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    web.post(
        "/accounts/login/", {"national_id": staff.username, "password": PASSWORD, "next": "/admin/"}
    )
    response = web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert response["Location"] == "/admin/"
    assert web.get("/admin/").status_code == 200
