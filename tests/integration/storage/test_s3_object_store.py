"""Rules of the S3 store that the local-folder store has no counterpart for."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError

from fpga_image_service.storage import (
    BucketNotFound,
    ObjectStore,
    S3Config,
    S3ObjectStore,
    StorageUnavailable,
)
from fpga_image_service.storage.s3 import make_s3_client

from .conftest import PART_SIZE, StoreCase, s3_config


class Boom(Exception):
    """Raised by a test's chunk iterable in the middle of a write."""


def etag(s3: StoreCase, s3_server: str, key: str) -> str:
    client = make_s3_client(s3_config(s3_server))
    return str(client.head_object(Bucket=s3.bucket, Key=key)["ETag"]).strip('"')


@pytest.mark.parametrize(
    ("size", "parts"),
    [(0, None), (PART_SIZE, None), (PART_SIZE + 1, 2), (4 * PART_SIZE, 4)],
)
def test_write_uses_one_put_up_to_part_size_and_multipart_above(
    s3: StoreCase, s3_server: str, size: int, parts: int | None
) -> None:
    s3.store.write(s3.bucket, "k", [bytes(size)])

    # The ETag of a multipart object ends in "-<number of parts>".
    tag = etag(s3, s3_server, "k")
    if parts is None:
        assert "-" not in tag
    else:
        assert tag.endswith(f"-{parts}")
    assert s3.store.head(s3.bucket, "k").size == size


def test_create_bucket_in_us_east_1_is_idempotent(s3_server: str) -> None:
    store = S3ObjectStore(s3_config(s3_server, region="us-east-1"))

    store.create_bucket("contract-us-east-1")
    store.create_bucket("contract-us-east-1")

    assert store.bucket_exists("contract-us-east-1")


def test_a_failing_part_upload_aborts_and_raises_the_storage_error(
    s3: StoreCase, s3_server: str
) -> None:
    client = make_s3_client(s3_config(s3_server))

    def bucket_vanishes_after_first_part() -> Iterator[bytes]:
        yield bytes(PART_SIZE + 1)  # the first part goes out before the next chunk
        client.delete_bucket(Bucket=s3.bucket)
        yield bytes(PART_SIZE)

    with pytest.raises(BucketNotFound):
        s3.store.write(s3.bucket, "k", bucket_vanishes_after_first_part())


def test_a_failing_abort_is_logged_and_the_original_error_raised(
    s3: StoreCase, s3_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_s3_client(s3_config(s3_server))

    def bucket_vanishes_then_source_breaks() -> Iterator[bytes]:
        yield bytes(PART_SIZE + 1)
        client.delete_bucket(Bucket=s3.bucket)
        raise Boom("the source broke")

    with caplog.at_level(logging.WARNING), pytest.raises(Boom):
        s3.store.write(s3.bucket, "k", bucket_vanishes_then_source_breaks())

    assert "multipart_abort_failed" in caplog.text
    assert f"bucket={s3.bucket}" in caplog.text


@pytest.fixture
def closed_port_store() -> S3ObjectStore:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return S3ObjectStore(
        S3Config(
            endpoint_url=f"http://127.0.0.1:{port}",
            region="eu-central-1",
            access_key="ak-not-a-secret",
            secret_key="sk-very-secret",
        )
    )


#: One call of every operation, against a bucket that no server holds.
UNREACHABLE_CALLS: dict[str, Callable[[ObjectStore], object]] = {
    "create_bucket": lambda store: store.create_bucket("bucket"),
    "bucket_exists": lambda store: store.bucket_exists("bucket"),
    "head": lambda store: store.head("bucket", "k"),
    "read": lambda store: b"".join(store.read("bucket", "k")),
    "write": lambda store: store.write("bucket", "k", [b"data"]),
    "delete": lambda store: store.delete("bucket", "k"),
    "discard_partial": lambda store: store.discard_partial("bucket", "k"),
    "list_keys": lambda store: list(store.list_keys("bucket")),
}


@pytest.mark.parametrize("operation", UNREACHABLE_CALLS)
def test_an_unreachable_endpoint_raises_storage_unavailable(
    closed_port_store: S3ObjectStore, operation: str
) -> None:
    with pytest.raises(StorageUnavailable) as raised:
        UNREACHABLE_CALLS[operation](closed_port_store)

    assert isinstance(raised.value.__cause__, BotoCoreError)
    assert "127.0.0.1" not in raised.value.message
    assert "secret" not in raised.value.message


def test_config_refuses_parts_smaller_than_s3_allows() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3Config(None, "eu-central-1", None, None, part_size=(5 << 20) - 1)

    assert S3Config(None, "eu-central-1", None, None, part_size=5 << 20)


def test_config_refuses_parts_larger_than_s3_allows() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3Config(None, "eu-central-1", None, None, part_size=(5 << 30) + 1)

    assert S3Config(None, "eu-central-1", None, None, part_size=5 << 30)


def test_config_refuses_an_access_key_without_secret_key() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        S3Config(None, "eu-central-1", "ak", None)
    with pytest.raises(ValueError, match="secret_key"):
        S3Config(None, "eu-central-1", None, "sk")


def test_config_refuses_an_unknown_addressing_style() -> None:
    with pytest.raises(ValueError, match="addressing_style"):
        style: Any = "dns"
        S3Config(None, "eu-central-1", None, None, addressing_style=style)


def test_config_repr_hides_the_secret_key() -> None:
    config = S3Config("http://s3.local", "eu-central-1", "ak", "sk-very-secret")

    assert "sk-very-secret" not in repr(config)


@pytest.mark.parametrize(
    ("style", "url"),
    [
        ("path", "http://s3.example.test:9000/images/a.bin?"),
        ("virtual", "http://images.s3.example.test:9000/a.bin?"),
    ],
)
def test_addressing_style_puts_the_bucket_in_the_path_or_the_host(
    style: str, url: str
) -> None:
    config = S3Config(
        "http://s3.example.test:9000",
        "eu-central-1",
        "ak",
        "sk",
        addressing_style=style,  # type: ignore[arg-type]
    )
    client = make_s3_client(config)

    signed = client.generate_presigned_url(
        "get_object", Params={"Bucket": "images", "Key": "a.bin"}
    )

    assert signed.startswith(url)
