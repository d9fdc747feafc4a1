"""Streaming inspector for raw Xilinx bitstreams (.bin), in either byte order.

A raw bitstream has no header and no metadata: it is recognised by the sync
word on a 4-byte boundary in its first 1 KiB, and all there is to report is
where that word sits, the word byte order and the size.
"""

from __future__ import annotations

from .model import ContentError, ContentProblem, ImageFormat, Inspection, Warnings
from .sync import SYNC_SEARCH_LENGTH, ByteOrder, find_sync
from .window import Window


class RawBinInspector:
    """Checks a raw bitstream; after its first 1 KiB a chunk costs a counter."""

    def __init__(self) -> None:
        self._size = 0
        self._head = Window(0, SYNC_SEARCH_LENGTH)

    def feed(self, chunk: bytes) -> None:
        start = self._size
        self._size += len(chunk)
        if start < SYNC_SEARCH_LENGTH:
            self._head.offer(chunk, start)

    def finish(self) -> Inspection:
        mark = find_sync(self._head.data)
        if mark is None:
            raise ContentError(
                ContentProblem.UNKNOWN_FORMAT,
                "the file is not an FPGA image: it has no bitstream sync word "
                "(aa 99 55 66) on a 4-byte boundary in its first 1 KiB",
            )

        warnings = Warnings()
        aligned = self._size % 4 == 0
        if not aligned:
            warnings.add(
                f"the size, {self._size} bytes, is not a whole number of 32-bit words"
            )
        swapped = mark.byte_order is ByteOrder.SWAPPED
        return Inspection(
            ImageFormat.BIN_SWAPPED if swapped else ImageFormat.BIN,
            {
                "byte_order": mark.byte_order.value,
                "sync_offset": mark.offset,
                "size": self._size,
                "size_multiple_of_4": aligned,
                "warnings": warnings.as_list(),
            },
        )
