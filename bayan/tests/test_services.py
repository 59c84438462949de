"""HR's use cases: prepare from the record, edit with a reason, maker-checker, the freeze at
approval, versions, and entity scoping."""

import datetime as dt

import pytest

from bayan import services
from bayan.models import Delivery, Statement, StatementHistory, Status
from bayan.periods import Exclusion
from bayan.tests.factories import approved, prepared, retiree, specialist, submitted
from core.models import AuditEvent, Document
from core.workflow import WorkflowError
from employment_records.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity():
    return EntityFactory()


@pytest.fixture
def maker(entity):
    return specialist(entity)


@pytest.fixture
def checker(entity):
    return specialist(entity)


def test_prepare_computes_periods_salary_and_end_from_the_record(entity, maker):
    employee = retiree(entity)
    statement = prepared(employee, maker)
    assert statement.status == Status.DRAFT and statement.version == 1
    assert statement.number.startswith("B-")
    assert statement.basic_salary is not None and statement.rank == 8
    assert statement.end_date == dt.date(2024, 6, 30)
    excluded = [p for p in statement.periods.all() if not p.counts]
    assert [(p.start, p.end, p.kind) for p in excluded] == [
        (dt.date(2005, 5, 1), dt.date(2005, 5, 30), Exclusion.EXCEPTIONAL_LEAVE)
    ]
    assert StatementHistory.objects.filter(statement=statement, transition="prepare").exists()


def test_an_employee_far_from_the_end_of_service_gets_no_statement(entity, maker):
    employee = retiree(entity)
    employee.status, employee.end_date, employee.end_reason = "active", None, ""
    employee.date_of_birth = dt.date(1970, 1, 1)
    employee.save()
    with pytest.raises(WorkflowError) as refused:
        prepared(employee, maker)
    assert refused.value.status == 409


def test_another_entitys_employee_is_not_found(entity, maker):
    stranger = retiree(EntityFactory())
    with pytest.raises(WorkflowError) as refused:
        prepared(stranger, maker)
    assert refused.value.status == 404


def test_a_specialist_without_a_bayan_grant_is_refused(entity):
    employee = retiree(entity)
    ungranted = specialist(entity, grant=False)
    with pytest.raises(WorkflowError) as refused:
        prepared(employee, ungranted)
    assert refused.value.status == 403


def test_edit_needs_a_reason_and_is_audited(entity, maker):
    statement = prepared(retiree(entity), maker)
    period = statement.periods.first()
    data = services.PeriodInput(period.start, period.end, False, Exclusion.ABSENCE, "")
    with pytest.raises(WorkflowError):
        services.edit_period(statement_id=statement.pk, period_id=period.pk, data=data, actor=maker)
    data = services.PeriodInput(period.start, period.end, False, Exclusion.ABSENCE, "قرار 12")
    services.edit_period(statement_id=statement.pk, period_id=period.pk, data=data, actor=maker)
    period.refresh_from_db()
    assert period.edited and period.edit_reason == "قرار 12" and not period.counts
    event = AuditEvent.objects.get(action="bayan.edit")
    assert event.changes["old"]["counts"] is True and event.changes["new"]["counts"] is False


def test_excluding_a_stretch_splits_the_period_and_keeps_the_span_whole(entity, maker):
    statement = prepared(retiree(entity), maker)
    services.exclude_stretch(
        statement_id=statement.pk,
        start=dt.date(2012, 1, 1),
        end=dt.date(2012, 1, 10),
        kind=Exclusion.ABSENCE,
        reason="غياب بدون عذر، قرار 77",
        actor=maker,
    )
    totals = services.totals_of(statement)
    assert totals.excluded_days == 30 + 10
    assert totals.counted_days + totals.excluded_days == totals.span_days
    assert services.tiling_problem(statement, services.periods_of(statement)) is None


def test_submit_refuses_periods_with_a_gap(entity, maker):
    statement = prepared(retiree(entity), maker)
    first = statement.periods.first()
    data = services.PeriodInput(
        first.start, first.end - dt.timedelta(days=5), True, first.kind, "تصحيح"
    )
    services.edit_period(statement_id=statement.pk, period_id=first.pk, data=data, actor=maker)
    with pytest.raises(WorkflowError) as refused:
        services.submit_statement(statement_id=statement.pk, actor=maker)
    # "No period covers the days after <the new end>", in the active language.
    assert (first.end - dt.timedelta(days=5)).isoformat() in str(refused.value.message)


def test_the_preparer_cannot_approve_or_return(entity, maker):
    statement = submitted(retiree(entity), maker)
    with pytest.raises(WorkflowError) as refused:
        services.approve_statement(statement_id=statement.pk, actor=maker)
    assert refused.value.status == 403
    with pytest.raises(WorkflowError):
        services.return_statement(statement_id=statement.pk, reason="x", actor=maker)
    assert Statement.objects.get(pk=statement.pk).status == Status.SUBMITTED


def test_someone_who_edited_cannot_approve_either(entity, maker, checker):
    statement = prepared(retiree(entity), maker)
    period = statement.periods.first()
    data = services.PeriodInput(period.start, period.end, True, period.kind, "تدقيق")
    services.edit_period(statement_id=statement.pk, period_id=period.pk, data=data, actor=checker)
    services.submit_statement(statement_id=statement.pk, actor=maker)
    with pytest.raises(WorkflowError):
        services.approve_statement(statement_id=statement.pk, actor=checker)


def test_the_checker_returns_with_a_reason(entity, maker, checker):
    statement = submitted(retiree(entity), maker)
    with pytest.raises(WorkflowError):
        services.return_statement(statement_id=statement.pk, reason=" ", actor=checker)
    services.return_statement(statement_id=statement.pk, reason="الراتب غير صحيح", actor=checker)
    statement.refresh_from_db()
    assert statement.status == Status.DRAFT and statement.return_reason == "الراتب غير صحيح"
    assert statement.history.last().note == "الراتب غير صحيح"


def test_the_employee_cannot_act_on_their_own_statement(entity, maker):
    employee = retiree(entity)
    statement = submitted(employee, maker)
    # The retiree is (improbably) an HR specialist of the entity with a grant.
    from django.contrib.auth.models import Group

    from accounts.models import HRProfile
    from core.hr_admin import HR_GROUP

    user = employee.user
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=HR_GROUP))
    HRProfile.objects.create(user=user, entity=entity)
    with pytest.raises(WorkflowError) as refused:
        services.approve_statement(statement_id=statement.pk, actor=user)
    assert refused.value.status == 403


def test_approval_freezes_and_writes_the_outbox_row_and_the_document(entity, maker, checker):
    statement = approved(retiree(entity), maker, checker)
    statement.refresh_from_db()
    assert statement.status == Status.APPROVED and statement.approved_by == checker
    assert statement.snapshot["totals"]["excluded_days"] == 30
    assert statement.snapshot["basic_salary"] == str(statement.basic_salary)
    assert Delivery.objects.get(statement=statement).state == Delivery.State.PENDING
    assert Document.objects.get(pk=statement.document_id).kind == "bayan_statement"
    # Frozen: no edit, no submit.
    period = statement.periods.first()
    data = services.PeriodInput(period.start, period.end, False, period.kind, "بعد الاعتماد")
    with pytest.raises(WorkflowError) as refused:
        services.edit_period(statement_id=statement.pk, period_id=period.pk, data=data, actor=maker)
    assert refused.value.status == 409
    with pytest.raises(WorkflowError):
        services.submit_statement(statement_id=statement.pk, actor=maker)


def test_a_new_version_only_after_the_authority_answered_and_history_is_kept(
    entity, maker, checker
):
    statement = approved(retiree(entity), maker, checker)
    with pytest.raises(WorkflowError):
        services.new_version(statement_id=statement.pk, actor=maker)
    services.record_answer(
        statement.delivery.pk,
        services.Response(422, {"status": "rejected", "code": "x", "reason": "الراتب ناقص"}),
    )
    statement.refresh_from_db()
    assert statement.status == Status.REJECTED and statement.rejection_reason == "الراتب ناقص"
    second = services.new_version(statement_id=statement.pk, actor=maker)
    assert (second.number, second.version, second.status) == (statement.number, 2, Status.DRAFT)
    statement.refresh_from_db()
    assert statement.status == Status.REJECTED and statement.snapshot  # the old one unchanged
    with pytest.raises(WorkflowError):  # only the latest version moves on
        services.new_version(statement_id=statement.pk, actor=maker)


def test_a_second_statement_for_the_same_person_is_refused(entity, maker):
    employee = retiree(entity)
    prepared(employee, maker)
    with pytest.raises(WorkflowError) as refused:
        prepared(employee, maker)
    assert refused.value.status == 409


def test_a_leave_the_record_gives_no_length_for_is_flagged_to_hr(entity, maker):
    from employment_records.models import ActionType
    from employment_records.tests.factories import ActionFactory

    employee = retiree(entity)
    ActionFactory(
        employee=employee,
        action_type=ActionType.LEAVE_EXCEPTIONAL,
        effective_date=dt.date(2015, 2, 1),
        decision_date=dt.date(2015, 1, 20),
        decision_number="1436/777",
        notes="",
    )
    statement = prepared(employee, maker)
    note = statement.history.get(transition="prepare").note
    assert "2015-02-01" in note and "1436/777" in note
