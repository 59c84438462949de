"""Shared by bench/throughput.py and bench/load.py: sessions made directly (no SMS form), and
gunicorn (with gunicorn.conf.py, as docker-compose's `web` runs it), optionally behind nginx
(deploy/nginx.conf, as docker-compose's `proxy`), on loopback ports only.

Django is set up only by `prepare_sessions` (the orchestrating process); the servers are
child processes that inherit the environment (DATABASE_URL, REDIS_URL) plus the overrides
below. Every child is stopped by its own pid when the `with` block ends.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def require_services() -> str | None:
    """None when PostgreSQL and Redis are configured, else what is missing."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "Set DATABASE_URL to a throwaway PostgreSQL database (docker-compose runs on one)."
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        return "Set REDIS_URL (sessions and the cache live in Redis, as in docker-compose)."
    return None


def loopback_only(host: str) -> None:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The benchmarks only ever send traffic to loopback addresses.")


def prepare_sessions(national_ids: list[str], *, nafath: bool = True) -> dict[str, str]:
    """{national ID: session key} for people signed in as after password and SMS code (the
    session a real sign-in leaves, second factor included), created directly in the session
    store: the SMS form is not what is measured. Needs django.setup() first."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.tests.factories import sign_in_verified

    users = {u.username: u for u in User.objects.filter(username__in=national_ids)}
    missing = sorted(set(national_ids) - set(users))
    if missing:
        raise SystemExit(f"No account for {', '.join(missing[:5])} ...")
    if nafath:
        User.objects.filter(pk__in=[u.pk for u in users.values()], nafath_verified_at=None).update(
            nafath_verified_at=timezone.now()
        )
    keys = {}
    for national_id in national_ids:
        client = Client()
        sign_in_verified(client, users[national_id])
        keys[national_id] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def server_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="off",
        BENCH_VIEWS="on",
        HTTPS="off",  # no TLS on loopback; production's TLS proxy sits in front of nginx
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CELERY_TASK_ALWAYS_EAGER="off",
        NAFATH_SIMULATOR="off",
        PENSION_SIMULATOR="off",
    )
    env.update(extra)
    return env


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


@contextlib.contextmanager
def gunicorn(port: int, *, log_path: Path, workers: int | None = None, threads: int | None = None):
    """gunicorn -c gunicorn.conf.py on 127.0.0.1:port; yields the master's pid."""
    extra = {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        extra["WEB_CONCURRENCY"] = str(workers)
    if threads:
        extra["GUNICORN_THREADS"] = str(threads)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [str(VENV_BIN / "gunicorn"), "masar.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=server_environment(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def nginx(port: int, upstream_port: int):
    """deploy/nginx.conf (docker-compose's `proxy`) on 127.0.0.1:port in front of gunicorn:
    the same buffering and keep-alive, only the addresses and file paths changed."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is not installed (apt-get install -y nginx-light), or drop --proxy")
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    workdir = Path(tempfile.mkdtemp(prefix="masar-nginx-"))
    workdir.chmod(0o755)  # nginx's workers (user nobody) create their temp files inside
    config = config.replace("server web:8000;", f"server 127.0.0.1:{upstream_port};")
    config = re.sub(r"listen 8080;", f"listen 127.0.0.1:{port};", config)
    config = config.replace("pid /tmp/nginx.pid;", f"pid {workdir}/nginx.pid;")
    config = config.replace("worker_processes auto;", "worker_processes auto;\ndaemon off;")
    config = config.replace(
        "http {",
        "http {\n"
        + "".join(
            f"    {name}_temp_path {workdir}/{name};\n"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
        1,
    )
    (workdir / "nginx.conf").write_text(config)
    process = subprocess.Popen(  # noqa: S603
        [binary, "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-e", str(workdir / "err")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/nginx-health", timeout=15)
        yield process.pid
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def worker_memory_mb(master_pid: int) -> list[float]:
    """Resident memory (RSS, MB) of each gunicorn worker (the master's children)."""
    sizes = []
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    try:
        pids = children.read_text().split()
    except OSError:
        return sizes
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes
