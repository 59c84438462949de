"""gunicorn settings for `web` (the Dockerfile CMD and docker-compose: `-c gunicorn.conf.py`).

Sizing formula (issue 16), from the cores gunicorn can use:

    workers = WEB_CONCURRENCY or min(2 * cores + 1, 12)
    threads = GUNICORN_THREADS or 4          (worker class gthread)

A request spends much of its time waiting on PostgreSQL and Redis, so each process serves a
few threads while one waits (the GIL is released during I/O); 2 x cores + 1 processes keep
every core busy when some are in garbage collection or waiting. The cap of 12 bounds memory
(about 120 MB per worker) and database connections: workers x threads must stay below
PostgreSQL's max_connections minus the Celery workers' share (DB_CONN_MAX_AGE keeps one
connection per thread). Slow clients are absorbed by nginx (docker-compose `proxy`), which
buffers request bodies and responses, so a thread is never held by a slow network.
"""

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * cores + 1, 12))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# A worker is recycled after this many requests (bounded memory growth), staggered by jitter.
# Not sooner: a worker's memory stays flat under load (about 100 MB; bench/load.py), while a
# new one spends about 350 ms warming up the main pages (templates, prepared queries, a new
# database connection); at 2,000, workers serving 1,000 requests a second restarted every
# few seconds.
max_requests = 20000
max_requests_jitter = 2000
timeout = 60
graceful_timeout = 30
keepalive = 5  # behind nginx, which keeps connections to us open
accesslog = "-"
# Load the app before forking: workers share its memory pages copy-on-write.
preload_app = True
