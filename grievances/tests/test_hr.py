"""The HR console's side: the entity's queue, the workflow steps, and other entities' 404s."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import sign_in_verified
from core.models import AuditEvent
from core.uploads import check_upload
from employment_records.tests.factories import EntityFactory
from grievances import services
from grievances.models import Category, Grievance, Status

from .factories import file_grievance, grievance_user, hr_for
from .test_views import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return grievance_user()


@pytest.fixture
def specialist(client, person):
    user = hr_for(person.employee.entity)
    sign_in_verified(client, user)
    return user


def step_url(grievance, step):
    return reverse("hr:grievances_grievance_step", args=[grievance.pk, step])


def test_queue_lists_only_the_entitys_grievances_in_constant_queries(
    client, specialist, person, django_assert_max_num_queries
):
    ours = [file_grievance(person) for _ in range(12)]
    stranger = grievance_user()
    theirs = file_grievance(stranger)
    with django_assert_max_num_queries(
        13
    ):  # +1: the sidebar asks for the job-audit grant (one query)
        response = client.get(reverse("hr:grievances_grievance_changelist"))
    listed = {g.pk for g in response.context["cl"].result_list}
    assert listed == {g.pk for g in ours}
    assert theirs.number not in response.content.decode()


def test_queue_filters_overdue_and_assigned_to_me(client, specialist, person):
    late, mine, other = (file_grievance(person) for _ in range(3))
    Grievance.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    services.assign_grievance(grievance_id=mine.pk, specialist=specialist, actor=specialist)
    url = reverse("hr:grievances_grievance_changelist")
    overdue = client.get(url, {"overdue": "yes"}).context["cl"].result_list
    assert [g.pk for g in overdue] == [late.pk]
    assigned = client.get(url, {"assigned": "me"}).context["cl"].result_list
    assert [g.pk for g in assigned] == [mine.pk]
    by_status = client.get(url, {"status__exact": Status.UNDER_REVIEW}).context["cl"]
    assert [g.pk for g in by_status.result_list] == [mine.pk]
    queue = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert queue.count('class="overdue"') == 1


def test_hr_of_another_entity_gets_404_for_grievance_and_attachment(client, person):
    grievance = file_grievance(person, attachments=[check_upload(pdf_upload("e.pdf"))])
    attachment = grievance.attachments.get()
    stranger = hr_for(EntityFactory())
    sign_in_verified(client, stranger)
    detail = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert detail.status_code == 404
    assert grievance.number not in detail.content.decode()
    download = reverse("hr:grievances_grievance_attachment", args=[grievance.pk, attachment.pk])
    assert client.get(download).status_code == 404
    assert client.post(step_url(grievance, "close")).status_code == 404
    assert (
        client.post(
            step_url(grievance, "decide"), {"outcome": "accepted", "reasoning": "x"}
        ).status_code
        == 404
    )
    grievance.refresh_from_db()
    assert grievance.status == Status.SUBMITTED


def test_hr_downloads_attachment_of_their_entity(client, specialist, person):
    grievance = file_grievance(person, attachments=[check_upload(pdf_upload("e.pdf"))])
    attachment = grievance.attachments.get()
    download = reverse("hr:grievances_grievance_attachment", args=[grievance.pk, attachment.pk])
    response = client.get(download)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_an_employee_without_hr_profile_cannot_use_the_console(client, person):
    grievance = file_grievance(person)
    client.force_login(person)
    response = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_whole_workflow_through_the_console(client, specialist, person):
    grievance = file_grievance(person)
    page = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert page.status_code == 200 and grievance.text in page.content.decode()
    assert [step for step, _label in page.context["steps"]] == ["assign"]

    assert client.get(step_url(grievance, "assign")).status_code == 200
    response = client.post(step_url(grievance, "assign"), {"specialist": specialist.pk})
    assert response.status_code == 302
    response = client.post(step_url(grievance, "more-info"), {"question": "أرفق القرار"})
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.MORE_INFO_REQUESTED and grievance.paused_since

    # Deciding while waiting for the employee is refused with the reason, nothing changes.
    refused = client.post(
        step_url(grievance, "decide"), {"outcome": "accepted", "reasoning": "سبب"}
    )
    assert refused.status_code == 409 and refused.context["error"]
    services.answer_more_information(grievance=grievance, user=person, body="مرفق", attachments=[])
    response = client.post(
        step_url(grievance, "decide"), {"outcome": "rejected", "reasoning": "لا وجه للتظلم"}
    )
    assert response.status_code == 302
    assert client.post(step_url(grievance, "close")).status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.CLOSED and grievance.outcome == "rejected"
    assert AuditEvent.objects.filter(action="grievance.close", actor=specialist).exists()


def test_assigning_to_a_specialist_of_another_entity_is_refused(client, specialist, person):
    grievance = file_grievance(person)
    stranger = hr_for(EntityFactory())
    response = client.post(step_url(grievance, "assign"), {"specialist": stranger.pk})
    assert response.status_code == 400 and "specialist" in response.context["form"].errors


def test_committee_step_for_performance_evaluations(client, specialist, person):
    today = timezone.localdate()
    grievance = file_grievance(
        person, category=Category.PERFORMANCE, decision_date=today, learned_on=today
    )
    services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=specialist)
    page = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert [step for step, _ in page.context["steps"]] == ["assign", "more-info", "committee"]
    same = {"chair": "سعد", "member_2": "سعد", "member_3": "منى", "met_on": today.isoformat()}
    response = client.post(
        step_url(grievance, "committee"),
        {**same, "recommendation": "accepted", "reasoning": "يعدل التقييم"},
    )
    assert response.status_code == 400
    response = client.post(
        step_url(grievance, "committee"),
        {**same, "member_2": "فهد", "recommendation": "accepted", "reasoning": "يعدل التقييم"},
    )
    assert response.status_code == 302
    page = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert "decide" in [step for step, _ in page.context["steps"]]
    assert "فهد" in page.content.decode()


def test_detail_page_costs_constant_queries(
    client, specialist, person, django_assert_max_num_queries
):
    grievance = file_grievance(person, attachments=[check_upload(pdf_upload("a.pdf"))])
    services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=specialist)
    for _ in range(4):
        services.request_more_information(grievance_id=grievance.pk, question="؟", actor=specialist)
        services.answer_more_information(
            grievance=grievance, user=person, body="نعم", attachments=[]
        )
    # 15: the page's own queries plus django-otp loading the session's verified device.
    with django_assert_max_num_queries(
        16
    ):  # +1: the sidebar asks for the job-audit grant (one query)
        response = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert response.status_code == 200


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


def test_an_hr_specialist_takes_no_step_on_a_grievance_they_filed(client, person):
    colleague = hr_for(person.employee.entity)
    specialist = _make_hr_of_own_entity(person)
    today = timezone.localdate()
    grievance = file_grievance(
        person, category=Category.PERFORMANCE, decision_date=today, learned_on=today
    )
    sign_in_verified(client, specialist)
    page = client.get(reverse("hr:grievances_grievance_change", args=[grievance.pk]))
    assert page.status_code == 200 and page.context["steps"] == []  # no buttons to press
    committee = {
        "chair": "سعد",
        "member_2": "فهد",
        "member_3": "منى",
        "met_on": today.isoformat(),
        "recommendation": "accepted",
        "reasoning": "يعدل التقييم",
    }
    attempts = [
        ("assign", {"specialist": specialist.pk}),  # to themselves
        ("assign", {"specialist": colleague.pk}),
        ("more-info", {"question": "؟"}),
        ("committee", committee),
        ("decide", {"outcome": "accepted", "reasoning": "سبب"}),
        ("close", {}),
    ]
    for step, data in attempts:
        response = client.post(step_url(grievance, step), data)
        assert response.status_code == 403, step
        content = response.content.decode()  # the message, in the page's language
        # The console already keeps their own grievance read-only (issue 14 item 8); the
        # workflow's own refusal (item 7) stands behind it for every other door.
        assert (
            any(
                text in content
                for text in (
                    "another specialist",
                    "أخصائي آخر",
                    "ليس لديك صلاحية",
                    "لا تملك صلاحية",
                )
            )
            or response.templates[0].name == "403.html"
        ), step
    # Under follow-up (a colleague assigned it), still nothing.
    services.assign_grievance(grievance_id=grievance.pk, specialist=colleague, actor=colleague)
    for step, data in attempts:
        assert client.post(step_url(grievance, step), data).status_code == 403, step
    grievance.refresh_from_db()
    assert grievance.status == Status.UNDER_REVIEW and grievance.assigned_to == colleague
    assert grievance.statuses.count() == 2 and not hasattr(grievance, "committee")
    assert list(
        AuditEvent.objects.filter(subject_id=str(grievance.pk)).values_list("action", flat=True)
    ) == ["grievance.assign", "grievance.submit"]


def test_a_grievance_is_never_assigned_to_the_person_it_is_about(client, specialist):
    person = grievance_user()
    person.employee.entity = specialist.hr_profile.entity
    person.employee.save()
    _make_hr_of_own_entity(person)
    grievance = file_grievance(person)
    response = client.post(step_url(grievance, "assign"), {"specialist": person.pk})
    assert response.status_code == 403
    error = str(response.context["form"].errors["specialist"])  # beside the field
    assert "choose another specialist" in error or "اختر أخصائياً آخر" in error
    grievance.refresh_from_db()
    assert grievance.assigned_to is None and grievance.status == Status.SUBMITTED


def test_a_decision_carries_the_official_reply_letter_to_the_employee(client, specialist, person):
    grievance = file_grievance(person)
    services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=specialist)
    form_page = client.get(step_url(grievance, "decide")).content.decode()
    assert 'enctype="multipart/form-data"' in form_page and 'name="letter"' in form_page

    # A letter that is not a PDF or image is refused by its content; what was typed stays.
    refused = client.post(
        step_url(grievance, "decide"),
        {"outcome": "accepted", "reasoning": "سبب القبول", "letter": pdf_upload("x.pdf", b"MZ")},
    )
    assert refused.status_code == 400 and "letter" in refused.context["form"].errors
    assert "سبب القبول" in refused.content.decode()
    assert not grievance.attachments.exists()

    decided = client.post(
        step_url(grievance, "decide"),
        {"outcome": "accepted", "reasoning": "سبب القبول", "letter": pdf_upload("reply.pdf")},
    )
    assert decided.status_code == 302
    letter = grievance.attachments.get()
    assert letter.decision_letter and letter.message is None
    event = AuditEvent.objects.get(action="grievance.decide")
    assert event.changes["letter"] == "reply.pdf"

    sign_in_verified(client, person)
    detail = client.get(reverse("grievances:detail", args=[grievance.number]))
    html = detail.content.decode()
    download = reverse("grievances:attachment", args=[grievance.number, letter.pk])
    assert "reply.pdf" in html and download in html
    assert client.get(download).status_code == 200
    # The letter is the entity's reply, not one of the employee's filed documents.
    assert [a.pk for a in detail.context["grievance"].filing_attachments] == []


def test_a_decision_that_fails_after_the_letter_is_stored_keeps_no_file(
    person, specialist, monkeypatch
):
    from django.core.files.storage import default_storage

    from core.workflow import WorkflowError

    grievance = file_grievance(person)
    services.assign_grievance(grievance_id=grievance.pk, specialist=specialist, actor=specialist)
    folder = f"grievances/{grievance.pk}"

    def files():
        return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []

    before = files()

    def refuse(*args, **kwargs):
        raise WorkflowError("refused at the last step")

    monkeypatch.setattr(services.WORKFLOW, "take", refuse)
    with pytest.raises(WorkflowError):
        services.decide_grievance(
            grievance_id=grievance.pk,
            outcome="accepted",
            reasoning="سبب",
            actor=specialist,
            letter=check_upload(pdf_upload("reply.pdf")),
        )
    assert not grievance.attachments.exists()
    assert files() == before
