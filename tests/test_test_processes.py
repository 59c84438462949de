"""Test processes (pytest-xdist) never share a Redis database: one's cache.clear() or Celery
worker would empty or take another's."""

import pytest

from tests.fixtures.services import own_redis_databases_per_xdist_process


def test_each_process_takes_its_own_two_databases_and_keeps_the_rest_of_the_url():
    environ = {
        "PYTEST_XDIST_WORKER": "gw1",
        "REDIS_URL": "redis://:secret@127.0.0.1:6379/0",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    own_redis_databases_per_xdist_process(environ)
    assert environ["REDIS_URL"] == "redis://:secret@127.0.0.1:6379/4"
    assert environ["CACHE_URL"] == "redis://127.0.0.1:6379/5"


def test_without_processes_or_redis_nothing_changes():
    one_process = {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    own_redis_databases_per_xdist_process(one_process)
    assert one_process == {"REDIS_URL": "redis://127.0.0.1:6379/0"}

    embedded = {"PYTEST_XDIST_WORKER": "gw0"}
    own_redis_databases_per_xdist_process(embedded)
    assert embedded == {"PYTEST_XDIST_WORKER": "gw0"}


def test_more_processes_than_redis_has_databases_is_refused():
    with pytest.raises(pytest.UsageError):
        own_redis_databases_per_xdist_process(
            {"PYTEST_XDIST_WORKER": "gw7", "REDIS_URL": "redis://127.0.0.1:6379/0"}
        )
