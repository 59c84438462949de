"""What every signed-in page reads from the cache instead of the database (issue 16), and
that each copy is forgotten when what it copies changes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import ServiceGrant
from accounts.tests.factories import UserFactory, grant_all
from core.catalogue import Condition, ServiceCode, decide, employee_of, granted_services
from core.notifications import mark_all_read, mark_read, notify, unread_count
from core.redis_cache import RedisCache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"


def fresh(user):
    """The same person as a new request sees them (nothing memoised on the user object)."""
    return type(user).objects.get(pk=user.pk)


# --- Unread notifications ---------------------------------------------------------------


def test_the_unread_count_is_read_once_then_from_the_cache(django_assert_num_queries):
    person = UserFactory()
    notify(user=person, kind="test_message", context={"number": 1})
    with django_assert_num_queries(1):
        assert unread_count(person) == 1
    with django_assert_num_queries(0):
        assert unread_count(person) == 1


def test_a_new_notice_a_read_and_a_deletion_change_the_cached_count():
    person = UserFactory()
    other = UserFactory()
    assert unread_count(person) == 0
    first = notify(user=person, kind="test_message", context={"number": 1})
    notify(user=other, kind="test_message", context={"number": 2})
    assert unread_count(person) == 1 and unread_count(other) == 1
    second = notify(user=person, kind="test_message", context={"number": 3})
    assert unread_count(person) == 2
    mark_read(user=person, ids=[first.pk])
    assert unread_count(person) == 1
    second.delete()
    assert unread_count(person) == 0
    assert unread_count(other) == 1  # another person's copy is theirs alone
    mark_all_read(user=other)
    assert unread_count(other) == 0


def test_a_code_never_counts_and_never_forgets_the_count(django_assert_num_queries):
    person = UserFactory()
    assert unread_count(person) == 0
    notify(user=person, kind="test_message", context={"number": 1}, inbox=False)
    with django_assert_num_queries(0):
        assert unread_count(person) == 0


def test_the_count_is_forgotten_again_after_commit(django_capture_on_commit_callbacks):
    """A request that read the count while the change was not yet committed cached the old
    count: the copy is dropped again once the change commits."""
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notify(user=person, kind="test_message", context={"number": 1})
            # A racing request cached the count from before the change:
            cache.set(f"notifications:unread:{person.pk}", 0)
    assert unread_count(person) == 1


def test_the_header_shows_a_new_notice_at_once(client):
    person = UserFactory(preferred_language="en")
    client.force_login(person)
    client.cookies["django_language"] = "en"
    assert "unread notification" not in client.get("/notifications/").text
    notify(user=person, kind="test_message", context={"number": 1})
    assert "1 unread notification" in client.get("/accounts/account/").text


# --- Service grants ---------------------------------------------------------------------


@pytest.fixture
def person():
    user = UserFactory(with_employee=True, nafath_verified_at=timezone.now())
    grant_all(user.employee)
    return user


def test_the_grants_are_read_once_then_from_the_cache(person, django_assert_num_queries):
    employee = employee_of(fresh(person))
    with django_assert_num_queries(1):
        assert granted_services(employee) == set(ServiceCode.values)
    employee = employee_of(fresh(person))
    with django_assert_num_queries(0):
        assert granted_services(employee) == set(ServiceCode.values)


def test_a_revoked_grant_refuses_the_next_request(person):
    assert decide(fresh(person), ServiceCode.CV)
    grant = ServiceGrant.objects.get(employee=person.employee, service=ServiceCode.CV)
    grant.revoked_at = timezone.now()
    grant.save()
    assert decide(fresh(person), ServiceCode.CV).failed is Condition.GRANT
    assert decide(fresh(person), ServiceCode.BAYAN)  # the others stand


def test_a_deleted_grant_refuses_and_a_new_one_opens(person):
    ServiceGrant.objects.filter(employee=person.employee, service=ServiceCode.BAYAN).delete()
    assert decide(fresh(person), ServiceCode.BAYAN).failed is Condition.GRANT
    grant_all(person.employee, [ServiceCode.BAYAN])
    assert decide(fresh(person), ServiceCode.BAYAN)


def test_an_expired_grant_or_a_move_to_another_entity_is_seen_from_the_cached_rows(person):
    """The copy holds the rows, not the answer: dates and the entity are checked each time."""
    from employment_records.tests.factories import EntityFactory

    employee = employee_of(fresh(person))
    assert granted_services(employee)  # cached now
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    assert ServiceCode.CV in granted_services(employee, on=tomorrow)
    ServiceGrant.objects.filter(employee=employee).update(valid_until=timezone.localdate())
    # update() bypasses the signals: the copy stands (at most GRANTS_CACHE_SECONDS) ...
    assert ServiceCode.CV in granted_services(employee, on=tomorrow)
    employee.entity = EntityFactory()
    assert granted_services(employee) == set()  # ... but a grant of another entity never counts


def test_the_grants_are_forgotten_again_after_commit(person, django_capture_on_commit_callbacks):
    employee = employee_of(fresh(person))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            ServiceGrant.objects.get(employee=employee, service=ServiceCode.CV).delete()
            # A racing request cached the rows from before the change:
            cache.set(
                f"catalogue:grants:{employee.pk}",
                [("cv", employee.entity_id, None, timezone.localdate(), None)],
            )
    assert ServiceCode.CV not in granted_services(employee_of(fresh(person)))


def test_anonymous_visitors_read_no_grants(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert decide(AnonymousUser(), ServiceCode.CV).failed is Condition.SIGNED_IN


# --- The Redis client -------------------------------------------------------------------


def test_one_redis_client_serves_every_call_of_a_cache_object():
    """Building the client costs CPU on every call otherwise; nothing connects here."""
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client("key") is client
    assert client.connection_pool is backend._cache._pools[0]


# --- The CV's own entries ---------------------------------------------------------------


def _skills(employee, language="en"):
    from cv import selectors

    return [
        entry["name"]
        for entry in selectors.own_sections(employee=employee, language=language)["skills"]
    ]


def test_the_cv_entries_are_read_once_then_from_the_cache(employee, django_assert_num_queries):
    from cv.sections import SECTIONS
    from cv.tests.factories import SkillFactory

    SkillFactory(employee=employee, name="Auditing")
    with django_assert_num_queries(len(SECTIONS)):
        assert _skills(employee) == ["Auditing"]
    with django_assert_num_queries(0):
        assert _skills(employee) == ["Auditing"]


def test_every_change_to_a_cv_entry_shows_at_once(employee):
    from cv import services
    from cv.sections import SECTIONS_BY_CODE

    skills = SECTIONS_BY_CODE["skills"]

    def add(name, language="en"):
        return services.add_entry(
            employee=employee, section=skills, language=language, values={"name": name}, actor=None
        )

    assert _skills(employee) == [] and _skills(employee, "ar") == []
    first = add("A")
    second = add("B")
    add("ج", "ar")
    assert _skills(employee) == ["A", "B"] and _skills(employee, "ar") == ["ج"]
    services.move_entry(
        employee=employee, section=skills, entry_id=second.pk, direction="up", actor=None
    )
    assert _skills(employee) == ["B", "A"]
    services.update_entry(
        employee=employee, section=skills, entry_id=first.pk, values={"name": "A+"}, actor=None
    )
    assert _skills(employee) == ["B", "A+"]
    services.remove_entry(employee=employee, section=skills, entry_id=second.pk, actor=None)
    assert _skills(employee) == ["A+"]
    assert _skills(employee, "ar") == ["ج"]


def test_a_cv_entry_written_outside_the_services_shows_too(employee):
    """The admin, a seed or a factory: the model's signals forget the copy."""
    from cv.tests.factories import SkillFactory

    assert _skills(employee) == []
    skill = SkillFactory(employee=employee, name="Auditing")
    assert _skills(employee) == ["Auditing"]
    skill.delete()
    assert _skills(employee) == []
