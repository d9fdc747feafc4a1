"""Streaming inspector for Xilinx .bit files: a small TLV header, then raw data.

The header is the 13-byte magic, then fields keyed by one letter: a (design
and build options), b (part), c (date), d (time), each a big-endian u16 length
and a NUL-terminated string, and finally e, a big-endian u32 giving the length
of the configuration data that fills the rest of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import ImageFormat, Inspection, Warnings, malformed, truncated
from .sync import SYNC_SEARCH_LENGTH, SyncMark, find_sync
from .window import Window

MAGIC = bytes.fromhex("00090ff00ff00ff00ff0000001")
#: Real headers are about 100 bytes; the cap bounds memory for hostile input.
HEADER_LIMIT = 4096

_FIRST_KEY_OFFSET = len(MAGIC)
_LENGTH_KEY = ord("e")
_STANDARD_ORDER = ("a", "b", "c", "d")
_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class BitHeader:
    """The parsed .bit header: its string fields by key, and the data length."""

    fields: dict[str, str]
    data_length: int
    header_length: int
    warnings: tuple[str, ...]


def parse_header(head: bytes | bytearray) -> BitHeader | None:
    """Parse the header at the start of `head`; None while more bytes are needed.

    Raises a MALFORMED ContentError as soon as the bytes at hand break the
    layout, including a header that would run past HEADER_LIMIT bytes.
    """
    _check_magic(head)
    if len(head) < _FIRST_KEY_OFFSET:
        return None

    fields: dict[str, str] = {}
    keys: list[str] = []
    position = _FIRST_KEY_OFFSET
    while True:
        if not _within(head, position + 1):
            return None
        key = head[position]
        if key == _LENGTH_KEY:
            return _finish_header(head, position, fields, keys)
        _check_key(key, position, first=not keys)

        value_start = position + 3
        if not _within(head, value_start):
            return None
        value_end = value_start + int.from_bytes(
            head[position + 1 : value_start], "big"
        )
        if not _within(head, value_end):
            return None

        name = chr(key)
        value = head[value_start:value_end]
        if not value or value[-1] != 0:
            raise malformed(
                f"the .bit header is malformed: its '{name}' field is not "
                "NUL-terminated"
            )
        fields.setdefault(name, value[:-1].decode("utf-8", errors="replace"))
        keys.append(name)
        position = value_end


def header_details(header: BitHeader) -> dict[str, object]:
    """The facts a user cares about, read from the header fields."""
    design, _, options = header.fields.get("a", "").partition(";")
    settings = dict(token.split("=", 1) for token in options.split(";") if "=" in token)
    return {
        "design": design,
        "user_id": settings.get("UserID"),
        "version": settings.get("Version"),
        "compress": settings.get("COMPRESS", "").upper() == "TRUE",
        "partial": settings.get("PARTIAL", "").upper() == "TRUE",
        "part": header.fields.get("b"),
        "date": header.fields.get("c"),
        "time": header.fields.get("d"),
        "data_length": header.data_length,
        "header_length": header.header_length,
    }


class BitInspector:
    """Checks a .bit file; once the sync word is found a chunk costs a counter."""

    def __init__(self) -> None:
        self._size = 0
        self._head = bytearray()
        self._header: BitHeader | None = None
        self._data_head: Window | None = None
        self._sync: SyncMark | None = None

    def feed(self, chunk: bytes) -> None:
        start = self._size
        self._size += len(chunk)
        if self._sync is not None:
            return

        if self._data_head is None:
            self._head += chunk[: HEADER_LIMIT - len(self._head)]
            self._header = parse_header(self._head)
            if self._header is None:
                return
            data_start = self._header.header_length
            sync_length = min(self._header.data_length, SYNC_SEARCH_LENGTH)
            self._data_head = Window(data_start, sync_length)
            self._data_head.offer(bytes(self._head), 0)
            self._head = bytearray()

        if self._data_head.offer(chunk, start):
            self._sync = _find_data_sync(self._data_head.data)

    def finish(self) -> Inspection:
        header = self._header
        if header is None:
            raise truncated(f"it ends inside the .bit header, after {self._size} bytes")
        expected = header.header_length + header.data_length
        if self._size < expected:
            raise truncated(
                f"the .bit header says {expected} bytes ({header.header_length} of "
                f"header and {header.data_length} of data) but the object has "
                f"{self._size}"
            )
        if self._size > expected:
            raise malformed(
                f"the file has {self._size - expected} bytes after the "
                f"{header.data_length} bytes of configuration data its .bit header "
                "declares"
            )
        if self._sync is None:  # unreachable: the window ends inside the data
            raise truncated("it ends before the .bit sync word")

        details = header_details(header)
        details["byte_order"] = self._sync.byte_order.value
        details["sync_offset"] = self._sync.offset
        details["warnings"] = _warnings(header)
        return Inspection(ImageFormat.BIT, details)


def _within(head: bytes | bytearray, end: int) -> bool:
    """Whether `head` holds bytes up to `end`; raise if the header grows too long."""
    if end > HEADER_LIMIT:
        raise malformed(
            "the .bit header is malformed: it does not reach its data length "
            f"field ('e') within its first {HEADER_LIMIT} bytes"
        )
    return len(head) >= end


def _check_magic(head: bytes | bytearray) -> None:
    start = bytes(head[: len(MAGIC)])
    if start == MAGIC[: len(start)]:
        return
    found = " ".join(f"{byte:02x}" for byte in start)
    raise malformed(
        f"the .bit header is malformed: it starts with {found} instead of "
        f"{MAGIC.hex(' ')}"
    )


def _check_key(key: int, position: int, first: bool) -> None:
    if first and key != ord("a"):
        raise malformed(
            "the .bit header is malformed: its first field must be the design "
            f"name ('a') but byte {position} is {key:02x}"
        )
    if not ord("a") <= key <= ord("z"):
        raise malformed(
            f"the .bit header is malformed: byte {position} is {key:02x}, "
            "which is not a field key"
        )


def _finish_header(
    head: bytes | bytearray, position: int, fields: dict[str, str], keys: list[str]
) -> BitHeader | None:
    end = position + 5
    if not _within(head, end):
        return None
    data_length = int.from_bytes(head[position + 1 : end], "big")
    return BitHeader(fields, data_length, end, tuple(_key_warnings(keys)))


def _key_warnings(keys: list[str]) -> list[str]:
    warnings = []
    if tuple(keys) != _STANDARD_ORDER:
        warnings.append(
            f"the .bit header fields are {','.join(keys)} rather than a,b,c,d; "
            "the Linux xocl/zocl drivers refuse any other order"
        )
    return warnings


def _warnings(header: BitHeader) -> list[str]:
    warnings = Warnings()
    for warning in header.warnings:
        warnings.add(warning)
    if not _DATE.fullmatch(header.fields.get("c", "")):
        warnings.add("the .bit header date is not in YYYY/MM/DD form")
    if not _TIME.fullmatch(header.fields.get("d", "")):
        warnings.add("the .bit header time is not in HH:MM:SS form")
    return warnings.as_list()


def _find_data_sync(data_head: bytes) -> SyncMark:
    mark = find_sync(data_head)
    if mark is None:
        raise malformed(
            "the .bit file is malformed: its configuration data has no sync word "
            "(aa 99 55 66) on a 4-byte boundary in its first 1 KiB"
        )
    return mark
