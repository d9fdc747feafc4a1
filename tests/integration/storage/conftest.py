"""Fixtures that run one test suite against a local-folder and an S3 store."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from fpga_image_service.storage import (
    LocalObjectStore,
    ObjectStore,
    S3Config,
    S3ObjectStore,
)
from fpga_image_service.storage.local import PARTIALS_FOLDER
from fpga_image_service.storage.s3 import make_s3_client
from tests.conftest_s3 import ACCESS_KEY, SECRET_KEY
from tests.conftest_s3 import s3_server as s3_server

#: The smallest part S3 allows, so that 20 MiB takes a four-part upload.
PART_SIZE = 5 << 20


@dataclass(frozen=True)
class StoreCase:
    """A store under test with one empty bucket, and a view of its leftovers."""

    kind: str
    store: ObjectStore
    bucket: str
    #: The keys that interrupted writes left partial data for, sorted.
    leftovers: Callable[[], list[str]]
    #: Leave behind what a writer of `key` leaves when its process dies.
    crash_write: Callable[[str, bytes], None]


@pytest.fixture(params=["local", "s3"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> StoreCase:
    """Each test that takes `case` runs once per store implementation."""
    if request.param == "local":
        return local_case(tmp_path)
    return s3_case(request.getfixturevalue("s3_server"))


@pytest.fixture
def local(tmp_path: Path) -> StoreCase:
    """The local-folder store alone."""
    return local_case(tmp_path)


@pytest.fixture
def s3(s3_server: str) -> StoreCase:
    """The S3 store alone."""
    return s3_case(s3_server)


def local_case(tmp_path: Path) -> StoreCase:
    root = tmp_path / "root"
    store = LocalObjectStore(root)
    store.create_bucket("bucket")
    # Temporary folders are named by a hash; crash_write notes whose they are.
    # A folder no crash_write made shows as its own name.
    key_of: dict[str, str] = {}

    def leftovers() -> list[str]:
        files = (root / "bucket" / PARTIALS_FOLDER).glob("*/*")
        return sorted(key_of.get(path.parent.name, path.parent.name) for path in files)

    def crash_write(key: str, data: bytes) -> None:
        partials = store.partial_folder("bucket", key)
        key_of[partials.name] = key
        partials.mkdir(parents=True, exist_ok=True)
        (partials / secrets.token_hex(8)).write_bytes(data)

    return StoreCase("local", store, "bucket", leftovers, crash_write)


def s3_case(endpoint_url: str) -> StoreCase:
    config = s3_config(endpoint_url)
    store = S3ObjectStore(config)
    bucket = f"contract-{uuid.uuid4().hex[:16]}"
    store.create_bucket(bucket)
    client = make_s3_client(config)

    def leftovers() -> list[str]:
        paginator = client.get_paginator("list_multipart_uploads")
        found: list[str] = []
        for page in paginator.paginate(Bucket=bucket):
            found.extend(upload["Key"] for upload in page.get("Uploads", ()))
        return sorted(found)

    def crash_write(key: str, data: bytes) -> None:
        upload = client.create_multipart_upload(Bucket=bucket, Key=key)
        client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=data,
        )

    return StoreCase("s3", store, bucket, leftovers, crash_write)


def s3_config(endpoint_url: str, **overrides: object) -> S3Config:
    """A configuration for the test server, with a small part size."""
    fields: dict[str, object] = {
        "endpoint_url": endpoint_url,
        "region": "eu-central-1",
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "part_size": PART_SIZE,
    }
    fields.update(overrides)
    return S3Config(**fields)  # type: ignore[arg-type]
