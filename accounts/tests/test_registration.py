"""Registration through the test client, with codes read from the locmem SMS outbox."""

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.db.models import F

from accounts.models import PendingVerification, User
from core.models import AuditEvent

from .conftest import (
    PERSONA_ID,
    STRONG_PASSWORD,
    details_data,
    identity_data,
    last_code,
    start_registration,
)

pytestmark = pytest.mark.django_db

MISMATCH = "The data you entered does not match our records."


def current_step(page: str) -> int:
    """The number of the step the indicator marks current (1-based), asserting there is one."""
    steps = re.search(r'<ol class="steps".*?</ol>', page, re.S)[0]
    items = re.findall(r"<li([^>]*)>", steps)
    return [n for n, attrs in enumerate(items, 1) if 'aria-current="step"' in attrs][0]


def test_registration_end_to_end(web, persona, outbox):
    assert current_step(web.get("/accounts/register/").content.decode()) == 1
    response = web.post("/accounts/register/", identity_data())
    assert response["Location"] == "/accounts/register/details/"
    assert current_step(web.get("/accounts/register/details/").content.decode()) == 2
    response = web.post("/accounts/register/details/", details_data())
    assert response["Location"] == "/accounts/register/verify/"

    page = web.get("/accounts/register/verify/").content.decode()
    assert current_step(page) == 3
    assert "+966 5• ••• ••34" in page
    assert 'data-countdown="60"' in page
    assert [sms.to for sms in outbox] == ["+966551234534"]

    session_before = web.session.session_key
    response = web.post("/accounts/register/verify/", {"code": last_code(outbox)})
    assert response["Location"] == "/accounts/register/done/"

    user = User.objects.get(username=PERSONA_ID)
    assert user.mobile == "+966551234534" and user.email == "persona@example.sa"
    assert user.check_password(STRONG_PASSWORD)
    persona.refresh_from_db()
    assert persona.user == user
    assert web.session[SESSION_KEY] == str(user.pk)
    assert web.session.session_key != session_before  # rotated at sign-in
    assert web.session["auth_method"] == "password_otp"
    assert len(outbox) == 2 and "تم إنشاء حسابك" in outbox[1].body  # confirmation, in Arabic
    done = web.get("/accounts/register/done/")
    assert done.status_code == 200 and current_step(done.content.decode()) == 4
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.code_sent", "accounts.registered"} <= actions


def test_confirmation_sms_is_in_the_persons_language(web, persona, outbox):
    web.cookies["django_language"] = "en"
    start_registration(web)
    assert "verification code is" in outbox[0].body
    web.post("/accounts/register/verify/", {"code": last_code(outbox)})
    assert outbox[-1].body.startswith("Masar: your account has been created")


def test_arabic_is_the_default_language_of_the_sms(web, persona, outbox):
    start_registration(web)
    assert "Masar" not in outbox[0].body  # the Arabic catalogue translated it


def test_nothing_secret_is_stored_or_audited(web, persona, outbox):
    start_registration(web)
    code = last_code(outbox)
    verification = PendingVerification.objects.get()
    assert code not in str(PendingVerification.objects.values().get())
    assert STRONG_PASSWORD not in str(verification.payload)
    web.post("/accounts/register/verify/", {"code": code})
    for event in AuditEvent.objects.all():
        assert code not in str(event.changes) and STRONG_PASSWORD not in str(event.changes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (identity_data(national_id="1023456782"), "This national ID is not valid"),
        (identity_data(national_id="3023456781"), "starts with 1 (citizen) or 2 (resident)"),
        (identity_data(national_id="10234"), "exactly 10 digits"),
        (identity_data(birth="1992-07-02"), MISMATCH),
        (identity_data(national_id="1000000008"), MISMATCH),  # valid, but nobody's
    ],
)
def test_bad_identity_input(web, persona, data, message):
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert data["national_id"] in response.content.decode()  # what was typed is kept


def error_summary(response) -> str:
    return re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)[0]


def test_unknown_id_and_wrong_birth_date_give_the_same_answer(web, persona):
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    wrong_date = web.post("/accounts/register/", identity_data(birth="1992-07-02"))
    unknown = web.post("/accounts/register/", identity_data(national_id="1000000008"))
    assert wrong_date.status_code == unknown.status_code == 400
    assert error_summary(wrong_date) == error_summary(unknown)
    assert MISMATCH in error_summary(unknown)


def test_hijri_date_of_birth_and_eastern_arabic_digits(web, persona):
    web.get("/accounts/register/")
    data = identity_data(national_id="١٠٢٣٤٥٦٧٨١", birth="١٤١٣-٠١-٠١", calendar="hijri")
    response = web.post("/accounts/register/", data)
    assert response["Location"] == "/accounts/register/details/"


def test_an_id_with_an_account_is_sent_to_sign_in(web, persona):
    from accounts.tests.factories import UserFactory

    persona.user = UserFactory(username=PERSONA_ID)
    persona.save()
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", identity_data())
    page = response.content.decode()
    assert response.status_code == 400
    assert "An account already exists" in page
    assert 'href="/accounts/login/"' in page and 'href="/accounts/recover/"' in page


def test_honeypot_and_instant_submissions_are_refused(web, persona, settings):
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    response = web.post("/accounts/register/", {**identity_data(), "website": "http://spam"})
    # It says what happened and what to do, and keeps what was typed.
    said = "sent automatically, so we did not check it"
    assert response.status_code == 400 and said in response.content.decode()
    assert "press the button again" in response.content.decode()
    settings.IDENTITY_FORM_MIN_SECONDS = 30
    response = web.post("/accounts/register/", identity_data())
    assert response.status_code == 400 and said in response.content.decode()
    assert identity_data()["national_id"] in response.content.decode()


def test_lookups_are_limited_per_address(web, persona):
    web.get("/accounts/register/")
    for _ in range(20):
        web.post("/accounts/register/", identity_data(birth="1992-07-02"))
    response = web.post("/accounts/register/", identity_data())
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("details", "field_error"),
    [
        ({"password2": "another long phrase 42"}, "The two passwords do not match."),
        ({"password1": "password1234", "password2": "password1234"}, "too common"),
        ({"password1": "short pass", "password2": "short pass"}, "at least 12"),
        ({"password1": PERSONA_ID + "ab", "password2": PERSONA_ID + "ab"}, "too similar"),
    ],
)
def test_bad_details(web, persona, details, field_error, outbox):
    web.cookies["django_language"] = "en"
    web.get("/accounts/register/")
    web.post("/accounts/register/", identity_data())
    response = web.post("/accounts/register/details/", details_data(**details))
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert "persona@example.sa" in response.content.decode()  # typed data kept
    assert outbox == []


def test_a_typed_mobile_is_ignored_the_code_goes_to_the_registry_mobile(web, persona, outbox):
    """Issue 14: anyone knowing a colleague's ID and date of birth could register the account
    to their own phone. The form has no mobile field; a forged one changes nothing."""
    web.get("/accounts/register/")
    web.post("/accounts/register/", identity_data())
    page = web.get("/accounts/register/details/").content.decode()
    assert 'name="mobile"' not in page
    assert "+966 5• ••• ••34" in page  # the masked registry number the code will go to
    assert "accounts/nafath_button.html" in [
        t.name for t in web.get("/accounts/register/details/").templates
    ]
    web.post("/accounts/register/details/", details_data(mobile="0559999999"))
    assert PendingVerification.objects.get().mobile == "+966551234534"
    assert [sms.to for sms in outbox] == ["+966551234534"]


def test_eastern_arabic_digits_in_the_code(web, persona, outbox):
    start_registration(web)
    eastern = last_code(outbox).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = web.post("/accounts/register/verify/", {"code": eastern})
    assert response["Location"] == "/accounts/register/done/"


def age_codes(seconds: int) -> None:
    """As if `seconds` had passed since the last code was sent."""
    PendingVerification.objects.update(
        code_sent_at=F("code_sent_at") - dt.timedelta(seconds=seconds),
        code_expires_at=F("code_expires_at") - dt.timedelta(seconds=seconds),
    )


def test_expired_code(web, persona, outbox):
    start_registration(web)
    age_codes(5 * 60 + 1)
    web.cookies["django_language"] = "en"
    response = web.post("/accounts/register/verify/", {"code": last_code(outbox)})
    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not User.objects.filter(username=PERSONA_ID).exists()


def test_a_code_is_accepted_once(web, persona, outbox, client):
    start_registration(web)
    code = last_code(outbox)
    verification = PendingVerification.objects.get()
    web.post("/accounts/register/verify/", {"code": code})
    from accounts import services

    with pytest.raises(services.AccountError) as refused:
        services.complete_registration(
            verification=verification, code=code, request=None, language="en"
        )
    assert refused.value.code == "code_used"
    assert User.objects.filter(username=PERSONA_ID).count() == 1


def test_five_wrong_codes_kill_the_code_and_resending_does_not_reset(web, persona, outbox):
    start_registration(web)
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    web.cookies["django_language"] = "en"
    for tries_left in (4, 3, 2, 1):
        response = web.post("/accounts/register/verify/", {"code": wrong})
        assert f"You have {tries_left} tr" in response.content.decode()
    fifth = web.post("/accounts/register/verify/", {"code": wrong})
    assert "Too many wrong codes" in fifth.content.decode()
    sixth = web.post("/accounts/register/verify/", {"code": code})  # even the right one
    assert sixth.status_code == 400 and "Too many wrong codes" in sixth.content.decode()
    age_codes(61)
    web.post("/accounts/register/verify/resend/")
    assert len(outbox) == 1  # no new code for a dead flow
    assert PendingVerification.objects.get().failures == 5
    assert not User.objects.filter(username=PERSONA_ID).exists()


def test_resend_during_cooldown_is_refused(web, persona, outbox):
    start_registration(web)
    web.cookies["django_language"] = "en"
    age_codes(30)
    response = web.post("/accounts/register/verify/resend/", follow=True)
    assert "You can ask for a new code in 30 seconds." in response.content.decode()
    assert 'data-countdown="30"' in response.content.decode()
    assert len(outbox) == 1
    age_codes(31)
    web.post("/accounts/register/verify/resend/")
    assert len(outbox) == 2


def test_a_resent_code_replaces_the_old_one(web, persona, outbox):
    start_registration(web)
    old = last_code(outbox)
    age_codes(61)
    web.post("/accounts/register/verify/resend/")
    new = last_code(outbox)
    if old != new:  # one chance in a million that the new code equals the old
        assert web.post("/accounts/register/verify/", {"code": old}).status_code == 400
    response = web.post("/accounts/register/verify/", {"code": new})
    assert response["Location"] == "/accounts/register/done/"


def _request_codes(web, count):
    responses = []
    for _ in range(count):
        age_codes(61)
        responses.append(web.post("/accounts/register/verify/resend/", follow=True))
    return responses


def test_hourly_cap(web, persona, outbox):
    start_registration(web)  # code 1
    web.cookies["django_language"] = "en"
    responses = _request_codes(web, 5)
    assert len(outbox) == 5
    assert "too many codes" in responses[-1].content.decode()


def test_daily_cap(web, persona, outbox):
    from accounts.services import CODE_LIMITS_PER_ID, CODE_LIMITS_PER_PHONE

    start_registration(web)
    hourly_phone, hourly_id = CODE_LIMITS_PER_PHONE[0], CODE_LIMITS_PER_ID[0]
    for _hour in range(3):
        # A new hour: its window ends as an hour passing would end it; the day's goes on.
        hourly_phone.reset("+966551234534")
        hourly_id.reset(PERSONA_ID)
        _request_codes(web, 5)
    assert len(outbox) == 10


def test_codes_per_address_are_capped(rf, persona):
    from accounts import services

    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    for index in range(20):
        services._take_code_quota(mobile=f"+9665500000{index:02d}", national_id=str(index),
                                  request=request)  # fmt: skip
    with pytest.raises(services.AccountError) as refused:
        services._take_code_quota(mobile="+966550000099", national_id="x", request=request)
    assert refused.value.code == "code_quota"


def test_the_code_is_bound_to_this_registration(web, persona, outbox, client):
    """Another browser (another session) cannot use the code: the flow id is in the session."""
    start_registration(web)
    code = last_code(outbox)
    client.cookies.clear()
    response = client.post("/accounts/register/verify/", {"code": code})
    assert response["Location"] == "/accounts/register/"
    assert not User.objects.filter(username=PERSONA_ID).exists()


def test_steps_cannot_be_skipped(web, persona):
    assert web.get("/accounts/register/details/")["Location"] == "/accounts/register/"
    assert web.get("/accounts/register/verify/")["Location"] == "/accounts/register/"


@pytest.mark.django_db(transaction=True)
def test_broker_down_the_code_waits_in_the_outbox_and_the_page_says_so(
    client, persona, monkeypatch, outbox
):
    """The code cannot be handed to the relay: the flow goes on, the page says the code may
    take a minute, and the outbox sweep sends it once the broker answers again."""
    from kombu.exceptions import OperationalError

    from core import notifications
    from core.models import Notification
    from core.tasks import deliver_notification

    def refuse(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(deliver_notification, "apply_async", refuse)
    client.cookies["django_language"] = "en"
    client.get("/accounts/register/")
    client.post("/accounts/register/", identity_data())
    response = client.post("/accounts/register/details/", details_data(), follow=True)
    assert response.status_code == 200
    assert "it may take a minute to arrive" in response.content.decode()
    assert PendingVerification.objects.get().code_sent_at is not None
    queued = Notification.objects.get()
    assert queued.status == Notification.Status.QUEUED and outbox == []

    monkeypatch.undo()  # the broker is back; a minute later the sweep finds the code
    notifications.sweep(now=queued.next_attempt_at)
    assert len(outbox) == 1
    verification = PendingVerification.objects.get()
    assert verification.code_matches(last_code(outbox))


def test_pages_cost_a_constant_number_of_queries(web, persona, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the session row, read and written
        assert web.get("/accounts/register/").status_code == 200
    start_registration(web)
    with django_assert_max_num_queries(4):  # session, flow, and nothing per row
        assert web.get("/accounts/register/verify/").status_code == 200


def test_stale_flows_are_purged(persona):
    from accounts.tasks import purge_stale_verifications

    old = PendingVerification.objects.create(
        purpose="registration",
        national_id=PERSONA_ID,
        mobile="+966551234534",
        payload={"password_hash": "x"},
    )
    PendingVerification.objects.filter(pk=old.pk).update(
        created_at=old.created_at - dt.timedelta(days=1, seconds=1)
    )
    fresh = PendingVerification.objects.create(
        purpose="registration", national_id=PERSONA_ID, mobile="+966551234534"
    )
    assert purge_stale_verifications.apply().get() == 1
    assert list(PendingVerification.objects.all()) == [fresh]
