"""Reads of the grievances service. Each fetch authorises in the same step: an employee reaches
only their own grievances, an HR specialist only their entity's; anything else is a 404."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.catalogue import employee_of
from core.hr_admin import hr_entity_id
from core.prepared import PreparedPages, PreparedQuery, prefetched_as

from .models import Grievance, GrievanceAttachment, GrievanceMessage, GrievanceStatus


def grievances_of(*, user) -> QuerySet[Grievance]:
    return Grievance.objects.filter(employee__user=user)


MY_GRIEVANCES_PAGE_SIZE = 20


def _grievances_of_user(user_id) -> QuerySet[Grievance]:
    return (
        Grievance.objects.filter(employee__user_id=user_id)
        .only("number", "category", "status", "submitted_at", "decision_number", "outcome")
        .order_by("-submitted_at", "-id")
    )


# Count and first page with their SQL built once per process (core.prepared, issue 16).
_MY_GRIEVANCES = PreparedPages(
    _grievances_of_user, page_size=MY_GRIEVANCES_PAGE_SIZE, owner_field="employee__user_id"
)


def my_grievances_page(*, user, page: str | int = 1):
    """One page of the person's grievances, newest first."""
    paginator = Paginator(_MY_GRIEVANCES.of(user.pk), MY_GRIEVANCES_PAGE_SIZE)
    return paginator.get_page(page)


def _detail_queryset(*, for_hr: bool) -> QuerySet[Grievance]:
    # The people (assigned specialist, decider and the decider's employee row) come by primary
    # key in their own queries: joined in, their three tables made PostgreSQL spend about 4 ms
    # choosing a join order for a 0.2 ms query (issue 16).
    people = ["assigned_to", "decided_by__employee"] if for_hr else ["decided_by__employee"]
    return Grievance.objects.select_related(
        "employee", "entity", "action", "committee"
    ).prefetch_related(
        *people,
        "statuses",
        Prefetch(
            "messages",
            queryset=GrievanceMessage.objects.prefetch_related("attachments"),
        ),
        Prefetch(
            "attachments",
            queryset=GrievanceAttachment.objects.filter(
                message__isnull=True, decision_letter=False
            ),
            to_attr="filing_attachments",
        ),
        Prefetch(
            "attachments",
            queryset=GrievanceAttachment.objects.filter(decision_letter=True),
            to_attr="decision_letters",
        ),
    )


# The employee's page of a grievance: the grievance and what it shows, each query's SQL built
# once per process (core.prepared, issue 16). The HR console's page reads through the ORM.
_OWN_GRIEVANCE = PreparedQuery(
    lambda employee_id, number: Grievance.objects.select_related(
        "entity", "action", "committee"
    ).filter(employee_id=employee_id, number=number),
    arguments=2,
)
_STATUSES = PreparedQuery(
    lambda grievance_id: GrievanceStatus.objects.filter(grievance_id=grievance_id)
)
_MESSAGES = PreparedQuery(
    lambda grievance_id: GrievanceMessage.objects.filter(grievance_id=grievance_id)
)
_ATTACHMENTS = PreparedQuery(
    lambda grievance_id: GrievanceAttachment.objects.filter(grievance_id=grievance_id)
)
_USER = PreparedQuery(lambda user_id: get_user_model().objects.filter(pk=user_id))


def access_grievance_for_employee(*, user, number: str) -> Grievance:
    """The person's own grievance, or 404: another person's number reveals nothing. With what
    its page shows, as `_detail_queryset(for_hr=False)` would prefetch it. The person's
    employee row is the one the access policy read for this request, not read again."""
    employee = employee_of(user)
    grievance = _OWN_GRIEVANCE.first(employee.pk, number.strip()) if employee else None
    if grievance is None:
        raise Http404
    grievance.employee = employee
    _attach_what_the_page_shows(grievance)
    return grievance


def _attach_what_the_page_shows(grievance: Grievance) -> None:
    files = _ATTACHMENTS(grievance.pk)
    messages = _MESSAGES(grievance.pk)
    for message in messages:
        prefetched_as(message, "attachments", [f for f in files if f.message_id == message.pk])
    prefetched_as(grievance, "statuses", _STATUSES(grievance.pk))
    prefetched_as(grievance, "messages", messages)
    grievance.filing_attachments = [
        f for f in files if f.message_id is None and not f.decision_letter
    ]
    grievance.decision_letters = [f for f in files if f.decision_letter]
    if grievance.decided_by_id is not None:
        grievance.decided_by = _USER.first(grievance.decided_by_id)


def access_grievance_for_hr(*, user, grievance_id) -> Grievance:
    entity_id = hr_entity_id(user)
    if entity_id is None:
        raise Http404
    return get_object_or_404(_detail_queryset(for_hr=True), entity_id=entity_id, pk=grievance_id)


def access_attachment_for_employee(*, user, number: str, attachment_id) -> GrievanceAttachment:
    return get_object_or_404(
        GrievanceAttachment,
        grievance__employee__user=user,
        grievance__number=number,
        pk=attachment_id,
    )


def access_attachment_for_hr(*, user, grievance_id, attachment_id) -> GrievanceAttachment:
    entity_id = hr_entity_id(user)
    if entity_id is None:
        raise Http404
    return get_object_or_404(
        GrievanceAttachment,
        grievance__entity_id=entity_id,
        grievance_id=grievance_id,
        pk=attachment_id,
    )


def decisions_for_employee(*, employee) -> QuerySet:
    """The decisions in the person's record a grievance may concern, newest first."""
    return employee.actions.order_by("-decision_date", "-id")


def grievance_filed_from(*, user, token) -> Grievance:
    """The person's grievance filed from a draft (its reference is the submission token), or
    404: what a second click on "Submit" finds once the first has filed it."""
    return get_object_or_404(Grievance, employee__user=user, submission_token=token)
