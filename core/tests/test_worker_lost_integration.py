"""A worker process killed mid-render (SIGKILL, as the kernel's OOM killer does) loses nothing:
with acks_late and task_reject_on_worker_lost the message goes back to the queue at once and
the document is issued once, within seconds, not 13.5 minutes later after the beat re-queue.

A real `celery worker` with a prefork pool on Redis and the PostgreSQL test database; the test
kills the pool's child while it renders, and the parent stays up to requeue and retry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.core.files.storage import default_storage

from core import documents
from core.models import Document
from employment_records.tests.factories import ActionFactory, EmployeeFactory
from tests.fixtures.services import (
    CELERY_QUEUES,
    PROJECT_ROOT,
    CeleryWorker,
    _purge_queues,
    _stop,
    _wait_until_ready,
    database_url_for_worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


@pytest.fixture
def prefork_worker(redis_url, transactional_db, tmp_path, settings):
    """Like tests.fixtures.services.celery_worker_process, with a prefork pool of one child,
    so that killing the child leaves a parent that notices and requeues."""
    from django.db import connections

    from masar.celery import app

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="masar.settings",
        DATABASE_URL=database_url_for_worker(connections["default"].settings_dict),
        REDIS_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
    )
    _purge_queues(app, CELERY_QUEUES)
    nodename = f"masar-lost-{uuid.uuid4().hex[:8]}@pytest"
    log_path = tmp_path / "celery-worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "masar", "worker", "-Q", ",".join(CELERY_QUEUES),
        "--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "-l", "INFO", "-n", nodename,
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = CeleryWorker(process=process, nodename=nodename, log_path=log_path, app=app, env=env)
    previous_eager = app.conf.task_always_eager
    try:
        _wait_until_ready(worker)
        app.conf.task_always_eager = False
        yield worker
    finally:
        app.conf.task_always_eager = previous_eager
        _stop(process)


def test_a_render_killed_midway_is_requeued_and_issued_once(prefork_worker):
    holder = EmployeeFactory()
    ActionFactory.create_batch(60, employee=holder)  # a longer render: a wider window to kill
    document = documents.request_document(
        kind="service_statement", holder=holder, requested_by=None
    )  # autocommit: published on commit

    # The child has taken the task and is rendering (weasyprint's first import alone takes
    # most of a second): kill it as the OOM killer would.
    prefork_worker.wait_until(
        lambda: "render_document" in prefork_worker.log() and "received" in prefork_worker.log(),
        timeout=30,
        interval=0.01,
    )
    victims = children_of(prefork_worker.process.pid)
    assert victims, "the worker has no pool process"
    assert Document.objects.get(pk=document.pk).status == Document.Status.PENDING
    killed_at = time.monotonic()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)

    done = prefork_worker.wait_until(
        lambda: Document.objects.filter(pk=document.pk, status=Document.Status.READY).first(),
        timeout=60,
    )
    assert time.monotonic() - killed_at < 60  # seconds, not the beat's minutes
    log = prefork_worker.log()
    assert "WorkerLostError" in log or "signal 9" in log, log
    assert log.count("succeeded") == 1, log  # rendered once, not twice
    stored = [
        name
        for name in default_storage.listdir("documents")[1]
        if name.startswith("service-statement")
    ]
    assert stored.count(done.file_name.rsplit("/", 1)[-1]) == 1
    assert default_storage.exists(done.file_name)
