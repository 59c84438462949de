from django.core.cache import cache

from core.ratelimit import Limit


def test_allows_up_to_the_count_then_refuses():
    cache.clear()
    limit = Limit("test", count=3, seconds=60)
    assert [limit.hit("1012345672") for _ in range(5)] == [True, True, True, False, False]
    assert limit.exceeded("1012345672")
    assert limit.hit("1023456781")  # another key has its own window


def test_reset_opens_the_window_again():
    cache.clear()
    limit = Limit("test-reset", count=1, seconds=60)
    limit.hit("k")
    assert not limit.hit("k")
    limit.reset("k")
    assert limit.hit("k")


def test_keys_are_not_stored_in_clear():
    limit = Limit("test-hash", count=1, seconds=60)
    assert "1012345672" not in limit._key("1012345672")
