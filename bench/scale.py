"""National scale (issue 16): console and employee pages at N employees, beside a minimal view
and Django admin's default changelist on the same tables.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_scalebench
    .venv/bin/python bench/scale.py --employees 100000 [--migrate] [--runs 11]

Needs PostgreSQL (the planner's estimates and the trigram index are what is measured); says so
and stops on anything else. Seeds the demo personas (`seed_demo`) and, when the database holds
fewer employees than `--employees` (default 1,000,000), adds the rest with `seed_scale`; then
fills the grievance queue to 30,000, the audit log and the notification outbox to 2,000,000
rows each and the issued documents to 1,000,000 (`demo.scale_queues`), which `seed_scale`
leaves to the demo's handful. It also adds a smaller entity, "SMALL", with 20,000 employees (2%
of them) and an HR specialist of it, whose lists are measured too: a list that reaches its
entity through a join is fast for an entity with a third of the rows and slow for this one.

Every page is requested through Django's test client (the view, the middleware, the templates
and the database; no network), first once to warm up, then `--runs` times. For each it prints
the server time (median and p95), the query count, the time spent in SQL (median, as the
database driver saw it) and the ratio of its median to the median of a minimal view
(`/healthz`, signed in, same client) measured in the same run. Then, for the large console
tables, Django admin's default changelist (a plain `ModelAdmin`: two exact counts, OFFSET
pages, DISTINCT filters) on the same table and page, beside ours.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")
os.environ.setdefault("DEBUG", "off")

EMPLOYEE = "1012345672"
HR = "1034567899"
MINISTRY = "1045678909"  # seed_demo's ministry staff persona

EMPLOYEE_PAGES = ["/", "/my-data/", "/my-data/record/", "/grievances/mine/"]
HR_PAGES = [
    "/hr/",  # the console's home: every queue's counts and the specialist's recent actions
    "/hr/employment_records/employee/",
    "DEEP:/hr/employment_records/employee/",
    "/hr/employment_records/employee/?q={national_id}",
    "/hr/employment_records/employee/?q={family_ar}",
    "/hr/employment_records/employee/?q={two_words}",
    "/hr/employment_records/employmentaction/",
    "DEEP:/hr/employment_records/employmentaction/",
    "/hr/employment_records/employmentaction/?q={national_id}",
    "/hr/employment_records/employmentaction/?q={decision_number}",
    "/hr/grievances/grievance/",
    "/hr/employment_records/correctionrequest/",
    "/hr/employment_records/correctionrequest/?q={national_id}",
    "/hr/core/auditevent/",
    "/hr/core/auditevent/?q={hr_id}",  # a specialist's own actions (100,000 of them)
    "/hr/core/document/",
    "/hr/core/document/?q={national_id}",
    # The services that landed after the issue was written.
    "/hr/promotions/round/",
    "/hr/bayan/statement/",
    "/hr/job_audit/inventoryposition/",
    "/hr/job_audit/finding/",
    "/hr/job_audit/variablerequest/",
    "/hr/job_audit/auditrun/",
]
# The same HR lists for an entity with 2% of the ministry's employees: a list that reaches its
# entity through a join pays for every entity's rows (the records' lists did, before 0018).
SMALL_ENTITY = "SMALL"
SMALL_EMPLOYEES = 20_000
SMALL_HR_PAGES = [
    "/hr/",
    "/hr/employment_records/employee/",
    "/hr/employment_records/employmentaction/",
    "/hr/employment_records/performanceevaluation/",
    "/hr/employment_records/qualification/",
    "/hr/employment_records/trainingdecision/",
    "/hr/employment_records/scholarshipdecision/",
    "/hr/employment_records/volunteeringentry/",
    "/hr/employment_records/correctionrequest/",
    "/hr/grievances/grievance/",
    "/hr/core/auditevent/",
    "/hr/core/document/",
    "/hr/promotions/round/",
    "/hr/bayan/statement/",
    "/hr/job_audit/inventoryposition/",
    "/hr/job_audit/finding/",
]
ADMIN_PAGES = [
    "/admin/",  # the ministry's queues
    "/admin/employment_records/employee/",
    "DEEP:/admin/employment_records/employee/",
    "/admin/employment_records/employee/?q={national_id}",
    "/admin/employment_records/position/",
    "/admin/employment_records/employmentaction/",
    "/admin/employment_records/performanceevaluation/",
    "/admin/employment_records/qualification/",
    "/admin/employment_records/trainingdecision/",
    "/admin/promotions/round/",
    "/admin/bayan/statement/",
    "/admin/bayan/delivery/",
    "/admin/job_audit/finding/",
    "/admin/grievances/grievance/",
    "/admin/grievances/grievance/?q={national_id}",
    "/admin/core/auditevent/",
    "/admin/core/auditevent/?q={hr_id}",
    "/admin/core/notification/",
    "/admin/core/document/",
    "/admin/core/document/?q={document_code}",
    "/admin/job_audit/variablerequest/",
]
# Django's default changelist beside ours: (label, model, our URL).
DEFAULT_ADMIN = [
    ("employees", "employment_records.Employee", "/admin/employment_records/employee/"),
    (
        "actions",
        "employment_records.EmploymentAction",
        "/admin/employment_records/employmentaction/",
    ),
    (
        "qualifications",
        "employment_records.Qualification",
        "/admin/employment_records/qualification/",
    ),
]
QUEUE_GRIEVANCES = 30_000  # issue 16's grievance queue
CORRECTIONS = 200_000  # two years of requests to correct a name or a record entry
AUDIT_EVENTS = 2_000_000
NOTIFICATIONS = 2_000_000
DOCUMENTS = 1_000_000
DEEP_PAGES = 1000  # "page 1000": followed through next links is too slow; seek from a row there


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=1_000_000, help="at least this many")
    parser.add_argument("--runs", type=int, default=11, help="timed requests per page")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    return parser.parse_args()


def prepare(args) -> str:
    """Seeds what is missing; returns the username of the small entity's HR specialist."""
    from django.core.management import call_command

    from employment_records.models import Employee

    if args.migrate:
        call_command("migrate", verbosity=0)
    if not Employee.objects.filter(national_id=HR).exists():
        call_command("seed_demo")
    missing = args.employees - Employee.objects.count()
    if missing > 0:
        print(f"seeding {missing:,} employees with seed_scale ...", flush=True)
        call_command("seed_scale", employees=missing)
    small_hr = small_entity_specialist()
    add_queue_rows()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return small_hr


def small_entity_specialist() -> str:
    """An entity with SMALL_EMPLOYEES employees (seed_scale) and an HR specialist of it: the
    specialist's username."""
    from django.core.management import call_command

    from accounts.models import HRProfile
    from accounts.tests.factories import grant_all, make_hr_specialist
    from employment_records.models import Employee, GovernmentEntity, OrganisationalUnit
    from employment_records.tests.factories import national_id_from

    entity, _created = GovernmentEntity.objects.get_or_create(
        code=SMALL_ENTITY, defaults={"name_ar": "هيئة صغيرة", "name_en": "A small authority"}
    )
    OrganisationalUnit.objects.get_or_create(
        entity=entity, code=f"{SMALL_ENTITY}-HQ", defaults={"name_ar": "الإدارة", "name_en": "HQ"}
    )
    missing = SMALL_EMPLOYEES - Employee.objects.filter(entity=entity).count()
    if missing > 0:
        print(f"seeding {missing:,} employees of {SMALL_ENTITY} with seed_scale ...", flush=True)
        call_command("seed_scale", employees=missing, entity=SMALL_ENTITY, verbosity=0)
    profile = HRProfile.objects.filter(entity=entity).select_related("user").first()
    if profile:
        return profile.user.username
    # With an employee record of the entity and every grant, as the HR persona: the Bayan and
    # job-audit consoles open only to specialists granted those services.
    user = make_hr_specialist(
        entity,
        with_employee=True,
        username=national_id_from(77_000_001),  # a range seed_demo and seed_scale never use
        mobile="+966557700001",
        email="small-hr@example.sa",
    )
    user.employee.entity = entity
    user.employee.save()
    grant_all(user.employee)
    return user.username


def add_queue_rows() -> None:
    """The grievance queue at issue 16's 30,000, and the audit log, the notification outbox
    and the issued documents at a year or two of a ministry's, when the database holds fewer."""
    from core.models import AuditEvent, Document, Notification
    from demo import scale_queues
    from employment_records.models import CorrectionRequest
    from grievances.models import Grievance

    for model, wanted, add in (
        (Grievance, QUEUE_GRIEVANCES, scale_queues.add_grievances),
        (CorrectionRequest, CORRECTIONS, scale_queues.add_corrections),
        (AuditEvent, AUDIT_EVENTS, scale_queues.add_audit_events),
        (Notification, NOTIFICATIONS, scale_queues.add_notifications),
        (Document, DOCUMENTS, scale_queues.add_documents),
    ):
        missing = wanted - model.objects.count()
        if missing > 0:
            started = time.perf_counter()
            add(missing)
            print(
                f"added {missing:,} rows to {model._meta.label} "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )


def client_for(national_id: str):
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import sign_in_verified

    user = User.objects.get(username=national_id)
    if user.nafath_verified_at is None:
        user.nafath_verified_at = timezone.now()
        user.save(update_fields=["nafath_verified_at"])
    client = Client()
    sign_in_verified(client, user)
    return client


def measure(client, path: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm-up
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    timings, sql = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        sql.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return statistics.median(timings), p95, len(queries), statistics.median(sql)


def deep_url(path: str, queryset) -> str:
    """Our seek URL for "page 1000": the row that ends page 999, as a next link would carry."""
    from core.console_lists import PER_PAGE, _encode, keyset_columns

    per_page = PER_PAGE  # the console lists' page (50 rows; 100 before issue 16's rendering cut)
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    columns = keyset_columns(queryset.model, ordering)
    row = queryset.order_by(*[("-" if d else "") + n for n, d, _f in columns])[
        DEEP_PAGES * per_page - 1 : DEEP_PAGES * per_page
    ].first()
    if row is None:
        return path
    return f"{path}?after={_encode([getattr(row, n) for n, _d, _f in columns])}"


def _time_view(call, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)], len(queries)


def side_by_side(national_id: str, model_label: str, runs: int, page: int):
    """Django's stock ModelAdmin (same columns, filters, search fields) and ours, each view
    called directly on the same request (no middleware): (stock, ours) timings."""
    from django.apps import apps
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory

    from accounts.models import User

    model = apps.get_model(model_label)
    ours = admin.site._registry[model]
    stock = ModelAdmin(model, admin.site)
    # Our columns that are ModelAdmin methods, bound to ours (the stock admin lacks them).
    stock.list_display = [
        getattr(ours, n) if isinstance(n, str) and not hasattr(model, n) else n
        for n in ours.list_display
    ]
    stock.list_filter = [f[0] if isinstance(f, (tuple, list)) else f for f in ours.list_filter]
    stock.search_fields = ours.search_fields
    stock.list_select_related = ours.list_select_related
    user = User.objects.get(username=national_id)
    user.is_verified = lambda: True

    def call(model_admin, query):
        request = RequestFactory().get("/admin/", query)
        request.user = user
        request.session = SessionBase()
        request._messages = _NoMessages()
        response = model_admin.changelist_view(request)
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200:
            raise SystemExit(f"{model_label} {query} answered {response.status_code}")

    results = {"stock": _time_view(lambda: call(stock, {"p": page} if page > 1 else {}), runs)}
    if page == 1:
        results["ours"] = _time_view(lambda: call(ours, {}), runs)
    return results


class _NoMessages:
    def add(self, *args, **kwargs):
        pass

    def __iter__(self):
        return iter(())


def main() -> int:
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "bench/scale.py needs PostgreSQL (planner estimates, pg_trgm): set DATABASE_URL="
            "postgres://postgres@127.0.0.1:5432/<a throwaway database>."
        )
        return 2
    from core.models import Document
    from employment_records.models import Employee, EmploymentAction
    from employment_records.selectors import search_employees

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    small_hr = prepare(args)
    hr_user_entity = Employee.objects.get(national_id=HR).entity_id
    sample = Employee.objects.filter(entity_id=hr_user_entity).order_by("-pk").first()
    words = {
        "national_id": sample.national_id,
        "family_ar": sample.family_name_ar,
        "two_words": f"{sample.first_name_ar} {sample.family_name_ar}",
        "decision_number": EmploymentAction.objects.filter(employee=sample)
        .values_list("decision_number", flat=True)
        .first(),
    }
    words["hr_id"] = HR
    words["document_code"] = (
        Document.objects.order_by("-pk").values_list("code", flat=True).first() or "none"
    )
    in_entity = Employee.objects.filter(entity_id=hr_user_entity)
    print(
        f"HR entity: {in_entity.count():,} employees; {words['family_ar']!r} matches "
        f"{search_employees(in_entity, words['family_ar']).count():,} of them, "
        f"{words['two_words']!r} {search_employees(in_entity, words['two_words']).count():,}; "
        f"decision number {words['decision_number']!r}"
    )
    print(
        f"National scale, server side (PostgreSQL, {Employee.objects.count():,} employees, "
        f"{EmploymentAction.objects.count():,} actions; median and p95 of {args.runs} warm "
        f"requests a page; cores: {os.cpu_count()})"
    )
    clients = {
        "employee": client_for(EMPLOYEE),
        "hr": client_for(HR),
        "admin": client_for(MINISTRY),
        f"hr of {SMALL_ENTITY} ({SMALL_EMPLOYEES:,} employees)": client_for(small_hr),
    }
    floor, _, _, _ = measure(clients["employee"], "/healthz", args.runs)
    print(f"  minimal view /healthz (signed in): median={floor:.1f} ms")
    action_qs = EmploymentAction.objects.all()
    for who, pages in zip(
        clients, (EMPLOYEE_PAGES, HR_PAGES, ADMIN_PAGES, SMALL_HR_PAGES), strict=True
    ):
        client = clients[who]
        print(f"  {who}")
        for template in pages:
            path = template.format(**words)
            label = path
            if path.startswith("DEEP:"):
                path = path[5:]
                if "employmentaction" in path:
                    queryset = action_qs
                    if who == "hr":
                        queryset = queryset.filter(entity_id=hr_user_entity)
                    queryset = queryset.order_by("-effective_date", "-id")
                else:
                    queryset = Employee.objects.all()
                    if who == "hr":
                        queryset = queryset.filter(entity_id=hr_user_entity)
                    queryset = queryset.order_by("national_id")
                path = deep_url(path, queryset)
                label = f"{path.split('?')[0]} (page {DEEP_PAGES}, seek)"
            median, p95, queries, sql = measure(client, path, args.runs)
            print(
                f"    {label[:70]:<70} median={median:7.1f} ms  p95={p95:7.1f} ms  "
                f"queries={queries:3d}  sql={sql:6.1f} ms  x{median / floor:5.1f} of minimal"
            )
    print("  Django admin's default changelist beside ours (ministry admin, view called directly)")
    for label, model_label, _path in DEFAULT_ADMIN:
        for page in (1, DEEP_PAGES):
            for kind, (median, p95, queries) in side_by_side(
                MINISTRY, model_label, args.runs, page
            ).items():
                print(
                    f"    {kind:<5} {label:<15} page {page:<5} median={median:7.1f} ms  "
                    f"p95={p95:7.1f} ms  queries={queries:3d}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
