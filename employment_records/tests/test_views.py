"""What the employee and HR see: pages, scoping (404 for others), query counts, uploads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import (
    UserFactory,
    grant_all,
    make_hr_specialist,
    sign_in_verified,
)
from core import sms as backends
from core.models import Document
from employment_records.models import CorrectionRequest, CorrectionStatus, Employee
from employment_records.tests.factories import ActionFactory, EntityFactory
from employment_records.tests.helpers import (
    correct_in_steps,
    pdf_upload,
    submit_dob_correction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "locmem"
    backends.outbox.clear()
    return backends.outbox


@pytest.fixture
def signed_in(client, employee_user):
    client.force_login(employee_user)
    return client


def test_profile_shows_job_data_masked_id_and_length_of_service(signed_in, employee_user):
    response = signed_in.get(reverse("employment_records:profile"), HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    employee = employee_user.employee
    assert response.status_code == 200
    assert employee.national_id not in text and employee.national_id[-4:] in text
    assert employee.first_name_ar in text and employee.family_name_en in text
    assert employee.position.number in text
    assert "year" in text  # length of service, in years, months and days


def test_without_a_grant_the_refusal_says_why(client):
    user = UserFactory(with_employee=True)
    client.force_login(user)
    response = client.get(reverse("employment_records:profile"))
    assert response.status_code == 403


def test_record_is_newest_first_filterable_and_paginated(signed_in, employee_user):
    employee = employee_user.employee
    ActionFactory(employee=employee, decision_number="OLD-1", effective_date=dt.date(2015, 1, 1))
    ActionFactory(employee=employee, decision_number="NEW-1", effective_date=dt.date(2024, 1, 1))
    ActionFactory(
        employee=employee,
        decision_number="PROMO-1",
        action_type="promotion",
        effective_date=dt.date(2020, 1, 1),
    )
    text = signed_in.get(reverse("employment_records:record")).content.decode()
    assert text.index("NEW-1") < text.index("PROMO-1") < text.index("OLD-1")
    filtered = signed_in.get(reverse("employment_records:record"), {"type": "promotion"})
    assert "PROMO-1" in filtered.content.decode() and "OLD-1" not in filtered.content.decode()
    bad = signed_in.get(reverse("employment_records:record"), {"type": "nonsense", "page": "x"})
    assert bad.status_code == 200


@pytest.mark.parametrize("entries", [3, 60])
def test_record_costs_the_same_queries_for_3_or_60_entries(
    signed_in, employee_user, entries, django_assert_max_num_queries
):
    ActionFactory.create_batch(entries, employee=employee_user.employee)
    # session, user, employee (+grants) for the access check, the employee with its
    # relations, count and page of actions: 8 whatever the length.
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("employment_records:record"))
    assert response.status_code == 200


# The profile, which also shows qualifications, evaluations and the salary, has its own budget
# with many of each in test_profile.py.
@pytest.mark.parametrize("url_name", ["training", "corrections", "statements"])
def test_other_pages_have_a_fixed_query_count(
    signed_in, employee_user, url_name, django_assert_max_num_queries
):
    for _ in range(5):
        submit_dob_correction(employee_user.employee, employee_user, evidence=False)
        CorrectionRequest.objects.update(
            status=CorrectionStatus.WITHDRAWN, decided_at=dt.datetime.now(dt.UTC)
        )
    with django_assert_max_num_queries(8):
        assert signed_in.get(reverse(f"employment_records:{url_name}")).status_code == 200


DOB_CHANGE = {
    "proposed_value_calendar": "gregorian",
    "proposed_value_date": "1990-03-05",
    "reason": "Registry",
}


def test_correction_with_a_pdf_is_checked_then_submitted_and_shown_with_its_timeline(
    signed_in, employee_user
):
    from core.models import Draft

    url = reverse("employment_records:new_correction") + "?field=date_of_birth"
    page = signed_in.get(url)
    assert page.status_code == 200 and "1990" in page.content.decode()
    review = correct_in_steps(signed_in, url, DOB_CHANGE, evidence=[pdf_upload()], submit=False)
    text = review.content.decode()
    draft = Draft.objects.get()
    # Check your answers: the value in both calendars, the reason, the file, change links.
    assert "1990" in text and "Registry" in text and "birth-certificate.pdf" in text
    change = reverse("employment_records:correction_draft_step", args=[draft.reference, "change"])
    assert f"{change}?from=review#id_reason" in text
    assert not CorrectionRequest.objects.exists()
    response = signed_in.post(
        reverse("employment_records:correction_draft_review", args=[draft.reference]), follow=True
    )
    request = CorrectionRequest.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"/corrections/{request.number}/")
    assert request.evidence.count() == 1 and request.proposed_value == "1990-03-05"
    assert request.number in response.content.decode()
    assert not Draft.objects.exists()


def test_a_renamed_file_is_refused_and_what_was_typed_is_kept(signed_in):
    url = reverse("employment_records:new_correction") + "?field=first_name_en"
    response = signed_in.post(
        url, {"proposed_value": "", "reason": "My passport says so"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "My passport says so" in response.content.decode()
    started = signed_in.post(url, {"proposed_value": "Muhammad", "reason": "My passport says so"})
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf at all")
    response = signed_in.post(started["Location"], {"evidence": [fake]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is not a PDF, JPG or PNG file" in response.content.decode()
    # Back to the first step: what was typed is there.
    back = signed_in.get(started["Location"].replace("/evidence/", "/change/")).content.decode()
    assert "My passport says so" in back and 'value="Muhammad"' in back
    assert not CorrectionRequest.objects.exists()


def test_a_correction_draft_survives_sign_out_and_is_listed(signed_in, employee_user):
    from core.models import Draft

    url = reverse("employment_records:new_correction") + "?field=date_of_birth"
    correct_in_steps(signed_in, url, DOB_CHANGE, evidence=[pdf_upload()], submit=False)
    draft = Draft.objects.get()
    signed_in.post(reverse("accounts:logout"))
    signed_in.force_login(employee_user)
    listing = signed_in.get(reverse("employment_records:corrections")).content.decode()
    assert reverse("employment_records:correction_draft_discard", args=[draft.reference]) in listing
    resumed = signed_in.get(url)  # the same field again: the same draft
    review = reverse("employment_records:correction_draft_review", args=[draft.reference])
    assert resumed["Location"] == review
    assert "birth-certificate.pdf" in signed_in.get(review).content.decode()


def test_an_unchanged_value_is_refused_at_review_with_a_link_to_the_step(signed_in, employee_user):
    from core.models import Draft

    url = reverse("employment_records:new_correction") + "?field=first_name_en"
    current = employee_user.employee.first_name_en
    correct_in_steps(signed_in, url, {"proposed_value": current, "reason": "x"}, submit=False)
    draft = Draft.objects.get()
    response = signed_in.post(
        reverse("employment_records:correction_draft_review", args=[draft.reference])
    )
    assert response.status_code == 400
    change = reverse("employment_records:correction_draft_step", args=[draft.reference, "change"])
    assert f'href="{change}?from=review"' in response.content.decode()
    assert not CorrectionRequest.objects.exists() and Draft.objects.exists()


def test_another_persons_correction_draft_answers_404(client, employee_user):
    from core.models import Draft

    stranger = UserFactory(with_employee=True)
    grant_all(stranger.employee)
    client.force_login(stranger)
    url = reverse("employment_records:new_correction") + "?field=date_of_birth"
    correct_in_steps(client, url, DOB_CHANGE, evidence=[pdf_upload()], submit=False)
    theirs = Draft.objects.get()
    attachment = theirs.attachments.get()
    client.force_login(employee_user)
    reference = theirs.reference
    for url in (
        reverse("employment_records:correction_draft_step", args=[reference, "change"]),
        reverse("employment_records:correction_draft_review", args=[reference]),
        reverse("employment_records:correction_draft_discard", args=[reference]),
        reverse("employment_records:correction_draft_file", args=[reference, attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    remove = reverse(
        "employment_records:correction_draft_file_remove", args=[reference, attachment.pk]
    )
    assert client.post(remove).status_code == 404
    assert (
        client.post(
            reverse("employment_records:correction_draft_review", args=[reference])
        ).status_code
        == 404
    )
    assert theirs.attachments.exists() and not CorrectionRequest.objects.exists()


def test_an_unknown_field_or_someone_elses_record_entry_answers_404(signed_in):
    other_action = ActionFactory()
    url = reverse("employment_records:new_correction")
    assert signed_in.get(url, {"field": "nationality"}).status_code == 404
    assert signed_in.get(url, {"action": other_action.pk}).status_code == 404
    assert signed_in.get(url, {"action": "1 or 1=1"}).status_code == 404


def test_another_employees_request_and_evidence_answer_404(signed_in):
    stranger = UserFactory(with_employee=True)
    theirs = submit_dob_correction(stranger.employee, stranger)
    evidence = theirs.evidence.get()
    for url in (
        reverse("employment_records:correction", args=[theirs.number]),
        reverse("employment_records:evidence", args=[theirs.number, evidence.pk]),
    ):
        assert signed_in.get(url).status_code == 404
    assert (
        signed_in.post(reverse("employment_records:withdraw", args=[theirs.number])).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == CorrectionStatus.SUBMITTED


def test_evidence_is_served_to_its_owner_and_to_hr_of_the_entity_only(client, employee_user):
    request = submit_dob_correction(employee_user.employee, employee_user)
    url = reverse("employment_records:evidence", args=[request.number, request.evidence.get().pk])
    client.force_login(employee_user)
    owner = client.get(url)
    assert owner.status_code == 200 and owner["Content-Type"] == "application/pdf"
    assert b"".join(owner.streaming_content).startswith(b"%PDF-")
    same_entity_hr = make_hr_specialist(employee_user.employee.entity)
    client.force_login(same_entity_hr)  # password only: not signed in to the HR console
    assert client.get(url).status_code == 404
    sign_in_verified(client, same_entity_hr)
    assert client.get(url).status_code == 200
    sign_in_verified(client, make_hr_specialist(EntityFactory()))
    assert client.get(url).status_code == 404


def test_employee_answers_more_info_and_withdraws(signed_in, employee_user):
    from employment_records import services

    hr = make_hr_specialist(employee_user.employee.entity)
    request = submit_dob_correction(employee_user.employee, employee_user)
    services.ask_for_more_info(request=request, actor=hr, question="Which registry?")
    detail = signed_in.get(reverse("employment_records:correction", args=[request.number]))
    assert "Which registry?" in detail.content.decode()
    empty = signed_in.post(reverse("employment_records:respond", args=[request.number]), {})
    assert empty.status_code == 400
    signed_in.post(
        reverse("employment_records:respond", args=[request.number]), {"answer": "Riyadh"}
    )
    request.refresh_from_db()
    assert request.status == CorrectionStatus.UNDER_REVIEW
    signed_in.post(reverse("employment_records:withdraw", args=[request.number]))
    request.refresh_from_db()
    assert request.status == CorrectionStatus.WITHDRAWN


def test_hr_approves_in_the_console_and_the_record_changes(client, employee_user, sms_outbox):
    request = submit_dob_correction(employee_user.employee, employee_user)
    hr = make_hr_specialist(employee_user.employee.entity)
    sign_in_verified(client, hr)
    listing = client.get(reverse("hr:employment_records_correctionrequest_changelist"))
    assert request.number in listing.content.decode()
    url = reverse("hr:employment_records_correctionrequest_review", args=[request.pk])
    # The number (the change link) opens the review page.
    change = reverse("hr:employment_records_correctionrequest_change", args=[request.pk])
    assert f'href="{change}"' in listing.content.decode()
    assert client.get(change)["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and "birth-certificate.pdf" in page.content.decode()
    refused = client.post(url, {"decision": "reject", "note": ""})
    assert refused.status_code == 400
    client.post(url, {"decision": "approve", "note": "Matches the registry"})
    request.refresh_from_db()
    assert request.status == CorrectionStatus.APPROVED
    assert Employee.objects.get(pk=employee_user.employee.pk).date_of_birth == dt.date(1990, 3, 5)


def test_hr_of_another_entity_cannot_open_the_request(client, employee_user):
    request = submit_dob_correction(employee_user.employee, employee_user)
    sign_in_verified(client, make_hr_specialist(EntityFactory()))
    url = reverse("hr:employment_records_correctionrequest_review", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    listing = client.get(reverse("hr:employment_records_correctionrequest_changelist"))
    assert request.number not in listing.content.decode()


def test_sla_filter_lists_overdue_requests(client, employee_user):
    late = submit_dob_correction(employee_user.employee, employee_user)
    CorrectionRequest.objects.filter(pk=late.pk).update(
        due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    sign_in_verified(client, make_hr_specialist(employee_user.employee.entity))
    url = reverse("hr:employment_records_correctionrequest_changelist")
    assert late.number in client.get(url, {"sla": "overdue"}).content.decode()
    assert late.number not in client.get(url, {"sla": "on_time"}).content.decode()


def test_statement_request_renders_and_downloads_the_pdf(
    signed_in, employee_user, django_capture_on_commit_callbacks
):
    from employment_records.tests.pdf_text import contains_phrase

    ActionFactory(employee=employee_user.employee, decision_number="1446/777")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("employment_records:statements"))
    document = Document.objects.get()
    assert response.url == reverse("employment_records:statement", args=[document.code])
    page = signed_in.get(response.url)
    assert "download-statement" in page.content.decode()
    download = signed_in.get(reverse("employment_records:statement_download", args=[document.code]))
    data = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert contains_phrase(data, "محمد عبدالله سعد القحطاني")
    assert contains_phrase(data, "1446/777") and contains_phrase(data, document.display_code)


def test_a_pending_statement_polls_and_another_persons_code_answers_404(signed_in, client):
    stranger = UserFactory(with_employee=True)
    grant_all(stranger.employee)
    theirs = Document.objects.create(
        kind="service_statement", holder=stranger.employee, entity=stranger.employee.entity
    )
    assert (
        signed_in.get(reverse("employment_records:statement", args=[theirs.code])).status_code
        == 404
    )
    client.force_login(stranger)
    page = client.get(reverse("employment_records:statement", args=[theirs.code]))
    text = page.content.decode()
    assert 'hx-trigger="every 1s"' in text and 'http-equiv="refresh"' in text
    poll = reverse("employment_records:statement", args=[theirs.code])
    assert client.get(poll, HTTP_HX_REQUEST="true").status_code == 204  # nothing to swap yet
    theirs.status, theirs.file_name = Document.Status.FAILED, ""
    theirs.save()
    panel = client.get(poll, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    text = panel.content.decode()
    assert text.lstrip().startswith('<div id="statement-panel"') and "hx-trigger" not in text
    assert "could not be prepared" in text
    download = client.get(reverse("employment_records:statement_download", args=[theirs.code]))
    assert download.status_code == 404


def test_the_evidence_help_is_in_the_pages_language(signed_in):
    url = reverse("employment_records:new_correction") + "?field=first_name_en"
    started = signed_in.post(url, {"proposed_value": "Muhammad", "reason": "Passport"})
    url = started["Location"]  # the evidence step
    english = signed_in.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    arabic = signed_in.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "PDF, JPG or PNG; up to 5 files" in english
    assert "PDF, JPG or PNG; up to" not in arabic


def test_training_and_scholarships_are_listed_with_status_and_dates(signed_in, employee_user):
    from employment_records.models import ScholarshipDecision, TrainingDecision

    common = {"employee": employee_user.employee, "decision_date": dt.date(2023, 1, 1)}
    TrainingDecision.objects.create(
        **common,
        title_ar="إدارة المشاريع",
        title_en="Project management",
        provider="معهد الإدارة العامة",
        decision_number="T-1",
        start_date=dt.date(2023, 2, 1),
        end_date=dt.date(2023, 2, 5),
        hours=30,
        status="completed",
    )
    ScholarshipDecision.objects.create(
        **common,
        degree="master",
        field_of_study="Public policy",
        institution="King Saud University",
        country="SA",
        decision_number="S-1",
        start_date=dt.date(2023, 9, 1),
        end_date=dt.date(2025, 6, 30),
    )
    text = signed_in.get(reverse("employment_records:training")).content.decode()
    assert "إدارة المشاريع" in text and "مكتمل" in text
    assert "King Saud University" in text and "مخطط" in text
    assert "1445" in text  # Hijri dates beside the Gregorian ones


def test_a_double_click_makes_one_statement_and_requests_are_limited(signed_in, monkeypatch):
    from employment_records import views

    monkeypatch.setattr("core.documents.enqueue_render", lambda document_id, **kw: None)  # pending
    url = reverse("employment_records:statements")
    first, second = signed_in.post(url), signed_in.post(url)
    assert first.url == second.url and Document.objects.count() == 1
    monkeypatch.setattr(views, "STATEMENT_LIMIT", views.Limit("statement_test", 1, 60))
    signed_in.post(url)
    refused = signed_in.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "You have requested many statements" in refused.content.decode()


def _make_hr_of_own_entity(user):
    """The person is also an HR specialist of their own entity (issue 14, item 7)."""
    from django.contrib.auth.models import Group

    from accounts.models import HRProfile
    from core.hr_admin import HR_GROUP, sync_role_groups

    sync_role_groups()
    HRProfile.objects.create(user=user, entity=user.employee.entity)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=HR_GROUP))
    return user


@pytest.mark.parametrize(
    ("decision", "note"),
    [("review", ""), ("approve", "ok"), ("more_info", "Which registry?"), ("reject", "No")],
)
def test_an_hr_specialist_cannot_decide_their_own_request_in_the_console(
    client, employee_user, decision, note
):
    from core.models import AuditEvent

    specialist = _make_hr_of_own_entity(employee_user)
    request = submit_dob_correction(employee_user.employee, employee_user)
    sign_in_verified(client, specialist)
    url = reverse("hr:employment_records_correctionrequest_review", args=[request.pk])
    response = client.post(url, {"decision": decision, "note": note})
    assert response.status_code == 403
    content = response.content.decode()  # the message, in the page's language
    assert "another specialist" in content or "أخصائي آخر" in content
    assert response.context["form"]["note"].value() == note  # what was typed is kept
    request.refresh_from_db()
    assert request.status == CorrectionStatus.SUBMITTED and request.events.count() == 1
    assert Employee.objects.get(pk=employee_user.employee.pk).date_of_birth == dt.date(1990, 3, 15)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["correction.submit"]


@pytest.mark.django_db(transaction=True)  # the SMS is published when the request really commits
def test_with_the_broker_down_a_correction_is_saved_and_confirmed(
    signed_in, employee_user, monkeypatch
):
    """Issue 9: the broker refusing the SMS used to answer 500 after the request was saved
    (and a retry said "you already have an open request")."""
    from kombu.exceptions import OperationalError

    from core.models import Notification
    from core.tasks import deliver_notification

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(deliver_notification, "apply_async", broker_down)
    url = reverse("employment_records:new_correction") + "?field=date_of_birth"
    response = correct_in_steps(signed_in, url, DOB_CHANGE, evidence=[pdf_upload()])
    request = CorrectionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/corrections/{request.number}/")
    assert request.evidence.count() == 1
    assert Notification.objects.get().status == Notification.Status.QUEUED  # for the sweep
    # Withdrawing it with the broker still down is confirmed too.
    response = signed_in.post(reverse("employment_records:withdraw", args=[request.number]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CorrectionStatus.WITHDRAWN
