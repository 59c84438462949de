"""How long a migration stops the service (issue 16): reads and writes while it runs.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_scalebench   # with data
    .venv/bin/python bench/migration_locks.py employment_records 0017 0019

Unapplies the app's migrations back to FROM (the state before), then applies them up to TO in
a `manage.py migrate` process while a second connection, every 50 ms, reads one employee's
evaluations and inserts a qualification the way the release before the change does (naming no
entity), rolled back. Prints the migration's time, the worst read and write waits, the waits
over 200 ms and every error the writes met. Defaults fit employment_records 0018 (the records'
copied entity); `--read` and `--write` take other SQL (one %s: an employee id).

Needs PostgreSQL: locks are what is measured. Run it on a throwaway database that `bench/scale.py`
filled (at 1,000,000 employees 0018 took 136 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = "SELECT count(*) FROM employment_records_performanceevaluation WHERE employee_id = %s"
WRITE = (
    "INSERT INTO employment_records_qualification "
    "(employee_id, level, major, institution, graduation_date) "
    "VALUES (%s, 'bachelor', 'Law', 'KSU', '2010-06-01')"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app")
    parser.add_argument("before", help="the migration to go back to first")
    parser.add_argument("after", help="the migration to apply up to, while probing")
    parser.add_argument("--read", default=READ)
    parser.add_argument("--write", default=WRITE)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between probes")
    return parser.parse_args()


def migrate(app: str, target: str) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", app, target, "--verbosity", "1"],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started


class Probe(threading.Thread):
    """Reads and writes on its own connection until stopped; keeps the waits."""

    def __init__(self, dsn: str, args):
        super().__init__(daemon=True)
        self.dsn, self.args = dsn, args
        self.stopped = threading.Event()
        self.worst = {"read": 0.0, "write": 0.0}
        self.slow: list[tuple[str, str, str]] = []
        self.rounds = 0

    def run(self):
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as connection:
            employee = connection.execute(
                "SELECT id FROM employment_records_employee ORDER BY id DESC LIMIT 1"
            ).fetchone()[0]
            while not self.stopped.is_set():
                self._time(connection, "read", lambda c: c.execute(self.args.read, [employee]))
                self._time(connection, "write", lambda c: self._rolled_back(c, employee))
                self.rounds += 1
                time.sleep(self.args.interval)

    def _rolled_back(self, connection, employee):
        import psycopg

        with connection.transaction():
            connection.execute(self.args.write, [employee])
            raise psycopg.Rollback()

    def _time(self, connection, kind, call):
        started = time.perf_counter()
        try:
            call(connection)
        except Exception as error:  # noqa: BLE001 - every error is a finding here
            self.slow.append((time.strftime("%X"), kind, type(error).__name__))
        waited = (time.perf_counter() - started) * 1000
        self.worst[kind] = max(self.worst[kind], waited)
        if waited > 200:
            self.slow.append((time.strftime("%X"), kind, f"{waited:,.0f} ms"))


def main() -> int:
    args = parse_args()
    dsn = os.environ.get("DATABASE_URL", "")
    if not dsn.startswith("postgres"):
        print("bench/migration_locks.py needs PostgreSQL: set DATABASE_URL to a filled database.")
        return 2
    dsn = dsn.replace("postgres://", "postgresql://", 1)
    print(f"back to {args.app} {args.before} ...", flush=True)
    migrate(args.app, args.before)
    probe = Probe(dsn, args)
    probe.start()
    time.sleep(1)
    seconds = migrate(args.app, args.after)
    time.sleep(1)
    probe.stopped.set()
    probe.join()
    print(
        f"{args.app} {args.before} -> {args.after}: {seconds:.1f} s; {probe.rounds} probes; "
        f"worst read {probe.worst['read']:,.0f} ms, worst write {probe.worst['write']:,.0f} ms"
    )
    errors = [entry for entry in probe.slow if not entry[2].endswith(" ms")]
    for when, kind, what in probe.slow[:20]:
        print(f"  {when} {kind}: {what}")
    if len(probe.slow) > 20:
        print(f"  ... {len(probe.slow) - 20} more ({len(errors)} errors in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
