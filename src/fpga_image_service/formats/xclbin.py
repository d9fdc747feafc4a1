"""Streaming inspector for xclbin files (the AXLF "xclbin2" container).

All integers are little-endian. A 456-byte fixed header is followed by N
40-byte section headers, then the payloads at the absolute offsets the table
gives. As the table comes first, every section bound is checked while the
bytes stream past; only the size checks wait for the end of the file.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from . import bitfile
from .model import (
    ContentError,
    ImageFormat,
    Inspection,
    Warnings,
    malformed,
    truncated,
)
from .window import Window

MAGIC = b"xclbin2\x00"
HEADER_SIZE = 456  # offsetof(struct axlf, m_sections)
MIN_SIZE = 496  # sizeof(struct axlf), which counts one section header
SECTION_HEADER_SIZE = 40
MAX_SECTIONS = 4096
#: xclbinutil --add-signature appends this without updating m_length.
USER_SIGNATURE_MAGIC = bytes.fromhex("5349474e9dff41c08ccb82a7131cc9f3")

SECTION_KINDS = (
    "BITSTREAM",
    "CLEARING_BITSTREAM",
    "EMBEDDED_METADATA",
    "FIRMWARE",
    "DEBUG_DATA",
    "SCHED_FIRMWARE",
    "MEM_TOPOLOGY",
    "CONNECTIVITY",
    "IP_LAYOUT",
    "DEBUG_IP_LAYOUT",
    "DESIGN_CHECK_POINT",
    "CLOCK_FREQ_TOPOLOGY",
    "MCS",
    "BMC",
    "BUILD_METADATA",
    "KEYVALUE_METADATA",
    "USER_METADATA",
    "DNA_CERTIFICATE",
    "PDI",
    "BITSTREAM_PARTIAL_PDI",
    "PARTITION_METADATA",
    "EMULATION_DATA",
    "SYSTEM_METADATA",
    "SOFT_KERNEL",
    "ASK_FLASH",
    "AIE_METADATA",
    "ASK_GROUP_TOPOLOGY",
    "ASK_GROUP_CONNECTIVITY",
    "SMARTNIC",
    "AIE_RESOURCES",
    "OVERLAY",
    "VENDER_METADATA",
    "AIE_PARTITION",
    "IP_METADATA",
    "AIE_RESOURCES_BIN",
    "AIE_TRACE_METADATA",
    "DTBO",
)
MODES = (
    "FLAT",
    "PR",
    "TANDEM_STAGE2",
    "TANDEM_STAGE2_WITH_PR",
    "HW_EMU",
    "SW_EMU",
    "HW_EMU_PR",
)

_PREFIX = struct.Struct("<8si28s256sQ")
_AXLF_HEADER = struct.Struct("<QQQHBBHH16s64s16s16sI4x")
_SECTION_HEADER = struct.Struct("<I16s4xQQ")
_U64_MAX = 2**64 - 1
_LOWER_HEX = frozenset(b"0123456789abcdef")
_EMULATION_MODES = frozenset({4, 5, 6})
_HARDWARE_KINDS = frozenset({"BITSTREAM", "PDI", "BITSTREAM_PARTIAL_PDI"})
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_LAST_DATE = 253402300799  # 9999-12-31T23:59:59Z


def section_kind_name(kind: int) -> str:
    """The enum name of a section kind; kinds newer than this table are shown raw."""
    return SECTION_KINDS[kind] if kind < len(SECTION_KINDS) else f"UNKNOWN({kind})"


def mode_name(mode: int) -> str:
    """The enum name of an m_mode value."""
    return MODES[mode] if mode < len(MODES) else f"UNKNOWN({mode})"


@dataclass(frozen=True)
class _Header:
    signature_length: int
    unique_id: int
    length: int
    timestamp: int
    feature_rom_timestamp: int
    version: str
    mode: int
    action_mask: int
    interface_uuid: bytes
    platform_vbnv: bytes
    id_slot: bytes  # uuid then m_debug_bin; Huawei writes its AEI ID over both
    num_sections: int

    @property
    def table_end(self) -> int:
        return HEADER_SIZE + SECTION_HEADER_SIZE * self.num_sections


class XclbinInspector:
    """Checks an xclbin; after the section table a chunk costs a few comparisons."""

    def __init__(self) -> None:
        self._size = 0
        self._head = Window(0, HEADER_SIZE)
        self._header: _Header | None = None
        self._table = bytearray()  # a section header not yet complete
        self._table_position = HEADER_SIZE
        self._table_read = False
        self._kinds: list[str] = []
        self._warnings = Warnings()
        self._bitstream: Window | None = None
        self._bitstream_name = ""
        self._trailer: Window | None = None

    def feed(self, chunk: bytes) -> None:
        start = self._size
        self._size += len(chunk)
        if not self._table_read:
            header = self._header
            if header is None:
                if not self._head.offer(chunk, start):
                    return
                header = self._header = _read_header(self._head.data)
                self._trailer = Window(header.length, len(USER_SIGNATURE_MAGIC))
            self._read_table(chunk, start, header)

        if self._bitstream is not None:
            self._bitstream.offer(chunk, start)
        if self._trailer is not None:
            self._trailer.offer(chunk, start)

    def finish(self) -> Inspection:
        header = self._header
        if header is None or self._size < MIN_SIZE:
            raise truncated(
                f"an xclbin has at least {MIN_SIZE} bytes but the object has "
                f"{self._size}"
            )
        if self._size < header.table_end:
            raise truncated(
                f"the xclbin header lists {header.num_sections} sections, whose "
                f"headers end at byte {header.table_end}, but the object has "
                f"{self._size} bytes"
            )
        if self._size < header.length:
            raise truncated(
                f"the xclbin header says {header.length} bytes but the object has "
                f"{self._size}"
            )

        user_signature = self._size > header.length
        if user_signature and not self._has_user_signature():
            raise malformed(
                f"the file has {self._size - header.length} bytes after the "
                f"{header.length} bytes its xclbin header declares, and they are not "
                "a user signature"
            )
        return Inspection(ImageFormat.XCLBIN, self._details(header, user_signature))

    def _read_table(self, chunk: bytes, start: int, header: _Header) -> None:
        low = self._table_position - start
        high = min(header.table_end, start + len(chunk)) - start
        if low < high:
            self._table += chunk[low:high]
            self._table_position += high - low

        whole = len(self._table) - len(self._table) % SECTION_HEADER_SIZE
        for offset in range(0, whole, SECTION_HEADER_SIZE):
            fields = _SECTION_HEADER.unpack_from(self._table, offset)
            self._add_section(header, *fields)
        del self._table[:whole]
        self._table_read = self._table_position == header.table_end

    def _add_section(
        self, header: _Header, kind: int, raw_name: bytes, offset: int, size: int
    ) -> None:
        kind_name = section_kind_name(kind)
        label = f"section {len(self._kinds)} ({kind_name})"
        self._kinds.append(kind_name)
        if offset == 0 and size == 0:  # the layout's mark of an absent section
            return

        end = offset + size
        if offset < header.table_end:
            raise malformed(
                f"the xclbin is malformed: {label} starts at byte {offset}, inside "
                f"the header and section table, which end at byte {header.table_end}"
            )
        if end > _U64_MAX:
            raise malformed(
                f"the xclbin is malformed: {label} has offset {offset} and size "
                f"{size}, whose sum overflows 64 bits"
            )
        if end > header.length:
            raise malformed(
                f"the xclbin is malformed: {label} ends at byte {end}, past the "
                f"{header.length} bytes the xclbin header declares"
            )

        if offset % 8:
            self._warnings.add(f"{label} does not start on an 8-byte boundary")
        if kind >= len(SECTION_KINDS):
            self._warnings.add(f"{label} is of a kind this service does not know")
        if kind == 0 and self._bitstream is None:
            self._bitstream = Window(offset, min(size, bitfile.HEADER_LIMIT))
            self._bitstream_name = _c_string(raw_name)

    def _has_user_signature(self) -> bool:
        trailer = self._trailer
        return trailer is not None and trailer.data == USER_SIGNATURE_MAGIC

    def _details(self, header: _Header, user_signature: bool) -> dict[str, object]:
        details: dict[str, object] = _identity(header)
        details.update(
            {
                "interface_uuid": str(uuid.UUID(bytes=header.interface_uuid)),
                "platform_vbnv": _c_string(header.platform_vbnv),
                "mode": mode_name(header.mode),
                "action_mask": header.action_mask,
                "xrt_version": header.version,
                "timestamp": header.timestamp,
                "created_at": _iso_time(header.timestamp),
                "feature_rom_timestamp": header.feature_rom_timestamp,
                "unique_id": f"{header.unique_id:016x}",
                "num_sections": header.num_sections,
                "section_kinds": list(self._kinds),
                "length": header.length,
                "signature_length": header.signature_length,
                "user_signature": user_signature,
            }
        )
        details.update(self._bitstream_details())

        self._add_header_warnings(header, user_signature)
        details["warnings"] = self._warnings.as_list()
        return details

    def _bitstream_details(self) -> dict[str, object]:
        """What the first BITSTREAM payload holds, from its first bytes."""
        if self._bitstream is None:
            return {}
        head = self._bitstream.data
        content = _bitstream_content(head, self._bitstream_name)
        if content != "bit":
            return {"bitstream_content": content}

        try:
            bit_header = bitfile.parse_header(head)
        except ContentError:
            bit_header = None
        if bit_header is None:
            self._warnings.add("the BITSTREAM section's .bit header cannot be read")
            return {"bitstream_content": content}
        return {
            "bitstream_content": content,
            "bitstream": bitfile.header_details(bit_header),
        }

    def _add_header_warnings(self, header: _Header, user_signature: bool) -> None:
        if header.mode >= len(MODES):
            self._warnings.add(f"the xclbin mode {header.mode} is not a known mode")
        if 0 not in header.platform_vbnv:
            self._warnings.add("the platform VBNV is not NUL-terminated")
        if user_signature:
            self._warnings.add(
                "the xclbin carries a user signature after its declared length; "
                "XRT releases from 2026-07 refuse such files"
            )
        hardware = _HARDWARE_KINDS.intersection(self._kinds)
        if header.mode not in _EMULATION_MODES and not hardware:
            self._warnings.add("the xclbin has no BITSTREAM or PDI section")


def _read_header(raw: bytes) -> _Header:
    """Parse and check the 456-byte fixed header."""
    _magic, signature_length, _reserved, _key_block, unique_id = _PREFIX.unpack_from(
        raw, 0
    )
    (
        length,
        timestamp,
        feature_rom_timestamp,
        patch,
        major,
        minor,
        mode,
        action_mask,
        interface_uuid,
        platform_vbnv,
        uuid_raw,
        debug_bin,
        num_sections,
    ) = _AXLF_HEADER.unpack_from(raw, _PREFIX.size)
    header = _Header(
        signature_length,
        unique_id,
        length,
        timestamp,
        feature_rom_timestamp,
        f"{major}.{minor}.{patch}",
        mode,
        action_mask,
        interface_uuid,
        platform_vbnv,
        uuid_raw + debug_bin,
        num_sections,
    )
    _check_header(header)
    return header


def _check_header(header: _Header) -> None:
    count = header.num_sections
    if count == 0:
        raise malformed("the xclbin is malformed: its header lists no sections")
    if count > MAX_SECTIONS:
        raise malformed(
            f"the xclbin is malformed: its header lists {count} sections, more "
            f"than the {MAX_SECTIONS} accepted"
        )
    if header.signature_length < -1:
        raise malformed(
            f"the xclbin is malformed: its signature length is "
            f"{header.signature_length}; only -1 (unsigned) or a size is valid"
        )
    if header.length < header.table_end:
        raise malformed(
            f"the xclbin is malformed: its header says the file has "
            f"{header.length} bytes, fewer than the {header.table_end} its "
            f"{count} section headers need"
        )
    if header.length - max(header.signature_length, 0) < header.table_end:
        raise malformed(
            f"the xclbin is malformed: its {header.signature_length}-byte "
            "signature would start inside the section table"
        )


def _identity(header: _Header) -> dict[str, object]:
    """The xclbin UUID, or the Huawei AEI ID written over it after registration."""
    if all(byte in _LOWER_HEX for byte in header.id_slot):
        return {"aei_id": header.id_slot.decode("ascii")}
    return {"uuid": str(uuid.UUID(bytes=header.id_slot[:16]))}


def _bitstream_content(head: bytes, section_name: str) -> str:
    """Name what a BITSTREAM payload holds, the way xclbinutil --info does."""
    if head.startswith(bitfile.MAGIC[:8]):
        return "bit"
    if head.startswith(_ZIP_MAGICS):
        return "hw_emu" if section_name == "behav" else "dcp"
    if head.startswith(b"\x7fELF"):
        return "elf"
    return "binary"


def _c_string(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def _iso_time(timestamp: int) -> str | None:
    if not 0 < timestamp <= _LAST_DATE:
        return None
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()
