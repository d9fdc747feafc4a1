"""Published signing vectors and request builders shared by the auth tests."""

from __future__ import annotations

import hmac
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from fpga_image_service.auth.signature import (
    Authorization,
    CredentialScope,
    HttpRequestParts,
    canonical_request,
    parse_authorization,
    sign_request,
    string_to_sign,
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


def signed_example(legacy: bool) -> tuple[HttpRequestParts, Authorization]:
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


def hand_signed(
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


def with_headers(parts: HttpRequestParts, **changes: str) -> HttpRequestParts:
    headers = dict(parts.headers)
    headers.update({name.replace("_", "-"): value for name, value in changes.items()})
    return replace(parts, headers=headers)
