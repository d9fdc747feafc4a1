"""SDK-HMAC-SHA256 signing and verification, current APIG and legacy forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from fpga_image_service.auth.canonical import sha256_hex
from fpga_image_service.auth.signature import (
    CredentialScope,
    HttpRequestParts,
    SignatureError,
    parse_authorization,
    sign_request,
    verify_signature,
)
from tests.unit.auth.vectors import (
    ACCESS,
    APIG_AK,
    APIG_AUTHORIZATION,
    APIG_NOW,
    APIG_PATH,
    APIG_QUERY,
    APIG_SK,
    BODY,
    FIS_AK,
    FIS_NOW,
    FIS_SK,
    FIS_VECTORS,
    FORMS,
    NOW,
    QUERY,
    SECRET,
    hand_signed,
    signed_example,
    with_headers,
)

# --- published vectors -------------------------------------------------------------


def test_sign_reproduces_apig_example() -> None:
    headers = {"Content-Type": "application/json", "Host": "service.region.example.com"}

    added = sign_request(
        "GET", APIG_PATH, APIG_QUERY, headers, b"", APIG_AK, APIG_SK, APIG_NOW
    )

    assert added == {
        "X-Sdk-Date": "20191115T033655Z",
        "Authorization": APIG_AUTHORIZATION,
    }


def test_verify_accepts_apig_example() -> None:
    headers = {
        "content-type": "application/json",
        "host": "service.region.example.com",
        "x-sdk-date": "20191115T033655Z",
        "authorization": APIG_AUTHORIZATION,
    }
    parts = HttpRequestParts("GET", APIG_PATH, APIG_QUERY, headers, b"")
    authorization = parse_authorization(APIG_AUTHORIZATION)

    verify_signature(parts, authorization, APIG_SK, APIG_NOW)


@pytest.mark.parametrize(
    ("method", "host", "path", "query", "body", "region", "signature"), FIS_VECTORS
)
def test_sign_reproduces_fisclient_vectors(
    method: str,
    host: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    region: str,
    signature: str,
) -> None:
    added = sign_request(
        method,
        path,
        query,
        {"Host": host},
        body,
        FIS_AK,
        FIS_SK,
        FIS_NOW,
        legacy_scope=(region, "ecs"),
    )

    assert added == {
        "X-Sdk-Date": "20181126T075335Z",
        "Authorization": (
            f"SDK-HMAC-SHA256 Credential={FIS_AK}/20181126/{region}/ecs/sdk_request, "
            f"SignedHeaders=host;x-sdk-date, Signature={signature}"
        ),
    }


@pytest.mark.parametrize(
    ("method", "host", "path", "query", "body", "region", "signature"), FIS_VECTORS
)
def test_verify_accepts_fisclient_vectors(
    method: str,
    host: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    region: str,
    signature: str,
) -> None:
    value = (
        f"SDK-HMAC-SHA256 Credential={FIS_AK}/20181126/{region}/ecs/sdk_request, "
        f"SignedHeaders=host;x-sdk-date, Signature={signature}"
    )
    headers = {
        "host": host,
        "x-sdk-date": "20181126T075335Z",
        "content-type": "application/json;charset=utf8",
        "authorization": value,
    }
    parts = HttpRequestParts(method, path, list(reversed(query)), headers, body)

    verify_signature(parts, parse_authorization(value), FIS_SK, FIS_NOW)


# --- signing -----------------------------------------------------------------------


@FORMS
def test_sign_then_verify_round_trips(legacy: bool) -> None:
    parts, authorization = signed_example(legacy)

    verify_signature(parts, authorization, SECRET, NOW)


def test_sign_current_form_signs_every_given_header_sorted() -> None:
    _, authorization = signed_example(legacy=False)

    assert authorization.signed_headers == (
        "content-type",
        "host",
        "x-project-id",
        "x-sdk-date",
    )
    assert authorization.scope is None


def test_sign_legacy_form_signs_exactly_host_and_date_with_scope() -> None:
    _, authorization = signed_example(legacy=True)

    assert authorization.signed_headers == ("host", "x-sdk-date")
    assert authorization.scope == CredentialScope("20260102", "local-1", "ecs")


def test_sign_never_signs_a_given_authorization_header() -> None:
    headers = {"Host": "h", "Authorization": "old"}

    added = sign_request("GET", "/", [], headers, b"", ACCESS, SECRET, NOW)

    assert "SignedHeaders=host;x-sdk-date," in added["Authorization"]


def test_sign_writes_the_date_in_utc() -> None:
    plus_two = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))

    added = sign_request("GET", "/", [], {"Host": "h"}, b"", ACCESS, SECRET, plus_two)

    assert added["X-Sdk-Date"] == "20260102T030405Z"


def test_sign_requires_a_host_header() -> None:
    with pytest.raises(ValueError, match="Host"):
        sign_request("GET", "/", [], {"X-A": "1"}, b"", ACCESS, SECRET, NOW)


def test_sign_and_verify_require_an_aware_now() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    parts, authorization = signed_example(legacy=False)

    with pytest.raises(ValueError, match="timezone"):
        sign_request("GET", "/", [], {"Host": "h"}, b"", ACCESS, SECRET, naive)
    with pytest.raises(ValueError, match="timezone"):
        verify_signature(parts, authorization, SECRET, naive)


# --- tampering ---------------------------------------------------------------------


@FORMS
def test_verify_refuses_wrong_secret(legacy: bool) -> None:
    parts, authorization = signed_example(legacy)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, authorization, SECRET + "x", NOW)


@FORMS
@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: replace(p, method="PUT"), id="method"),
        pytest.param(lambda p: replace(p, path=p.path + "x"), id="path"),
        pytest.param(lambda p: replace(p, path=p.path[:-1] + "c"), id="path-segment"),
        pytest.param(
            lambda p: replace(
                p, query=[(k, "3" if k == "size" else v) for k, v in QUERY]
            ),
            id="query-value",
        ),
        pytest.param(
            lambda p: replace(p, query=[*QUERY, ("x", "1")]), id="query-added"
        ),
        pytest.param(lambda p: replace(p, query=QUERY[1:]), id="query-removed"),
        pytest.param(lambda p: with_headers(p, host="evil.test"), id="host"),
        pytest.param(
            lambda p: with_headers(p, x_sdk_date="20260102T030406Z"), id="x-sdk-date"
        ),
        pytest.param(lambda p: replace(p, body=p.body + b" "), id="body"),
        pytest.param(lambda p: replace(p, body=b""), id="body-removed"),
    ],
)
def test_verify_refuses_tampered_request(legacy: bool, tamper: object) -> None:
    parts, authorization = signed_example(legacy)
    assert callable(tamper)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(tamper(parts), authorization, SECRET, NOW)


def test_verify_refuses_tampered_signed_header_value() -> None:
    parts, authorization = signed_example(legacy=False)
    tampered = with_headers(parts, x_project_id="another-project")

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(tampered, authorization, SECRET, NOW)


@FORMS
def test_verify_ignores_headers_that_are_not_signed(legacy: bool) -> None:
    parts, authorization = signed_example(legacy)
    changed = with_headers(parts, user_agent="curl/8", x_forwarded_for="10.0.0.1")

    verify_signature(changed, authorization, SECRET, NOW)


def test_legacy_form_leaves_content_type_unsigned() -> None:
    parts, authorization = signed_example(legacy=True)
    changed = with_headers(parts, content_type="text/plain")

    verify_signature(changed, authorization, SECRET, NOW)


def test_verify_refuses_altered_signature() -> None:
    parts, authorization = signed_example(legacy=False)
    flipped = "0" if authorization.signature[0] != "0" else "1"
    altered = replace(authorization, signature=flipped + authorization.signature[1:])

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, altered, SECRET, NOW)


def test_verify_refuses_signature_with_foreign_characters() -> None:
    parts, authorization = signed_example(legacy=False)
    altered = replace(authorization, signature="é" * 64)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, altered, SECRET, NOW)


# --- declared body hash ------------------------------------------------------------


def test_verify_accepts_unsigned_payload_with_any_body() -> None:
    parts = HttpRequestParts(
        "PUT",
        "/v1/p/upload",
        [],
        {
            "host": "h",
            "x-sdk-date": "20260102T030405Z",
            "x-sdk-content-sha256": "UNSIGNED-PAYLOAD",
        },
        b"some bytes",
    )
    signed = ("host", "x-sdk-content-sha256", "x-sdk-date")
    authorization = hand_signed(parts, signed)

    verify_signature(replace(parts, body=b"other bytes"), authorization, SECRET, NOW)


def test_verify_accepts_declared_body_hash_that_matches() -> None:
    parts, _ = signed_example(legacy=False)
    declared = with_headers(parts, x_sdk_content_sha256=sha256_hex(BODY).upper())
    authorization = hand_signed(declared, ("host", "x-sdk-date"))

    verify_signature(declared, authorization, SECRET, NOW)


def test_verify_refuses_body_swapped_under_a_declared_hash() -> None:
    # A captured request signed over host;x-sdk-date only: declaring the original
    # body hash must not let another body through.
    parts, _ = signed_example(legacy=True)
    authorization = hand_signed(parts, ("host", "x-sdk-date"))
    swapped = with_headers(
        replace(parts, body=b'{"evil": true}'), x_sdk_content_sha256=sha256_hex(BODY)
    )

    with pytest.raises(SignatureError, match="X-Sdk-Content-Sha256"):
        verify_signature(swapped, authorization, SECRET, NOW)


# --- signed headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed", "missing"),
    [
        (("content-type", "x-sdk-date"), "host"),
        (("content-type", "host"), "x-sdk-date"),
        (("content-type",), "host"),
    ],
)
def test_verify_requires_host_and_date_to_be_signed(
    signed: tuple[str, ...], missing: str
) -> None:
    parts, _ = signed_example(legacy=False)
    authorization = hand_signed(parts, signed)

    with pytest.raises(SignatureError, match=f"must include {missing}"):
        verify_signature(parts, authorization, SECRET, NOW)


def test_verify_accepts_the_minimal_signed_headers() -> None:
    parts, _ = signed_example(legacy=False)
    authorization = hand_signed(parts, ("host", "x-sdk-date"))

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_uses_the_signed_headers_order_it_is_given() -> None:
    parts, _ = signed_example(legacy=False)
    authorization = hand_signed(parts, ("x-sdk-date", "x-project-id", "host"))

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_refuses_signed_header_missing_from_request() -> None:
    parts, authorization = signed_example(legacy=False)
    headers = {k: v for k, v in parts.headers.items() if k != "x-project-id"}

    with pytest.raises(SignatureError, match="x-project-id is missing"):
        verify_signature(replace(parts, headers=headers), authorization, SECRET, NOW)


def test_verify_refuses_request_without_date_header() -> None:
    parts, authorization = signed_example(legacy=False)
    headers = {k: v for k, v in parts.headers.items() if k != "x-sdk-date"}

    with pytest.raises(SignatureError, match="x-sdk-date is missing"):
        verify_signature(replace(parts, headers=headers), authorization, SECRET, NOW)


# --- date --------------------------------------------------------------------------


@FORMS
@pytest.mark.parametrize(
    "offset",
    [timedelta(minutes=15), -timedelta(minutes=15), timedelta(minutes=14, seconds=59)],
)
def test_verify_accepts_date_up_to_fifteen_minutes_away(
    legacy: bool, offset: timedelta
) -> None:
    parts, authorization = signed_example(legacy)

    verify_signature(parts, authorization, SECRET, NOW + offset)


@FORMS
@pytest.mark.parametrize(
    "offset",
    [
        timedelta(minutes=15, seconds=1),
        -timedelta(minutes=15, seconds=1),
        timedelta(days=1),
    ],
)
def test_verify_refuses_date_beyond_fifteen_minutes(
    legacy: bool, offset: timedelta
) -> None:
    parts, authorization = signed_example(legacy)

    with pytest.raises(SignatureError, match="15 minutes"):
        verify_signature(parts, authorization, SECRET, NOW + offset)


def test_verify_honours_a_custom_max_skew() -> None:
    parts, authorization = signed_example(legacy=False)
    later = NOW + timedelta(minutes=2)

    verify_signature(parts, authorization, SECRET, later, max_skew=timedelta(minutes=2))
    with pytest.raises(SignatureError, match="more than 1 minute away"):
        verify_signature(
            parts, authorization, SECRET, later, max_skew=timedelta(minutes=1)
        )
    with pytest.raises(SignatureError, match="more than 90 seconds away"):
        verify_signature(
            parts, authorization, SECRET, later, max_skew=timedelta(seconds=90)
        )


def test_verify_compares_dates_across_time_zones() -> None:
    parts, authorization = signed_example(legacy=False)
    local_now = NOW.astimezone(timezone(timedelta(hours=-5)))

    verify_signature(parts, authorization, SECRET, local_now)


@pytest.mark.parametrize(
    "date",
    [
        "2026-01-02T03:04:05Z",
        "20260102T030405",
        "20260102 030405Z",
        "20260102t030405z",
        "2026010T030405Z",
        "20260132T030405Z",
        "20261302T030405Z",
        "20260102T250405Z",
        "２０２６0102T030405Z",
        "",
    ],
)
def test_verify_refuses_malformed_date(date: str) -> None:
    parts, _ = signed_example(legacy=False)
    dated = with_headers(parts, x_sdk_date=date)
    authorization = hand_signed(dated, ("host", "x-sdk-date"))

    with pytest.raises(SignatureError, match="X-Sdk-Date"):
        verify_signature(dated, authorization, SECRET, NOW)


def test_verify_refuses_legacy_scope_date_other_than_request_date() -> None:
    parts, _ = signed_example(legacy=True)
    scope = CredentialScope("20260101", "local-1", "ecs")
    authorization = hand_signed(parts, ("host", "x-sdk-date"), scope)

    with pytest.raises(SignatureError, match="credential scope"):
        verify_signature(parts, authorization, SECRET, NOW)


def test_verify_accepts_legacy_scope_of_any_region_and_service() -> None:
    parts, _ = signed_example(legacy=True)
    scope = CredentialScope("20260102", "cn-north-1", "iam")
    authorization = hand_signed(parts, ("host", "x-sdk-date"), scope)

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_refuses_legacy_signature_under_another_scope() -> None:
    parts, authorization = signed_example(legacy=True)
    assert authorization.scope is not None
    moved = replace(authorization, scope=replace(authorization.scope, region="other"))

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, moved, SECRET, NOW)


def test_verify_refuses_legacy_signature_presented_as_current_form() -> None:
    parts, authorization = signed_example(legacy=True)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, replace(authorization, scope=None), SECRET, NOW)


# --- error messages ----------------------------------------------------------------


def test_signature_errors_never_contain_the_secret() -> None:
    parts, authorization = signed_example(legacy=True)
    scope = CredentialScope("20260101", "local-1", "ecs")
    attempts = [
        (parts, authorization, SECRET + "x", NOW),
        (replace(parts, body=b"x"), authorization, SECRET, NOW),
        (parts, authorization, SECRET, NOW + timedelta(hours=1)),
        (with_headers(parts, x_sdk_date="bad"), authorization, SECRET, NOW),
        (parts, replace(authorization, scope=scope), SECRET, NOW),
        (parts, replace(authorization, signed_headers=("host",)), SECRET, NOW),
        (
            with_headers(parts, x_sdk_content_sha256="0" * 64),
            authorization,
            SECRET,
            NOW,
        ),
    ]

    for request, presented, secret, now in attempts:
        with pytest.raises(SignatureError) as refused:
            verify_signature(request, presented, secret, now)
        shown = f"{refused.value} {refused.value!r} {refused.value.args}"
        assert SECRET not in shown
        assert SECRET[:12] not in shown
