"""SDK-HMAC-SHA256 signing and verification, current APIG and legacy forms."""

from __future__ import annotations

import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fpga_image_service.auth.canonical import sha256_hex
from fpga_image_service.auth.signature import (
    Authorization,
    CredentialScope,
    HttpRequestParts,
    SignatureError,
    canonical_request,
    format_authorization,
    parse_authorization,
    sign_request,
    string_to_sign,
    verify_signature,
)

# The official APIG signing example (huawei-fpga-api.md §11.2).
APIG_AK = "QTWAOYTTINDUT2QVKYUC"
APIG_SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
APIG_NOW = datetime(2019, 11, 15, 3, 36, 55, tzinfo=UTC)
APIG_PATH = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs"
APIG_QUERY = [("limit", "2"), ("marker", "13551d6b-755d-4757-b956-536f674975c0")]
APIG_SIGNATURE = "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
APIG_AUTHORIZATION = (
    f"SDK-HMAC-SHA256 Access={APIG_AK}, SignedHeaders=content-type;host;x-sdk-date, "
    f"Signature={APIG_SIGNATURE}"
)

# The fisclient 2.x vectors (fisclient-wire.md §2).
FIS_AK = "TESTAK0123456789ABCD"
FIS_SK = "TESTSK0123456789abcdefghijklmnopqrstuvwx"
FIS_NOW = datetime(2018, 11, 26, 7, 53, 35, tzinfo=UTC)
FIS_PID = "0123456789abcdef0123456789abcdef"
FIS_BODY = b'{"fpga_image": {"dcp_location": "b1:vu9p/a.tar", "name": "n1"}}'
FIS_VECTORS = [
    pytest.param(
        "GET",
        "ecs.example.test",
        f"/v1/{FIS_PID}/cloudservers/fpga_image/detail",
        [("page", "1"), ("size", "2")],
        b"",
        "cn-north-1",
        "1e93a36bebd0205c7dec3a0491e5b13e2fbda0e7adcbfe7c7d4f2581bec26d41",
        id="list",
    ),
    pytest.param(
        "POST",
        "127.0.0.1:8443",
        f"/v2/{FIS_PID}/cloudservers/fpga_image",
        [],
        FIS_BODY,
        "local-1",
        "384231f2f71dc0a21b38cd63ff2176958340653228d976099d503e314fb48b31",
        id="create",
    ),
]

# A request of our own for the round trips and the refusals.
SECRET = "Sup3rSecretKeyNobodyMayEverSee0123456789"
ACCESS = "OWNAK0123456789ABCDE"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
PATH = f"/v1/{FIS_PID}/cloudservers/fpga_image/a%20b"
QUERY = [("size", "2"), ("page", "1"), ("tag", "b"), ("tag", "a"), ("empty", "")]
BODY = b'{"fpga_image": {"name": "n1"}}'
FORMS = pytest.mark.parametrize("legacy", [False, True], ids=["current", "legacy"])


def _signed(legacy: bool) -> tuple[HttpRequestParts, Authorization]:
    """Sign our request with sign_request and return it as a server receives it."""
    headers = {
        "Host": "fis.example.test:8443",
        "Content-Type": "application/json;charset=utf8",
        "X-Project-Id": FIS_PID,
    }
    scope = ("local-1", "ecs") if legacy else None
    added = sign_request(
        "POST", PATH, QUERY, headers, BODY, ACCESS, SECRET, NOW, legacy_scope=scope
    )

    received = {name.lower(): value for name, value in (headers | added).items()}
    parts = HttpRequestParts("POST", PATH, QUERY, received, BODY)
    return parts, parse_authorization(added["Authorization"])


def _hand_signed(
    parts: HttpRequestParts,
    signed_headers: tuple[str, ...],
    scope: CredentialScope | None = None,
) -> Authorization:
    """Sign `parts` correctly but with any signed-header list, scope or date."""
    canonical = canonical_request(parts, signed_headers)
    message = string_to_sign(canonical, parts.headers["x-sdk-date"], scope)
    key = SECRET.encode()
    if scope is not None:
        key = f"SDK{SECRET}".encode()
        for step in (scope.date, scope.region, scope.service, "sdk_request"):
            key = hmac.new(key, step.encode(), "sha256").digest()
    signature = hmac.new(key, message.encode(), "sha256").hexdigest()
    return Authorization(ACCESS, signed_headers, signature, scope)


def _with_headers(parts: HttpRequestParts, **changes: str) -> HttpRequestParts:
    headers = dict(parts.headers)
    headers.update({name.replace("_", "-"): value for name, value in changes.items()})
    return replace(parts, headers=headers)


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
    parts, authorization = _signed(legacy)

    verify_signature(parts, authorization, SECRET, NOW)


def test_sign_current_form_signs_every_given_header_sorted() -> None:
    _, authorization = _signed(legacy=False)

    assert authorization.signed_headers == (
        "content-type",
        "host",
        "x-project-id",
        "x-sdk-date",
    )
    assert authorization.scope is None


def test_sign_legacy_form_signs_exactly_host_and_date_with_scope() -> None:
    _, authorization = _signed(legacy=True)

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
    parts, authorization = _signed(legacy=False)

    with pytest.raises(ValueError, match="timezone"):
        sign_request("GET", "/", [], {"Host": "h"}, b"", ACCESS, SECRET, naive)
    with pytest.raises(ValueError, match="timezone"):
        verify_signature(parts, authorization, SECRET, naive)


# --- tampering ---------------------------------------------------------------------


@FORMS
def test_verify_refuses_wrong_secret(legacy: bool) -> None:
    parts, authorization = _signed(legacy)

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
        pytest.param(lambda p: _with_headers(p, host="evil.test"), id="host"),
        pytest.param(
            lambda p: _with_headers(p, x_sdk_date="20260102T030406Z"), id="x-sdk-date"
        ),
        pytest.param(lambda p: replace(p, body=p.body + b" "), id="body"),
        pytest.param(lambda p: replace(p, body=b""), id="body-removed"),
    ],
)
def test_verify_refuses_tampered_request(legacy: bool, tamper: object) -> None:
    parts, authorization = _signed(legacy)
    assert callable(tamper)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(tamper(parts), authorization, SECRET, NOW)


def test_verify_refuses_tampered_signed_header_value() -> None:
    parts, authorization = _signed(legacy=False)
    tampered = _with_headers(parts, x_project_id="another-project")

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(tampered, authorization, SECRET, NOW)


@FORMS
def test_verify_ignores_headers_that_are_not_signed(legacy: bool) -> None:
    parts, authorization = _signed(legacy)
    changed = _with_headers(parts, user_agent="curl/8", x_forwarded_for="10.0.0.1")

    verify_signature(changed, authorization, SECRET, NOW)


def test_legacy_form_leaves_content_type_unsigned() -> None:
    parts, authorization = _signed(legacy=True)
    changed = _with_headers(parts, content_type="text/plain")

    verify_signature(changed, authorization, SECRET, NOW)


def test_verify_refuses_altered_signature() -> None:
    parts, authorization = _signed(legacy=False)
    flipped = "0" if authorization.signature[0] != "0" else "1"
    altered = replace(authorization, signature=flipped + authorization.signature[1:])

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, altered, SECRET, NOW)


def test_verify_refuses_signature_with_foreign_characters() -> None:
    parts, authorization = _signed(legacy=False)
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
    authorization = _hand_signed(parts, signed)

    verify_signature(replace(parts, body=b"other bytes"), authorization, SECRET, NOW)


def test_verify_accepts_declared_body_hash_that_matches() -> None:
    parts, _ = _signed(legacy=False)
    declared = _with_headers(parts, x_sdk_content_sha256=sha256_hex(BODY).upper())
    authorization = _hand_signed(declared, ("host", "x-sdk-date"))

    verify_signature(declared, authorization, SECRET, NOW)


def test_verify_refuses_body_swapped_under_a_declared_hash() -> None:
    # A captured request signed over host;x-sdk-date only: declaring the original
    # body hash must not let another body through.
    parts, _ = _signed(legacy=True)
    authorization = _hand_signed(parts, ("host", "x-sdk-date"))
    swapped = _with_headers(
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
    parts, _ = _signed(legacy=False)
    authorization = _hand_signed(parts, signed)

    with pytest.raises(SignatureError, match=f"must include {missing}"):
        verify_signature(parts, authorization, SECRET, NOW)


def test_verify_accepts_the_minimal_signed_headers() -> None:
    parts, _ = _signed(legacy=False)
    authorization = _hand_signed(parts, ("host", "x-sdk-date"))

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_uses_the_signed_headers_order_it_is_given() -> None:
    parts, _ = _signed(legacy=False)
    authorization = _hand_signed(parts, ("x-sdk-date", "x-project-id", "host"))

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_refuses_signed_header_missing_from_request() -> None:
    parts, authorization = _signed(legacy=False)
    headers = {k: v for k, v in parts.headers.items() if k != "x-project-id"}

    with pytest.raises(SignatureError, match="x-project-id is missing"):
        verify_signature(replace(parts, headers=headers), authorization, SECRET, NOW)


def test_verify_refuses_request_without_date_header() -> None:
    parts, authorization = _signed(legacy=False)
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
    parts, authorization = _signed(legacy)

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
    parts, authorization = _signed(legacy)

    with pytest.raises(SignatureError, match="15 minutes"):
        verify_signature(parts, authorization, SECRET, NOW + offset)


def test_verify_honours_a_custom_max_skew() -> None:
    parts, authorization = _signed(legacy=False)
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
    parts, authorization = _signed(legacy=False)
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
    parts, _ = _signed(legacy=False)
    dated = _with_headers(parts, x_sdk_date=date)
    authorization = _hand_signed(dated, ("host", "x-sdk-date"))

    with pytest.raises(SignatureError, match="X-Sdk-Date"):
        verify_signature(dated, authorization, SECRET, NOW)


def test_verify_refuses_legacy_scope_date_other_than_request_date() -> None:
    parts, _ = _signed(legacy=True)
    scope = CredentialScope("20260101", "local-1", "ecs")
    authorization = _hand_signed(parts, ("host", "x-sdk-date"), scope)

    with pytest.raises(SignatureError, match="credential scope"):
        verify_signature(parts, authorization, SECRET, NOW)


def test_verify_accepts_legacy_scope_of_any_region_and_service() -> None:
    parts, _ = _signed(legacy=True)
    scope = CredentialScope("20260102", "cn-north-1", "iam")
    authorization = _hand_signed(parts, ("host", "x-sdk-date"), scope)

    verify_signature(parts, authorization, SECRET, NOW)


def test_verify_refuses_legacy_signature_under_another_scope() -> None:
    parts, authorization = _signed(legacy=True)
    assert authorization.scope is not None
    moved = replace(authorization, scope=replace(authorization.scope, region="other"))

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, moved, SECRET, NOW)


def test_verify_refuses_legacy_signature_presented_as_current_form() -> None:
    parts, authorization = _signed(legacy=True)

    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(parts, replace(authorization, scope=None), SECRET, NOW)


# --- parsing the Authorization header ----------------------------------------------


def test_parse_current_form() -> None:
    authorization = parse_authorization(APIG_AUTHORIZATION)

    assert authorization == Authorization(
        APIG_AK, ("content-type", "host", "x-sdk-date"), APIG_SIGNATURE, None
    )


def test_parse_legacy_form() -> None:
    value = (
        f"SDK-HMAC-SHA256 Credential={FIS_AK}/20181126/cn-north-1/ecs/sdk_request, "
        f"SignedHeaders=host;x-sdk-date, Signature={APIG_SIGNATURE}"
    )

    authorization = parse_authorization(value)

    assert authorization == Authorization(
        FIS_AK,
        ("host", "x-sdk-date"),
        APIG_SIGNATURE,
        CredentialScope("20181126", "cn-north-1", "ecs"),
    )


def test_parse_tolerates_spacing_and_field_order_and_upper_hex() -> None:
    value = (
        f"  SDK-HMAC-SHA256 Signature={APIG_SIGNATURE.upper()},SignedHeaders=host;"
        f"x-sdk-date ,  Access={APIG_AK} "
    )

    authorization = parse_authorization(value)

    assert authorization.signature == APIG_SIGNATURE
    assert authorization.access_key == APIG_AK


@FORMS
def test_format_authorization_round_trips_through_parse(legacy: bool) -> None:
    _, authorization = _signed(legacy)

    assert parse_authorization(format_authorization(authorization)) == authorization


SIG = "a" * 64
GOOD_CREDENTIAL = f"Credential={FIS_AK}/20181126/cn-north-1/ecs/sdk_request"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "algorithm"),
        ("garbage", "algorithm"),
        (
            f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host, Signature={SIG}",
            "algorithm",
        ),
        (
            f"V11-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host, Signature={SIG}",
            "algorithm",
        ),
        (
            f"sdk-hmac-sha256 Access=AK, SignedHeaders=host, Signature={SIG}",
            "algorithm",
        ),
        ("Bearer abc.def", "algorithm"),
        ("SDK-HMAC-SHA256", "field"),
        ("SDK-HMAC-SHA256 ", "field"),
        (f"SDK-HMAC-SHA256 SignedHeaders=host;x-sdk-date, Signature={SIG}", "Access"),
        (f"SDK-HMAC-SHA256 Access=AK, Signature={SIG}", "SignedHeaders"),
        ("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date", "Signature"),
        (
            f"SDK-HMAC-SHA256 Access=AK, {GOOD_CREDENTIAL}, SignedHeaders=host, "
            f"Signature={SIG}",
            "exactly one",
        ),
        (f"SDK-HMAC-SHA256 Access=AK, SignedHeaders, Signature={SIG}", "field"),
        (f"SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={SIG}", "field"),
        (f"SDK-HMAC-SHA256 Access=AK,, SignedHeaders=host, Signature={SIG}", "field"),
        (
            f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={SIG}, Extra=1",
            "unknown",
        ),
        (
            f"SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, "
            f"Signature={SIG}",
            "repeats",
        ),
        ("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc", "64"),
        (f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={SIG}0", "64"),
        (
            f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={'g' * 64}",
            "64",
        ),
        (f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host, Signature={SIG}", "lower"),
        (f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;, Signature={SIG}", "lower"),
        (f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=a b, Signature={SIG}", "lower"),
        (
            f"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;host, Signature={SIG}",
            "twice",
        ),
        (f"SDK-HMAC-SHA256 Access=A K, SignedHeaders=host, Signature={SIG}", "access"),
        (f"SDK-HMAC-SHA256 Access=A/K, SignedHeaders=host, Signature={SIG}", "access"),
        (
            f"SDK-HMAC-SHA256 Credential=AK/20181126/r/ecs, SignedHeaders=host, "
            f"Signature={SIG}",
            "Credential",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=AK/20181126/r/ecs/sdk_other, "
            f"SignedHeaders=host, Signature={SIG}",
            "Credential",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=AK/20181126/r/ecs/sdk_request/x, "
            f"SignedHeaders=host, Signature={SIG}",
            "Credential",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=AK/2018112/r/ecs/sdk_request, "
            f"SignedHeaders=host, Signature={SIG}",
            "date",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=AK/20181332/r/ecs/sdk_request, "
            f"SignedHeaders=host, Signature={SIG}",
            "date",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=AK/20181126//ecs/sdk_request, "
            f"SignedHeaders=host, Signature={SIG}",
            "region",
        ),
        (
            f"SDK-HMAC-SHA256 Credential=/20181126/r/ecs/sdk_request, "
            f"SignedHeaders=host, Signature={SIG}",
            "access",
        ),
    ],
)
def test_parse_refuses_malformed_authorization(value: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=f"(?i){reason}"):
        parse_authorization(value)


# --- error messages ----------------------------------------------------------------


def test_signature_errors_never_contain_the_secret() -> None:
    parts, authorization = _signed(legacy=True)
    scope = CredentialScope("20260101", "local-1", "ecs")
    attempts = [
        (parts, authorization, SECRET + "x", NOW),
        (replace(parts, body=b"x"), authorization, SECRET, NOW),
        (parts, authorization, SECRET, NOW + timedelta(hours=1)),
        (_with_headers(parts, x_sdk_date="bad"), authorization, SECRET, NOW),
        (parts, replace(authorization, scope=scope), SECRET, NOW),
        (parts, replace(authorization, signed_headers=("host",)), SECRET, NOW),
        (
            _with_headers(parts, x_sdk_content_sha256="0" * 64),
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
