"""The `location` of an FPGA logic file: "bucket:file", checked against OBS rules.

The rules are the register API's (seed document, table 3) plus one of our own:
the file name is used as an object key, so it must never name anything outside
the bucket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpga_image_service.errors import InvalidParameter

LOCATION_FIELD = "fpga_image.location"

BUCKET_MIN_LENGTH = 3
BUCKET_MAX_LENGTH = 63
FILE_NAME_MIN_LENGTH = 4
FILE_NAME_MAX_LENGTH = 64

# The seed writes "ends with .bin or xclbin" (no dot before xclbin); PRODUCT.md
# keeps that text, which admits both "a.xclbin" and "axclbin".
FILE_NAME_SUFFIXES = (".bin", "xclbin")

# Explicit ASCII classes: \w and \d would admit Unicode letters and digits.
_BUCKET_CHARACTERS = re.compile(r"[a-z0-9.-]+")
_BUCKET_EDGE = re.compile(r"[a-z0-9]")
_BUCKET_FORBIDDEN_PAIRS = ("..", ".-", "-.")
_DOTTED_QUAD = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")
_FILE_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_./-]+")
# Every rule above but the lengths and the IP address, in one match: runs of
# letters and digits joined by '.' or by dashes. A name it refuses goes
# through the checks one by one, which say what is wrong.
_BUCKET_NAME = re.compile(r"[a-z0-9]+(?:(?:\.|-+)[a-z0-9]+)*")


@dataclass(frozen=True)
class Location:
    """A logic file's place: an OBS bucket and the object key inside it."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"{self.bucket}:{self.key}"


def parse_location(value: object, *, field: str = LOCATION_FIELD) -> Location:
    """Split "bucket:file" at the first ':' and check both parts.

    Raises InvalidParameter naming `field` and the rule that failed.
    """
    if not isinstance(value, str):
        raise _refuse(field, 'must be a string of the form "bucket:file"')
    bucket, colon, key = value.partition(":")
    if not colon:
        raise _refuse(
            field, 'must have the form "bucket:file", e.g. "obs-fpga:fpga.bin"'
        )

    check_bucket_name(bucket, field=field)
    check_file_name(key, field=field)
    return Location(bucket=bucket, key=key)


def check_bucket_name(bucket: str, *, field: str = LOCATION_FIELD) -> None:
    """Raise InvalidParameter unless `bucket` follows the OBS bucket naming rules."""
    if (
        BUCKET_MIN_LENGTH <= len(bucket) <= BUCKET_MAX_LENGTH
        and _BUCKET_NAME.fullmatch(bucket)
        and not _is_ipv4_address(bucket)
    ):
        return
    if not BUCKET_MIN_LENGTH <= len(bucket) <= BUCKET_MAX_LENGTH:
        raise _refuse(
            field,
            f"the bucket name must be {BUCKET_MIN_LENGTH}-{BUCKET_MAX_LENGTH} "
            f"characters long, not {len(bucket)}",
        )
    if not _BUCKET_CHARACTERS.fullmatch(bucket):
        raise _refuse(
            field,
            "the bucket name may contain only lowercase letters, digits, '.' and '-'",
        )
    if not (_BUCKET_EDGE.fullmatch(bucket[0]) and _BUCKET_EDGE.fullmatch(bucket[-1])):
        raise _refuse(
            field, "the bucket name must start and end with a letter or digit"
        )
    if any(pair in bucket for pair in _BUCKET_FORBIDDEN_PAIRS):
        raise _refuse(field, 'the bucket name must not contain "..", ".-" or "-."')
    if _is_ipv4_address(bucket):
        raise _refuse(field, "the bucket name must not be an IP address")


def check_file_name(key: str, *, field: str = LOCATION_FIELD) -> None:
    """Raise InvalidParameter unless `key` is an allowed file name in a bucket."""
    if not FILE_NAME_MIN_LENGTH <= len(key) <= FILE_NAME_MAX_LENGTH:
        raise _refuse(
            field,
            f"the file name must be {FILE_NAME_MIN_LENGTH}-{FILE_NAME_MAX_LENGTH} "
            f"characters long, not {len(key)}",
        )
    if not _FILE_NAME_CHARACTERS.fullmatch(key):
        raise _refuse(
            field,
            "the file name may contain only ASCII letters, digits, '-', '_', "
            "'/' and '.'",
        )
    if not key.endswith(FILE_NAME_SUFFIXES):
        raise _refuse(field, 'the file name must end with ".bin" or "xclbin"')

    # The key reaches object stores and local folders alike; a leading '/',
    # an empty segment or a '.'/'..' segment could resolve elsewhere.
    segments = key.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise _refuse(
            field,
            "the file name path must stay inside the bucket: no leading '/', "
            "no empty, '.' or '..' segments",
        )


def _is_ipv4_address(bucket: str) -> bool:
    """True for a dotted quad whose every octet is 0-255, as OBS forbids."""
    match = _DOTTED_QUAD.fullmatch(bucket)
    return match is not None and all(int(octet) <= 255 for octet in match.groups())


def _refuse(field: str, rule: str) -> InvalidParameter:
    return InvalidParameter(f"invalid {field}: {rule}")
