"""Register body, paging and fpga_image_id validation."""

from __future__ import annotations

import json

import pytest

from fpga_image_service.domain.validation import (
    Location,
    RegisterRequest,
    compact_metadata,
    parse_fpga_image_id,
    parse_page_and_size,
    parse_register_body,
)
from fpga_image_service.errors import InvalidParameter

SEED_EXAMPLE = b"""{
  "fpga_image": {
    "location": "obs-fpga:fpga.bin",
    "name": "fpga-image-test",
    "description": "fpga description",
    "metadata": {
      "shell_type": "OCL",
      "shell_version": "1.0"
    }
  }
}"""


def fields(**changes: object) -> dict[str, object]:
    """A valid fpga_image object with `changes` applied (None values kept)."""
    fpga_image: dict[str, object] = {
        "location": "obs-fpga:fpga.bin",
        "name": "fpga-image-test",
        "metadata": {"shell_type": "OCL"},
    }
    fpga_image.update(changes)
    return fpga_image


def body(**changes: object) -> bytes:
    return json.dumps({"fpga_image": fields(**changes)}).encode()


def without(key: str) -> bytes:
    fpga_image = fields()
    del fpga_image[key]
    return json.dumps({"fpga_image": fpga_image}).encode()


def refusal(raw: bytes) -> str:
    with pytest.raises(InvalidParameter) as caught:
        parse_register_body(raw)
    return caught.value.message


def metadata_of_length(length: int, filler: str = "x") -> dict[str, object]:
    """Metadata whose compact form is `length` characters: {"k":"<filler...>"}."""
    overhead = len(compact_metadata({"k": ""}))
    return {"k": filler * (length - overhead)}


# The body as a whole


def test_seed_example_body_is_accepted() -> None:
    assert parse_register_body(SEED_EXAMPLE) == RegisterRequest(
        location=Location(bucket="obs-fpga", key="fpga.bin"),
        name="fpga-image-test",
        metadata='{"shell_type":"OCL","shell_version":"1.0"}',
        description="fpga description",
    )


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"{'fpga_image': {}}", b'{"fpga_image": {}} x', b"\xff{}"]
)
def test_malformed_body_is_refused(raw: bytes) -> None:
    assert refusal(raw).startswith("request body is not valid JSON")


def test_body_with_utf8_bom_is_refused() -> None:
    assert refusal(b"\xef\xbb\xbf" + SEED_EXAMPLE).startswith(
        "request body is not valid JSON"
    )


def test_body_in_utf16_is_refused() -> None:
    raw = SEED_EXAMPLE.decode().encode("utf-16")
    assert refusal(raw) == "request body is not valid JSON: it is not UTF-8 text"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_body_with_non_finite_number_is_refused(constant: str) -> None:
    raw = body(metadata={"k": 0}).replace(b"0", constant.encode())
    assert refusal(raw).startswith("request body is not valid JSON")


def test_body_with_overlong_integer_is_refused() -> None:
    raw = body(metadata={"k": 0}).replace(b"0", b"9" * 5000)
    assert refusal(raw).startswith("request body is not valid JSON")


def test_deeply_nested_body_is_refused() -> None:
    raw = b'{"fpga_image": {"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    assert refusal(raw).startswith("request body is not valid JSON")


@pytest.mark.parametrize("raw", [b"[]", b'"x"', b"null", b"5"])
def test_body_that_is_not_an_object_is_refused(raw: bytes) -> None:
    assert refusal(raw) == "request body must be a JSON object"


@pytest.mark.parametrize("raw", [b"{}", b'{"fpga_image": null}', b'{"image": {}}'])
def test_body_without_fpga_image_is_refused(raw: bytes) -> None:
    assert refusal(raw) == "invalid fpga_image: the field is required"


@pytest.mark.parametrize("value", [b"[]", b'"x"', b"5"])
def test_fpga_image_that_is_not_an_object_is_refused(value: bytes) -> None:
    assert refusal(b'{"fpga_image": ' + value + b"}") == (
        "invalid fpga_image: must be a JSON object"
    )


def test_unknown_fields_are_ignored() -> None:
    raw = json.dumps(
        {"fpga_image": fields(extra=1, protected=True), "other": [1, 2]}
    ).encode()
    assert parse_register_body(raw).name == "fpga-image-test"


@pytest.mark.parametrize("key", ["location", "name", "metadata"])
def test_required_field_missing_is_refused(key: str) -> None:
    assert refusal(without(key)) == f"invalid fpga_image.{key}: the field is required"


@pytest.mark.parametrize("key", ["location", "name", "metadata"])
def test_required_field_sent_as_null_is_refused(key: str) -> None:
    assert refusal(body(**{key: None})) == (
        f"invalid fpga_image.{key}: the field is required"
    )


def test_location_is_checked_in_the_body() -> None:
    assert refusal(body(location="my..bucket:a.bin")) == (
        'invalid fpga_image.location: the bucket name must not contain "..", ".-" '
        'or "-."'
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("location", 5),
        ("name", 5),
        ("name", ["a"]),
        ("metadata", "x"),
        ("metadata", []),
        ("metadata", 5),
        ("description", 5),
        ("description", {"a": "b"}),
        ("description", False),
    ],
)
def test_field_of_wrong_json_type_is_refused(key: str, value: object) -> None:
    message = refusal(body(**{key: value}))
    assert message.startswith(f"invalid fpga_image.{key}: must be a ")


# name


@pytest.mark.parametrize("name", ["a", "A-z_0", "n" * 64, "-", "_"])
def test_name_accepted(name: str) -> None:
    assert parse_register_body(body(name=name)).name == name


@pytest.mark.parametrize(
    "name",
    ["", "n" * 65, "a b", "a.b", "名字", "é", "a\u0661", "ａ", "name\n", "\nname"],
)
def test_name_refused(name: str) -> None:
    assert refusal(body(name=name)).startswith(
        "invalid fpga_image.name: must be 1-64 characters"
    )


# metadata


def test_metadata_is_kept_as_sent() -> None:
    metadata = {"nested": {"a": [1, 2.5, None, True]}, "中文": "值"}
    assert json.loads(parse_register_body(body(metadata=metadata)).metadata) == metadata


def test_empty_metadata_is_accepted() -> None:
    assert json.loads(parse_register_body(body(metadata={})).metadata) == {}


def test_metadata_of_1024_compact_characters_is_accepted() -> None:
    metadata = metadata_of_length(1024)
    assert len(json.dumps(metadata)) > 1024  # default separators would count more
    assert json.loads(parse_register_body(body(metadata=metadata)).metadata) == metadata


def test_metadata_of_1025_compact_characters_is_refused() -> None:
    assert refusal(body(metadata=metadata_of_length(1025))) == (
        "invalid fpga_image.metadata: its compact JSON form must be at most 1024 "
        "characters, not 1025"
    )


def test_metadata_with_chinese_counts_characters_not_escapes() -> None:
    metadata = metadata_of_length(1024, filler="镜")
    # json.dumps' default \uXXXX escapes would be six times as long.
    assert len(json.dumps(metadata)) > 5000
    assert json.loads(parse_register_body(body(metadata=metadata)).metadata) == metadata


def test_metadata_with_chinese_over_the_limit_is_refused() -> None:
    raw = body(metadata=metadata_of_length(1025, filler="镜"))
    assert "at most 1024 characters, not 1025" in refusal(raw)


def test_metadata_with_lone_surrogate_is_refused() -> None:
    raw = b'{"fpga_image": {"location": "obs:a.bin", "name": "n", "metadata": '
    raw += b'{"k": "\\ud800"}}}'
    assert "unpaired surrogate" in refusal(raw)


def test_metadata_with_surrogate_pair_is_accepted() -> None:
    raw = b'{"fpga_image": {"location": "obs:a.bin", "name": "n", "metadata": '
    raw += b'{"k": "\\ud83d\\ude00"}}}'
    assert json.loads(parse_register_body(raw).metadata) == {"k": "\U0001f600"}


def test_compact_metadata_has_no_spaces_and_keeps_non_ascii() -> None:
    assert compact_metadata({"a": 1, "b": ["镜 像", None]}) == (
        '{"a":1,"b":["镜 像",null]}'
    )


# description


def test_description_absent_or_null_is_none() -> None:
    assert parse_register_body(body()).description is None
    assert parse_register_body(body(description=None)).description is None


@pytest.mark.parametrize(
    "description",
    [
        "",
        "fpga description",
        "A-z_0.9, ok",
        "中文描述。第二句，完",
        "\u4e00\u9fa5",
        "d" * 255,
        "镜" * 255,
    ],
)
def test_description_accepted(description: str) -> None:
    assert parse_register_body(body(description=description)).description == (
        description
    )


@pytest.mark.parametrize("description", ["d" * 256, "镜" * 256])
def test_description_over_255_characters_is_refused(description: str) -> None:
    assert refusal(body(description=description)) == (
        "invalid fpga_image.description: must be at most 255 characters, not 256"
    )


@pytest.mark.parametrize(
    "description",
    [
        "line\n",
        "tab\there",
        "semi;colon",
        "fullwidth！",
        "\u9fa6",  # just past the seed's CJK range
        "\u3400",  # CJK extension A, outside the range
        "、",
        "ä",
        "\u0661",
        "\U0001f600",
    ],
)
def test_description_with_other_characters_is_refused(description: str) -> None:
    message = refusal(body(description=description))
    assert message.startswith("invalid fpga_image.description: character ")
    assert "is not allowed" in message


def test_description_refusal_names_the_character_and_position() -> None:
    assert "character '!' at position 2 " in refusal(body(description="ab!"))


# page and size


def test_no_page_and_no_size_means_no_paging() -> None:
    assert parse_page_and_size(None, None) is None


def test_page_and_size_accepted() -> None:
    assert parse_page_and_size("1", "1") == (1, 1)
    assert parse_page_and_size("65534", "100") == (65534, 100)
    assert parse_page_and_size("007", "010") == (7, 10)


@pytest.mark.parametrize(("page", "size"), [("1", None), (None, "10")])
def test_page_without_size_or_size_without_page_is_refused(
    page: str | None, size: str | None
) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid page and size: "):
        parse_page_and_size(page, size)


@pytest.mark.parametrize(
    "value", ["+1", "-1", "1.0", " 1", "1 ", "", "1\n", "0x10", "1e2", "\u0661", "１"]
)
def test_page_that_is_not_plain_digits_is_refused(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid page: must be a decimal"):
        parse_page_and_size(value, "10")


@pytest.mark.parametrize("value", ["+1", "-1", "1.0", " 1", "1 ", "", "1\n", "\u0661"])
def test_size_that_is_not_plain_digits_is_refused(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid size: must be a decimal"):
        parse_page_and_size("1", value)


@pytest.mark.parametrize(
    "value", ["0", "000", "65535", "99999999", "0" * 5000 + "65535"]
)
def test_page_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid page: must be from 1 to "):
        parse_page_and_size(value, "10")


def test_page_with_many_leading_zeros_is_accepted() -> None:
    assert parse_page_and_size("0" * 5000 + "2", "3") == (2, 3)


@pytest.mark.parametrize("value", ["0", "101", "1000", "9" * 5000])
def test_size_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid size: must be from 1 to 100"):
        parse_page_and_size("1", value)


# fpga_image_id


@pytest.mark.parametrize(
    "value", ["4010a32c5c62bad9015c62dc2290002b", "0" * 32, "f" * 32]
)
def test_fpga_image_id_accepted(value: str) -> None:
    assert parse_fpga_image_id(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "4010A32C5C62BAD9015C62DC2290002B",
        "4010a32c5c62bad9015c62dc2290002",
        "4010a32c5c62bad9015c62dc2290002b0",
        "4010a32c5c62bad9015c62dc2290002g",
        "4010a32c-5c62-bad9-015c-62dc2290",
        "4010a32c5c62bad9015c62dc2290002b\n",
        "",
    ],
)
def test_fpga_image_id_refused(value: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^invalid fpga_image_id: "):
        parse_fpga_image_id(value)
