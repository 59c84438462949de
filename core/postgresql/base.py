"""Django's PostgreSQL backend with a health check that costs no round trip (issue 16).

With persistent connections (CONN_MAX_AGE), Django checks a reused connection at the start of
each request (CONN_HEALTH_CHECKS) by running `SELECT 1`: a second query on every signed-in
request. An idle connection has nothing to say, so a socket that is readable while the
connection is idle means the server closed it (a restart, an idle timeout, a terminated
backend) or sent something unasked: either way the connection is dropped and a new one
opened, as after a failed `SELECT 1`. Inside a transaction the check is Django's own.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
