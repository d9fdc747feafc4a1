"""Parsing and formatting the Authorization header of both forms."""

from __future__ import annotations

import pytest

from fpga_image_service.auth.signature import (
    Authorization,
    CredentialScope,
    SignatureError,
    format_authorization,
    parse_authorization,
)
from tests.unit.auth.vectors import (
    APIG_AK,
    APIG_AUTHORIZATION,
    APIG_SIGNATURE,
    FIS_AK,
    FORMS,
    signed_example,
)

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


@pytest.mark.parametrize(
    "names", ["host;x-sdk-date", "content-type;host;x-sdk-date", "host;host;x-sdk-date"]
)
def test_the_sdks_own_layout_and_any_other_parse_alike(names: str) -> None:
    """The SDK layout takes a faster path; it must agree with the general one."""
    sdk = f"SDK-HMAC-SHA256 Access={APIG_AK}, SignedHeaders={names}, Signature={SIG}"
    other = f"SDK-HMAC-SHA256 Signature={SIG},SignedHeaders={names},Access={APIG_AK}"

    outcomes = []
    for value in (sdk, other):
        try:
            outcomes.append(parse_authorization(value))
        except SignatureError as exc:
            outcomes.append(str(exc))  # type: ignore[arg-type]

    assert outcomes[0] == outcomes[1]
    if "host;host" in names:
        assert outcomes[0] == "SignedHeaders names a header twice"


@FORMS
def test_format_authorization_round_trips_through_parse(legacy: bool) -> None:
    _, authorization = signed_example(legacy)

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
