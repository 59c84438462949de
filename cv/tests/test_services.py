"""Writes of the CV: validation, duplicates, the limit, reordering (also when requests race),
attachments with the shared upload rules."""

import datetime as dt
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from cv import services
from cv.forms import CertificateForm, LanguageSkillForm, LinkForm, VolunteeringForm
from cv.models import Certificate, CertificateCopy, Skill
from cv.sections import SECTIONS_BY_CODE
from cv.tests.factories import SkillFactory
from employment_records.tests.helpers import checked_pdf, pdf_upload

pytestmark = pytest.mark.django_db
SKILLS = SECTIONS_BY_CODE["skills"]


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def add_skill(employee, name, language="en"):
    return services.add_entry(
        employee=employee, section=SKILLS, language=language, values={"name": name}, actor=None
    )


def order(employee, language="en"):
    return list(
        Skill.objects.filter(employee=employee, language=language)
        .order_by("position")
        .values_list("name", flat=True)
    )


def test_entries_take_the_next_position_per_language(employee):
    add_skill(employee, "Excel")
    add_skill(employee, "Power BI")
    add_skill(employee, "إكسل", language="ar")
    assert order(employee) == ["Excel", "Power BI"]
    assert list(Skill.objects.filter(language="ar").values_list("position", flat=True)) == [1]


def test_a_duplicate_is_refused_with_a_message_case_ignored(employee):
    add_skill(employee, "Excel")
    with pytest.raises(services.CvError) as refused:
        add_skill(employee, "excel")
    assert refused.value.message_dict == {
        "name": ["This entry is already in your CV in this language."]
    }
    add_skill(employee, "Excel", language="ar")  # the other language is another CV


def test_at_most_n_entries_per_section_and_language(employee, monkeypatch):
    monkeypatch.setattr(SKILLS.__class__, "limit", 2, raising=False)
    section = SKILLS.__class__(**{**SKILLS.__dict__, "limit": 2})
    for name in ("A", "B"):
        services.add_entry(
            employee=employee, section=section, language="en", values={"name": name}, actor=None
        )
    with pytest.raises(services.CvError) as refused:
        services.add_entry(
            employee=employee, section=section, language="en", values={"name": "C"}, actor=None
        )
    assert "the most it can hold" in refused.value.messages[0]
    assert order(employee) == ["A", "B"]


def test_one_summary_per_language(employee):
    summary = SECTIONS_BY_CODE["summary"]
    services.add_entry(
        employee=employee, section=summary, language="en", values={"text": "Hi"}, actor=None
    )
    with pytest.raises(services.CvError):
        services.add_entry(
            employee=employee, section=summary, language="en", values={"text": "Again"}, actor=None
        )


def test_move_up_and_down_swaps_with_the_neighbour(employee):
    first, second, third = (add_skill(employee, name) for name in ("A", "B", "C"))
    assert services.move_entry(
        employee=employee, section=SKILLS, entry_id=third.pk, direction="up", actor=None
    )
    assert order(employee) == ["A", "C", "B"]
    assert services.move_entry(
        employee=employee, section=SKILLS, entry_id=first.pk, direction="down", actor=None
    )
    assert order(employee) == ["C", "A", "B"]
    # Already first: nothing moves, and nothing breaks.
    assert not services.move_entry(
        employee=employee, section=SKILLS, entry_id=third.pk, direction="up", actor=None
    )
    assert order(employee) == ["C", "A", "B"]


def test_moving_skips_gaps_left_by_removed_entries(employee):
    a, b, c = (add_skill(employee, name) for name in ("A", "B", "C"))
    services.remove_entry(employee=employee, section=SKILLS, entry_id=b.pk, actor=None)
    services.move_entry(
        employee=employee, section=SKILLS, entry_id=c.pk, direction="up", actor=None
    )
    assert order(employee) == ["C", "A"]


def test_another_persons_entry_cannot_be_moved_edited_or_removed(employee):
    from django.http import Http404

    from employment_records.tests.factories import EmployeeFactory

    theirs = SkillFactory(employee=EmployeeFactory(), language="en")
    for call in (
        lambda: services.move_entry(
            employee=employee, section=SKILLS, entry_id=theirs.pk, direction="up", actor=None
        ),
        lambda: services.update_entry(
            employee=employee, section=SKILLS, entry_id=theirs.pk, values={"name": "x"}, actor=None
        ),
        lambda: services.remove_entry(
            employee=employee, section=SKILLS, entry_id=theirs.pk, actor=None
        ),
    ):
        with pytest.raises(Http404):
            call()
    assert Skill.objects.get(pk=theirs.pk).name == theirs.name


# --- forms: the messages a person reads --------------------------------------------------


def _date(value):
    return {"calendar": "gregorian", "date": value}


def form_errors(form_class, data, files=None):
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{part}": v for part, v in value.items()})
        else:
            flat[key] = value
    form = form_class(flat, files or {})
    form.is_valid()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_level_and_language_come_from_the_lists():
    errors = form_errors(LanguageSkillForm, {"language": "fr", "name": "French", "level": "D9"})
    assert errors["language"] == ["Choose Arabic or English."]
    assert errors["level"] == ["Choose a level from the list."]
    assert form_errors(LanguageSkillForm, {"language": "en", "name": "French", "level": "C1"}) == {}


def test_dates_in_order_and_not_in_the_future():
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    errors = form_errors(
        VolunteeringForm,
        {
            "language": "en",
            "organisation": "Red Crescent",
            "role": "First aid",
            "start_date": _date("2020-05-01"),
            "end_date": _date("2019-01-01"),
            "hours": "0",
        },
    )
    assert errors["end_date"] == ["The end date comes before the start date."]
    assert errors["hours"] == ["Enter at least one hour."]
    errors = form_errors(
        CertificateForm,
        {"language": "en", "name": "PMP", "issuer": "PMI", "issued_on": _date(tomorrow)},
    )
    assert errors["issued_on"] == ["The date cannot be in the future."]
    errors = form_errors(
        CertificateForm,
        {
            "language": "en",
            "name": "PMP",
            "issuer": "PMI",
            "issued_on": _date("2020-01-01"),
            "expires_on": _date("2019-01-01"),
        },
    )
    assert errors["expires_on"] == ["The expiry date comes before the issue date."]


def test_lengths_and_http_only_links():
    errors = form_errors(LinkForm, {"language": "en", "label": "x" * 101, "url": "ftp://a.sa/x"})
    assert "at most 100 characters" in errors["label"][0]
    assert errors["url"] == ["Enter an address starting with https:// or http://."]
    js = form_errors(LinkForm, {"language": "en", "label": "x", "url": "javascript:alert(1)"})
    assert "url" in js
    assert form_errors(LinkForm, {"language": "en", "label": "x", "url": "https://a.sa"}) == {}


# --- attachments -------------------------------------------------------------------------


def test_a_certificate_keeps_a_checked_copy_and_removing_deletes_it(
    employee, django_capture_on_commit_callbacks
):
    form = CertificateForm(
        {
            "language": "en",
            "name": "PMP",
            "issuer": "PMI",
            "issued_on_calendar": "gregorian",
            "issued_on_date": "2020-01-01",
        },
        {"attachment": pdf_upload("pmp.pdf")},
    )
    assert form.is_valid(), form.errors
    section = SECTIONS_BY_CODE["certificates"]
    entry = services.add_entry(
        employee=employee,
        section=section,
        language="en",
        values=form.cleaned_values(),
        actor=None,
    )
    copy = entry.attachment
    assert copy.content_type == "application/pdf" and copy.original_name == "pmp.pdf"
    assert default_storage.exists(copy.storage_name)
    # Replacing the copy deletes the old file once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        services.update_entry(
            employee=employee,
            section=section,
            entry_id=entry.pk,
            values={"name": "PMP", "attachment": checked_pdf("new.pdf")},
            actor=None,
        )
    entry = Certificate.objects.get(pk=entry.pk)
    assert entry.attachment.original_name == "new.pdf"
    assert not default_storage.exists(copy.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_entry(employee=employee, section=section, entry_id=entry.pk, actor=None)
    assert not default_storage.exists(entry.attachment.storage_name)
    assert not Certificate.objects.exists() and not CertificateCopy.objects.exists()


def test_a_refused_change_leaves_no_file_behind(employee):
    section = SECTIONS_BY_CODE["certificates"]
    values = {"name": "PMP", "issuer": "PMI", "issued_on": dt.date(2020, 1, 1)}
    services.add_entry(employee=employee, section=section, language="en", values=values, actor=None)
    with pytest.raises(services.CvError):
        services.add_entry(
            employee=employee,
            section=section,
            language="en",
            values={**values, "attachment": checked_pdf()},
            actor=None,
        )
    assert not default_storage.exists("cv") or default_storage.listdir("cv")[1] == []


def test_a_file_that_is_not_what_it_claims_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = CertificateForm(
        {
            "language": "en",
            "name": "PMP",
            "issuer": "PMI",
            "issued_on_calendar": "gregorian",
            "issued_on_date": "2020-01-01",
        },
        {"attachment": SimpleUploadedFile("pmp.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert not form.is_valid()
    assert "not a PDF, JPG or PNG" in form.errors["attachment"][0]


# --- races -------------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)


def race(count, work):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # reported by the assertions of the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_moves_keep_one_consistent_order():
    from employment_records.tests.factories import EmployeeFactory

    employee = EmployeeFactory()
    entries = [add_skill(employee, name) for name in "ABCD"]

    def move(index):
        entry = entries[index % len(entries)]
        direction = "up" if index % 2 else "down"
        return services.move_entry(
            employee=employee, section=SKILLS, entry_id=entry.pk, direction=direction, actor=None
        )

    _results, errors = race(8, move)
    assert errors == []
    positions = list(Skill.objects.filter(employee=employee).values_list("position", flat=True))
    assert sorted(positions) == [1, 2, 3, 4] and sorted(order(employee)) == list("ABCD")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_adds_respect_the_order_and_duplicates():
    from employment_records.tests.factories import EmployeeFactory

    employee = EmployeeFactory()

    def add(index):
        return add_skill(employee, f"Skill {index % 3}")

    _results, errors = race(6, add)
    assert len(errors) == 3 and all(isinstance(e, services.CvError) for e in errors)
    assert sorted(Skill.objects.values_list("position", flat=True)) == [1, 2, 3]
