"""The HR console's job-audit pages and the ministry's queue: scoping, steps, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import sign_in_verified
from employment_records.models import Position, PositionStatus
from employment_records.tests.factories import UnitFactory
from employment_records.tests.helpers import pdf_bytes
from job_audit import services
from job_audit.models import AuditRun, Finding, RequestStatus, VariableRequest
from job_audit.services import VariableInput

from .factories import auditor, clean_inventory, specialist

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours():
    entity, unit, job_class, employees = clean_inventory(occupied=12, vacant=5, frozen=2)
    for employee in employees[:4]:
        employee.rank = 9
        employee.save()
    return {"entity": entity, "unit": unit, "job_class": job_class, "employees": employees}


@pytest.fixture
def theirs():
    entity, unit, job_class, employees = clean_inventory(occupied=2)
    employees[0].rank = 3
    employees[0].save()
    return {"entity": entity, "unit": unit, "employees": employees}


@pytest.fixture
def hr(client, ours):
    user = specialist(ours["entity"])
    sign_in_verified(client, user)
    return user


def audited(entity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.start_audit_run(entity_id=entity.pk)


def test_inventory_lists_the_entitys_positions_in_constant_queries(
    client, hr, ours, theirs, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    audited(ours["entity"], django_capture_on_commit_callbacks)
    url = reverse("hr:job_audit_inventoryposition_changelist")
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    listed = {p.pk for p in response.context["cl"].result_list}
    assert listed == set(
        Position.objects.filter(entity=ours["entity"]).values_list("pk", flat=True)
    )
    page = response.content.decode()
    # As a cell of its own: a bare number can also stand inside someone's national ID.
    assert f">{theirs['employees'][0].position.number}<" not in page
    assert f">{Position.objects.filter(entity=ours['entity']).first().number}<" in page
    # The unit filter offers our units only.
    assert ours["unit"].code in page and theirs["unit"].code not in page
    by_status = client.get(url, {"status__exact": "frozen"}).context["cl"].result_list
    assert {p.status for p in by_status} == {PositionStatus.FROZEN}
    with_findings = client.get(url, {"findings": "yes"}).context["cl"].result_list
    assert len(with_findings) == 4
    by_unit = client.get(url, {"unit": theirs["unit"].pk}).context["cl"].result_list
    assert list(by_unit) == []


def test_position_page_and_another_entitys_404(client, hr, ours, theirs):
    mine = ours["employees"][0].position
    response = client.get(reverse("hr:job_audit_inventoryposition_change", args=[mine.pk]))
    assert response.status_code == 200 and mine.number in response.content.decode()
    other = theirs["employees"][0].position
    assert (
        client.get(reverse("hr:job_audit_inventoryposition_change", args=[other.pk])).status_code
        == 404
    )


def test_run_an_audit_follow_progress_and_export(
    client, hr, ours, theirs, django_capture_on_commit_callbacks
):
    audited(theirs["entity"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hr:job_audit_auditrun_start"))
    run = AuditRun.objects.get(entity=ours["entity"])
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/change/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "4" in page.content.decode()
    panel = client.get(
        reverse("hr:job_audit_auditrun_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert panel.status_code == 200 and b'id="run-progress"' in panel.content
    assert b"<html" not in panel.content
    their_run = AuditRun.objects.get(entity=theirs["entity"])
    assert (
        client.get(reverse("hr:job_audit_auditrun_change", args=[their_run.pk])).status_code == 404
    )
    assert (
        client.get(
            reverse("hr:job_audit_auditrun_progress", args=[their_run.pk]), HTTP_HX_REQUEST="true"
        ).status_code
        == 404
    )
    export = client.get(reverse("hr:job_audit_finding_export"))
    body = b"".join(export.streaming_content).decode()
    assert export["Content-Type"].startswith("text/csv")
    assert body.count("rank_mismatch") == 4
    assert theirs["employees"][0].national_id not in body


def test_mark_a_finding_justified_and_404_across_entities(
    client, hr, ours, theirs, django_capture_on_commit_callbacks
):
    audited(ours["entity"], django_capture_on_commit_callbacks)
    audited(theirs["entity"], django_capture_on_commit_callbacks)
    finding = Finding.objects.filter(entity=ours["entity"]).first()
    url = reverse("hr:job_audit_finding_change", args=[finding.pk])
    refused = client.post(url, {"state": "justified", "note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Give the reason that justifies this finding." in refused.content.decode()
    done = client.post(url, {"state": "justified", "note": "Exception decision 55/1447"})
    assert done.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "justified"
    listing = client.get(reverse("hr:job_audit_finding_changelist"))
    assert {f.entity_id for f in listing.context["cl"].result_list} == {ours["entity"].pk}
    other = Finding.objects.get(entity=theirs["entity"])
    other_url = reverse("hr:job_audit_finding_change", args=[other.pk])
    assert client.get(other_url).status_code == 404
    assert client.post(other_url, {"state": "justified", "note": "x"}).status_code == 404


def test_prepare_and_submit_a_request(client, hr, ours, theirs):
    response = client.post(
        reverse("hr:job_audit_variablerequest_add"), {"title": "Upgrade for the new unit"}
    )
    created = VariableRequest.objects.get()
    assert response.status_code == 302 and created.entity_id == ours["entity"].pk
    url = reverse("hr:job_audit_variablerequest_change", args=[created.pk])
    position = ours["employees"][0].position
    # Invalid: two ranks without the exceptional mark.
    bad = client.post(
        url,
        {
            "type": "upgrade",
            "position_number": position.number,
            "new_rank": 10,
            "justification": "x",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400 and "An upgrade is by one rank (to 9)" in bad.content.decode()
    # A position of another entity does not exist here.
    foreign = client.post(
        url,
        {
            "type": "freeze",
            "position_number": theirs["employees"][1].position.number,
            "justification": "x",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        foreign.status_code == 400
        and "Your entity has no position numbered" in foreign.content.decode()
    )
    good = client.post(
        url,
        {
            "type": "upgrade",
            "position_number": position.number,
            "new_rank": 9,
            "justification": "The unit's new duties",
            "attachment": SimpleUploadedFile("decision.pdf", pdf_bytes(), "application/pdf"),
        },
    )
    assert good.status_code == 302
    variable = created.variables.get()
    attachment = variable.attachments.get()
    download = client.get(
        reverse("hr:job_audit_variablerequest_attachment", args=[created.pk, attachment.pk])
    )
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert (
        client.post(reverse("hr:job_audit_variablerequest_submit", args=[created.pk])).status_code
        == 302
    )
    created.refresh_from_db()
    assert created.status == RequestStatus.SUBMITTED
    # Submitted: no more changes; a second submit is refused with a 409 page.
    again = client.post(reverse("hr:job_audit_variablerequest_submit", args=[created.pk]))
    assert again.status_code == 409


def test_another_entitys_request_is_404_everywhere(client, hr, ours, theirs):
    their_hr = specialist(theirs["entity"])
    theirs_request = services.create_request(
        entity_id=theirs["entity"].pk, title="Theirs", actor=their_hr
    )
    variable = services.add_variable(
        request_id=theirs_request.pk,
        entity_id=theirs["entity"].pk,
        data=VariableInput(
            type="transfer",
            position=theirs["employees"][1].position,
            unit=UnitFactory(entity=theirs["entity"]),
            justification="x",
        ),
        actor=their_hr,
    )
    pk = theirs_request.pk
    assert client.get(reverse("hr:job_audit_variablerequest_change", args=[pk])).status_code == 404
    assert client.post(reverse("hr:job_audit_variablerequest_submit", args=[pk])).status_code == 404
    remove = reverse("hr:job_audit_variablerequest_remove_variable", args=[pk, variable.pk])
    assert client.post(remove).status_code == 404
    assert (
        client.get(reverse("hr:job_audit_variablerequest_attachment", args=[pk, 1])).status_code
        == 404
    )
    listing = client.get(reverse("hr:job_audit_variablerequest_changelist"))
    assert list(listing.context["cl"].result_list) == []


def test_a_specialist_without_the_grant_does_not_see_the_pages(client, ours):
    user = specialist(ours["entity"], granted=False)
    sign_in_verified(client, user)
    assert client.get(reverse("hr:job_audit_finding_changelist")).status_code == 403
    assert client.get(reverse("hr:job_audit_inventoryposition_changelist")).status_code == 403
    assert b"job_audit" not in client.get(reverse("hr:index")).content


def test_the_ministry_queue_decides_requests_of_every_entity(
    client, ours, theirs, django_assert_max_num_queries
):
    requests = []
    for side in (ours, theirs):
        preparer = specialist(side["entity"])
        variable_request = services.create_request(
            entity_id=side["entity"].pk, title="Upgrade", actor=preparer
        )
        services.add_variable(
            request_id=variable_request.pk,
            entity_id=side["entity"].pk,
            data=VariableInput(
                type="upgrade",
                position=side["employees"][1].position,
                new_rank=9,
                justification="x",
            ),
            actor=preparer,
        )
        services.submit_request(
            request_id=variable_request.pk, entity_id=side["entity"].pk, actor=preparer
        )
        requests.append(variable_request)
    draft = services.create_request(entity_id=ours["entity"].pk, title="Draft", actor=None)
    ministry = auditor()
    sign_in_verified(client, ministry)
    with django_assert_max_num_queries(15):
        queue = client.get(reverse("admin:job_audit_variablerequest_changelist"))
    assert {r.pk for r in queue.context["cl"].result_list} == {r.pk for r in requests}
    assert draft.number not in queue.content.decode()
    url = reverse("admin:job_audit_variablerequest_decide", args=[requests[0].pk])
    refused = client.post(url, {"step": "reject", "note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Give the reason" in refused.content.decode()
    assert client.post(url, {"step": "approve"}).status_code == 302
    position = ours["employees"][1].position
    position.refresh_from_db()
    assert position.rank == 9
    detail = client.get(reverse("admin:job_audit_variablerequest_change", args=[requests[0].pk]))
    assert detail.status_code == 200
    # The HR console is not the ministry's door, nor the other way round.
    hr_user = specialist(ours["entity"])
    sign_in_verified(client, hr_user)
    assert client.post(url, {"step": "approve"}).status_code in (302, 403)
    assert client.get(reverse("admin:job_audit_variablerequest_changelist")).status_code == 302


def test_findings_list_and_console_index_in_constant_queries(
    client, hr, ours, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    audited(ours["entity"], django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("hr:job_audit_finding_changelist"))
    assert len(response.context["cl"].result_list) == 4
    index = client.get(reverse("hr:index")).content.decode()
    assert reverse("hr:job_audit_finding_changelist") in index
    assert reverse("hr:job_audit_variablerequest_changelist") in index


def test_the_ministry_sees_findings_with_history_and_exports_them(
    client, ours, theirs, django_capture_on_commit_callbacks
):
    audited(ours["entity"], django_capture_on_commit_callbacks)
    audited(theirs["entity"], django_capture_on_commit_callbacks)
    sign_in_verified(client, auditor())
    listing = client.get(reverse("admin:job_audit_finding_changelist"))
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 5
    finding = Finding.objects.filter(entity=theirs["entity"]).get()
    detail = client.get(reverse("admin:job_audit_finding_change", args=[finding.pk]))
    assert detail.status_code == 200
    export = client.get(
        reverse("admin:job_audit_finding_export"), {"entity__id__exact": ours["entity"].pk}
    )
    body = b"".join(export.streaming_content).decode()
    assert body.count("rank_mismatch") == 4


def test_a_revoked_grant_closes_the_console_pages_at_once(client, hr):
    from django.utils import timezone

    url = reverse("hr:job_audit_finding_changelist")
    assert client.get(url).status_code == 200
    grant = hr.employee.service_grants.get(service="job_audit")
    grant.revoked_at = timezone.now()
    grant.save()
    assert client.get(url).status_code == 403
