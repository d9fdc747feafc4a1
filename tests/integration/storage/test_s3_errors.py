"""The translation of botocore errors into storage errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    IncompleteReadError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    ResponseStreamingError,
    SSLError,
)

from fpga_image_service.storage import (
    AccessDenied,
    BucketNotFound,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from fpga_image_service.storage.s3_errors import translate, translated

ENDPOINT = "https://obs.secret-region.example.test"


def client_error(code: str, status: int) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": f"message from {ENDPOINT}"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "GetObject")


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("NoSuchKey", 404, ObjectNotFound),
        ("404", 404, ObjectNotFound),
        ("NoSuchBucket", 404, BucketNotFound),
        ("AccessDenied", 403, AccessDenied),
        ("403", 403, AccessDenied),
        ("SignatureDoesNotMatch", 403, AccessDenied),
        ("InvalidAccessKeyId", 403, AccessDenied),
        ("BucketAlreadyExists", 409, AccessDenied),
        ("SlowDown", 503, StorageUnavailable),
        ("ServiceUnavailable", 503, StorageUnavailable),
        ("InternalError", 500, StorageUnavailable),
        ("502", 502, StorageUnavailable),
        ("RequestTimeout", 400, StorageUnavailable),
        ("TooManyRequests", 429, StorageUnavailable),
        ("InvalidBucketName", 400, InvalidKey),
        ("KeyTooLongError", 400, InvalidKey),
        ("MalformedXML", 400, StorageError),
    ],
)
def test_client_errors_map_by_code_and_status(
    code: str, status: int, expected: type[StorageError]
) -> None:
    error = translate(client_error(code, status), "images", "a.bin")

    assert type(error) is expected
    assert ENDPOINT not in error.message


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (EndpointConnectionError(endpoint_url=ENDPOINT), StorageUnavailable),
        (ConnectTimeoutError(endpoint_url=ENDPOINT), StorageUnavailable),
        (ReadTimeoutError(endpoint_url=ENDPOINT), StorageUnavailable),
        (ConnectionClosedError(endpoint_url=ENDPOINT), StorageUnavailable),
        (ResponseStreamingError(error="reset"), StorageUnavailable),
        (IncompleteReadError(actual_bytes=1, expected_bytes=2), StorageUnavailable),
        (SSLError(endpoint_url=ENDPOINT, error="bad certificate"), StorageError),
        (NoCredentialsError(), AccessDenied),
        (ParamValidationError(report="Invalid bucket name"), InvalidKey),
    ],
)
def test_transport_and_client_side_errors_map_by_class(
    exc: Exception, expected: type[StorageError]
) -> None:
    error = translate(exc, "images", "a.bin")

    assert type(error) is expected
    assert ENDPOINT not in error.message


def test_messages_name_the_bucket_and_key() -> None:
    error = translate(client_error("NoSuchKey", 404), "images", "dir/a.bin")

    assert "images" in error.message
    assert "dir/a.bin" in error.message


def test_translated_chains_the_botocore_error() -> None:
    original = client_error("NoSuchKey", 404)

    with pytest.raises(ObjectNotFound) as raised, translated("images", "a.bin"):
        raise original

    assert raised.value.__cause__ is original


def test_translated_lets_other_exceptions_through() -> None:
    with pytest.raises(KeyError), translated("images", "a.bin"):
        raise KeyError("not from botocore")
