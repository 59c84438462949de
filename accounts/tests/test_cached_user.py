"""The signed-in user is read through the cache (issue 16), and every change to the user
reaches the next request: a deactivation, a new password or a deletion ends the session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import cached_user, user_cache_key
from accounts.models import User
from accounts.tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


def user_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


@pytest.fixture
def signed_in(client, employee_user):
    sign_in_verified(client, employee_user)
    client.get("/")  # reads the user once, and caches it
    return client


def test_a_signed_in_request_reads_no_user_row(signed_in):
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get("/")
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    assert user_reads(queries) == []


def test_a_deactivated_account_loses_its_session_at_the_next_request(signed_in, employee_user):
    employee_user.is_active = False
    employee_user.save(update_fields=["is_active"])
    response = signed_in.get("/")
    assert not response.context["user"].is_authenticated


def test_a_queryset_update_is_seen_at_the_next_request(signed_in, employee_user):
    User.objects.filter(pk=employee_user.pk).update(is_active=False)
    assert not signed_in.get("/").context["user"].is_authenticated


def test_a_new_password_ends_the_other_sessions(signed_in, employee_user):
    employee_user.set_password("An0ther-long-passphrase")
    employee_user.save()
    assert not signed_in.get("/").context["user"].is_authenticated


def test_a_deleted_account_loses_its_session(signed_in, employee_user):
    User.objects.filter(pk=employee_user.pk).delete()
    assert not signed_in.get("/").context["user"].is_authenticated


def test_a_change_is_read_fresh_and_each_read_is_a_copy(employee_user):
    first = cached_user(employee_user.pk)
    first.first_name = "changed in memory only"
    assert cached_user(employee_user.pk).first_name == employee_user.first_name
    employee_user.first_name = "Saved"
    employee_user.save()
    assert cached_user(employee_user.pk).first_name == "Saved"
    assert cached_user(10**9) is None
    assert cached_user("not a number") is None


def test_a_cache_outage_reads_the_database(employee_user, monkeypatch):
    class DownCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = delete_many = get

    monkeypatch.setattr("core.cached.cache", DownCache())
    assert cached_user(employee_user.pk) == employee_user
    assert user_cache_key(employee_user.pk) == f"accounts:user:{employee_user.pk}"


def counted_cache_reads(monkeypatch) -> list[tuple]:
    """Each cache read as ("get", key) or ("get_many", keys), from now on."""
    from django.core.cache import caches

    backend = type(caches["default"])
    reads, inside_get_many = [], []
    get, get_many = backend.get, backend.get_many

    def counting_get(self, key, *args, **kwargs):
        if not inside_get_many:  # the local-memory cache's get_many calls get per key
            reads.append(("get", key))
        return get(self, key, *args, **kwargs)

    def counting_get_many(self, keys, *args, **kwargs):
        reads.append(("get_many", tuple(keys)))
        inside_get_many.append(True)
        try:
            return get_many(self, keys, *args, **kwargs)
        finally:
            inside_get_many.pop()

    monkeypatch.setattr(backend, "get", counting_get)
    monkeypatch.setattr(backend, "get_many", counting_get_many)
    return reads


def single_reads(reads) -> list[tuple]:
    # The shared fragments' process-local cache is another cache of the same class.
    return [read for read in reads if read[0] == "get" and not read[1].startswith("template.")]


def test_the_user_comes_with_the_session_in_one_cache_read(signed_in, employee_user, monkeypatch):
    from core.cached import prefetched

    reads = counted_cache_reads(monkeypatch)
    response = signed_in.get("/")
    assert response.context["user"] == employee_user
    user_key = user_cache_key(employee_user.pk)
    session_reads = [keys for kind, keys in reads if kind == "get_many" and user_key in keys]
    assert len(session_reads) == 1, reads
    assert ("get", user_key) not in reads, reads
    assert prefetched() == {}  # nothing read ahead outlives its request


def test_the_grants_and_the_unread_count_come_with_the_session(
    signed_in, employee_user, monkeypatch
):
    """Learned on the first page, fetched with the session from then on: one cache round trip
    for the session, the user, the grants and the unread count."""
    from core.catalogue import grants_key
    from core.notifications import notify, unread_key

    signed_in.get("/my-data/")  # reads (and so teaches) the grants and the unread count
    reads = counted_cache_reads(monkeypatch)
    assert signed_in.get("/my-data/").status_code == 200
    (session_read,) = [keys for kind, keys in reads if kind == "get_many"]
    assert grants_key(employee_user.employee.pk) in session_read
    assert unread_key(employee_user.pk) in session_read
    assert single_reads(reads) == [], reads

    # Values fetched ahead are still the current ones: a new notice shows at once...
    notify(user=employee_user, kind="password_changed")
    page = signed_in.get("/my-data/").content.decode()
    assert 'class="badge badge-info"' in page
    # ...and a forgotten value the cache no longer holds is computed, not asked for twice.
    reads.clear()
    employee_user.employee.service_grants.update(revoked_at="2026-01-01T00:00:00Z")
    from core.catalogue import forget_grants

    forget_grants(employee_user.employee.pk)
    assert signed_in.get("/my-data/").status_code == 403
    assert single_reads(reads) == [], reads


def test_the_cache_never_holds_the_password_hash(signed_in, employee_user):
    import pickle

    from django.core.cache import cache

    kept = cache.get(user_cache_key(employee_user.pk))
    assert kept is not None and "password" not in vars(kept)
    assert employee_user.password.encode() not in pickle.dumps(kept)
    # What the session check needs is there: the next request reads no user row...
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get("/").context["user"].is_authenticated
    assert user_reads(queries) == []


def test_a_password_check_on_the_cached_copy_reads_the_current_hash(signed_in, employee_user):
    """Changed around the ORM (no signal, the cached copy stays): the check still sees it."""
    from django.contrib.auth.hashers import make_password

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_user SET password = %s WHERE id = %s",
            [make_password("Changed-behind-the-cache-1"), employee_user.pk],
        )
    copy = cached_user(employee_user.pk)
    assert copy.check_password("Changed-behind-the-cache-1")
    assert copy.has_usable_password()


def test_the_cached_copy_knows_whether_the_password_is_usable(employee_user):
    """The admin's header asks on every page: no query for the hash."""
    for usable in (True, False):
        if not usable:
            employee_user.set_unusable_password()
            employee_user.save()
        copy = cached_user(employee_user.pk)
        with CaptureQueriesContext(connection) as queries:
            assert copy.has_usable_password() is usable
        assert user_reads(queries) == []


def test_saving_the_cached_copy_leaves_the_password_alone(employee_user):
    before = User.objects.get(pk=employee_user.pk).password
    copy = cached_user(employee_user.pk)
    copy.preferred_language = "en"
    copy.save()
    after = User.objects.get(pk=employee_user.pk)
    assert (after.password, after.preferred_language) == (before, "en")


@pytest.mark.parametrize("old_key_kept", [True, False])
def test_sessions_follow_a_rotation_of_the_secret_key(
    signed_in, employee_user, settings, old_key_kept
):
    """The cached copy's session hashes were made under the old key and are not used under
    the new one: the old key as a fallback keeps the session, dropping it ends the session."""
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key] if old_key_kept else []
    assert signed_in.get("/").context["user"].is_authenticated is old_key_kept


def test_a_refreshed_copy_answers_from_the_database(employee_user):
    copy = cached_user(employee_user.pk)
    User.objects.filter(pk=employee_user.pk).update(password="!unusable")
    copy.refresh_from_db()
    assert not copy.has_usable_password()
