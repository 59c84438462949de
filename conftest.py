"""Project-wide test setup: fast password hashing, the embedded defaults, shared fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # PBKDF2 costs ~0.8 s per check on these machines; tests are about behaviour, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # With REDIS_URL set the cache is shared: rate-limit counters must not leak between tests.
    from django.core.cache import cache

    cache.clear()
    # The consoles keep each user's sidebar a minute in the process; a test's users reuse the
    # primary keys of the last test's (rolled back), so each test starts without them.
    from core.console_lists import app_list_cache

    app_list_cache.clear()
    # Eager tasks run in several threads at once (the concurrency tests) race on Celery's
    # process-wide "inside a task" flag (`denied_join_result` saves and restores a global) and
    # can leave it set; every later `.apply().get()` in this process would then raise.
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql():
    """Tests on a real transaction (transactional_db, live_server, the integration tests)
    empty every table afterwards. PostgreSQL's TRUNCATE recreates each table's files and waits
    for every other connection to let go of it: about half a second for the project's 74
    tables on these machines, against a few tens of milliseconds for DELETE on a test's rows.
    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED and the flush runs in one
    transaction, so the order of the DELETEs does not matter. Tests only: `manage.py flush`
    keeps TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture
def employee(db):
    from employment_records.tests.factories import EmployeeFactory

    return EmployeeFactory()


@pytest.fixture
def employee_user(db):
    """A signed-up Saudi employee in service with grants on every service."""
    from accounts.tests.factories import UserFactory, grant_all

    user = UserFactory(with_employee=True)
    grant_all(user.employee)
    return user


@pytest.fixture
def compiled_sql(monkeypatch) -> list[str]:
    """Every SQL string Django builds from a queryset from now on (clear it after warming up):
    a page whose queries are prepared (core.prepared) builds none."""
    from django.db.models.sql.compiler import SQLCompiler

    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled
