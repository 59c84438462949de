"""Two parallel correct submissions of one code: exactly one succeeds (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from accounts import services
from accounts.models import PendingVerification, SmsDevice, User
from accounts.tests.factories import UserFactory

from .conftest import PERSONA_ID, STRONG_PASSWORD, last_code

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real row locking between connections: SQLite's in-memory test database "
        "is one connection shared by threads (CI runs these on PostgreSQL)",
    ),
]


def run_in_parallel(prepare, act, times=2):
    """Each of `times` threads runs `prepare()`, waits until all have prepared (so every
    thread has read the same state), then runs `act(prepared)`. Returns results or errors."""
    barrier = threading.Barrier(times)
    results = []

    def worker():
        try:
            prepared = prepare()
            barrier.wait(timeout=10)
            results.append(act(prepared))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_parallel_registrations_with_the_right_code_make_one_account(persona, outbox, rf):
    verification = services.start_registration(
        employee=persona,
        email="p@example.sa",
        password=STRONG_PASSWORD,
        request=rf.post("/"),
        language="ar",
    )
    code = last_code(outbox)

    def submit(mine):
        return services.complete_registration(
            verification=mine, code=code, request=None, language="ar"
        )

    results = run_in_parallel(lambda: PendingVerification.objects.get(pk=verification.pk), submit)
    successes = [result for result in results if isinstance(result, User)]
    refusals = [result for result in results if isinstance(result, services.AccountError)]
    assert len(successes) == 1 and len(refusals) == 1, results
    assert User.objects.filter(username=PERSONA_ID).count() == 1


def test_two_parallel_sign_in_codes_verify_once(db):
    user = UserFactory()
    device = SmsDevice.objects.create(user=user, name="mobile")
    code = device.generate_token()

    # Both threads hold the device with the code's hash before either submits.
    results = run_in_parallel(
        lambda: SmsDevice.objects.get(pk=device.pk), lambda mine: mine.verify_token(code)
    )
    assert sorted(results) == [False, True]


def test_parallel_wrong_codes_never_count_past_the_maximum(persona, outbox, rf):
    verification = services.start_registration(
        employee=persona,
        email="p@example.sa",
        password=STRONG_PASSWORD,
        request=rf.post("/"),
        language="ar",
    )
    PendingVerification.objects.filter(pk=verification.pk).update(failures=4)
    wrong = f"{(int(last_code(outbox)) + 1) % 10**6:06d}"
    results = run_in_parallel(
        lambda: PendingVerification.objects.get(pk=verification.pk),
        lambda mine: services.complete_registration(
            verification=mine, code=wrong, request=None, language="ar"
        ),
        times=3,
    )
    assert all(isinstance(result, services.AccountError) for result in results), results
    assert PendingVerification.objects.get(pk=verification.pk).failures == 5


def test_first_failures_in_parallel_make_one_guard(db, rf):
    from accounts.models import SignInGuard

    results = run_in_parallel(
        lambda: rf.post("/"),
        lambda request: services.record_sign_in_failure(
            national_id="1000000008", step="password", request=request
        ),
        times=3,
    )
    assert results == [None, None, None]
    assert SignInGuard.objects.get(national_id="1000000008").consecutive_failures == 3


def test_twenty_parallel_submissions_of_one_code_give_one_sign_in_and_no_failure(db, rf):
    """Issue 14, item 14: the losers of a race on one correct code counted as failed sign-ins
    (up to 8 toward the lock). They are told the code was already used, and nothing counts."""
    from accounts.models import SignInGuard
    from core.models import AuditEvent

    user = UserFactory()
    device = SmsDevice.objects.create(user=user, name="mobile")
    code = device.generate_token()

    def submit(request):
        try:
            services.verify_sign_in_code(user=user, code=code, request=request)
        except services.AccountError as error:
            return error.code
        return "signed_in"

    results = run_in_parallel(lambda: rf.post("/"), submit, times=20)
    assert sorted(set(results)) == ["code_used", "signed_in"], results
    assert results.count("signed_in") == 1
    assert not AuditEvent.objects.filter(action="accounts.sign_in_failed").exists()
    assert not SignInGuard.objects.filter(consecutive_failures__gt=0).exists()
    assert SmsDevice.objects.get(pk=device.pk).throttling_failure_count == 0
