"""Streaming inspector for Huawei FP1 AEI containers ("AEIv1.0").

Layout: an 80-byte header (magic, big-endian int32 metadata and bitstream
lengths, 64 reserved bytes), the metadata JSON padded with spaces to a multiple
of 4, the raw bitstream, then the raw SHA-256 digest of everything before it.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

from .model import (
    ContentError,
    ContentProblem,
    ImageFormat,
    Inspection,
    Warnings,
    malformed,
    truncated,
)
from .sync import SYNC_SEARCH_LENGTH, SyncMark, find_sync
from .window import Window

MAGIC = b"AEIv1.0\x00"
HEADER_SIZE = 80
DIGEST_SIZE = 32
#: The metadata is held in memory to parse it; FIS itself caps it at 1024
#: characters, so this only stops hostile input.
METADATA_LIMIT = 64 * 1024

#: The metadata keys Huawei's packaging scripts write that are worth showing.
METADATA_KEYS = (
    "version",
    "fpga_board",
    "fpga_vendor",
    "fpga_chip",
    "bitstream_format",
    "flow_type",
    "shell_id",
    "shell_type",
    "shell_version",
    "pci_vendor_id",
    "pci_device_id",
    "pci_subsystem_id",
    "pci_subsystem_vendor_id",
    "hdk_version",
    "tool_version",
    "create_time",
    "xclbin_timestamp",
    "clock_freq",
)

_HEADER = struct.Struct(">8sii64s")
_JSON_KINDS = {
    list: "list",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


@dataclass(frozen=True)
class _Layout:
    metadata_length: int
    bitstream_length: int
    reserved_clear: bool

    @property
    def bitstream_offset(self) -> int:
        return HEADER_SIZE + self.metadata_length

    @property
    def digest_offset(self) -> int:
        return self.bitstream_offset + self.bitstream_length

    @property
    def size(self) -> int:
        return self.digest_offset + DIGEST_SIZE


class AeiInspector:
    """Checks an AEI container while hashing it; memory stays a few KiB."""

    def __init__(self) -> None:
        self._size = 0
        self._sha256 = hashlib.sha256()
        self._head = Window(0, HEADER_SIZE)
        self._layout: _Layout | None = None
        self._metadata_raw: Window | None = None
        self._metadata: dict[str, object] | None = None
        self._bitstream_head: Window | None = None
        self._sync: SyncMark | None = None
        self._digest: Window | None = None

    def feed(self, chunk: bytes) -> None:
        start = self._size
        self._size += len(chunk)
        if self._layout is None and self._head.offer(chunk, start):
            self._start_body(_read_header(self._head.data))

        self._hash(chunk, start)
        if self._digest is not None:
            self._offer_body(chunk, start, self._digest)

    def finish(self) -> Inspection:
        layout = self._layout
        if layout is None:
            raise truncated(
                f"an AEI container starts with an {HEADER_SIZE}-byte header but "
                f"the object has {self._size} bytes"
            )
        if self._size < layout.size:
            raise truncated(
                f"the AEI header says {layout.size} bytes ({HEADER_SIZE} of "
                f"header, {layout.metadata_length} of metadata, "
                f"{layout.bitstream_length} of bitstream and a {DIGEST_SIZE}-byte "
                f"digest) but the object has {self._size}"
            )
        if self._size > layout.size:
            raise malformed(
                f"the file has {self._size - layout.size} bytes after the SHA-256 "
                f"digest that ends the AEI container at byte {layout.size}"
            )
        if self._digest is None or self._digest.data != self._sha256.digest():
            raise ContentError(
                ContentProblem.CHECKSUM_MISMATCH,
                "the AEI container's SHA-256 digest does not match its content: "
                "the file is damaged or was changed after it was packaged",
            )
        if self._metadata is None or self._sync is None:  # unreachable: size checked
            raise truncated("it ends inside the AEI container")

        return Inspection(ImageFormat.AEI, self._details(layout, self._sync))

    def _start_body(self, layout: _Layout) -> None:
        self._layout = layout
        self._metadata_raw = Window(HEADER_SIZE, layout.metadata_length)
        sync_length = min(layout.bitstream_length, SYNC_SEARCH_LENGTH)
        self._bitstream_head = Window(layout.bitstream_offset, sync_length)
        self._digest = Window(layout.digest_offset, DIGEST_SIZE)

    def _hash(self, chunk: bytes, start: int) -> None:
        """Hash the part of `chunk` before the digest; the digest is not hashed."""
        if self._layout is None:
            self._sha256.update(chunk)
            return
        stop = self._layout.digest_offset - start
        if stop >= len(chunk):
            self._sha256.update(chunk)
        elif stop > 0:
            self._sha256.update(memoryview(chunk)[:stop])

    def _offer_body(self, chunk: bytes, start: int, digest: Window) -> None:
        if self._metadata is None and self._metadata_raw is not None:
            if not self._metadata_raw.offer(chunk, start):
                return
            self._metadata = _parse_metadata(self._metadata_raw.data)
            self._metadata_raw = None

        if self._sync is None and self._bitstream_head is not None:
            if not self._bitstream_head.offer(chunk, start):
                return
            self._sync = _find_bitstream_sync(self._bitstream_head.data)
            self._bitstream_head = None

        digest.offer(chunk, start)

    def _details(self, layout: _Layout, sync: SyncMark) -> dict[str, object]:
        metadata = self._metadata or {}
        warnings = Warnings()
        if metadata.get("version") != "AEIv1.0":
            warnings.add('the AEI metadata has no "version": "AEIv1.0" entry')
        if not layout.reserved_clear:
            warnings.add("the reserved bytes of the AEI header are not all zero")
        if layout.bitstream_length % 4:
            warnings.add("the embedded bitstream is not a whole number of words")
        return {
            "metadata": {k: metadata[k] for k in METADATA_KEYS if k in metadata},
            "metadata_length": layout.metadata_length,
            "bitstream_length": layout.bitstream_length,
            "byte_order": sync.byte_order.value,
            "sync_offset": sync.offset,
            "warnings": warnings.as_list(),
        }


def _read_header(raw: bytes) -> _Layout:
    _magic, metadata_length, bitstream_length, reserved = _HEADER.unpack(raw)
    if metadata_length < 0 or bitstream_length < 0:
        raise malformed(
            "the AEI header is malformed: it gives a negative length "
            f"(metadata {metadata_length}, bitstream {bitstream_length})"
        )
    if metadata_length % 4:
        raise malformed(
            f"the AEI header is malformed: its metadata length, {metadata_length}, "
            "is not a multiple of 4"
        )
    if metadata_length > METADATA_LIMIT:
        raise malformed(
            f"the AEI metadata is {metadata_length} bytes, more than the "
            f"{METADATA_LIMIT} accepted"
        )
    return _Layout(metadata_length, bitstream_length, not any(reserved))


def _parse_metadata(raw: bytes) -> dict[str, object]:
    try:
        metadata = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise malformed(f"the AEI metadata is not valid JSON: {error}") from error
    if not isinstance(metadata, dict):
        kind = _JSON_KINDS.get(type(metadata), "value")
        raise malformed(f"the AEI metadata must be a JSON object, not a {kind}")
    return metadata


def _find_bitstream_sync(bitstream_head: bytes) -> SyncMark:
    mark = find_sync(bitstream_head)
    if mark is None:
        raise malformed(
            "the AEI container is malformed: its bitstream has no sync word "
            "(aa 99 55 66) on a 4-byte boundary in its first 1 KiB"
        )
    return mark
