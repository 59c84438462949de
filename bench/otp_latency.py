"""OTP latency: a code requested (accounts.services.issue_code) -> the SMS gateway receives it.

Real pieces: a Celery worker process on Redis, the `http` SMS backend, a loopback gateway
(core/tests/gateway.py) and PostgreSQL (the worker is another process, so the database
must be shared). Prints p50 / p95 / max; the target is p95 < 1 s. Not a test: nothing asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/masar_accounts \
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/otp_latency.py --count 50
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure_environment(gateway_url: str) -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/masar_accounts")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="masar.settings",
        CELERY_TASK_ALWAYS_EAGER="false",
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=gateway_url,
        SMS_GATEWAY_API_KEY="bench",
        # Fresh rate-limit counters: each run has its own cache namespace.
        CACHE_KEY_PREFIX=f"bench-{uuid.uuid4().hex[:8]}",
        LOG_LEVEL="WARNING",
    )


def start_worker() -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "masar", "worker", "-Q", "sms",
        "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "WARNING", "-n", f"otp-bench-{uuid.uuid4().hex[:6]}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)  # noqa: S603


def wait_for_worker(app, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit("the Celery worker did not answer within 30 s")


def wait_for(predicate, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()

    from core.tests.gateway import LoopbackGateway

    gateway = LoopbackGateway().start()
    configure_environment(gateway.url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import RequestFactory

    from accounts import services
    from accounts.models import PendingVerification
    from masar.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge()
    worker = start_worker()
    latencies = []
    try:
        wait_for_worker(app)
        factory = RequestFactory()
        for index in range(args.count):
            verification = PendingVerification.objects.create(
                purpose=PendingVerification.Purpose.REGISTRATION,
                national_id=f"1{index:09d}",
                mobile=f"+96655{index:07d}",
            )
            request = factory.post("/", REMOTE_ADDR=f"10.0.{index // 250}.{index % 250}")
            before = len(gateway.delivered)
            started = time.time()
            services.issue_code(verification=verification, request=request, language="ar")
            if not wait_for(lambda before=before: len(gateway.delivered) > before):
                print(f"request {index}: no delivery within 10 s")
                continue
            latencies.append(gateway.delivered[-1].at - started)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=15)
        gateway.stop()

    if not latencies:
        raise SystemExit("no code was delivered")
    print(f"OTP latency, code requested -> gateway received ({len(latencies)} codes)")
    print(f"  p50 {statistics.median(latencies) * 1000:7.1f} ms")
    print(f"  p95 {percentile(latencies, 0.95) * 1000:7.1f} ms   (target < 1000 ms)")
    print(f"  max {max(latencies) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
