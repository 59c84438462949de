"""Issue 14's account-takeover items, each as the attacker (or the careless path) tried it."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone, translation

from accounts import services
from accounts.models import PendingVerification, SignInGuard, SmsDevice, User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified, sign_in_with_nafath
from core.models import AuditEvent
from employment_records.tests.factories import EmployeeFactory

from .conftest import (
    PERSONA_BIRTH,
    PERSONA_ID,
    REGISTRY_MOBILE,
    details_data,
    identity_data,
    last_code,
)

pytestmark = pytest.mark.django_db

NEW_MOBILE = "+966559876512"


@pytest.fixture
def person(db):
    user = UserFactory(with_employee=True, mobile="+966551234534", preferred_language="en")
    user.employee.date_of_birth = PERSONA_BIRTH
    user.employee.save()
    return user


def sign_in(web, outbox, user):
    web.post("/accounts/login/", {"national_id": user.username, "password": PASSWORD})
    web.post("/accounts/login/code/", {"code": last_code(outbox, user.mobile)})
    assert web.session[SESSION_KEY] == str(user.pk)
    web.cookies["django_language"] = "en"


# --- 2. Changing the mobile ------------------------------------------------------------------


def test_a_mobile_change_cannot_skip_the_current_numbers_code(web, person, outbox):
    sign_in(web, outbox, person)
    web.post("/accounts/mobile/", {"password": PASSWORD, "mobile": "0559876512"})
    first = PendingVerification.objects.get(purpose="mobile_change")
    assert first.mobile == person.mobile and first.payload["step"] == "current"
    # A wrong code to the current number opens nothing; the new number never hears a thing.
    wrong = f"{(int(last_code(outbox, person.mobile)) + 1) % 10**6:06d}"
    assert web.post("/accounts/mobile/verify/", {"code": wrong}).status_code == 400
    assert not [sms for sms in outbox if sms.to == NEW_MOBILE]
    # Nor can the step that applies the change be reached with the first step's flow.
    with pytest.raises(services.AccountError):
        services.complete_mobile_change(
            user=person, verification=first, code=last_code(outbox), request=None
        )
    person.refresh_from_db()
    assert person.mobile == "+966551234534"


def test_a_recent_nafath_sign_in_proves_the_person_so_only_the_new_number_gets_a_code(
    web, person, outbox
):
    person.nafath_verified_at = timezone.now()
    person.save()
    sign_in_with_nafath(web, person)
    web.cookies["django_language"] = "en"
    page = web.get("/accounts/mobile/").content.decode()
    assert "You signed in with Nafath" in page
    web.post("/accounts/mobile/", {"password": PASSWORD, "mobile": "0559876512"})
    assert [sms.to for sms in outbox] == [NEW_MOBILE]
    response = web.post("/accounts/mobile/verify/", {"code": last_code(outbox, NEW_MOBILE)})
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert person.mobile == NEW_MOBILE
    assert outbox[-1].to == "+966551234534"  # the old number is told
    event = AuditEvent.objects.get(action="accounts.mobile_changed")
    assert event.changes["proof"] == "nafath"


def test_an_old_nafath_sign_in_is_not_enough(web, person, outbox):
    person.nafath_verified_at = timezone.now() - dt.timedelta(hours=2)
    person.save()
    sign_in_with_nafath(web, person)
    web.post("/accounts/mobile/", {"password": PASSWORD, "mobile": "0559876512"})
    assert [sms.to for sms in outbox] == [person.mobile]  # the current number first


def test_a_password_only_session_cannot_change_the_mobile_or_the_password(client, person):
    client.force_login(person)  # signed in without the second factor
    for url in ("/accounts/mobile/", "/accounts/password/"):
        response = client.post(url, {"password": PASSWORD, "mobile": "0559876512"})
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not PendingVerification.objects.exists()


def test_an_account_without_a_mobile_adds_one_only_after_nafath(client, outbox):
    user = UserFactory(with_employee=True, mobile="")
    sign_in_verified(client, user)
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/mobile/", {"password": PASSWORD, "mobile": "0559876512"})
    assert response.status_code == 400
    assert "Sign in with Nafath to add a mobile number" in response.content.decode()
    assert outbox == []


def test_a_new_number_receives_no_recovery_code_while_it_cools_down(web, person, outbox, settings):
    settings.MOBILE_COOLING_HOURS = 24
    person.mobile_changed_at = timezone.now() - dt.timedelta(hours=23)
    person.save()
    web.cookies["django_language"] = "en"
    web.get("/accounts/recover/")
    response = web.post("/accounts/recover/", identity_data(national_id=person.username))
    assert response.status_code == 400
    page = response.content.decode()
    assert "changed less than 24 hours ago" in page and "Nafath" in page
    assert "help desk" in page
    assert outbox == []
    # After the cooling period, recovery works again.
    User.objects.filter(pk=person.pk).update(
        mobile_changed_at=timezone.now() - dt.timedelta(hours=25)
    )
    response = web.post("/accounts/recover/", identity_data(national_id=person.username))
    assert response["Location"] == "/accounts/recover/verify/"
    assert outbox[-1].to == person.mobile


def test_the_ministry_admin_changing_a_mobile_tells_the_old_number(web, person, outbox):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(web, staff)
    url = f"/admin/accounts/user/{person.pk}/change/"
    form = web.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "mobile": NEW_MOBILE,
            "date_joined_0": timezone.localtime(person.date_joined).strftime("%Y-%m-%d"),
            "date_joined_1": timezone.localtime(person.date_joined).strftime("%H:%M:%S"),
            "is_active": "on",
        }
    )
    data = {key: value for key, value in data.items() if not isinstance(value, bool)}
    data["is_active"] = "on"
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = web.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.mobile == NEW_MOBILE and person.mobile_changed_at is not None
    assert [sms.to for sms in outbox] == ["+966551234534"]
    assert "mobile number of your account has been changed" in outbox[0].body
    event = AuditEvent.objects.get(action="accounts.mobile_changed")
    assert event.actor == staff and event.changes["proof"] == "staff"


def test_the_ministry_admin_setting_a_password_tells_the_account_number(web, person, outbox):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(web, staff)
    url = f"/admin/accounts/user/{person.pk}/password/"
    new = "a brand new admin phrase 31"
    response = web.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    assert [sms.to for sms in outbox] == [person.mobile]
    assert "password has been changed" in outbox[0].body


# --- 3. Registration trusts the registry, not the registrant ----------------------------------


@pytest.fixture
def registrant(db):
    return EmployeeFactory(
        national_id=PERSONA_ID, date_of_birth=PERSONA_BIRTH, registry_mobile=REGISTRY_MOBILE
    )


def test_an_expired_id_is_refused_with_a_clear_message(web, outbox):
    EmployeeFactory(national_id=PERSONA_ID, date_of_birth=PERSONA_BIRTH, expired_id=True)
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", identity_data())
    assert response.status_code == 400
    assert "Your national ID has expired" in response.content.decode()
    # Nor can the next step be forced.
    assert web.get("/accounts/register/details/")["Location"] == "/accounts/register/"
    assert outbox == []


def test_no_registry_mobile_means_nafath(web, outbox):
    EmployeeFactory(national_id=PERSONA_ID, date_of_birth=PERSONA_BIRTH, registry_mobile="")
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", identity_data())
    assert response.status_code == 400
    assert "links no mobile number to your national ID" in response.content.decode()
    assert "accounts/nafath_button.html" in [t.name for t in response.templates]


def test_the_civil_registry_backend_is_replaceable(web, registrant, outbox, settings):
    settings.CIVIL_REGISTRY_BACKEND = "accounts.tests.test_trust.OtherRegistry"
    web.get("/accounts/register/")
    web.post("/accounts/register/", identity_data())
    web.post("/accounts/register/details/", details_data())
    assert [sms.to for sms in outbox] == [OtherRegistry.MOBILE]


class OtherRegistry:
    MOBILE = "+966501112233"

    def lookup(self, national_id):
        from employment_records.civil_registry import RegistryRecord

        return RegistryRecord(national_id, self.MOBILE, dt.date(2040, 1, 1))


def test_wrong_birth_dates_are_limited_per_id_whatever_the_address(web, registrant, outbox):
    """A date-of-birth search over a year took 183 requests in 15 s; five guesses now, from
    any number of addresses, and the registry's mobile hears of it once."""
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    for day in range(1, 8):
        response = web.post(
            "/accounts/register/",
            identity_data(birth=f"1992-01-{day:02d}"),
            REMOTE_ADDR=f"10.0.0.{day}",
        )
    assert response.status_code == 429
    assert "Too many attempts with this national ID" in response.content.decode()
    # Even the right date now waits (from yet another address), for this ID only.
    right = web.post("/accounts/register/", identity_data(), REMOTE_ADDR="10.9.9.9")
    assert right.status_code == 429
    assert [sms.to for sms in outbox] == [REGISTRY_MOBILE]  # told once, not per attempt
    assert "تاريخ ميلاد خاطئ" in outbox[0].body  # "a wrong date of birth", in Arabic
    assert AuditEvent.objects.filter(action="accounts.identity_attempts_notice").count() == 1
    # The recovery page shares the limit.
    web.get("/accounts/recover/")
    assert web.post("/accounts/recover/", identity_data()).status_code == 429


# --- 4. The Nafath simulator ------------------------------------------------------------------


def test_check_deploy_errors_when_the_nafath_simulator_is_on(settings):
    settings.NAFATH_SIMULATOR = True
    with pytest.raises(SystemCheckError, match="accounts.E001"):
        call_command("check", "--deploy", "--tag", "security")
    settings.NAFATH_SIMULATOR = False
    from accounts.checks import nafath_simulator_off_when_deployed

    assert nafath_simulator_off_when_deployed(None) == []


PRINT_SIMULATOR = "from django.conf import settings; print(settings.NAFATH_SIMULATOR)"


def test_the_nafath_simulator_is_off_by_default():
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "NAFATH_SIMULATOR"}
    env["DJANGO_SETTINGS_MODULE"] = "masar.settings"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.NAFATH_SIMULATOR)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
    )
    assert result.stdout.strip() == "False"


# --- 6. Lockout as a weapon -------------------------------------------------------------------


def password_step(web, user, password=PASSWORD, address="127.0.0.1"):
    return web.post(
        "/accounts/login/",
        {"national_id": user.username, "password": password},
        REMOTE_ADDR=address,
    )


def test_failures_from_elsewhere_slow_the_id_down_but_never_lock_the_owner_out(web, person, outbox):
    web.cookies["django_language"] = "en"
    for index in range(12):  # an attacker hopping over addresses
        password_step(web, person, "wrong password here", address=f"10.0.1.{index}")
    assert not any(guard.is_locked() for guard in SignInGuard.objects.all())
    # The owner, from their own address: asked to wait a moment, not locked for 15 minutes.
    response = password_step(web, person, address="192.0.2.7")
    assert response.status_code == 429
    page = response.content.decode()
    assert "many failed attempts to sign in with this national ID" in page
    assert 'href="/oidc/start/"' in page and 'href="/accounts/recover/"' in page
    # Once the short wait is over, the right password goes through.
    from django.core.cache import cache

    cache.delete(services._id_key("wait", person.username))
    assert password_step(web, person, address="192.0.2.7")["Location"] == "/accounts/login/code/"
    # The owner was told once that their ID is being tried (not once per attempt).
    notices = [sms for sms in outbox if "many failed attempts" in sms.body]
    assert [sms.to for sms in notices] == [person.mobile]
    assert AuditEvent.objects.filter(action="accounts.attack_notice_sent").count() == 1


def test_the_lock_holds_for_the_id_and_address_pair_only(web, person, outbox):
    for _ in range(10):
        password_step(web, person, "wrong password here", address="10.0.2.1")
    assert SignInGuard.objects.get(national_id=person.username, address="10.0.2.1").is_locked()
    from django.core.cache import cache

    cache.delete(services._id_key("wait", person.username))
    locked = password_step(web, person, address="10.0.2.1")
    assert locked.status_code == 400 and SESSION_KEY not in web.session
    assert password_step(web, person, address="192.0.2.8")["Location"] == "/accounts/login/code/"


# --- 12. No caching of signed-in pages --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/", "/accounts/mobile/", "/accounts/password/", "/my-data/", "/grievances/"],
)
def test_signed_in_pages_are_not_stored(client, path, employee_user):
    employee_user.nafath_verified_at = timezone.now()  # grievances need a Nafath identity
    employee_user.save()
    sign_in_with_nafath(client, employee_user)
    response = client.get(path)
    assert response.status_code == 200, path
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives and "public" not in directives


def test_the_consoles_are_not_stored_either(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, staff)
    response = client.get("/admin/accounts/user/")
    assert "no-store" in response["Cache-Control"]


# --- 13. The second sign-in inside the resend cooldown -----------------------------------------


def test_a_second_sign_in_inside_the_cooldown_says_when_the_code_was_sent(web, person, outbox):
    web.cookies["django_language"] = "en"
    password_step(web, person)
    assert len(outbox) == 1
    response = password_step(web, person)
    page = web.get(response["Location"]).content.decode()
    assert len(outbox) == 1  # no new code
    sent_at = timezone.localtime(SmsDevice.objects.get(user=person).last_sent_at)
    ready_at = sent_at + dt.timedelta(seconds=60)
    assert "We did not send a new code" in page
    assert sent_at.strftime("%H:%M") in page and ready_at.strftime("%H:%M") in page
    assert "We sent a 6-digit code" in page and "You can ask for a new code in" in page


# --- 14. A code accepted by another request is not a wrong guess -------------------------------


def test_a_code_already_accepted_does_not_count_as_a_failure(web, person, outbox):
    password_step(web, person)
    code = last_code(outbox)
    # Two submissions of the same code, as a double click or parallel requests would send
    # them: the second finds the code used.
    device = SmsDevice.objects.get(user=person)
    twin = SmsDevice.objects.get(user=person)
    assert device.check_code(code) == SmsDevice.ACCEPTED
    assert twin.check_code(code) == SmsDevice.ALREADY_USED
    twin.refresh_from_db()
    assert twin.check_code(code) == SmsDevice.ALREADY_USED  # read after the winner, too
    assert SmsDevice.objects.get(pk=device.pk).throttling_failure_count == 0


def test_the_already_used_answer_is_not_a_failed_sign_in(web, person, outbox, rf):
    password_step(web, person)
    code = last_code(outbox)
    request = rf.post("/")
    services.verify_sign_in_code(user=person, code=code, request=request)
    with pytest.raises(services.AccountError) as refused:
        services.verify_sign_in_code(user=person, code=code, request=request)
    assert refused.value.code == "code_used"
    with translation.override("en"):
        assert "already been used" in str(refused.value.message)
    assert not AuditEvent.objects.filter(action="accounts.sign_in_failed").exists()
    assert not SignInGuard.objects.filter(consecutive_failures__gt=0).exists()


def test_hr_cannot_change_the_registry_mobile_in_the_console(client):
    """An insider in /hr/ must not redirect a colleague's registration code to their phone."""
    from accounts.tests.factories import make_hr_specialist
    from employment_records.tests.factories import EntityFactory

    entity = EntityFactory()
    colleague = EmployeeFactory(entity=entity, registry_mobile=REGISTRY_MOBILE)
    specialist = make_hr_specialist(entity)
    sign_in_verified(client, specialist)
    response = client.get(f"/hr/employment_records/employee/{colleague.pk}/change/")
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    assert "registry_mobile" not in fields and "national_id_expiry" not in fields


def test_an_expired_code_is_still_a_failure_not_already_used(person):
    device = SmsDevice.objects.create(user=person, name="mobile")
    code = device.generate_token()
    SmsDevice.objects.filter(pk=device.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    device.refresh_from_db()
    assert device.check_code(code) == SmsDevice.WRONG


def test_the_sign_in_code_page_costs_few_queries(
    web, person, outbox, django_assert_max_num_queries
):
    password_step(web, person)
    with django_assert_max_num_queries(4):  # session, user, device, session save
        assert web.get("/accounts/login/code/").status_code == 200
