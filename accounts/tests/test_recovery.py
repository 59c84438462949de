"""Password recovery (ID + date of birth + code to the registered mobile) and mobile change."""

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from core.models import AuditEvent

from .conftest import PERSONA_BIRTH, identity_data, last_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another calm morning 77"


@pytest.fixture
def person(db):
    user = UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")
    user.employee.date_of_birth = PERSONA_BIRTH
    user.employee.save()
    return user


def start_recovery(web, person):
    web.get("/accounts/recover/")
    return web.post("/accounts/recover/", identity_data(national_id=person.username))


def test_recovery_end_to_end(web, person, outbox):
    assert start_recovery(web, person)["Location"] == "/accounts/recover/verify/"
    assert outbox[-1].to == person.mobile
    assert web.get("/accounts/recover/password/")["Location"] == "/accounts/recover/"  # no skip
    response = web.post("/accounts/recover/verify/", {"code": last_code(outbox)})
    assert response["Location"] == "/accounts/recover/password/"
    response = web.post(
        "/accounts/recover/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/login/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in web.session  # recovery never signs in: password + code follow
    assert "password has been changed" in outbox[-1].body
    assert AuditEvent.objects.filter(action="accounts.password_changed", actor=person).exists()


def test_recovery_refuses_a_wrong_birth_date_with_the_same_message(web, person, outbox):
    web.cookies["django_language"] = "en"
    web.get("/accounts/recover/")
    response = web.post(
        "/accounts/recover/", identity_data(national_id=person.username, birth="1992-07-02")
    )
    assert response.status_code == 400
    assert "does not match our records" in response.content.decode()
    assert outbox == []


def test_recovery_needs_the_code(web, person, outbox):
    start_recovery(web, person)
    wrong = f"{(int(last_code(outbox)) + 1) % 10**6:06d}"
    web.post("/accounts/recover/verify/", {"code": wrong})
    response = web.post(
        "/accounts/recover/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/recover/"
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_new_password_is_checked(web, person, outbox):
    start_recovery(web, person)
    web.post("/accounts/recover/verify/", {"code": last_code(outbox)})
    web.cookies["django_language"] = "en"
    response = web.post(
        "/accounts/recover/password/", {"password1": "password1234", "password2": "password1234"}
    )
    assert response.status_code == 400 and "too common" in response.content.decode()


def signed_in(web, person, outbox):
    web.post("/accounts/login/", {"national_id": person.username, "password": PASSWORD})
    web.post("/accounts/login/code/", {"code": last_code(outbox)})
    assert web.session[SESSION_KEY] == str(person.pk)


def test_mobile_change_needs_the_password_a_code_to_the_old_number_then_the_new(
    web, person, outbox
):
    signed_in(web, person, outbox)
    web.cookies["django_language"] = "en"
    response = web.post("/accounts/mobile/", {"password": "wrong password", "mobile": "0559876512"})
    assert response.status_code == 400 and "password is not correct" in response.content.decode()

    response = web.post("/accounts/mobile/", {"password": PASSWORD, "mobile": "0559876512"})
    assert response["Location"] == "/accounts/mobile/verify/"
    # The current phone is proved first: nothing goes to the new number yet.
    assert outbox[-1].to == "+966551234534" and "change the mobile number" in outbox[-1].body
    assert not [sms for sms in outbox if sms.to == "+966559876512"]
    response = web.post("/accounts/mobile/verify/", {"code": last_code(outbox, "+966551234534")})
    assert response["Location"] == "/accounts/mobile/verify/"
    assert outbox[-1].to == "+966559876512"
    response = web.post("/accounts/mobile/verify/", {"code": last_code(outbox, "+966559876512")})
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert person.mobile == "+966559876512" and person.mobile_changed_at is not None
    assert outbox[-1].to == "+966551234534"  # the old number is told
    event = AuditEvent.objects.get(action="accounts.mobile_changed")
    assert event.changes == {
        "old": "+966 5• ••• ••34",
        "new": "+966 5• ••• ••12",
        "proof": "current_mobile",
    }


def test_mobile_change_requires_sign_in(web):
    assert web.get("/accounts/mobile/")["Location"].startswith("/accounts/login/")


def test_registration_password_similar_to_the_name_is_refused(web, outbox):
    from employment_records.tests.factories import EmployeeFactory

    EmployeeFactory(national_id="1023456781", date_of_birth=PERSONA_BIRTH)
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    web.post("/accounts/register/", identity_data())
    response = web.post(
        "/accounts/register/details/",
        {
            "email": "p@example.sa",
            "password1": "Al-Qahtani123",
            "password2": "Al-Qahtani123",
        },
    )
    assert response.status_code == 400 and "too similar" in response.content.decode()
    assert not User.objects.filter(username="1023456781").exists()
