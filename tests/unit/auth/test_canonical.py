"""The canonical request shared by both forms of SDK-HMAC-SHA256 signing."""

from __future__ import annotations

import hashlib

import pytest

from fpga_image_service.auth.canonical import (
    HttpRequestParts,
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    payload_hash,
)

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# The official APIG signing example (huawei-fpga-api.md §11.2).
APIG_PARTS = HttpRequestParts(
    method="GET",
    path="/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
    query=[("marker", "13551d6b-755d-4757-b956-536f674975c0"), ("limit", "2")],
    headers={
        "content-type": "application/json",
        "host": "service.region.example.com",
        "x-sdk-date": "20191115T033655Z",
    },
    body=b"",
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_canonical_request_matches_apig_example_lines_and_hash() -> None:
    signed = ("content-type", "host", "x-sdk-date")

    canonical = canonical_request(APIG_PARTS, signed)

    assert canonical.split("\n") == [
        "GET",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/",
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        "content-type:application/json",
        "host:service.region.example.com",
        "x-sdk-date:20191115T033655Z",
        "",
        "content-type;host;x-sdk-date",
        EMPTY_SHA256,
    ]
    assert _sha256(canonical) == (
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    )


def test_canonical_request_covers_only_the_listed_headers() -> None:
    digest = _sha256(canonical_request(APIG_PARTS, ("host", "x-sdk-date")))

    assert digest.startswith("0e84e785")
    assert digest.endswith("dfe18")


def test_canonical_request_matches_fisclient_transcript() -> None:
    parts = HttpRequestParts(
        method="GET",
        path="/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/detail",
        query=[("size", "2"), ("page", "1")],
        headers={"host": "127.0.0.1:18443", "x-sdk-date": "20261203T155552Z"},
        body=b"",
    )

    canonical = canonical_request(parts, ("host", "x-sdk-date"))

    assert canonical == (
        "GET\n/v1/0123456789abcdef0123456789abcdef/cloudservers/fpga_image/detail/\n"
        "page=1&size=2\nhost:127.0.0.1:18443\nx-sdk-date:20261203T155552Z\n\n"
        f"host;x-sdk-date\n{EMPTY_SHA256}"
    )


def test_canonical_request_upper_cases_the_method() -> None:
    parts = HttpRequestParts("delete", "/v1/p", [], {"host": "h"}, b"")

    assert canonical_request(parts, ("host",)).startswith("DELETE\n")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/p/vpcs", "/v1/p/vpcs/"),
        ("/v1/p/vpcs/", "/v1/p/vpcs/"),
        ("", "/"),
        ("/", "/"),
        ("/A-Za-z0-9_.~", "/A-Za-z0-9_.~/"),
    ],
)
def test_canonical_uri_ends_with_one_slash_and_keeps_unreserved(
    path: str, expected: str
) -> None:
    assert canonical_uri(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a b", "/a%20b/"),
        ("/a%20b", "/a%20b/"),
        ("/a%2a", "/a%2A/"),
        ("/a*b+c", "/a%2Ab%2Bc/"),
        ("/caf%C3%A9", "/caf%C3%A9/"),
        ("/café", "/caf%C3%A9/"),
        ("/%ff", "/%FF/"),
        ("/a%2Fb", "/a/b/"),
    ],
)
def test_canonical_uri_decodes_then_encodes_each_segment_with_upper_hex(
    path: str, expected: str
) -> None:
    assert canonical_uri(path) == expected


def test_canonical_query_sorts_by_name_then_value() -> None:
    query = [("b", "2"), ("a", "z"), ("B", "1"), ("a", "y")]

    assert canonical_query(query) == "B=1&a=y&a=z&b=2"


def test_canonical_query_writes_empty_value_with_equals_sign() -> None:
    assert canonical_query([("marker", ""), ("limit", "2")]) == "limit=2&marker="


def test_canonical_query_encodes_names_and_values_strictly() -> None:
    query = [("a b", "x+y/z~"), ("é", "%")]

    assert canonical_query(query) == "a%20b=x%2By%2Fz~&%C3%A9=%25"


def test_canonical_query_encodes_every_character_as_quote_does() -> None:
    from urllib.parse import quote

    # The shortcut for text with nothing to encode must agree with the
    # strict encoding on every character: ASCII, Latin-1, digits of other
    # scripts (which \d would take for digits) and beyond.
    characters = [chr(n) for n in range(0x300)] + ["\u0663", "\uff10", "\U0001f600"]
    for character in characters:
        for text in (character, f"a{character}9", f"{character}~-._"):
            expected = f"{quote(text, safe='~')}=1"
            assert canonical_query([(text, "1")]) == expected, repr(text)


def test_canonical_query_without_parameters_is_empty() -> None:
    assert canonical_query([]) == ""


def test_canonical_headers_trim_values_and_keep_the_signed_order() -> None:
    headers = {"x-sdk-date": " 20191115T033655Z\t", "host": "h ", "other": "o"}

    block = canonical_headers(headers, ("x-sdk-date", "host"))

    assert block == "x-sdk-date:20191115T033655Z\nhost:h\n"


def test_canonical_headers_refuse_a_signed_header_the_request_lacks() -> None:
    with pytest.raises(ValueError, match="x-project-id"):
        canonical_headers({"host": "h"}, ("host", "x-project-id"))


def test_payload_hash_is_sha256_of_body() -> None:
    assert payload_hash({}, b"") == EMPTY_SHA256
    assert payload_hash({}, b"{}") == hashlib.sha256(b"{}").hexdigest()


def test_payload_hash_uses_declared_content_sha256() -> None:
    headers = {"x-sdk-content-sha256": "UNSIGNED-PAYLOAD"}

    assert payload_hash(headers, b"anything") == "UNSIGNED-PAYLOAD"
