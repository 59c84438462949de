"""The employee's pages: what a person sees, and what the database holds afterwards."""

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import sms as backends
from core.dates import format_gregorian, format_hijri, to_hijri
from employment_records.tests.factories import ActionFactory
from grievances.models import Grievance, GrievanceAttachment, Status

from .factories import file_grievance, grievance_user, hr_for, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    return backends.outbox


@pytest.fixture
def person(client):
    user = grievance_user()
    client.force_login(user)
    return user


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "submission_token": str(uuid.uuid4()),
        "category": "promotion",
        "action": "",
        "decision_number": "1448/777",
        "decision_date_calendar": "gregorian",
        "decision_date_date": (today - dt.timedelta(days=20)).isoformat(),
        "learned_on_calendar": "gregorian",
        "learned_on_date": (today - dt.timedelta(days=3)).isoformat(),
        "text": "لم أُدرج في قائمة الترقية رغم استيفائي جميع الشروط المطلوبة نظاماً.",
        "remedy": "إدراجي في القائمة.",
    }
    data.update(overrides)
    return data


def test_service_page_explains_and_starts(client, person):
    response = client.get(reverse("grievances:index"))
    text = response.content.decode()
    assert response.status_code == 200
    assert reverse("grievances:submit") in text
    assert "60" in text and "15" in text


def test_without_nafath_the_service_is_refused(client):
    user = grievance_user(nafath_verified_at=None)
    client.force_login(user)
    response = client.get(reverse("grievances:submit"))
    assert response.status_code == 403
    assert "نفاذ" in response.content.decode() or "Nafath" in response.content.decode()


def test_filing_shows_the_number_and_texts_it(
    client, person, outbox, django_capture_on_commit_callbacks
):
    page = client.get(reverse("grievances:submit"))
    token = page.context["form"].initial["submission_token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grievances:submit"),
            form_data(submission_token=str(token), attachments=[pdf_upload("قرار.pdf")]),
        )
    grievance = Grievance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grievances:submitted", args=[grievance.number])
    confirmation = client.get(response["Location"]).content.decode()
    assert grievance.number in confirmation
    assert [sms.body for sms in outbox] and grievance.number in outbox[0].body
    assert grievance.attachments.get().original_name == "قرار.pdf"


def test_hijri_dates_and_a_decision_from_the_record(client, person):
    action = ActionFactory(employee=person.employee, decision_date=timezone.localdate())
    today_hijri = to_hijri(timezone.localdate())
    learned = f"{today_hijri.year}-{today_hijri.month:02d}-{today_hijri.day:02d}"
    response = client.post(
        reverse("grievances:submit"),
        form_data(
            action=str(action.pk),
            decision_number="",
            decision_date_date="",
            learned_on_calendar="hijri",
            learned_on_date=learned,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    grievance = Grievance.objects.get()
    assert grievance.action == action
    assert grievance.decision_number == action.decision_number
    assert grievance.learned_on == timezone.localdate()


def test_double_submission_files_one_grievance(client, person):
    data = form_data()
    first = client.post(reverse("grievances:submit"), data)
    second = client.post(reverse("grievances:submit"), data)  # refresh, or back and resubmit
    assert Grievance.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_late_grievance_is_refused_with_the_deadline_in_both_calendars(client, person):
    today = timezone.localdate()
    data = form_data(
        decision_date_date=(today - dt.timedelta(days=90)).isoformat(),
        learned_on_date=(today - dt.timedelta(days=61)).isoformat(),
    )
    response = client.post(reverse("grievances:submit"), data)
    text = response.content.decode()
    deadline = today - dt.timedelta(days=1)
    assert response.status_code == 400
    assert format_hijri(deadline, "ar") in text
    assert format_gregorian(deadline, "ar") in text
    assert data["text"] in text  # what the person typed is kept
    assert not Grievance.objects.exists()


def test_too_short_text_and_missing_decision_are_explained(client, person):
    response = client.post(
        reverse("grievances:submit"),
        form_data(text="قصير", decision_number="", decision_date_date=""),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"text", "decision_number", "decision_date"} <= set(form.errors)


def pdf_upload(name, content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


@pytest.mark.parametrize(
    ("files", "code"),
    [
        (lambda: [SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")], "bad_type"),
        (lambda: [pdf_upload("..pdf")], "bad_name"),
        (lambda: [pdf_upload(".htaccess.pdf")], "bad_name"),
        (lambda: [pdf_upload(f"{n}.pdf") for n in range(6)], "too_many"),
        (lambda: [pdf_upload("big.pdf", pdf_bytes() + b"\0" * 3000)], "too_large"),
    ],
)
def test_bad_attachments_are_refused_with_a_clear_message(client, person, settings, files, code):
    settings.UPLOAD_MAX_BYTES = 2000
    response = client.post(reverse("grievances:submit"), form_data(attachments=files()))
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["attachments"]
    codes = {error.code for error in errors} | {
        inner.code for error in errors for inner in getattr(error, "error_list", [])
    }
    assert code in codes
    assert "There is a problem" in response.content.decode() or "خطأ" in response.content.decode()
    assert not Grievance.objects.exists() and not GrievanceAttachment.objects.exists()


def test_a_path_sent_over_http_never_leaves_the_private_folder(client, person, settings):
    # Django's parser and UploadedFile cut a sent name to its last part before any form sees
    # it; what must hold is that the file is stored under a name the server made.
    client.post(
        reverse("grievances:submit"),
        form_data(attachments=[pdf_upload("../../etc/passwd.pdf")]),
    )
    attachment = GrievanceAttachment.objects.get()
    assert attachment.storage_name.startswith(f"grievances/{attachment.grievance_id}/")
    assert ".." not in attachment.storage_name and "/" not in attachment.original_name


# --- following, and other people's grievances ----------------------------------------------


def test_follow_by_number_opens_ones_own(client, person):
    grievance = file_grievance(person)
    response = client.get(reverse("grievances:follow"), {"number": grievance.number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("grievances:detail", args=[grievance.number])
    bad = client.get(reverse("grievances:follow"), {"number": "123"})
    assert bad.status_code == 400


def test_follow_opened_directly_shows_the_form_with_one_breadcrumb(client, person):
    response = client.get(reverse("grievances:follow"), HTTP_ACCEPT_LANGUAGE="ar")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'name="number"' in text and "error-summary" not in text
    crumbs = re.search(r'<nav[^>]*class="breadcrumbs".*?</nav>', text, re.S)[0]
    assert crumbs.count("التظلمات") == 1


def test_follow_by_number_is_rate_limited(client, person, monkeypatch):
    from core.ratelimit import Limit
    from grievances import views

    monkeypatch.setattr(views, "FOLLOW_LIMIT", Limit(scope="test-follow", count=3, seconds=60))
    answers = [
        client.get(reverse("grievances:follow"), {"number": "G-1448-000999"}).status_code
        for _ in range(4)
    ]
    assert answers == [404, 404, 404, 429]


def test_another_persons_grievance_and_attachment_answer_404(client, person):
    other = grievance_user()
    theirs = file_grievance(other, attachments=[_checked_pdf()])
    attachment = theirs.attachments.get()
    for url in (
        reverse("grievances:detail", args=[theirs.number]),
        reverse("grievances:submitted", args=[theirs.number]),
        reverse("grievances:withdraw", args=[theirs.number]),
        reverse("grievances:attachment", args=[theirs.number, attachment.pk]),
        reverse("grievances:follow") + f"?number={theirs.number}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("grievances:withdraw", args=[theirs.number])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_owner_downloads_own_attachment(client, person):
    grievance = file_grievance(person, attachments=[_checked_pdf()])
    attachment = grievance.attachments.get()
    response = client.get(reverse("grievances:attachment", args=[grievance.number, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"


def _checked_pdf():
    from core.uploads import check_upload

    return check_upload(pdf_upload("evidence.pdf"))


# --- the list, the detail, answering and withdrawing ----------------------------------------


def test_my_grievances_costs_constant_queries(client, person, django_assert_max_num_queries):
    for _ in range(15):
        file_grievance(person)
    with django_assert_max_num_queries(7):  # 6 measured (a count for the pages), 1 or 20 rows
        response = client.get(reverse("grievances:mine"))
    assert response.content.decode().count("G-") >= 15


def test_my_grievances_are_paginated_newest_first(client, person, settings):
    from grievances import selectors

    filed = [file_grievance(person) for _ in range(selectors.MY_GRIEVANCES_PAGE_SIZE + 2)]
    first = client.get(reverse("grievances:mine")).content.decode()
    second = client.get(reverse("grievances:mine"), {"page": 2}).content.decode()
    assert filed[-1].number in first and filed[0].number not in first
    assert filed[0].number in second and filed[1].number in second
    assert filed[-1].number not in second
    assert 'rel="next"' in first and 'rel="prev"' in second
    # A page that does not exist shows the last one, not an error.
    assert client.get(reverse("grievances:mine"), {"page": "99"}).status_code == 200
    assert client.get(reverse("grievances:mine"), {"page": "x"}).status_code == 200


def test_detail_costs_constant_queries(client, person, django_assert_max_num_queries):
    hr = hr_for(person.employee.entity)
    from grievances import services

    grievance = file_grievance(person, attachments=[_checked_pdf(), _checked_pdf()])
    services.assign_grievance(grievance_id=grievance.pk, specialist=hr, actor=hr)
    for _ in range(4):
        services.request_more_information(grievance_id=grievance.pk, question="؟", actor=hr)
        services.answer_more_information(
            grievance=grievance, user=person, body="نعم", attachments=[_checked_pdf()]
        )
    with django_assert_max_num_queries(10):  # 9 measured, for 1 or 20 messages
        response = client.get(reverse("grievances:detail", args=[grievance.number]))
    assert response.status_code == 200


def test_answering_a_question_and_reading_the_result(client, person, outbox):
    from grievances import services

    hr = hr_for(person.employee.entity)
    grievance = file_grievance(person)
    services.assign_grievance(grievance_id=grievance.pk, specialist=hr, actor=hr)
    services.request_more_information(
        grievance_id=grievance.pk, question="أرفق صورة القرار", actor=hr
    )
    page = client.get(reverse("grievances:detail", args=[grievance.number])).content.decode()
    assert "أرفق صورة القرار" in page and 'name="body"' in page
    response = client.post(
        reverse("grievances:reply", args=[grievance.number]),
        {"body": "مرفق القرار", "attachments": [pdf_upload("قرار.pdf")]},
    )
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.UNDER_REVIEW
    services.decide_grievance(
        grievance_id=grievance.pk, outcome="partly_accepted", reasoning="سبب القرار", actor=hr
    )
    page = client.get(reverse("grievances:detail", args=[grievance.number])).content.decode()
    assert "مقبول جزئياً" in page or "Partly accepted" in page
    assert "سبب القرار" in page
    # Who decided, and what comes next: the appeal route and its last day.
    grievance.refresh_from_db()
    assert hr.display_name in page and grievance.entity.name in page
    assert "ديوان المظالم" in page
    last_day = services.appeal_deadline(grievance)
    assert last_day == timezone.localdate(grievance.decided_at) + dt.timedelta(days=60)
    assert format_hijri(last_day) in page


def test_reply_when_no_question_is_refused(client, person):
    grievance = file_grievance(person)
    response = client.post(reverse("grievances:reply", args=[grievance.number]), {"body": "x"})
    assert response.status_code == 400


def test_withdraw_before_a_decision(client, person):
    grievance = file_grievance(person)
    assert client.get(reverse("grievances:withdraw", args=[grievance.number])).status_code == 200
    response = client.post(reverse("grievances:withdraw", args=[grievance.number]))
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.WITHDRAWN
    again = client.post(reverse("grievances:withdraw", args=[grievance.number]))
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", ["وضّح أسباب اعتراضك", "تقديم تظلم", "موضوع التظلم"]),
        ("en", ["Explain why the decision is wrong", "File a grievance", "PDF, JPG or PNG"]),
    ],
)
def test_form_speaks_the_persons_language(client, person, language, expected):
    # Help texts are built per request: the first request's language must not stick.
    client.get(
        reverse("grievances:submit"), HTTP_ACCEPT_LANGUAGE="ar" if language == "en" else "en"
    )
    text = client.get(reverse("grievances:submit"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for phrase in expected:
        assert phrase in text
