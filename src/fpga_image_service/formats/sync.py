"""The configuration sync word that every Xilinx bitstream carries near its start."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SYNC_WORD = bytes.fromhex("aa995566")
SYNC_WORD_SWAPPED = bytes.fromhex("665599aa")

#: The sync word must sit in the first 1 KiB of the data. Preamble lengths vary
#: by device family, so the word is searched for rather than expected at an
#: offset.
SYNC_SEARCH_LENGTH = 1024


class ByteOrder(StrEnum):
    """How the 32-bit words of a raw bitstream are stored."""

    NORMAL = "normal"  # big-endian words, as Vivado writes them
    SWAPPED = "swapped"  # each word byte-swapped, as Zynq fpga_manager wants


@dataclass(frozen=True)
class SyncMark:
    """Where the sync word was found, and in which byte order."""

    offset: int
    byte_order: ByteOrder


def find_sync(data: bytes) -> SyncMark | None:
    """Return the first sync word on a 4-byte boundary in the first 1 KiB of data."""
    head = data[:SYNC_SEARCH_LENGTH]
    marks = [
        SyncMark(offset, order)
        for pattern, order in (
            (SYNC_WORD, ByteOrder.NORMAL),
            (SYNC_WORD_SWAPPED, ByteOrder.SWAPPED),
        )
        if (offset := _find_aligned(head, pattern)) is not None
    ]
    return min(marks, key=lambda mark: mark.offset, default=None)


def _find_aligned(data: bytes, pattern: bytes) -> int | None:
    position = data.find(pattern)
    while position != -1:
        if position % 4 == 0:
            return position
        position = data.find(pattern, position + 1)
    return None
