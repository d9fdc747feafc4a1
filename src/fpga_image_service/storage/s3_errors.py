"""The one place where botocore errors become storage errors.

Huawei OBS, Ceph RGW, MinIO and AWS answer with the same S3 error codes, but
HEAD requests carry no body, so their code is only the HTTP status ("404").
Messages name the bucket and key only: botocore's own messages may contain the
endpoint URL, which is not for users.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    SSLError,
)

from .errors import (
    AccessDenied,
    BucketNotFound,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)

_OBJECT_NOT_FOUND = frozenset({"NoSuchKey", "NotFound", "404"})
_ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "403",
        "Forbidden",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AllAccessDisabled",
        "ExpiredToken",
        "InvalidToken",
        "BucketAlreadyExists",  # the name is taken by another account
    }
)
_UNAVAILABLE = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
        "TooManyRequests",
    }
)
_INVALID_KEY = frozenset({"KeyTooLongError", "InvalidBucketName"})


def translate(exc: Exception, bucket: str, key: str | None = None) -> StorageError:
    """Return the storage error for a botocore error on `bucket` (and `key`)."""
    where = bucket if key is None else f"{bucket}/{key}"
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, bucket, key)
    if isinstance(exc, SSLError):
        # A certificate problem does not pass by retrying.
        return StorageError(f"TLS with the object storage failed on {where!r}")
    if isinstance(exc, ConnectionError | HTTPClientError | IncompleteReadError):
        return StorageUnavailable(f"object storage unreachable on {where!r}")
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AccessDenied("no usable credentials for the object storage")
    if isinstance(exc, ParamValidationError):
        return InvalidKey(f"{where!r} is not a valid S3 bucket name and key")
    return StorageError(f"object storage failed on {where!r}")


def error_code(exc: Exception) -> str:
    """The S3 error code of a ClientError, or "" for any other exception."""
    if not isinstance(exc, ClientError):
        return ""
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def translated(bucket: str, key: str | None = None) -> Iterator[None]:
    """Re-raise botocore errors of the block as storage errors, chained."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, bucket, key) from exc


def _translate_client_error(exc: Any, bucket: str, key: str | None) -> StorageError:
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return error_for_code(error_code(exc), status, bucket, key)


def error_for_code(
    code: str, status: int, bucket: str, key: str | None = None
) -> StorageError:
    """The storage error for an S3 error code (and HTTP status, 0 if none):
    what a failed request answers, or one key of a multi-object delete."""
    where = bucket if key is None else f"{bucket}/{key}"
    if code == "NoSuchBucket":
        return BucketNotFound(f"bucket {bucket!r} does not exist")
    if code in _OBJECT_NOT_FOUND or status == 404:
        return ObjectNotFound(f"object {key!r} not found in bucket {bucket!r}")
    if code in _ACCESS_DENIED or status == 403:
        return AccessDenied(f"access denied on {where!r} ({code})")
    if code in _UNAVAILABLE or status >= 500 or status == 429:
        return StorageUnavailable(
            f"object storage busy or failing on {where!r} ({code})"
        )
    if code in _INVALID_KEY:
        return InvalidKey(f"{where!r} is not a valid S3 bucket name and key ({code})")
    return StorageError(f"object storage refused the request on {where!r} ({code})")
