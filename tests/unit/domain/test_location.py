"""The location rules: "bucket:file" with the OBS bucket and file-name rules."""

from __future__ import annotations

import itertools

import pytest

from fpga_image_service.domain.location import (
    Location,
    check_bucket_name,
    parse_location,
)
from fpga_image_service.errors import InvalidParameter


def refusal(value: object) -> str:
    with pytest.raises(InvalidParameter) as caught:
        parse_location(value)
    return caught.value.message


def test_location_splits_bucket_and_key() -> None:
    location = parse_location("obs-fpga:fpga.bin")

    assert location == Location(bucket="obs-fpga", key="fpga.bin")
    assert str(location) == "obs-fpga:fpga.bin"


def test_location_splits_at_the_first_colon() -> None:
    # The rest ("a:b.bin") then fails the file-name character rule.
    assert "only ASCII letters" in refusal("bucket:a:b.bin")


def test_location_without_colon_is_refused() -> None:
    message = refusal("obs-fpga/fpga.bin")

    assert message.startswith("invalid fpga_image.location: ")
    assert '"bucket:file"' in message


@pytest.mark.parametrize("value", [5, None, ["a:b.bin"], {"bucket": "x"}, True])
def test_location_that_is_not_a_string_is_refused(value: object) -> None:
    assert "must be a string" in refusal(value)


def test_location_field_name_can_be_chosen() -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid fpga_image\.dcp_location"):
        parse_location("no-colon", field="fpga_image.dcp_location")


# Bucket


@pytest.mark.parametrize(
    "bucket",
    [
        "abc",
        "a" * 63,
        "obs-fpga",
        "my.bucket.1",
        "a--b",
        "0bucket9",
        "999.1.1.1",
        "256.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
    ],
)
def test_bucket_accepted(bucket: str) -> None:
    assert parse_location(f"{bucket}:fpga.bin").bucket == bucket


@pytest.mark.parametrize("bucket", ["", "ab", "a" * 64])
def test_bucket_of_wrong_length_is_refused(bucket: str) -> None:
    assert "the bucket name must be 3-63 characters long" in refusal(f"{bucket}:f.bin")


@pytest.mark.parametrize(
    "bucket",
    ["Obs-fpga", "obs_fpga", "obs fpga", "obs-fpgä", "obs-fpga\n", "ob\u0661s"],
)
def test_bucket_with_other_characters_is_refused(bucket: str) -> None:
    assert "only lowercase letters, digits" in refusal(f"{bucket}:f.bin")


@pytest.mark.parametrize("bucket", ["-obs", "obs-", ".obs", "obs."])
def test_bucket_must_start_and_end_with_letter_or_digit(bucket: str) -> None:
    assert "start and end with a letter or digit" in refusal(f"{bucket}:f.bin")


@pytest.mark.parametrize("bucket", ["my..bucket", "my.-bucket", "my-.bucket"])
def test_bucket_with_dot_dot_or_dot_dash_is_refused(bucket: str) -> None:
    assert refusal(f"{bucket}:f.bin") == (
        'invalid fpga_image.location: the bucket name must not contain "..", ".-" '
        'or "-."'
    )


@pytest.mark.parametrize(
    "bucket", ["192.168.1.1", "0.0.0.0", "255.255.255.255", "10.0.0.001"]
)
def test_bucket_that_is_an_ipv4_address_is_refused(bucket: str) -> None:
    assert "must not be an IP address" in refusal(f"{bucket}:f.bin")


def _follows_each_bucket_rule(bucket: str) -> bool:
    """The OBS rules one by one, as the seed lists them."""
    parts = bucket.split(".")
    is_ip = len(parts) == 4 and all(
        p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in parts
    )
    return (
        3 <= len(bucket) <= 63
        and set(bucket) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        and bucket[0].isalnum()
        and bucket[-1].isalnum()
        and not any(pair in bucket for pair in ("..", ".-", "-."))
        and not is_ip
    )


def test_bucket_check_agrees_with_the_rules_on_every_short_name() -> None:
    # Every name of 3 to 5 characters over letters, digits, '.' and '-' (and
    # one character outside them): the one-match path of check_bucket_name
    # must accept exactly what the rules accept.
    alphabet = "a0.-_"
    names = [
        "".join(chars)
        for length in (3, 4, 5)
        for chars in itertools.product(alphabet, repeat=length)
    ] + ["1.2.3.4", "256.1.1.1", "a--b", "a-.b"]
    for bucket in names:
        try:
            check_bucket_name(bucket)
            accepted = True
        except InvalidParameter:
            accepted = False
        assert accepted == _follows_each_bucket_rule(bucket), bucket


# File name


@pytest.mark.parametrize(
    "key",
    [
        "a.bin",
        ".bin",
        "xclbin",
        "a.xclbin",
        "fooxclbin",
        "dir/sub/fpga.bin",
        "A-Z_0.9/x.BIN.bin",
        "..bin",
        "a/.hidden.bin",
        "x" * 60 + ".bin",
    ],
)
def test_file_name_accepted(key: str) -> None:
    assert parse_location(f"obs-fpga:{key}").key == key


def test_file_name_of_four_and_sixty_four_characters_is_accepted() -> None:
    assert parse_location("obs:.bin").key == ".bin"
    assert len(parse_location("obs:" + "x" * 60 + ".bin").key) == 64


@pytest.mark.parametrize("key", ["", "bin", "x" * 61 + ".bin"])
def test_file_name_of_wrong_length_is_refused(key: str) -> None:
    assert "the file name must be 4-64 characters long" in refusal(f"obs:{key}")


@pytest.mark.parametrize(
    "key",
    ["a b.bin", "a\\b.bin", "a~.bin", "fpgä.bin", "a.bin\n", "a:b.bin", "\u0661.bin"],
)
def test_file_name_with_other_characters_is_refused(key: str) -> None:
    assert "only ASCII letters, digits, '-', '_', '/' and '.'" in refusal(f"obs:{key}")


@pytest.mark.parametrize("key", ["fpga.bit", "fpga.BIN", "fpga.bin.gz", "fpga.xclbi"])
def test_file_name_with_other_suffix_is_refused(key: str) -> None:
    assert 'must end with ".bin" or "xclbin"' in refusal(f"obs:{key}")


@pytest.mark.parametrize(
    "key",
    [
        "/fpga.bin",
        "a//b.bin",
        "./x.bin",
        "../x.bin",
        "a/../../x.bin",
        "a/./b.bin",
        "a/../b.bin",
    ],
)
def test_file_name_that_leaves_the_bucket_is_refused(key: str) -> None:
    assert "the file name path must stay inside the bucket" in refusal(f"obs:{key}")
