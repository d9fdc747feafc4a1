from __future__ import annotations

from fpga_image_service.services.page_cache import PageCache


def test_a_page_is_served_only_at_the_version_it_was_rendered_at() -> None:
    cache = PageCache()
    cache.put(("p", 1, 100), 7, b"page at 7")
    assert cache.get(("p", 1, 100), 7) == b"page at 7"
    assert cache.get(("p", 1, 100), 8) is None
    assert cache.get(("p", 2, 100), 7) is None
    assert cache.get(("q", 1, 100), 7) is None


def test_a_later_version_replaces_the_page_and_an_earlier_one_does_not() -> None:
    cache = PageCache()
    cache.put(("p", 1, 10), 5, b"five")
    cache.put(("p", 1, 10), 6, b"six")
    cache.put(("p", 1, 10), 5, b"five again")  # a slow request of an older read
    assert cache.get(("p", 1, 10), 6) == b"six"
    assert cache.get(("p", 1, 10), 5) is None


def test_the_least_recently_used_page_goes_first() -> None:
    cache = PageCache(max_pages=2)
    cache.put(("p", 1, 10), 1, b"one")
    cache.put(("p", 2, 10), 1, b"two")
    assert cache.get(("p", 1, 10), 1) == b"one"  # now the most recent
    cache.put(("p", 3, 10), 1, b"three")
    assert len(cache) == 2
    assert cache.get(("p", 2, 10), 1) is None
    assert cache.get(("p", 1, 10), 1) == b"one"
    assert cache.get(("p", 3, 10), 1) == b"three"


def test_pages_over_the_size_limit_are_not_kept() -> None:
    cache = PageCache(max_page_bytes=4)
    cache.put(("p", 1, 10), 1, b"12345")
    assert cache.get(("p", 1, 10), 1) is None
    assert len(cache) == 0


def test_the_bytes_kept_stay_under_the_limit() -> None:
    cache = PageCache(max_bytes=10)
    cache.put(("p", 1, 10), 1, b"1234")
    cache.put(("p", 2, 10), 1, b"5678")
    cache.put(("p", 1, 10), 2, b"abcd")  # replaces, does not add
    assert cache.size_bytes == 8 and len(cache) == 2
    cache.put(("p", 3, 10), 1, b"wxyz")  # over 10: the oldest goes
    assert cache.size_bytes == 8
    assert cache.get(("p", 2, 10), 1) is None
    assert cache.get(("p", 1, 10), 2) == b"abcd"
    assert cache.get(("p", 3, 10), 1) == b"wxyz"
