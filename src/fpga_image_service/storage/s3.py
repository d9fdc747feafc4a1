"""An object store on S3-compatible storage (AWS, Huawei OBS, Ceph RGW, MinIO).

Botocore retries at most once: the caller owns the retry policy and sees
transient failures as StorageUnavailable. All botocore errors are translated
by `s3_errors` where the client is called.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from .base import DEFAULT_CHUNK_SIZE, ObjectInfo
from .errors import BucketNotFound, ObjectNotFound, StorageError
from .keys import check_bucket, check_key
from .s3_errors import error_code, error_for_code, translate, translated

logger = logging.getLogger(__name__)

#: S3 refuses parts below 5 MiB (except the last) and above 5 GiB, and more
#: than 10000 parts in one upload; Ceph RGW and MinIO apply the same limits.
MIN_PART_SIZE = 5 << 20
MAX_PART_SIZE = 5 << 30
MAX_PARTS = 10_000

_CONNECT_TIMEOUT_SECONDS = 10
_READ_TIMEOUT_SECONDS = 60
# S3 deletes at most this many keys in one DeleteObjects request.
_DELETE_BATCH = 1000


@dataclass(frozen=True)
class S3Config:
    """Where and how to reach the S3-compatible service."""

    endpoint_url: str | None
    region: str
    access_key: str | None
    secret_key: str | None = field(repr=False)
    addressing_style: Literal["path", "virtual"] = "path"
    part_size: int = 8 << 20

    def __post_init__(self) -> None:
        if self.addressing_style not in ("path", "virtual"):
            raise ValueError("addressing_style must be 'path' or 'virtual'")
        if not MIN_PART_SIZE <= self.part_size <= MAX_PART_SIZE:
            raise ValueError(
                f"part_size must be between {MIN_PART_SIZE} and {MAX_PART_SIZE}"
            )
        if (self.access_key is None) != (self.secret_key is None):
            raise ValueError("set both access_key and secret_key, or neither")


def make_s3_client(config: S3Config) -> Any:
    """Build a botocore S3 client for `config`; no request is sent."""
    options = BotoConfig(
        s3={"addressing_style": config.addressing_style},
        retries={"max_attempts": 2, "mode": "standard"},
        connect_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        # The CRC checksums botocore adds by default since 1.36 are refused
        # by older S3-compatible servers; send them only where S3 needs them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # A session of our own: boto3's default session is shared, mutable state.
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        config=options,
    )


class S3ObjectStore:
    """Buckets and objects of an S3-compatible service."""

    def __init__(self, config: S3Config) -> None:
        self._config = config
        self._client = make_s3_client(config)

    def create_bucket(self, bucket: str) -> None:
        """Create the bucket in the configured region; do nothing if it is ours."""
        check_bucket(bucket)
        params: dict[str, Any] = {"Bucket": bucket}
        if self._config.region != "us-east-1":
            # AWS refuses an explicit us-east-1, and requires it everywhere else.
            location = {"LocationConstraint": self._config.region}
            params["CreateBucketConfiguration"] = location

        try:
            self._client.create_bucket(**params)
        except (ClientError, BotoCoreError) as exc:
            if error_code(exc) == "BucketAlreadyOwnedByYou":
                return
            raise translate(exc, bucket) from exc

    def bucket_exists(self, bucket: str) -> bool:
        """Tell whether the bucket exists; AccessDenied if we may not know."""
        check_bucket(bucket)

        try:
            self._client.head_bucket(Bucket=bucket)
        except (ClientError, BotoCoreError) as exc:
            error = translate(exc, bucket)
            if isinstance(error, BucketNotFound | ObjectNotFound):
                return False
            raise error from exc
        return True

    def head(self, bucket: str, key: str) -> ObjectInfo:
        """Report the object's size; raise ObjectNotFound or BucketNotFound."""
        check_bucket(bucket)
        check_key(key)

        try:
            response = self._client.head_object(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            error = translate(exc, bucket, key)
            # A HEAD answer has no body, so a missing bucket is a bare 404 too.
            if isinstance(error, ObjectNotFound) and not self.bucket_exists(bucket):
                error = BucketNotFound(f"bucket {bucket!r} does not exist")
            raise error from exc
        return ObjectInfo(size=int(response["ContentLength"]))

    def read(
        self, bucket: str, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Start the GET now and stream its body in chunks of at most `chunk_size`."""
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        check_bucket(bucket)
        check_key(key)

        with translated(bucket, key):
            response = self._client.get_object(Bucket=bucket, Key=key)
        return _stream(response["Body"], chunk_size, bucket, key)

    def write(self, bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        """Store `chunks` with one PUT, or a multipart upload when over part_size."""
        check_bucket(bucket)
        check_key(key)
        part_size = self._config.part_size
        buffer = bytearray()
        upload: _MultipartUpload | None = None

        try:
            # Errors raised by `chunks` itself pass through untranslated.
            for chunk in chunks:
                buffer += chunk
                while len(buffer) > part_size:
                    if upload is None:
                        upload = _MultipartUpload(self._client, bucket, key)
                    upload.send(buffer[:part_size])  # a copy, freed after sending
                    del buffer[:part_size]

            if upload is None:
                with translated(bucket, key):
                    self._client.put_object(Bucket=bucket, Key=key, Body=buffer)
                return len(buffer)

            upload.send(buffer)
            upload.complete()
            return upload.size
        except BaseException:
            if upload is not None:
                upload.abort()
            raise

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; S3 itself answers a missing key with success."""
        check_bucket(bucket)
        check_key(key)

        with translated(bucket, key):
            self._client.delete_object(Bucket=bucket, Key=key)

    def delete_many(self, bucket: str, keys: Sequence[str]) -> dict[str, StorageError]:
        """Remove the objects with multi-object deletes of up to 1,000 keys."""
        check_bucket(bucket)
        failed: dict[str, StorageError] = {}
        valid: list[str] = []
        for key in keys:
            try:
                check_key(key)
            except StorageError as exc:
                failed[key] = exc
            else:
                valid.append(key)

        for start in range(0, len(valid), _DELETE_BATCH):
            batch = valid[start : start + _DELETE_BATCH]
            with translated(bucket):
                answer = self._client.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            for error in answer.get("Errors", []):
                key = str(error.get("Key", ""))
                failed[key] = error_for_code(str(error.get("Code", "")), 0, bucket, key)
        return failed

    def discard_partial(self, bucket: str, key: str) -> None:
        """Abort the incomplete multipart uploads of exactly `key`."""
        check_bucket(bucket)
        check_key(key)

        try:
            upload_ids = self._incomplete_uploads(bucket, key)
        except BucketNotFound:
            return

        for upload_id in upload_ids:
            try:
                with translated(bucket, key):
                    self._client.abort_multipart_upload(
                        Bucket=bucket, Key=key, UploadId=upload_id
                    )
            except ObjectNotFound:
                continue  # NoSuchUpload: someone else aborted it meanwhile
            logger.info(
                "partial_discarded bucket=%s key=%s upload_id=%s",
                bucket,
                key,
                upload_id,
            )

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Fetch the first page now, then yield keys in lexicographic order."""
        check_bucket(bucket)
        paginator = self._client.get_paginator("list_objects_v2")
        pages = iter(paginator.paginate(Bucket=bucket, Prefix=prefix))

        first = _next_page(pages, bucket)
        return _keys(first, pages, bucket)

    def _incomplete_uploads(self, bucket: str, key: str) -> list[str]:
        paginator = self._client.get_paginator("list_multipart_uploads")
        upload_ids: list[str] = []

        with translated(bucket, key):
            for page in paginator.paginate(Bucket=bucket, Prefix=key):
                for upload in page.get("Uploads", ()):
                    # The prefix also matches longer keys, like "a.bin.sig".
                    if upload["Key"] == key:
                        upload_ids.append(str(upload["UploadId"]))
        return upload_ids


class _MultipartUpload:
    """One multipart upload: its parts so far, completion or abort."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._parts: list[dict[str, Any]] = []
        self.size = 0

        with translated(bucket, key):
            response = client.create_multipart_upload(Bucket=bucket, Key=key)
        self._upload_id = str(response["UploadId"])

    def send(self, data: bytearray) -> None:
        """Upload `data` as the next part."""
        number = len(self._parts) + 1
        if number > MAX_PARTS:
            raise StorageError(
                f"object {self._bucket}/{self._key} needs more than {MAX_PARTS} "
                "parts; raise part_size"
            )

        with translated(self._bucket, self._key):
            response = self._client.upload_part(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=data,
            )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})
        self.size += len(data)

    def complete(self) -> None:
        """Make the object visible under its key."""
        with translated(self._bucket, self._key):
            self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )

    def abort(self) -> None:
        """Drop the uploaded parts; a failure only leaves work for discard_partial."""
        try:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
        except (ClientError, BotoCoreError) as exc:
            # The write is failing already; its own error is the one to raise.
            logger.warning(
                "multipart_abort_failed bucket=%s key=%s upload_id=%s error=%s",
                self._bucket,
                self._key,
                self._upload_id,
                type(exc).__name__,
            )


def _stream(body: Any, chunk_size: int, bucket: str, key: str) -> Iterator[bytes]:
    try:
        while True:
            with translated(bucket, key):
                chunk: bytes = body.read(chunk_size)
            if not chunk:
                return
            yield chunk
    finally:
        body.close()


def _next_page(pages: Iterator[Any], bucket: str) -> Any:
    with translated(bucket):
        return next(pages, None)


def _keys(page: Any, pages: Iterator[Any], bucket: str) -> Iterator[str]:
    while page is not None:
        for item in page.get("Contents", ()):
            yield str(item["Key"])
        page = _next_page(pages, bucket)
