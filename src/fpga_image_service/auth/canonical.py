"""The canonical request hashed by Huawei's SDK-HMAC-SHA256 signing.

The current APIG form and the legacy fisclient form build the same canonical
request; they differ only in the string to sign and the key (see signature.py).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

#: A header whose value stands in for the body hash (the SDK sends
#: ``UNSIGNED-PAYLOAD`` in it for non-JSON bodies).
CONTENT_SHA256_HEADER = "x-sdk-content-sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

# RFC 3986 unreserved characters stay as they are; `quote` always keeps letters,
# digits and "_.-~", so nothing else may be marked safe.
_UNRESERVED_ONLY = "~"
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@dataclass(frozen=True)
class HttpRequestParts:
    """What signing covers of one request, as received or about to be sent."""

    method: str
    path: str  # raw path as received, percent-encoded, no query
    query: Sequence[tuple[str, str]]  # decoded pairs, any order, repeats allowed
    headers: Mapping[str, str]  # header names lower-case
    body: bytes


def canonical_request(parts: HttpRequestParts, signed_headers: Sequence[str]) -> str:
    """Return the canonical request covering `parts` and the given signed headers.

    Every name in `signed_headers` must be a key of `parts.headers`, else
    ValueError.
    """
    lines = [
        parts.method.upper(),
        canonical_uri(parts.path),
        canonical_query(parts.query),
        canonical_headers(parts.headers, signed_headers),
        ";".join(signed_headers),
        payload_hash(parts.headers, parts.body),
    ]
    return "\n".join(lines)


@functools.lru_cache(maxsize=4096)
def canonical_uri(path: str) -> str:
    """Decode `path`, re-encode each segment strictly, and end it with '/'.

    Kept for the most recent paths: a project's clients send the same few
    paths again and again, and re-encoding them costs a sixth of verifying a
    signature.
    """
    # Working on bytes keeps a path that is not valid UTF-8 signable instead of
    # turning its bytes into replacement characters.
    segments = unquote_to_bytes(path).split(b"/")
    uri = "/".join(quote(segment, safe=_UNRESERVED_ONLY) for segment in segments)

    # The trailing slash is added for signing only; the request keeps its path.
    if not uri.endswith("/"):
        uri += "/"
    return uri


def canonical_query(query: Sequence[tuple[str, str]]) -> str:
    """Return the decoded pairs sorted by name then value, encoded, joined by '&'."""
    pairs = sorted(query)
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str:
    """Return one 'name:trimmed value' line per signed header, in the given order."""
    missing = [name for name in signed_headers if name not in headers]
    if missing:
        raise ValueError(f"signed headers missing from the request: {missing}")

    return "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)


def payload_hash(headers: Mapping[str, str], body: bytes) -> str:
    """Return the X-Sdk-Content-Sha256 value if sent, else the body's SHA-256."""
    declared = headers.get(CONTENT_SHA256_HEADER)
    if declared is not None:
        return declared.strip()
    return sha256_hex(body)


def sha256_hex(data: bytes) -> str:
    """Return the lower-case hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def _encode(text: str) -> str:
    if _UNRESERVED.fullmatch(text):  # ids, numbers, names: nothing to encode
        return text
    return quote(text, safe=_UNRESERVED_ONLY)
