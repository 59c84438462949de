"""Access control on every URL that names an object, found by walking the URL resolver (the
portal, /hr/ and /admin/), so a service that lands later is covered without touching this file:

* an anonymous visitor is sent to sign-in;
* another employee gets 404 for an employee's objects;
* an HR specialist of another entity gets no answer about the object (404 or the console's
  "does not exist" redirect), and cannot change it;
* the subject of a console object (a specialist's own record, grant, request...) cannot act
  on it;
* nobody but ministry staff reaches an /admin/ object page.

How each object is made lives in the registries below, keyed by URL name (portal) and by
model (consoles). A URL with an object argument that no registry knows FAILS the test: a new
service registers its factory here. That is on purpose, never a skip.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import ServiceGrant
from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist, sign_in_verified
from core.hr_admin import hr_site
from core.models import AuditEvent, Document
from employment_records import models as records
from employment_records.tests.factories import (
    ActionFactory,
    EmployeeFactory,
    EntityFactory,
    PositionFactory,
    UnitFactory,
)
from employment_records.tests.helpers import submit_dob_correction
from grievances.tests.factories import file_grievance, pdf_bytes
from promotions.models import PreferenceSubmission, RoundStatus
from promotions.tests.factories import RoundFactory

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<re>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str  # namespace:name, or "" for an unnamed pattern
    kwargs: tuple[str, ...]

    def path(self, values: dict) -> str:
        def fill(match):
            return str(values[match.group("name") or match.group("re")])

        return "/" + CONVERTER.sub(fill, self.route).lstrip("^").rstrip("$")


def routes(resolver=None, prefix="", namespace="") -> list[Route]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += routes(pattern, text, inner)
        elif isinstance(pattern, URLPattern):
            kwargs = tuple(m.group("name") or m.group("re") for m in CONVERTER.finditer(text))
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            found.append(Route(text, name, kwargs))
    return found


# --- Kwargs that do not name an object, and routes that are not about access to objects --------

# Values that select a page of an object, not the object itself (a CV section names a kind of
# entry: its add page belongs to whoever is signed in).
PLAIN_KWARGS = {"step": "assign", "section_code": "skills"}
# Console plumbing: the catch-all and the app index take no object.
NOT_OBJECT_ROUTES = {"hr:app_list", "admin:app_list"}
# Public by design: the document check and the identity provider simulator (own tests).
PUBLIC = re.compile(r"^(verify$|verify_file$|nafath_sim:|pension_sim:)")


def is_catch_all(route: Route) -> bool:
    return route.kwargs == ("url",)


def object_routes(prefix: str) -> list[Route]:
    return [
        route
        for route in routes()
        if route.route.startswith(prefix)
        and set(route.kwargs) - set(PLAIN_KWARGS)
        and route.name not in NOT_OBJECT_ROUTES
        and not is_catch_all(route)
    ]


# --- The portal: url name -> kwargs of an object owned by `owner` (a User with an employee) ----


_MADE: dict = {}  # (kind, owner id) -> object, emptied for every test


@pytest.fixture(autouse=True)
def _fresh_objects():
    _MADE.clear()
    yield
    _MADE.clear()


def _once(kind, owner, make):
    # One correction per field may be open at a time: URLs of one object share it.
    key = (kind, owner.pk)
    if key not in _MADE:
        _MADE[key] = make()
    return _MADE[key]


def _correction(owner):
    return _once("correction", owner, lambda: submit_dob_correction(owner.employee, owner))


def _statement(owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    employee = owner.employee

    def ready():  # with its file, so the owner's download answers and a 404 means "not yours"
        name = default_storage.save("documents/statement.pdf", ContentFile(pdf_bytes()))
        return Document.objects.create(
            kind="service_statement", holder=employee, entity=employee.entity,
            status=Document.Status.READY, file_name=name, issued_at=timezone.now(),
        )  # fmt: skip

    return _once("statement", owner, ready)


def _with_pdf(user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.uploads import check_upload

    upload = SimpleUploadedFile("decision.pdf", pdf_bytes(), "application/pdf")
    return file_grievance(user, attachments=[check_upload(upload)])


def _draft(owner, service, subject=""):
    """A draft of the owner's with one stored file (core.drafts)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from core.models import Draft, DraftAttachment

    def make():
        draft = Draft.objects.create(
            reference=uuid.uuid4(), owner=owner, service=service, subject=subject
        )
        name = default_storage.save(f"drafts/{draft.reference.hex}/a.pdf", ContentFile(pdf_bytes()))
        DraftAttachment.objects.create(
            draft=draft, step="attachments" if service == "grievances" else "evidence",
            storage_name=name, original_name="a.pdf", content_type="application/pdf",
            size=len(pdf_bytes()),
        )  # fmt: skip
        return draft

    return _once(f"draft-{service}", owner, make)


def _draft_args(owner, service, *, step=None, file=False, subject=""):
    draft = _draft(owner, service, subject)
    args = {"reference": draft.reference}
    if step:
        args["step"] = step
    if file:
        args["attachment_id"] = draft.attachments.first().pk
    return args


def _grievance(owner):
    return _once("grievance", owner, lambda: _with_pdf(owner))


def _frozen(employee):
    from bayan.tests.factories import frozen_statement

    return frozen_statement(employee)


def _bayan_statement(owner):
    return _once("bayan", owner, lambda: _frozen(owner.employee))


def _promotion_round(owner):
    """A published round of the owner's entity (every employee page of a round answers for
    it), with a receipt of the owner's."""

    def make():
        round_ = RoundFactory(
            entity=owner.employee.entity,
            status=RoundStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        PreferenceSubmission.objects.create(
            round=round_, employee=owner.employee, receipt="PR-1448-000001", token=uuid.uuid4()
        )
        return round_

    return _once("promotion_round", owner, make)


def _cv_skill(owner):
    from cv.tests.factories import SkillFactory

    return _once("cv_skill", owner, lambda: SkillFactory(employee=owner.employee))


def _cv_certificate(owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cv.models import CertificateCopy
    from cv.tests.factories import CertificateFactory

    def with_copy():
        certificate = CertificateFactory(employee=owner.employee)
        name = default_storage.save("cv/certificate.pdf", ContentFile(pdf_bytes()))
        CertificateCopy.objects.create(
            certificate=certificate, storage_name=name, original_name="certificate.pdf",
            content_type="application/pdf", size=len(pdf_bytes()),
        )  # fmt: skip
        return certificate

    return _once("cv_certificate", owner, with_copy)


def _cv_document(owner):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    employee = owner.employee

    def ready():
        name = default_storage.save("documents/cv.pdf", ContentFile(pdf_bytes()))
        return Document.objects.create(
            kind="cv", holder=employee, entity=employee.entity,
            status=Document.Status.READY, file_name=name, issued_at=timezone.now(),
        )  # fmt: skip

    return _once("cv_document", owner, ready)


def _cv_entry(owner):
    return {"section_code": "skills", "entry_id": _cv_skill(owner).pk}


PORTAL_OBJECTS: dict[str, Callable] = {
    "employment_records:correction": lambda o: {"number": _correction(o).number},
    "employment_records:respond": lambda o: {"number": _correction(o).number},
    "employment_records:withdraw": lambda o: {"number": _correction(o).number},
    "employment_records:evidence": lambda o: (
        lambda c: {"number": c.number, "evidence_id": c.evidence.first().pk}
    )(_correction(o)),
    "employment_records:statement": lambda o: {"code": _statement(o).code},
    "employment_records:statement_download": lambda o: {"code": _statement(o).code},
    "grievances:draft_step": lambda o: _draft_args(o, "grievances", step="decision"),
    "grievances:draft_review": lambda o: _draft_args(o, "grievances"),
    "grievances:draft_discard": lambda o: _draft_args(o, "grievances"),
    "grievances:draft_file": lambda o: _draft_args(o, "grievances", file=True),
    "grievances:draft_file_remove": lambda o: _draft_args(o, "grievances", file=True),
    "employment_records:correction_draft_step": lambda o: _draft_args(
        o, "corrections", step="change", subject="date_of_birth"
    ),
    "employment_records:correction_draft_review": lambda o: _draft_args(
        o, "corrections", subject="date_of_birth"
    ),
    "employment_records:correction_draft_discard": lambda o: _draft_args(
        o, "corrections", subject="date_of_birth"
    ),
    "employment_records:correction_draft_file": lambda o: _draft_args(
        o, "corrections", file=True, subject="date_of_birth"
    ),
    "employment_records:correction_draft_file_remove": lambda o: _draft_args(
        o, "corrections", file=True, subject="date_of_birth"
    ),
    "grievances:detail": lambda o: {"number": _grievance(o).number},
    "grievances:submitted": lambda o: {"number": _grievance(o).number},
    "grievances:reply": lambda o: {"number": _grievance(o).number},
    "grievances:withdraw": lambda o: {"number": _grievance(o).number},
    "bayan:pdf": lambda o: {"statement_id": _bayan_statement(o).pk},
    "grievances:attachment": lambda o: (
        lambda g: {"number": g.number, "attachment_id": g.attachments.first().pk}
    )(_grievance(o)),
    "promotions:round": lambda o: {"round_id": _promotion_round(o).pk},
    "promotions:preferences": lambda o: {"round_id": _promotion_round(o).pk},
    "promotions:result": lambda o: {"round_id": _promotion_round(o).pk},
    "promotions:object": lambda o: {"round_id": _promotion_round(o).pk},
    "promotions:receipt": lambda o: {
        "round_id": _promotion_round(o).pk,
        "receipt": "PR-1448-000001",
    },
    "cv:edit": _cv_entry,
    "cv:remove": _cv_entry,
    "cv:move": _cv_entry,
    "cv:certificate_attachment": lambda o: {"entry_id": _cv_certificate(o).pk},
    "cv:document": lambda o: {"code": _cv_document(o).code},
    "cv:document_download": lambda o: {"code": _cv_document(o).code},
}


def portal_person(**kwargs):
    user = UserFactory(with_employee=True, nafath_verified_at=timezone.now(), **kwargs)
    grant_all(user.employee)
    return user


def portal_routes() -> list[Route]:
    return [
        route
        for route in object_routes("")
        if not route.route.startswith(("hr/", "admin/")) and not PUBLIC.match(route.name)
    ]


def test_every_portal_object_url_has_a_factory():
    missing = sorted({r.name or r.route for r in portal_routes()} - set(PORTAL_OBJECTS))
    assert not missing, (
        "URLs taking an object with no factory in tests/test_access_control.py PORTAL_OBJECTS "
        f"(register one, so access to them is tested): {missing}"
    )


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.fixture
def quiet(client, settings):
    settings.SMS_BACKEND = "locmem"
    client.raise_request_exception = False
    return client


def test_portal_objects_answer_404_to_another_employee_and_sign_in_to_visitors(quiet):
    owner, other = portal_person(), portal_person()
    failures = []
    for route in portal_routes():
        path = route.path(PORTAL_OBJECTS[route.name](owner))
        quiet.logout()
        for method in (quiet.get, quiet.post):
            response = method(path)
            if not (login_redirect(response) or response.status_code == 405):
                failures.append(f"visitor {method.__name__} {path}: {response.status_code}")
        sign_in_verified(quiet, other)
        answers = {method.__name__: method(path).status_code for method in (quiet.get, quiet.post)}
        if 404 not in answers.values() or set(answers.values()) - {404, 405}:
            failures.append(f"another employee {path}: {answers}")
        sign_in_verified(quiet, owner)  # the owner reaches it: the URL itself works
        if quiet.get(path).status_code not in (200, 302, 405):
            failures.append(f"owner GET {path}: {quiet.get(path).status_code}")
    assert not failures, "\n".join(failures)


# --- The consoles: model -> an instance in `entity` about `subject` (an Employee) -------------


def _account_of(subject):
    if subject.user is None:
        subject.user = UserFactory()
        subject.save(update_fields=["user"])
    return subject.user


def _hr_correction(entity, subject):
    user = _account_of(subject)
    return _once("correction", user, lambda: submit_dob_correction(subject, user))


def _hr_grievance(entity, subject):
    user = _account_of(subject)
    user.nafath_verified_at = timezone.now()
    user.save(update_fields=["nafath_verified_at"])
    if not ServiceGrant.objects.filter(employee=subject, service="grievances").exists():
        grant_all(subject)
    return _once("grievance", user, lambda: _with_pdf(user))


def _training(entity, subject):
    return records.TrainingDecision.objects.create(
        employee=subject, title_ar="برنامج", title_en="Programme", provider="IPA",
        decision_number="T-1", decision_date=dt.date(2024, 1, 1),
        start_date=dt.date(2024, 2, 1), end_date=dt.date(2024, 2, 5),
    )  # fmt: skip


def _scholarship(entity, subject):
    return records.ScholarshipDecision.objects.create(
        employee=subject, degree="master", field_of_study="Policy", institution="KSU",
        country="SA", decision_number="S-1", decision_date=dt.date(2024, 1, 1),
        start_date=dt.date(2024, 9, 1), end_date=dt.date(2026, 6, 30),
    )  # fmt: skip


# Models about a person: make(entity, subject employee).
ABOUT_A_PERSON: dict[str, Callable] = {
    "employment_records.employee": lambda entity, subject: subject,
    "employment_records.employmentaction": lambda e, s: ActionFactory(employee=s),
    "employment_records.trainingdecision": _training,
    "employment_records.scholarshipdecision": _scholarship,
    "employment_records.performanceevaluation": lambda e, s: (
        records.PerformanceEvaluation.objects.create(
            employee=s, year=1445, score=90, rating="excellent"
        )
    ),
    "employment_records.qualification": lambda e, s: records.Qualification.objects.create(
        employee=s,
        level="bachelor",
        major="Law",
        institution="KSU",
        graduation_date=dt.date(2010, 6, 1),
    ),  # fmt: skip
    "employment_records.correctionrequest": _hr_correction,
    "employment_records.volunteeringentry": lambda e, s: records.VolunteeringEntry.objects.create(
        employee=s,
        organisation="Charity",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 3, 1),
        hours=20,
    ),
    "accounts.servicegrant": lambda e, s: ServiceGrant.objects.create(
        employee=s, service="cv", entity=s.entity
    ),
    "grievances.grievance": _hr_grievance,
    "bayan.statement": lambda e, s: _once("bayan", _account_of(s), lambda: _frozen(s)),
    "core.document": lambda e, s: Document.objects.create(
        kind="service_statement", holder=s, entity=s.entity
    ),
}
# Models of an entity, about nobody in particular: make(entity).
OF_AN_ENTITY: dict[str, Callable] = {
    "employment_records.organisationalunit": lambda entity: UnitFactory(entity=entity),
    "employment_records.position": lambda entity: PositionFactory(entity=entity),
    "core.auditevent": lambda entity: AuditEvent.objects.create(action="test", entity=entity),
    "promotions.round": lambda entity: RoundFactory(entity=entity),
    "job_audit.auditrun": lambda entity: _audit_run(entity),
    "job_audit.finding": lambda entity: _finding(entity),
    "job_audit.inventoryposition": lambda entity: _inventory_position(entity),
    "job_audit.variablerequest": lambda entity: _variable_request(entity),
}


def _audit_run(entity):
    from job_audit.models import AuditRun

    return AuditRun.objects.create(entity=entity, status="done")


def _finding(entity):
    from job_audit.models import Finding

    run = _audit_run(entity)
    return Finding.objects.create(
        entity=entity,
        fingerprint=f"foreign_unit:p{Finding.objects.count() + 1}",
        type="foreign_unit",
        severity="high",
        details={"position": "1", "unit": "U"},
        first_run=run,
        last_run=run,
    )


def _inventory_position(entity):
    from job_audit.models import InventoryPosition

    return InventoryPosition.objects.get(pk=PositionFactory(entity=entity).pk)


def _variable_request(entity):
    from employment_records.tests.helpers import checked_pdf
    from job_audit import services

    request = services.create_request(entity_id=entity.pk, title="x", actor=None)
    position = PositionFactory(entity=entity, status="vacant")
    services.add_variable(
        request_id=request.pk,
        entity_id=entity.pk,
        data=services.VariableInput(type="freeze", position=position, justification="x"),
        attachment=checked_pdf("v.pdf"),
        actor=None,
    )
    return request


# Kwargs of console URLs beside the object's own id: how to find them from the object.
CHILD_KWARGS: dict[str, Callable] = {
    "attachment_id": lambda obj: obj.attachments.first().pk,
    "evidence_id": lambda obj: obj.evidence.first().pk,
    "employee_id": lambda obj: obj.employee_id,  # Bayan: prepare a statement for them
    "period_id": lambda obj: obj.periods.first().pk,  # Bayan: one period of a statement
    "run_id": lambda obj: obj.pk,
    "request_id": lambda obj: obj.pk,
    "variable_id": lambda obj: obj.variables.first().pk,
    "code": lambda obj: _document_about(obj).code,  # a holder-less document (core.documents)
}
# The holder-less document kind of each console model that serves one, and its params key.
DOCUMENT_ABOUT = {"promotions.round": ("promotion_results", "round")}


def _document_about(obj):
    kind, key = DOCUMENT_ABOUT[obj._meta.label_lower]
    return Document.objects.create(kind=kind, entity_id=obj.entity_id, params={key: obj.pk})


# Console pages that only show an object: its subject may read them. The grievance's "change"
# page is its read-only detail page (each step has its own URL, tested as acting).
READ_ONLY = re.compile(
    r"(_history|_attachment|^hr:view_on_site|^hr:grievances_grievance_change)$|^$"
)

# Acting on one's own correction request from the review page is issue 14 item 7 (the shared
# workflow, another branch): strict, so this fails loudly once that lands and must be removed.
KNOWN_GAPS: dict[str, str] = {}  # route name -> the issue that will close it (strict xfail)


def console_model(route: Route):
    match = re.match(r"^(hr|admin)/(\w+)/(\w+)/", route.route)
    if match is None:
        return None
    try:
        return apps.get_model(match.group(2), match.group(3))
    except LookupError:
        return None


def make_for(model, entity, subject):
    label = model._meta.label_lower
    if label in ABOUT_A_PERSON:
        return ABOUT_A_PERSON[label](entity, subject)
    return OF_AN_ENTITY[label](entity)


def console_kwargs(route: Route, obj) -> dict:
    values = {}
    for kwarg in route.kwargs:
        if kwarg in ("object_id", "pk"):
            values[kwarg] = obj.pk
        elif kwarg == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[kwarg] = ContentType.objects.get_for_model(obj).pk
        elif kwarg in PLAIN_KWARGS:
            values[kwarg] = PLAIN_KWARGS[kwarg]
        else:
            values[kwarg] = CHILD_KWARGS[kwarg](obj)
    return values


def hr_routes() -> list[Route]:
    return object_routes("hr/")


def test_every_console_object_url_and_model_has_a_factory():
    known = set(ABOUT_A_PERSON) | set(OF_AN_ENTITY)
    models = {model._meta.label_lower for model in hr_site._registry}
    assert not models - known, (
        f"models on the HR console without a factory in ABOUT_A_PERSON/OF_AN_ENTITY: "
        f"{sorted(models - known)}"
    )
    unknown = []
    for route in hr_routes():
        if route.name == "hr:view_on_site":
            continue
        if console_model(route) is None:
            unknown.append(route.route)
        for kwarg in set(route.kwargs) - {"object_id", "pk", *PLAIN_KWARGS}:
            if kwarg not in CHILD_KWARGS:
                unknown.append(f"{route.route} ({kwarg})")
    assert not unknown, f"console URLs this test cannot fill (register them): {unknown}"


@pytest.fixture
def two_entities_hr(client):
    ours, theirs = EntityFactory(), EntityFactory()
    specialist = make_hr_specialist(ours)
    EmployeeFactory(entity=ours, user=specialist)
    return ours, theirs, specialist


def test_hr_of_another_entity_learns_nothing_and_changes_nothing(quiet, two_entities_hr):
    ours, theirs, specialist = two_entities_hr
    sign_in_verified(quiet, specialist)
    failures = []
    for route in hr_routes():
        if route.name == "hr:view_on_site":
            continue
        model = console_model(route)
        obj = make_for(model, theirs, EmployeeFactory(entity=theirs))
        path = route.path(console_kwargs(route, obj))
        for method in (quiet.get, quiet.post):
            response = method(path, follow=True)
            status = response.status_code
            # 404, 403, or the console's "does not exist" redirect to its index (an old-style
            # object URL first redirects to its change page, which answers the same).
            hidden = status in (403, 404) or (
                response.redirect_chain and response.request["PATH_INFO"] == "/hr/"
            )
            if not hidden:
                failures.append(f"{method.__name__} {path}: {status} {response.redirect_chain}")
        assert model.objects.filter(pk=obj.pk).exists()
    assert not failures, "\n".join(failures)


def _acting_routes():
    cases = []
    for route in hr_routes():
        if READ_ONLY.search(route.name):
            continue
        model = console_model(route)
        if model is None or model._meta.label_lower not in ABOUT_A_PERSON:
            continue
        marks = []
        if route.name in KNOWN_GAPS:
            marks = [pytest.mark.xfail(reason=KNOWN_GAPS[route.name], strict=True)]
        cases.append(pytest.param(route, id=route.name or route.route, marks=marks))
    return cases


@pytest.mark.parametrize("route", _acting_routes())
def test_the_subject_of_a_console_object_cannot_act_on_it(quiet, two_entities_hr, route):
    ours, _theirs, specialist = two_entities_hr
    sign_in_verified(quiet, specialist)
    obj = make_for(console_model(route), ours, specialist.employee)
    path = route.path(console_kwargs(route, obj))
    before = model_state(obj)
    data = {"decision": "approve", "note": "self-approved", "rank": 15, "post": "yes"}
    response = quiet.post(path, data)
    assert response.status_code in (403, 404), f"POST {path}: {response.status_code}"
    assert model_state(obj) == before


def model_state(obj):
    fresh = type(obj).objects.filter(pk=obj.pk).values().first()
    return fresh


def test_visitors_and_employees_reach_no_console_object_page(quiet):
    """/admin/: only ministry staff (not HR, not employees, not visitors); /hr/: only HR."""
    entity = EntityFactory()
    specialist = make_hr_specialist(entity)
    employee = portal_person()
    failures = []
    cases = [
        (object_routes("admin/"), (None, employee, specialist)),
        (object_routes("hr/"), (None, employee)),
    ]
    for console_routes, people in cases:
        assert console_routes
        for person in people:
            quiet.logout()
            if person is not None:
                sign_in_verified(quiet, person)
            failures += refused(quiet, console_routes, person)
    assert not failures, "\n".join(failures[:50])


def refused(quiet, console_routes, person) -> list[str]:
    failures = []
    for route in console_routes:
        path = route.path(dict.fromkeys(route.kwargs, "1"))
        response = quiet.get(path)
        if not (
            response.status_code in (403, 404)
            or (response.status_code == 302 and "login" in response["Location"])
        ):
            failures.append(f"{person} GET {path}: {response.status_code}")
    return failures


def test_the_walk_sees_the_known_services():
    """A guard on the walker itself: it must find the URLs we know exist."""
    names = {route.name for route in routes()}
    assert {"grievances:detail", "employment_records:statement"} <= names
    assert any(route.route.startswith("hr/grievances/grievance/") for route in hr_routes())
    assert len(admin.site._registry) > 10
