"""Audit actions are an enumeration: registered by each app, refused when unknown, shown in
words in both consoles; console inlines are audited row by row with their fields."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory, make_hr_specialist, sign_in_verified
from core.audit import (
    UnregisteredAuditAction,
    action_label,
    audit,
    is_registered,
    registered_actions,
)
from core.models import AuditEvent
from core.workflow import Workflow
from employment_records.tests.factories import EmployeeFactory, EntityFactory


@pytest.mark.django_db
def test_an_unregistered_action_is_refused_and_nothing_is_written():
    with pytest.raises(UnregisteredAuditAction, match="grievance.submited"):
        audit(action="grievance.submited")  # a typo
    assert not AuditEvent.objects.exists()
    audit(action="grievance.submit")
    assert AuditEvent.objects.get().action == "grievance.submit"


def test_every_step_of_every_workflow_is_a_registered_action():
    import employment_records.workflow  # noqa: F401
    import grievances.workflow  # noqa: F401

    assert Workflow.declared  # the apps' workflows were imported
    missing = sorted(
        action
        for flow in Workflow.declared
        for action in flow.audit_actions()
        if not is_registered(action)
    )
    assert missing == []


def test_every_action_reads_in_words_in_arabic_and_english():
    untranslated = []
    for value, label in registered_actions().items():
        with translation.override("en"):
            english = str(label)
        with translation.override("ar"):
            arabic = str(label)
        if english == value or arabic == english:
            untranslated.append(value)
    assert untranslated == []


def test_console_actions_are_registered_for_the_models_and_inlines_they_serve():
    assert is_registered("hr.employee.change")
    assert is_registered("hr.employmentaction.add")  # the employee page's inline
    assert is_registered("admin.user.password_set")
    with translation.override("en"):
        assert action_label("hr.employee.change") == "Employee: changed (HR console)"


@pytest.mark.django_db
def test_the_hr_audit_list_filters_by_action_in_words_for_its_entity_only(client):
    entity = EntityFactory()
    specialist = make_hr_specialist(entity)
    ours, theirs = EmployeeFactory(entity=entity), EmployeeFactory()
    audit(action="record.corrected", subject=ours, entity=entity)
    audit(action="document.revoked", subject=theirs, entity=theirs.entity)
    sign_in_verified(client, specialist)
    url = reverse("hr:core_auditevent_changelist")
    with translation.override("ar"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    filters = {
        choice["display"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    }
    with translation.override("ar"):
        corrected = action_label("record.corrected")
        revoked = action_label("document.revoked")
    # The filter offers the registered vocabulary (no scan of the log); the rows are the
    # entity's own: another entity's event is never listed.
    assert corrected in filters and revoked in filters
    assert corrected in response.content.decode()  # the list's column, in words
    listed = {event.action for event in response.context["cl"].result_list}
    assert listed == {"record.corrected"}
    narrowed = client.get(url, {"action": "record.corrected"})
    assert [event.action for event in narrowed.context["cl"].result_list] == ["record.corrected"]
    other = client.get(url, {"action": "document.revoked"})
    assert list(other.context["cl"].result_list) == []


@pytest.mark.django_db
def test_the_ministry_audit_list_filter_shows_labels(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    audit(action="accounts.signed_in", actor=staff, subject=staff)
    sign_in_verified(client, staff)
    with translation.override("en"):
        response = client.get(
            reverse("admin:core_auditevent_changelist"), HTTP_ACCEPT_LANGUAGE="en"
        )
        words = str(action_label("accounts.signed_in"))
    assert response.status_code == 200
    assert words in response.content.decode() and words != "accounts.signed_in"


# --- inlines ------------------------------------------------------------------------------


def _employee_form(client, employee, site="hr"):
    url = reverse(f"{site}:employment_records_employee_change", args=[employee.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["date_of_birth"], data["hire_date"] = str(employee.date_of_birth), str(employee.hire_date)
    data["rank_since"] = str(employee.rank_since)
    return url, data


@pytest.mark.django_db
def test_an_action_added_through_the_employee_inline_is_audited_with_its_fields(client):
    from employment_records.models import EmploymentAction

    entity = EntityFactory()
    specialist = make_hr_specialist(entity)
    employee = EmployeeFactory(entity=entity)
    sign_in_verified(client, specialist)
    url, data = _employee_form(client, employee)
    data.update(
        {
            "actions-TOTAL_FORMS": 1,
            "actions-INITIAL_FORMS": 0,
            "actions-0-action_type": "promotion",
            "actions-0-decision_number": "1448/55",
            "actions-0-decision_date": "2026-11-01",
            "actions-0-effective_date": "2026-11-02",
            "actions-0-to_rank": "9",
            "actions-0-to_step": "1",
            "actions-0-employee": employee.pk,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    action = EmploymentAction.objects.get(employee=employee)
    event = AuditEvent.objects.get(action="hr.employmentaction.add")
    assert event.subject_id == str(action.pk) and event.actor == specialist
    assert event.entity_id == entity.pk
    assert event.changes["decision_number"] == {"old": None, "new": "1448/55"}
    assert event.changes["to_rank"]["new"] == 9

    # Changed, then deleted, through the same inline: one event each, with what changed.
    url, data = _employee_form(client, employee)
    inline = {
        "actions-TOTAL_FORMS": 1,
        "actions-INITIAL_FORMS": 1,
        "actions-0-id": action.pk,
        "actions-0-employee": employee.pk,
        "actions-0-action_type": "promotion",
        "actions-0-decision_number": "1448/56",
        "actions-0-decision_date": "2026-11-01",
        "actions-0-effective_date": "2026-11-02",
        "actions-0-to_rank": "9",
        "actions-0-to_step": "1",
    }
    assert client.post(url, {**data, **inline}).status_code == 302
    changed = AuditEvent.objects.get(action="hr.employmentaction.change")
    assert changed.changes == {"decision_number": {"old": "1448/55", "new": "1448/56"}}
    # HR may not delete record entries; the ministry may, and the deletion is audited too.
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_verified(client, staff)
    url, data = _employee_form(client, employee, site="admin")
    inline["actions-0-decision_number"] = "1448/56"
    assert client.post(url, {**data, **inline, "actions-0-DELETE": "on"}).status_code == 302
    deleted = AuditEvent.objects.get(action="admin.employmentaction.delete")
    assert deleted.subject_id == str(action.pk) and deleted.actor == staff
    assert not EmploymentAction.objects.filter(pk=action.pk).exists()


def test_every_action_written_in_the_code_is_registered():
    """Every `audit(action="...")` in the project names a registered action: a typo, or an
    app that forgot to register its enumeration, fails here before any person meets it."""
    import ast
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    unknown = []
    for path in root.rglob("*.py"):
        parts = set(path.relative_to(root).parts)
        if parts & {".venv", "node_modules", "migrations", "tests", "var"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit":
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    if not is_registered(keyword.value.value):
                        unknown.append(f"{path.relative_to(root)}: {keyword.value.value}")
    assert unknown == []
