"""Request validation: the register body, detail-list paging and image ids.

Every refusal is an InvalidParameter whose message names the field and the
rule. The rules are the seed document's, with the choices of PRODUCT.md where
it leaves room: unknown fields are ignored, optional fields sent as null are
absent, and metadata is measured in its compact stored form.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from fpga_image_service.domain.location import Location, parse_location
from fpga_image_service.errors import InvalidParameter

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "METADATA_MAX_LENGTH",
    "PAGE_MAX",
    "SIZE_MAX",
    "Location",
    "RegisterRequest",
    "compact_metadata",
    "parse_association_body",
    "parse_fpga_image_id",
    "parse_image_id",
    "parse_location",
    "parse_page_and_size",
    "parse_register_body",
]

METADATA_MAX_LENGTH = 1024
DESCRIPTION_MAX_LENGTH = 255
PAGE_MAX = 65534  # the API allows 1 <= page < 65535
SIZE_MAX = 100

# Explicit ASCII classes and re.fullmatch throughout: \w and \d admit Unicode,
# and '$' would let a trailing newline through.
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DESCRIPTION_CHARACTER = re.compile(r"[\u4e00-\u9fa5\u3002\uff0cA-Za-z0-9_., -]")
_DESCRIPTION = re.compile(r"[\u4e00-\u9fa5\u3002\uff0cA-Za-z0-9_., -]*")
_DECIMAL = re.compile(r"[0-9]+")
_FPGA_IMAGE_ID = re.compile(r"[0-9a-f]{32}")
_IMAGE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class RegisterRequest:
    """The checked fields of a register body (`POST .../fpga_image`)."""

    location: Location
    name: str
    metadata: str  # the stored form: compact JSON (compact_metadata)
    description: str | None


def parse_register_body(body: bytes) -> RegisterRequest:
    """Parse and check a register request body; raise InvalidParameter if bad."""
    document = _load_json(body)
    if not isinstance(document, dict):
        raise InvalidParameter("request body must be a JSON object")
    fpga_image = document.get("fpga_image")
    if fpga_image is None:
        raise InvalidParameter("invalid fpga_image: the field is required")
    if not isinstance(fpga_image, dict):
        raise InvalidParameter("invalid fpga_image: must be a JSON object")

    location = parse_location(_required(fpga_image, "location"))
    name = _parse_name(_required(fpga_image, "name"))
    metadata = _parse_metadata(_required(fpga_image, "metadata"))
    description = _parse_description(fpga_image.get("description"))
    return RegisterRequest(
        location=location, name=name, metadata=metadata, description=description
    )


def compact_metadata(metadata: dict[str, object]) -> str:
    """The stored form of metadata: compact JSON with non-ASCII characters kept."""
    return _COMPACT_ENCODER.encode(metadata)


def parse_page_and_size(page: str | None, size: str | None) -> tuple[int, int] | None:
    """Paging of the detail list: None without both, else checked (page, size)."""
    if page is None and size is None:
        return None
    if page is None or size is None:
        raise InvalidParameter(
            "invalid page and size: give both or neither; paging needs both"
        )

    return (
        _parse_bounded_decimal("page", page, PAGE_MAX),
        _parse_bounded_decimal("size", size, SIZE_MAX),
    )


def parse_fpga_image_id(value: str) -> str:
    """Return `value` if it is an FPGA image id: 32 lowercase hex digits."""
    if not _FPGA_IMAGE_ID.fullmatch(value):
        raise InvalidParameter(
            "invalid fpga_image_id: must be 32 lowercase hexadecimal characters"
        )
    return value


def parse_image_id(value: str, field: str = "image_id") -> str:
    """Return `value` if it is a VM image id: a lowercase UUID."""
    if not _IMAGE_ID.fullmatch(value):
        raise InvalidParameter(
            f"invalid {field}: must be a lowercase UUID "
            "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        )
    return value


def parse_association_body(body: bytes) -> str:
    """Parse {"image": {"id": "<uuid>"}}; return the VM image id."""
    document = _load_json(body)
    if not isinstance(document, dict):
        raise InvalidParameter("request body must be a JSON object")
    image = document.get("image")
    if not isinstance(image, dict):
        raise InvalidParameter("invalid image: the field is required and is an object")
    image_id = image.get("id")
    if not isinstance(image_id, str):
        raise InvalidParameter("invalid image.id: the field is required and a string")
    return parse_image_id(image_id, "image.id")


def _load_json(body: bytes) -> object:
    """Decode strict UTF-8 JSON without NaN or Infinity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidParameter(
            "request body is not valid JSON: it is not UTF-8 text"
        ) from error

    try:
        document: object = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise InvalidParameter(
            f"request body is not valid JSON: {error.msg} "
            f"at line {error.lineno} column {error.colno}"
        ) from error
    except RecursionError as error:
        raise InvalidParameter(
            "request body is not valid JSON: it is nested too deeply"
        ) from error
    except ValueError as error:
        # e.g. an integer longer than Python's 4300-digit conversion limit.
        raise InvalidParameter(f"request body is not valid JSON: {error}") from error
    return document


def _refuse_constant(constant: str) -> float:
    raise InvalidParameter(
        f"request body is not valid JSON: {constant} is not a JSON value"
    )


def _parse_finite_float(text: str) -> float:
    # 1e400 parses to inf, which would be stored back as the non-JSON Infinity.
    number = float(text)
    if not math.isfinite(number):
        raise InvalidParameter(
            f"request body is not valid JSON: the number {text} is out of range"
        )
    return number


# One decoder and one encoder for every request: json.loads and json.dumps
# with options build a new one on each call.
_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_float=_parse_finite_float
)
# allow_nan=False: the stored text must stay JSON that any client can read.
_COMPACT_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _required(fpga_image: dict[str, object], key: str) -> object:
    value = fpga_image.get(key)
    if value is None:
        raise InvalidParameter(f"invalid fpga_image.{key}: the field is required")
    return value


def _parse_name(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidParameter("invalid fpga_image.name: must be a string")
    if not _NAME.fullmatch(value):
        raise InvalidParameter(
            "invalid fpga_image.name: must be 1-64 characters, only ASCII "
            "letters, digits, '_' and '-'"
        )
    return value


def _parse_metadata(value: object) -> str:
    if not isinstance(value, dict):
        raise InvalidParameter("invalid fpga_image.metadata: must be a JSON object")

    try:
        stored = compact_metadata(value)
    except RecursionError as error:
        raise InvalidParameter(
            "invalid fpga_image.metadata: it is nested too deeply"
        ) from error
    if len(stored) > METADATA_MAX_LENGTH:
        raise InvalidParameter(
            f"invalid fpga_image.metadata: its compact JSON form must be at most "
            f"{METADATA_MAX_LENGTH} characters, not {len(stored)}"
        )

    # A "\ud800" escape decodes to a lone surrogate, which no UTF-8 database
    # column or response body can hold.
    try:
        stored.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidParameter(
            "invalid fpga_image.metadata: must not contain unpaired surrogate "
            "escapes such as \\ud800"
        ) from error
    return stored


def _parse_description(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter("invalid fpga_image.description: must be a string")
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise InvalidParameter(
            f"invalid fpga_image.description: must be at most "
            f"{DESCRIPTION_MAX_LENGTH} characters, not {len(value)}"
        )

    if _DESCRIPTION.fullmatch(value):
        return value
    for position, character in enumerate(value):
        if not _DESCRIPTION_CHARACTER.fullmatch(character):
            raise InvalidParameter(
                f"invalid fpga_image.description: character {character!r} at "
                f"position {position} is not allowed; use Chinese characters, "
                "'。', '，', ASCII letters, digits, '-', '_', '.', ',' and space"
            )
    return value


def _parse_bounded_decimal(field: str, value: str, maximum: int) -> int:
    """A query number of plain digits (leading zeros allowed) in 1..maximum."""
    if not _DECIMAL.fullmatch(value):
        raise InvalidParameter(
            f"invalid {field}: must be a decimal number of digits only, "
            "without sign or spaces"
        )

    # Strip zeros and bound the length first: int() refuses over 4300 digits.
    significant = value.lstrip("0") or "0"
    if len(significant) > len(str(maximum)) or not 1 <= int(significant) <= maximum:
        raise InvalidParameter(f"invalid {field}: must be from 1 to {maximum}")
    return int(significant)
