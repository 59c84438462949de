"""Console search (issue 16): a national ID or decision number matches exactly; names match
whatever alef, taa marbuta, yaa, diacritics or "عبد ال" spacing they were typed with, on
SQLite (the Python function) and PostgreSQL (the SQL function and its trigram index)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import make_hr_specialist, sign_in_verified
from core.search import normalise
from employment_records.models import Employee, EmploymentAction
from employment_records.selectors import search_employee_records, search_employees
from employment_records.tests.factories import ActionFactory, EmployeeFactory, EntityFactory

pytestmark = pytest.mark.django_db

# (stored name part, what someone types): each pair must match.
PAIRS = [
    ("عبد الله", "عبدالله"),
    ("عبدالله", "عبد الله"),
    ("عبد  الرحمن", "عبدالرحمن"),
    ("أحمد", "احمد"),
    ("إبراهيم", "ابراهيم"),
    ("آمنة", "امنه"),
    ("فاطمة", "فاطمه"),
    ("مصطفى", "مصطفي"),
    ("مُحَمَّد", "محمد"),
    ("محمد", "مُحمّد"),
    ("محـــمد", "محمد"),
    ("القحطاني", "القحطانى"),
    ("Al-Qahtani", "al-qahtani"),
    ("Mohammed", "MOHAM"),
]
# What must NOT match (a different name, not a spelling of the same one).
NON_PAIRS = [("أحمد", "محمد"), ("سعد", "سعيد"), ("Mohammed", "Ahmed")]


@pytest.mark.parametrize(("stored", "typed"), PAIRS)
def test_a_name_is_found_however_it_is_spelt(stored, typed):
    target = EmployeeFactory(first_name_ar=stored, first_name_en=stored)
    EmployeeFactory(first_name_ar="خالد", first_name_en="Khalid", father_name_ar="ناصر")
    found = search_employees(Employee.objects.all(), typed)
    assert target in found


@pytest.mark.parametrize(("stored", "typed"), NON_PAIRS)
def test_a_different_name_is_not_found(stored, typed):
    EmployeeFactory(
        first_name_ar=stored,
        first_name_en=stored,
        father_name_ar="ناصر",
        grandfather_name_ar="فهد",
        family_name_ar="الدوسري",
        father_name_en="Nasser",
        grandfather_name_en="Fahad",
        family_name_en="Al-Dosari",
    )
    assert not search_employees(Employee.objects.all(), typed).exists()


def test_two_words_must_both_appear_in_the_name():
    wanted = EmployeeFactory(first_name_ar="أحمد", family_name_ar="الحربي")
    EmployeeFactory(first_name_ar="أحمد", family_name_ar="الغامدي")
    found = list(search_employees(Employee.objects.all(), "احمد الحربى"))
    assert found == [wanted]


def test_a_common_name_finds_the_same_people_as_a_rare_one(monkeypatch):
    """Up to RARE_NAME_MATCHES matches the search fetches ids first; beyond, one query."""
    from employment_records import selectors

    wanted = EmployeeFactory.create_batch(3, family_name_ar="العتيبي")
    EmployeeFactory(family_name_ar="الحربي", first_name_en="Khalid", family_name_en="Al-Harbi")
    rare = set(search_employees(Employee.objects.all(), "العتيبى"))
    monkeypatch.setattr(selectors, "RARE_NAME_MATCHES", 2)
    common = set(search_employees(Employee.objects.all(), "العتيبى"))
    monkeypatch.setattr(selectors, "planner_estimate", lambda queryset: 10**6)
    estimated_common = set(search_employees(Employee.objects.all(), "العتيبى"))
    assert rare == common == estimated_common == set(wanted)


def test_the_database_function_normalises_like_python():
    """The SQL twin (PostgreSQL) or the registered function (SQLite) gives the same text."""
    samples = [stored for stored, _ in PAIRS] + [typed for _, typed in PAIRS] + ["  عبد   الله "]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute("SELECT masar_normalise(%s)", [text])
            assert cursor.fetchone()[0] == normalise(text), text


def test_a_national_id_is_an_exact_match(django_assert_max_num_queries):
    target, other = EmployeeFactory(), EmployeeFactory()
    found = search_employees(Employee.objects.all(), f" {target.national_id} ")
    assert list(found) == [target]
    # a part of an ID is a name search, which finds nobody
    assert not search_employees(Employee.objects.all(), target.national_id[:6]).exists()
    assert other not in found


def test_a_decision_number_or_national_id_finds_the_records():
    action = ActionFactory(decision_number="1445/77")
    ActionFactory(decision_number="1445/777")
    records = EmploymentAction.objects.all()
    found = search_employee_records(records, "1445/77", decision_number=True)
    assert list(found) == [action]
    by_person = search_employee_records(records, action.employee.national_id, decision_number=True)
    assert list(by_person) == [action]


def test_the_hr_console_search_uses_it(client):
    entity = EntityFactory()
    target = EmployeeFactory(entity=entity, first_name_ar="عبد الله", family_name_ar="الشهري")
    EmployeeFactory(entity=entity, first_name_ar="خالد", father_name_ar="سعد")
    sign_in_verified(client, make_hr_specialist(entity))
    response = client.get(
        reverse("hr:employment_records_employee_changelist"), {"q": "عبدالله الشهرى"}
    )
    assert response.status_code == 200
    assert [e.pk for e in response.context["cl"].result_list] == [target.pk]


def test_a_name_nobody_has_is_an_empty_list_not_an_error(client):
    """On PostgreSQL the rare-name path hands the list `pk__in=[]`, which has no SQL: the
    count estimate must say 0, not raise."""
    entity = EntityFactory()
    EmployeeFactory(entity=entity)
    sign_in_verified(client, make_hr_specialist(entity))
    response = client.get(reverse("hr:employment_records_employee_changelist"), {"q": "زيدان"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_a_rare_name_search_counts_its_matches_without_asking_the_database(client):
    """The search has fetched its matches' keys: the list takes their number as its count,
    with no planner estimate and no COUNT over the matches (10 ms at 1M employees). The list
    filters come before the search, so the keys, and the count, are the filtered ones."""
    entity = EntityFactory()
    wanted = EmployeeFactory.create_batch(3, entity=entity, family_name_ar="الشهري", rank=8)
    wanted[0].rank = 9
    wanted[0].save()
    EmployeeFactory(entity=entity, family_name_ar="الحربي")
    EmployeeFactory(family_name_ar="الشهري")  # another entity's
    sign_in_verified(client, make_hr_specialist(entity))
    url = reverse("hr:employment_records_employee_changelist")
    for query, expected in (({"q": "الشهرى"}, 3), ({"q": "الشهرى", "rank__exact": 9}, 1)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        cl = response.context["cl"]
        assert len(cl.result_list) == cl.paginator.count == expected
        assert cl.paginator.count_is_exact
        # (PostgreSQL: the search's own EXPLAIN of the name, rare or common, stays.)
        counted = [
            q["sql"]
            for q in queries.captured_queries
            if "employment_records_employee" in q["sql"]
            and ("COUNT(" in q["sql"] or q["sql"].startswith("EXPLAIN") and " IN (" in q["sql"])
        ]
        assert counted == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_common_family_name_is_sampled_well_enough_to_be_seen_as_common():
    """One employee in a hundred sharing a family name may be missing from the default 100
    sampled values, and the planner then takes the name for a rare one (0014)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = "
            "'employment_records_employee'::regclass AND attname = 'name_normalised'"
        )
        assert cursor.fetchone()[0] >= 1000
