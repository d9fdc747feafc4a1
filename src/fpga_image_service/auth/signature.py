"""Huawei AK/SK request signing, "SDK-HMAC-SHA256", in both of its forms.

The current APIG form (``Access=AK``) signs with the secret key itself. The
legacy form of the official FIS CLI (``Credential=AK/date/region/service/
sdk_request``) adds the scope to the string to sign and derives the key from it.
The server verifies either form; our own client signs with either.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fpga_image_service.auth.canonical import (
    CONTENT_SHA256_HEADER,
    UNSIGNED_PAYLOAD,
    HttpRequestParts,
    canonical_request,
    sha256_hex,
)

__all__ = [
    "ALGORITHM",
    "Authorization",
    "CredentialScope",
    "HttpRequestParts",
    "SignatureError",
    "canonical_request",
    "format_authorization",
    "parse_authorization",
    "sign_request",
    "string_to_sign",
    "verify_signature",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "x-sdk-date"
HOST_HEADER = "host"
#: Both forms refuse a request unless at least these headers are signed.
REQUIRED_SIGNED_HEADERS = (HOST_HEADER, DATE_HEADER)
#: The fixed last element of a legacy credential scope.
SCOPE_TERMINATOR = "sdk_request"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

_SDK_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_SCOPE_DATE = re.compile(r"[0-9]{8}")
_SCOPE_PART = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ACCESS_KEY = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
# An HTTP token (RFC 9110) in lower case, as every SDK writes signed header names.
_HEADER_NAME_PATTERN = "[a-z0-9!#$%&'*+.^_`|~-]+"
_HEADER_NAME = re.compile(_HEADER_NAME_PATTERN)
_FIELDS = ("Access", "Credential", "SignedHeaders", "Signature")
# The current form exactly as the SDKs write it: one match instead of the
# general parser's field by field checks, for nearly every request.
_SDK_FORM = re.compile(
    f"{ALGORITHM} Access=([A-Za-z0-9._~-]{{1,128}}), "
    f"SignedHeaders=({_HEADER_NAME_PATTERN}(?:;{_HEADER_NAME_PATTERN})*), "
    "Signature=([0-9a-fA-F]{64})"
)
# Parsed X-Sdk-Date values: requests signed in the same second share one.
_signed_at: dict[str, datetime] = {}


class SignatureError(Exception):
    """Why a request's signature was refused; the message is safe to show the caller
    and never contains the secret key."""


@dataclass(frozen=True)
class CredentialScope:
    """The scope of a legacy ``Credential=`` signature."""

    date: str  # YYYYMMDD
    region: str
    service: str


@dataclass(frozen=True)
class Authorization:
    """A parsed Authorization header value of either form."""

    access_key: str
    signed_headers: tuple[str, ...]
    signature: str
    scope: CredentialScope | None  # set for the legacy Credential= form


def parse_authorization(value: str) -> Authorization:
    """Parse an ``SDK-HMAC-SHA256 ...`` header value; raise SignatureError if bad."""
    sdk_form = _SDK_FORM.fullmatch(value.strip())
    if sdk_form is not None:
        access_key, names, signature = sdk_form.groups()
        signed_headers = tuple(names.split(";"))
        if len(set(signed_headers)) == len(signed_headers):
            return Authorization(access_key, signed_headers, signature.lower(), None)
        # A repeated name: the general parser says what is wrong.

    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureError(f"unsupported signing algorithm; expected {ALGORITHM}")

    fields = _split_fields(rest)
    if ("Access" in fields) == ("Credential" in fields):
        raise SignatureError(
            "the Authorization header needs exactly one of Access= and Credential="
        )
    for name in ("SignedHeaders", "Signature"):
        if name not in fields:
            raise SignatureError(f"the Authorization header has no {name}= field")

    signed_headers = _parse_signed_headers(fields["SignedHeaders"])
    signature = _parse_signature(fields["Signature"])
    if "Access" in fields:
        access_key = _parse_access_key(fields["Access"])
        return Authorization(access_key, signed_headers, signature, None)

    access_key, scope = _parse_credential(fields["Credential"])
    return Authorization(access_key, signed_headers, signature, scope)


def format_authorization(authorization: Authorization) -> str:
    """Return the Authorization header value for `authorization`."""
    signed_headers = ";".join(authorization.signed_headers)
    scope = authorization.scope
    if scope is None:
        credential = f"Access={authorization.access_key}"
    else:
        credential = (
            f"Credential={authorization.access_key}/{scope.date}/{scope.region}/"
            f"{scope.service}/{SCOPE_TERMINATOR}"
        )
    return (
        f"{ALGORITHM} {credential}, SignedHeaders={signed_headers}, "
        f"Signature={authorization.signature}"
    )


def verify_signature(
    parts: HttpRequestParts,
    authorization: Authorization,
    secret_key: str,
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
) -> None:
    """Return if `parts` carry a valid, fresh signature by `secret_key`.

    Raise SignatureError otherwise. `now` must be timezone-aware.
    """
    _require_aware(now)
    _check_signed_headers(parts.headers, authorization.signed_headers)

    sdk_date = parts.headers[DATE_HEADER].strip()
    _check_freshness(sdk_date, now, max_skew)
    scope = authorization.scope
    if scope is not None and scope.date != sdk_date[:8]:
        raise SignatureError(
            "the date in the credential scope differs from the X-Sdk-Date date"
        )
    _check_declared_body_hash(parts)

    canonical = canonical_request(parts, authorization.signed_headers)
    expected = _sign(canonical, sdk_date, secret_key, scope)
    if not hmac.compare_digest(expected.encode(), authorization.signature.encode()):
        raise SignatureError("the request signature does not match")


def sign_request(
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    now: datetime,
    *,
    legacy_scope: tuple[str, str] | None = None,
) -> dict[str, str]:
    """Return the headers to add to a request: "X-Sdk-Date" and "Authorization".

    `headers` must include Host. The current form signs every header given; the
    legacy form (`legacy_scope=(region, service)`) signs exactly host;x-sdk-date.
    `now` must be timezone-aware.
    """
    _require_aware(now)
    signing_headers = _lower_case_names(headers)
    if HOST_HEADER not in signing_headers:
        raise ValueError("a request to sign needs a Host header")

    sdk_date = now.astimezone(UTC).strftime(DATE_FORMAT)
    signing_headers[DATE_HEADER] = sdk_date
    # The Authorization header carries the signature, so it is never signed.
    signing_headers.pop("authorization", None)

    scope = None
    signed_headers = tuple(sorted(signing_headers))
    if legacy_scope is not None:
        region, service = legacy_scope
        scope = CredentialScope(sdk_date[:8], region, service)
        signed_headers = REQUIRED_SIGNED_HEADERS

    parts = HttpRequestParts(method, path, tuple(query), signing_headers, body)
    canonical = canonical_request(parts, signed_headers)
    signature = _sign(canonical, sdk_date, secret_key, scope)
    authorization = Authorization(access_key, signed_headers, signature, scope)
    return {
        "X-Sdk-Date": sdk_date,
        "Authorization": format_authorization(authorization),
    }


def string_to_sign(canonical: str, sdk_date: str, scope: CredentialScope | None) -> str:
    """Return the string to sign; the legacy form has the scope as an extra line."""
    lines = [ALGORITHM, sdk_date]
    if scope is not None:
        lines.append(f"{scope.date}/{scope.region}/{scope.service}/{SCOPE_TERMINATOR}")
    lines.append(sha256_hex(canonical.encode()))
    return "\n".join(lines)


def _sign(
    canonical: str, sdk_date: str, secret_key: str, scope: CredentialScope | None
) -> str:
    message = string_to_sign(canonical, sdk_date, scope).encode()
    key = _signing_key(secret_key, scope)
    return hmac.digest(key, message, "sha256").hex()


def _signing_key(secret_key: str, scope: CredentialScope | None) -> bytes:
    if scope is None:
        return secret_key.encode()

    # The legacy form derives the key like AWS SigV4, with "SDK" as the prefix.
    key = f"SDK{secret_key}".encode()
    for step in (scope.date, scope.region, scope.service, SCOPE_TERMINATOR):
        key = hmac.new(key, step.encode(), "sha256").digest()
    return key


def _split_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in text.split(","):
        name, equals, value = item.strip().partition("=")
        if not equals or not value:
            raise SignatureError("the Authorization header has a field without a value")
        if name not in _FIELDS:
            raise SignatureError(
                "the Authorization header has an unknown field; expected "
                "Access or Credential, SignedHeaders and Signature"
            )
        if name in fields:
            raise SignatureError(f"the Authorization header repeats {name}=")
        fields[name] = value
    return fields


def _parse_signed_headers(value: str) -> tuple[str, ...]:
    names = tuple(value.split(";"))
    if not all(_HEADER_NAME.fullmatch(name) for name in names):
        raise SignatureError(
            "SignedHeaders must be lower-case header names separated by ';'"
        )
    if len(set(names)) != len(names):
        raise SignatureError("SignedHeaders names a header twice")
    return names


def _parse_signature(value: str) -> str:
    if not _SIGNATURE.fullmatch(value):
        raise SignatureError("Signature must be 64 hexadecimal digits")
    return value.lower()


def _parse_access_key(value: str) -> str:
    if not _ACCESS_KEY.fullmatch(value):
        raise SignatureError("the access key in the Authorization header is malformed")
    return value


def _parse_credential(value: str) -> tuple[str, CredentialScope]:
    elements = value.split("/")
    if len(elements) != 5 or elements[4] != SCOPE_TERMINATOR:
        raise SignatureError(
            "Credential must be AK/YYYYMMDD/region/service/" + SCOPE_TERMINATOR
        )

    access_key, date, region, service, _ = elements
    if not _SCOPE_DATE.fullmatch(date) or not _is_calendar_date(date):
        raise SignatureError("the date in Credential must be YYYYMMDD")
    if not (_SCOPE_PART.fullmatch(region) and _SCOPE_PART.fullmatch(service)):
        raise SignatureError("the region or service in Credential is malformed")
    return _parse_access_key(access_key), CredentialScope(date, region, service)


def _is_calendar_date(date: str) -> bool:
    try:
        datetime.strptime(date, "%Y%m%d")
    except ValueError:
        return False
    return True


def _check_signed_headers(
    headers: Mapping[str, str], signed_headers: Sequence[str]
) -> None:
    for required in REQUIRED_SIGNED_HEADERS:
        if required not in signed_headers:
            raise SignatureError(f"SignedHeaders must include {required}")
    for name in signed_headers:
        if name not in headers:
            raise SignatureError(
                f"the signed header {name} is missing from the request"
            )


def _check_freshness(sdk_date: str, now: datetime, max_skew: timedelta) -> None:
    signed_at = _signed_at.get(sdk_date)
    if signed_at is None:
        signed_at = _parse_sdk_date(sdk_date)
        if len(_signed_at) >= 256:
            _signed_at.clear()
        _signed_at[sdk_date] = signed_at

    if abs(now - signed_at) > max_skew:
        raise SignatureError(
            f"X-Sdk-Date is more than {_describe(max_skew)} away from the server's "
            "clock"
        )


def _parse_sdk_date(sdk_date: str) -> datetime:
    if not _SDK_DATE.fullmatch(sdk_date):
        raise SignatureError("X-Sdk-Date must be in the form YYYYMMDDTHHMMSSZ")
    try:
        # The pattern above fixed every position, so slicing is exact and far
        # cheaper than strptime on this per-request path.
        signed_at = datetime(
            int(sdk_date[0:4]),
            int(sdk_date[4:6]),
            int(sdk_date[6:8]),
            int(sdk_date[9:11]),
            int(sdk_date[11:13]),
            int(sdk_date[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        raise SignatureError("X-Sdk-Date is not a valid date and time") from None
    return signed_at


def _describe(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _check_declared_body_hash(parts: HttpRequestParts) -> None:
    # The declared hash replaces the body hash in the canonical request. Unless it
    # matches the body, a replayed signature would cover any body sent with the
    # original hash declared, so only the explicit opt-out may differ.
    declared = parts.headers.get(CONTENT_SHA256_HEADER)
    if declared is None or declared.strip() == UNSIGNED_PAYLOAD:
        return
    if declared.strip().lower() != sha256_hex(parts.body):
        raise SignatureError("X-Sdk-Content-Sha256 does not match the request body")


def _lower_case_names(headers: Mapping[str, str]) -> dict[str, str]:
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in lowered:
            raise ValueError(f"header {name} is given twice")
        lowered[name.lower()] = value
    return lowered


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
