"""A fixed byte range of a stream, collected while the stream's chunks pass by."""

from __future__ import annotations


class Window:
    """Collects the bytes at [start, start + length) of a stream.

    Chunks must be offered in stream order, each with its own stream offset. A
    chunk that lies outside the range costs a few comparisons and no copy.
    """

    __slots__ = ("_data", "length", "start")

    def __init__(self, start: int, length: int) -> None:
        self.start = start
        self.length = length
        self._data = bytearray()

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def complete(self) -> bool:
        return len(self._data) == self.length

    @property
    def data(self) -> bytes:
        return bytes(self._data)

    def offer(self, chunk: bytes, chunk_start: int) -> bool:
        """Take the part of `chunk` inside the range; return whether it is now full."""
        have = self.start + len(self._data)
        low = max(have, chunk_start)
        high = min(self.end, chunk_start + len(chunk))

        # Offering the same bytes twice is harmless: only the bytes right after
        # what is already held are taken.
        if low == have and low < high:
            self._data += chunk[low - chunk_start : high - chunk_start]
        return len(self._data) == self.length
