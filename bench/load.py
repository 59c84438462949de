"""200 signed-in employees clicking through their pages for 60 s (issue 16): locust, headless.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_throughput
    export REDIS_URL=redis://127.0.0.1:6379/4
    .venv/bin/python bench/load.py [--migrate] [--users 200] [--seconds 60] [--wait 1 3]

Prepares, then serves, then loads, then prints:

1. Seeds the demo personas (`seed_demo`) and, while fewer than `--users` benchmark employees
   (Saudi, in service, holding the six services) exist, adds them with `seed_scale --grants`.
   Each of the first `--users` of them (distinct people, in national-ID order, so the same
   people every run) gets an account, a grievance and a session made directly in the session
   store, as after password and SMS code (the SMS form is not what is measured).
2. Starts gunicorn with gunicorn.conf.py on 127.0.0.1:8114 (as docker-compose's `web`) and
   nginx with deploy/nginx.conf on 127.0.0.1:8104 in front (as docker-compose's `proxy`;
   `--no-proxy` to go straight to gunicorn), on the same PostgreSQL and Redis, and warms
   the workers up with a few hundred sequential requests (not counted).
3. Runs locust headless (bench/locustfile.py) against loopback only, for `--seconds`: each
   simulated employee uses their own session and, pausing `--wait` seconds (1-3) between
   clicks, opens the dashboard, my data, the record, their grievances and a grievance, and the
   promotions, Bayan, job audit and CV pages.
4. Prints p50, p95 and p99, the error rate, requests per second (all requests and per page),
   and the gunicorn workers' resident memory (sampled every second; peak and at the end).

Goal: 200 employees pausing 1-3 s get p95 < 300 ms with no errors.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")
os.environ.setdefault("DEBUG", "off")

from bench import serving  # noqa: E402

SCALE_PREFIX = "19"  # seed_scale's Saudi national IDs (demo_data.scale_national_id)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="distinct signed-in employees")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts")
    parser.add_argument("--spawn-rate", type=float, default=50, help="employees started a second")
    parser.add_argument("--wait", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--port", type=int, default=8114, help="gunicorn's loopback port")
    parser.add_argument("--proxy-port", type=int, default=8104, help="nginx's loopback port")
    parser.add_argument("--no-proxy", action="store_true", help="locust straight to gunicorn")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: gunicorn.conf.py)")
    parser.add_argument("--migrate", action="store_true", help="apply migrations first")
    return parser.parse_args()


# --- preparation (Django, in this process; locust runs in its own) ----------------------------


def ensure_grievance(user) -> str | None:
    """The number of one of the person's grievances, filed through the service if none."""
    from django.utils import timezone

    from grievances.models import Category, Grievance
    from grievances.services import GrievanceInput, submit_grievance

    existing = Grievance.objects.filter(employee__user=user).order_by("-id").first()
    if existing is not None:
        return existing.number
    employee = getattr(user, "employee", None)
    if employee is None:
        return None
    today = timezone.localdate()
    grievance, _created = submit_grievance(
        employee=employee,
        data=GrievanceInput(
            category=Category.OTHER,
            decision_number="BENCH-1",
            decision_date=today - dt.timedelta(days=3),
            learned_on=today - dt.timedelta(days=2),
            text="Benchmark grievance (bench/load.py).",
            remedy="None: a benchmark.",
        ),
        attachments=[],
        submission_token=uuid.uuid5(uuid.NAMESPACE_URL, f"masar-bench-{user.username}"),
    )
    return grievance.number


def benchmark_people(count: int) -> list:
    """The first `count` seed_scale employees who may use all six services today."""
    from django.db.models import Count, F, Q
    from django.utils import timezone

    from core.catalogue import SERVICES
    from employment_records.models import Employee, EmployeeStatus

    today = timezone.localdate()
    active = (
        Q(service_grants__revoked_at__isnull=True)
        & Q(service_grants__valid_from__lte=today)
        & (Q(service_grants__valid_until__isnull=True) | Q(service_grants__valid_until__gte=today))
        & Q(service_grants__entity_id=F("entity_id"))
    )
    return list(
        Employee.objects.filter(national_id__startswith=SCALE_PREFIX, status=EmployeeStatus.ACTIVE)
        .annotate(services=Count("service_grants__service", filter=active, distinct=True))
        .filter(services=len(SERVICES))
        .order_by("national_id")[:count]
    )


def prepare(args) -> list[dict]:
    """[{national_id, session, grievance}] for `args.users` distinct employees."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from accounts.models import User
    from employment_records.models import Employee

    if args.migrate:
        call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    people = benchmark_people(args.users)
    if len(people) < args.users:
        # About three in four seeded employees qualify (Saudi, in service, granted).
        call_command("seed_scale", employees=max(1000, 2 * args.users), grants=True, verbosity=0)
        people = benchmark_people(args.users)
    if len(people) < args.users:
        raise SystemExit(f"Only {len(people)} benchmark employees qualify; run seed_scale.")
    without = [p for p in people if p.user_id is None]
    with transaction.atomic():
        for person in without:
            user = User(
                username=person.national_id,
                first_name=person.first_name_ar,
                last_name=person.family_name_ar,
            )
            user.set_unusable_password()
            user.save()
            Employee.objects.filter(pk=person.pk).update(user=user)
    ids = [p.national_id for p in people]
    sessions = serving.prepare_sessions(ids)
    rows = []
    for user in User.objects.filter(username__in=ids).select_related("employee"):
        rows.append(
            {
                "national_id": user.username,
                "session": sessions[user.username],
                "grievance": ensure_grievance(user),
            }
        )
    connections.close_all()
    return sorted(rows, key=lambda row: row["national_id"])


# --- the run -----------------------------------------------------------------------------------


class MemorySampler(threading.Thread):
    """The workers' resident memory every second while the load runs."""

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peak_total = 0.0
        self.peak_worker = 0.0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(1.0):
            sizes = serving.worker_memory_mb(self.master_pid)
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_worker = max(self.peak_worker, max(sizes))


WARM_PAGES = [
    "/",
    "/my-data/",
    "/my-data/record/",
    "/grievances/mine/",
    "/promotions/",
    "/bayan/",
    "/job-audit/",
    "/cv/",
]


def warm_up(host: str, people: list[dict], rounds: int = 30) -> None:
    """Every worker's first requests load templates, translations and a database connection:
    a few sequential clicks per page before the clock starts, so the figures are of a
    running service, not of its start."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(host)
    for index in range(rounds):
        person = people[index % len(people)]
        headers = {"Cookie": f"sessionid={person['session']}"}
        for path in [*WARM_PAGES, f"/grievances/{person['grievance']}/"]:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            connection.request("GET", path, headers=headers)
            connection.getresponse().read()
            connection.close()


def run_locust(args, host: str, people_file: Path, csv_prefix: Path) -> int:
    locust = Path(sys.executable).parent / "locust"
    if not locust.exists():
        raise SystemExit("locust is missing: pip install -r requirements-dev.txt into .venv")
    env = dict(os.environ)
    env.update(
        MASAR_BENCH_PEOPLE=str(people_file),
        MASAR_BENCH_WAIT=f"{args.wait[0]},{args.wait[1]}",
    )
    command = [
        str(locust),
        "-f",
        str(Path(__file__).resolve().parent / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    # Bounded: locust stops itself after --run-time; this is the last resort.
    return subprocess.run(  # noqa: S603
        command, env=env, timeout=args.seconds + 120, check=False
    ).returncode


def report(csv_prefix: Path, args, sampler: MemorySampler, memory_end: list[float]) -> None:
    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    print(
        f"\nLoad: {args.users} signed-in employees (distinct), pausing {args.wait[0]:g}-"
        f"{args.wait[1]:g} s, {args.seconds} s; gunicorn.conf.py ({len(memory_end)} workers)"
        f"{'' if args.no_proxy else ' behind nginx'}; PostgreSQL + Redis; cores: {os.cpu_count()}"
    )
    print(f"  {'page':<22} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'rps':>6}")
    for row in [*[r for r in rows if r["Name"] != "Aggregated"], total]:
        print(
            f"  {row['Name'][:22]:<22} {int(row['Request Count']):8d} "
            f"{int(row['Failure Count']):5d} {row['50%']:>4}ms {row['95%']:>4}ms "
            f"{row['99%']:>4}ms {float(row['Requests/s']):6.1f}"
        )
    rate = failures / requests if requests else 0.0
    p95 = float(total["95%"])
    print(
        f"  all: p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms; "
        f"{float(total['Requests/s']):.1f} requests/s; errors {failures}/{requests} ({rate:.2%})"
    )
    print(
        f"  workers' resident memory: peak {sampler.peak_worker:.0f} MB per worker, "
        f"{sampler.peak_total:.0f} MB all workers; at the end "
        f"{', '.join(f'{m:.0f}' for m in memory_end)} MB"
    )
    verdict = "met" if p95 < 300 and failures == 0 else "NOT met"
    print(f"  goal (p95 < 300 ms, no errors): {verdict}; load average {os.getloadavg()[0]:.1f}")


def main() -> int:
    args = parse_args()
    problem = serving.require_services()
    if problem:
        print(problem)
        return 2
    use_proxy = not args.no_proxy
    if use_proxy and not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("nginx is missing (apt-get install -y nginx-light); or pass --no-proxy")
        return 2
    started = time.perf_counter()
    people = prepare(args)
    elapsed = time.perf_counter() - started
    print(f"Prepared {len(people)} employees with sessions in {elapsed:.0f} s")
    workdir = Path(tempfile.mkdtemp(prefix="masar-load-"))
    people_file = workdir / "people.json"
    people_file.write_text(json.dumps(people))
    log = workdir / "gunicorn.log"
    try:
        with serving.gunicorn(
            args.port, log_path=log, workers=args.workers, threads=args.threads
        ) as master:
            host = f"http://127.0.0.1:{args.port}"
            proxy = None
            if use_proxy:
                proxy = serving.nginx(args.proxy_port, args.port)
                proxy.__enter__()
                host = f"http://127.0.0.1:{args.proxy_port}"
            warm_up(host, people)
            sampler = MemorySampler(master)
            sampler.start()
            try:
                run_locust(args, host, people_file, workdir / "locust")
            finally:
                sampler.stopped.set()
                if proxy:
                    proxy.__exit__(None, None, None)
            memory_end = serving.worker_memory_mb(master)
        report(workdir / "locust", args, sampler, memory_end)
    finally:
        people_file.unlink(missing_ok=True)  # session keys: nothing to keep
    print(f"  files: {workdir} (locust CSV, gunicorn log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
