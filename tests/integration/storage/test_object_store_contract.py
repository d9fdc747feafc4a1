"""The object-store contract: every test runs against the local and the S3 store."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator

import pytest

from fpga_image_service.storage import (
    BucketNotFound,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
)

from .conftest import PART_SIZE, StoreCase

MISSING_BUCKET = "no-such-bucket-here"


class Boom(Exception):
    """Raised by a test's chunk iterable in the middle of a write."""


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def failing_after(data: bytes) -> Iterator[bytes]:
    yield from chunked(data, 1 << 20)
    raise Boom("the source broke")


def read_all(store: ObjectStore, bucket: str, key: str) -> bytes:
    return b"".join(store.read(bucket, key))


@pytest.mark.parametrize("data", [b"", b"x", b"hello fpga image\n" * 100])
def test_write_then_read_returns_the_same_bytes(case: StoreCase, data: bytes) -> None:
    size = case.store.write(case.bucket, "images/a.bin", [data])

    assert size == len(data)
    assert read_all(case.store, case.bucket, "images/a.bin") == data


def test_write_streams_multipart_sized_data_given_in_odd_chunks(
    case: StoreCase,
) -> None:
    data = random.Random(7).randbytes(20 << 20)

    size = case.store.write(case.bucket, "big.xclbin", chunked(data, 777_777))

    assert size == len(data)
    chunks = list(case.store.read(case.bucket, "big.xclbin", chunk_size=1 << 20))
    assert all(len(chunk) <= 1 << 20 for chunk in chunks)
    assert b"".join(chunks) == data


def test_write_joins_many_empty_and_tiny_chunks(case: StoreCase) -> None:
    chunks = [b"", b"a", b"", b"bc", b"d" * 10, b""]

    size = case.store.write(case.bucket, "k", chunks)

    assert size == 13
    assert read_all(case.store, case.bucket, "k") == b"abcdddddddddd"


def test_read_yields_chunks_no_larger_than_chunk_size(case: StoreCase) -> None:
    case.store.write(case.bucket, "k", [b"0123456789"])

    chunks = list(case.store.read(case.bucket, "k", chunk_size=3))

    assert all(0 < len(chunk) <= 3 for chunk in chunks)
    assert b"".join(chunks) == b"0123456789"


@pytest.mark.parametrize("chunk_size", [0, -1])
def test_read_rejects_a_chunk_size_below_one(case: StoreCase, chunk_size: int) -> None:
    case.store.write(case.bucket, "k", [b"data"])

    with pytest.raises(ValueError):
        list(case.store.read(case.bucket, "k", chunk_size=chunk_size))


def test_head_reports_the_size(case: StoreCase) -> None:
    case.store.write(case.bucket, "dir/k.bin", [b"abc", b"defg"])

    assert case.store.head(case.bucket, "dir/k.bin") == ObjectInfo(size=7)


def test_head_of_a_missing_key_raises_object_not_found(case: StoreCase) -> None:
    with pytest.raises(ObjectNotFound):
        case.store.head(case.bucket, "missing.bin")


def test_head_in_a_missing_bucket_raises_bucket_not_found(case: StoreCase) -> None:
    with pytest.raises(BucketNotFound):
        case.store.head(MISSING_BUCKET, "missing.bin")


def test_read_of_a_missing_key_raises_object_not_found(case: StoreCase) -> None:
    with pytest.raises(ObjectNotFound):
        read_all(case.store, case.bucket, "missing.bin")


def test_read_in_a_missing_bucket_raises_bucket_not_found(case: StoreCase) -> None:
    with pytest.raises(BucketNotFound):
        read_all(case.store, MISSING_BUCKET, "missing.bin")


def test_write_to_a_missing_bucket_raises_bucket_not_found(case: StoreCase) -> None:
    with pytest.raises(BucketNotFound):
        case.store.write(MISSING_BUCKET, "k", [b"data"])


@pytest.mark.parametrize(
    "size",
    [0, 100, PART_SIZE + 1, 2 * PART_SIZE + 123],
    ids=["before-data", "small", "after-one-part", "after-two-parts"],
)
def test_write_whose_chunks_raise_leaves_nothing_behind(
    case: StoreCase, size: int
) -> None:
    data = bytes(size)

    with pytest.raises(Boom):
        case.store.write(case.bucket, "dir/broken.bin", failing_after(data))

    assert list(case.store.list_keys(case.bucket)) == []
    assert case.leftovers() == []
    with pytest.raises(ObjectNotFound):
        case.store.head(case.bucket, "dir/broken.bin")


def test_failed_overwrite_keeps_the_previous_object(case: StoreCase) -> None:
    case.store.write(case.bucket, "k", [b"first version"])

    with pytest.raises(Boom):
        case.store.write(case.bucket, "k", failing_after(bytes(PART_SIZE + 1)))

    assert read_all(case.store, case.bucket, "k") == b"first version"
    assert case.leftovers() == []


def test_overwrite_replaces_the_whole_object(case: StoreCase) -> None:
    case.store.write(case.bucket, "k", [b"a much longer first version"])

    case.store.write(case.bucket, "k", [b"short"])

    assert read_all(case.store, case.bucket, "k") == b"short"
    assert case.store.head(case.bucket, "k").size == 5
    assert list(case.store.list_keys(case.bucket)) == ["k"]


def test_discard_partial_removes_what_a_crashed_write_left(case: StoreCase) -> None:
    case.crash_write("dir/crashed.bin", bytes(PART_SIZE))
    assert case.leftovers() == ["dir/crashed.bin"]

    case.store.discard_partial(case.bucket, "dir/crashed.bin")

    assert case.leftovers() == []
    assert list(case.store.list_keys(case.bucket)) == []


def test_discard_partial_spares_other_keys_and_the_stored_object(
    case: StoreCase,
) -> None:
    case.store.write(case.bucket, "a.bin", [b"stored"])
    case.crash_write("a.bin", b"partial")
    case.crash_write("a.bin.sig", b"partial")

    case.store.discard_partial(case.bucket, "a.bin")

    assert case.leftovers() == ["a.bin.sig"]
    assert read_all(case.store, case.bucket, "a.bin") == b"stored"


def test_discard_partial_without_leftovers_does_nothing(case: StoreCase) -> None:
    case.store.discard_partial(case.bucket, "never/written.bin")
    case.store.discard_partial(MISSING_BUCKET, "never/written.bin")

    assert case.leftovers() == []


def test_list_keys_hides_what_a_crashed_write_left(case: StoreCase) -> None:
    case.store.write(case.bucket, "dir/kept.bin", [b"stored"])
    case.crash_write("dir/crashed.bin", b"partial")

    assert list(case.store.list_keys(case.bucket)) == ["dir/kept.bin"]


def test_delete_removes_the_object(case: StoreCase) -> None:
    case.store.write(case.bucket, "dir/k", [b"data"])

    case.store.delete(case.bucket, "dir/k")

    with pytest.raises(ObjectNotFound):
        case.store.head(case.bucket, "dir/k")
    assert list(case.store.list_keys(case.bucket)) == []


def test_delete_of_a_missing_key_is_silent(case: StoreCase) -> None:
    case.store.write(case.bucket, "k", [b"data"])

    case.store.delete(case.bucket, "k")
    case.store.delete(case.bucket, "k")
    case.store.delete(case.bucket, "never/written")


def test_delete_in_a_missing_bucket_raises_bucket_not_found(case: StoreCase) -> None:
    with pytest.raises(BucketNotFound):
        case.store.delete(MISSING_BUCKET, "k")


def test_delete_many_removes_every_key_and_ignores_missing_ones(
    case: StoreCase,
) -> None:
    keys = ["p1/a", "p1/b", "p2/c", "top"]
    for key in keys:
        case.store.write(case.bucket, key, [key.encode()])
    case.store.write(case.bucket, "p1/kept", [b"stays"])

    failed = case.store.delete_many(case.bucket, [*keys, "p3/never-written"])

    assert failed == {}
    assert list(case.store.list_keys(case.bucket)) == ["p1/kept"]
    assert case.store.delete_many(case.bucket, keys) == {}
    assert case.store.delete_many(case.bucket, []) == {}


def test_delete_many_reports_bad_keys_and_removes_the_others(case: StoreCase) -> None:
    case.store.write(case.bucket, "good", [b"x"])

    failed = case.store.delete_many(case.bucket, ["good", "a/../../escape"])

    assert list(failed) == ["a/../../escape"]
    assert isinstance(failed["a/../../escape"], InvalidKey)
    with pytest.raises(ObjectNotFound):
        case.store.head(case.bucket, "good")


def test_delete_many_in_a_missing_bucket_raises_bucket_not_found(
    case: StoreCase,
) -> None:
    with pytest.raises(BucketNotFound):
        case.store.delete_many(MISSING_BUCKET, ["k"])


def test_create_bucket_is_idempotent_and_keeps_the_objects(case: StoreCase) -> None:
    case.store.write(case.bucket, "k", [b"data"])

    case.store.create_bucket(case.bucket)

    assert case.store.bucket_exists(case.bucket)
    assert read_all(case.store, case.bucket, "k") == b"data"


def test_bucket_exists_tells_created_from_missing(case: StoreCase) -> None:
    new_bucket = case.bucket + "-new"
    assert not case.store.bucket_exists(new_bucket)

    case.store.create_bucket(new_bucket)

    assert case.store.bucket_exists(new_bucket)
    assert list(case.store.list_keys(new_bucket)) == []


def test_list_keys_yields_sorted_keys_that_start_with_the_prefix(
    case: StoreCase,
) -> None:
    for key in ["b", "a/2", "a-b", "a/sub/3", "a/1", "ab"]:
        case.store.write(case.bucket, key, [key.encode()])

    def keys(prefix: str) -> list[str]:
        return list(case.store.list_keys(case.bucket, prefix))

    assert keys("") == ["a-b", "a/1", "a/2", "a/sub/3", "ab", "b"]
    assert keys("a") == ["a-b", "a/1", "a/2", "a/sub/3", "ab"]
    assert keys("a/") == ["a/1", "a/2", "a/sub/3"]
    assert keys("a/s") == ["a/sub/3"]
    assert keys("a/sub/3") == ["a/sub/3"]
    assert keys("zzz") == []


def test_list_keys_in_a_missing_bucket_raises_bucket_not_found(
    case: StoreCase,
) -> None:
    with pytest.raises(BucketNotFound):
        list(case.store.list_keys(MISSING_BUCKET))


BAD_KEYS = [
    "",
    "/etc/passwd",
    "../x.bin",
    "a/../../x.bin",
    "a/..",
    "./x.bin",
    "a//x.bin",
    "a/x.bin/",
    "a\0b",
    "k" * 1025,
]


def _key_operations(
    store: ObjectStore, bucket: str
) -> dict[str, Callable[[str], object]]:
    return {
        "write": lambda key: store.write(bucket, key, [b"data"]),
        "read": lambda key: read_all(store, bucket, key),
        "head": lambda key: store.head(bucket, key),
        "delete": lambda key: store.delete(bucket, key),
        "discard_partial": lambda key: store.discard_partial(bucket, key),
    }


def _refuses(operation: Callable[[], object]) -> bool:
    try:
        operation()
    except InvalidKey:
        return True
    return False


@pytest.mark.parametrize("key", BAD_KEYS)
def test_every_operation_refuses_a_malformed_key(case: StoreCase, key: str) -> None:
    operations = _key_operations(case.store, case.bucket)

    accepted = [
        name
        for name, operation in operations.items()
        if not _refuses(functools.partial(operation, key))
    ]

    assert accepted == []


@pytest.mark.parametrize(
    "key", ["x..", "..x", "a..b/c.d", ".hidden", "dir/.hidden", "a/" * 511 + "kk"]
)
def test_keys_with_dots_inside_segments_or_of_1024_bytes_are_accepted(
    case: StoreCase, key: str
) -> None:
    case.store.write(case.bucket, key, [b"data"])

    assert read_all(case.store, case.bucket, key) == b"data"
    assert list(case.store.list_keys(case.bucket)) == [key]


BAD_BUCKETS = ["", ".", "..", "a/b", "../outside", "a\0b"]


@pytest.mark.parametrize("bucket", BAD_BUCKETS)
def test_every_bucket_operation_refuses_a_malformed_bucket_name(
    case: StoreCase, bucket: str
) -> None:
    operations: dict[str, Callable[[], object]] = {
        "create_bucket": lambda: case.store.create_bucket(bucket),
        "bucket_exists": lambda: case.store.bucket_exists(bucket),
        "write": lambda: case.store.write(bucket, "k", [b"data"]),
        "list_keys": lambda: list(case.store.list_keys(bucket)),
        "discard_partial": lambda: case.store.discard_partial(bucket, "k"),
    }

    accepted = [
        name for name, operation in operations.items() if not _refuses(operation)
    ]

    assert accepted == []
