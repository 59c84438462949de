"""Reads of the CV, always through the person: another person's entry answers 404.

`cv_content()` builds the whole CV of one language as plain values (strings, numbers, ISO
dates): the page, the printable view, the PDF snapshot and the JSON Resume export all read it.
Its cost is a fixed number of queries whatever the length of the record.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import translation

from core.cached import forget, read_through
from core.documents import documents_of_holder
from core.prepared import PreparedQuery
from employment_records.models import (
    ActionType,
    DecisionStatus,
    Employee,
    EmploymentAction,
    ScholarshipDecision,
    TrainingDecision,
)
from employment_records.selectors import employee_of_user  # noqa: F401  (re-exported)
from employment_records.selectors import qualifications_of as record_qualifications_of

from .documents import CV_KIND
from .models import Certificate, CertificateCopy, CvLanguage
from .sections import SECTIONS, Section

# Decisions that put the person in a position (a new period of the "positions held" list).
POSITION_ACTIONS = frozenset(
    {
        ActionType.APPOINTMENT,
        ActionType.PROMOTION,
        ActionType.EXCEPTIONAL_PROMOTION,
        ActionType.TRANSFER,
        ActionType.ASSIGNMENT,
        ActionType.SECONDMENT,
        ActionType.REINSTATEMENT,
    }
)
END_ACTIONS = frozenset(
    {
        ActionType.RETIREMENT,
        ActionType.EARLY_RETIREMENT,
        ActionType.RESIGNATION,
        ActionType.DISMISSAL,
        ActionType.DEATH,
        ActionType.MEDICAL_UNFITNESS,
    }
)


def _entries(section: Section):
    entries = section.model.objects.all()
    return entries.select_related("copy") if section.code == "certificates" else entries


def entry_of(*, employee: Employee, section: Section, entry_id) -> object:
    return get_object_or_404(_entries(section), employee=employee, pk=entry_id)


def entries_of(*, employee: Employee, section: Section, language: str):
    return _entries(section).filter(employee=employee, language=language).order_by("position", "pk")


def _name(obj, language: str) -> str:
    return obj.name_en if language == "en" else obj.name_ar


# The CV's queries have their SQL built once per process (core.prepared, issue 16).
_POSITION_DECISIONS = PreparedQuery(
    lambda employee_id: (
        EmploymentAction.objects.filter(employee_id=employee_id)
        .filter(action_type__in=sorted([*POSITION_ACTIONS, *END_ACTIONS]))
        .select_related("to_position__job_class", "to_position__unit", "to_position__entity")
        .order_by("effective_date", "id")
    )
)
_COMPLETED_TRAINING = PreparedQuery(
    lambda employee_id: TrainingDecision.objects.filter(
        employee_id=employee_id, status=DecisionStatus.COMPLETED
    ).order_by("-end_date", "-id")
)
_COMPLETED_SCHOLARSHIPS = PreparedQuery(
    lambda employee_id: ScholarshipDecision.objects.filter(
        employee_id=employee_id, status=DecisionStatus.COMPLETED
    ).order_by("-end_date", "-id")
)


def positions_held(*, employee: Employee, language: str) -> list[dict]:
    """The positions the record shows, newest first: one period per decision that moved the
    person to another position or rank, ended by the next such decision or the end of service.
    Increments and leaves change neither, so they start no period."""
    actions = _POSITION_DECISIONS(employee.pk)
    periods: list[dict] = []
    with translation.override(language):
        for action in actions:
            current = periods[-1] if periods and periods[-1]["end"] is None else None
            if action.action_type in END_ACTIONS:
                if current is not None:
                    current["end"] = action.effective_date.isoformat()
                continue
            position = action.to_position
            if position is None:
                continue
            rank = action.to_rank or position.rank
            if current is not None:
                if current["position_id"] == position.pk and current["rank"] == rank:
                    continue
                current["end"] = action.effective_date.isoformat()
            job_class = position.job_class
            periods.append(
                {
                    "position_id": position.pk,
                    "title": job_class.title_en if language == "en" else job_class.title_ar,
                    "class_code": job_class.code,
                    "rank": rank,
                    "position_number": position.number,
                    "unit": _name(position.unit, language),
                    "entity": _name(position.entity, language),
                    "start": action.effective_date.isoformat(),
                    "end": None,
                    "source": {
                        "action_id": action.pk,
                        "action": str(action.get_action_type_display()),
                        "decision_number": action.decision_number,
                        "decision_date": action.decision_date.isoformat(),
                    },
                }
            )
    if periods and periods[-1]["end"] is None and employee.end_date:
        periods[-1]["end"] = employee.end_date.isoformat()
    periods.reverse()
    return periods


def qualifications_of(*, employee: Employee, language: str) -> list[dict]:
    with translation.override(language):
        return [
            {
                "level": item.level,
                "level_label": str(item.get_level_display()),
                "major": item.major,
                "institution": item.institution,
                "graduation_date": item.graduation_date.isoformat(),
            }
            for item in record_qualifications_of(employee)
        ]


def completed_training_of(*, employee: Employee, language: str) -> list[dict]:
    return [
        {
            "title": item.title_en if language == "en" else item.title_ar,
            "provider": item.provider,
            "hours": item.hours,
            "start": item.start_date.isoformat(),
            "end": item.end_date.isoformat(),
            "decision_number": item.decision_number,
            "decision_date": item.decision_date.isoformat(),
        }
        for item in _COMPLETED_TRAINING(employee.pk)
    ]


def completed_scholarships_of(*, employee: Employee, language: str) -> list[dict]:
    with translation.override(language):
        return [
            {
                "degree": item.degree,
                "degree_label": str(item.get_degree_display()),
                "field_of_study": item.field_of_study,
                "institution": item.institution,
                "country": item.country,
                "start": item.start_date.isoformat(),
                "end": item.end_date.isoformat(),
                "decision_number": item.decision_number,
                "decision_date": item.decision_date.isoformat(),
            }
            for item in _COMPLETED_SCHOLARSHIPS(employee.pk)
        ]


def official_part(*, employee: Employee, language: str) -> dict:
    return {
        "positions": positions_held(employee=employee, language=language),
        "qualifications": qualifications_of(employee=employee, language=language),
        "training": completed_training_of(employee=employee, language=language),
        "scholarships": completed_scholarships_of(employee=employee, language=language),
    }


# The person's own entries are kept in the cache per language (issue 16: eight queries, one per
# section, on every CV page). Any save or delete of an entry or a certificate's copy forgets the
# copy (core.cached; cv.apps connects `entry_changed`), and so does
# `services.move_entry` (its update() sends no signal). A cache outage costs the queries again.
OWN_SECTIONS_CACHE_SECONDS = 10 * 60


def _own_key(employee_id, language: str) -> str:
    return f"cv:own:{employee_id}:{language}"


def own_sections(*, employee: Employee, language: str) -> dict[str, list[dict]]:
    """The person's own entries of one language, section by section, in their order."""

    def read():
        with translation.override(language):  # labels (a language's level) in that language
            return _own_sections(employee=employee, language=language)

    return read_through(_own_key(employee.pk, language), read, seconds=OWN_SECTIONS_CACHE_SECONDS)


def forget_own_sections(employee_id) -> None:
    forget(*(_own_key(employee_id, language) for language in CvLanguage.values))


def entry_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a CV entry or of a certificate's copy."""
    if isinstance(instance, CertificateCopy):
        employee_id = (
            Certificate.objects.filter(pk=instance.certificate_id)
            .values_list("employee_id", flat=True)
            .first()
        )
    else:
        employee_id = instance.employee_id
    if employee_id is not None:
        forget_own_sections(employee_id)


def _own_sections(*, employee: Employee, language: str) -> dict[str, list[dict]]:
    return {
        section.code: [
            section.as_dict(entry)
            for entry in entries_of(employee=employee, section=section, language=language)
        ]
        for section in SECTIONS
    }


def person_of(employee: Employee, language: str) -> dict:
    current = employee.position
    with translation.override(language):
        return {
            "name": employee.full_name(language),
            "title": (
                (current.job_class.title_en if language == "en" else current.job_class.title_ar)
                if current
                else ""
            ),
            "entity": _name(employee.entity, language),
            "email": employee.user.email if employee.user_id and employee.user else "",
            "in_service": employee.in_service,
        }


def cv_content(*, employee: Employee, language: str) -> dict:
    """The whole CV of one language as plain values (see the module's docstring)."""
    if "entity" not in employee._state.fields_cache:  # not loaded by employee_of_user
        employee = Employee.objects.select_related("entity", "position__job_class", "user").get(
            pk=employee.pk
        )
    return {
        "language": language,
        "person": person_of(employee, language),
        "official": official_part(employee=employee, language=language),
        "sections": own_sections(employee=employee, language=language),
    }


_RECENT_DOCUMENTS = PreparedQuery(
    lambda employee_id: documents_of_holder(holder=employee_id, kind=CV_KIND).select_related(
        "cv_export"
    )[:5]
)


def recent_documents(employee: Employee) -> list:
    """The person's five newest CV PDFs, with their language."""
    return _RECENT_DOCUMENTS(employee.pk)
