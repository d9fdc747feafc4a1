"""The stream inspector: sniff the first bytes, then hand the stream to a format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .aei import AeiInspector
from .bitfile import BitInspector
from .model import ImageFormat, Inspection
from .rawbin import RawBinInspector
from .sniff import SNIFF_LENGTH, sniff
from .xclbin import XclbinInspector


class FormatInspector(Protocol):
    """Checks one format; fed every byte of the file from the first."""

    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> Inspection: ...


_INSPECTORS: dict[ImageFormat, Callable[[], FormatInspector]] = {
    ImageFormat.XCLBIN: XclbinInspector,
    ImageFormat.AEI: AeiInspector,
    ImageFormat.BIT: BitInspector,
    ImageFormat.BIN: RawBinInspector,
    ImageFormat.BIN_SWAPPED: RawBinInspector,
}


class StreamInspector:
    """Feed every chunk of a file in order, then call finish().

    Memory stays bounded whatever the file size: at most the first
    SNIFF_LENGTH bytes are held before the format is known, and each format
    inspector keeps only its header and a few small windows.
    """

    def __init__(self) -> None:
        self._head = bytearray()
        self._inspector: FormatInspector | None = None

    def feed(self, chunk: bytes) -> None:
        """Inspect the next chunk; may raise ContentError as soon as one is found."""
        if self._inspector is not None:
            self._inspector.feed(chunk)
            return

        earlier = len(self._head)
        self._head += chunk[: SNIFF_LENGTH - earlier]
        image_format = sniff(bytes(self._head), at_end=False)
        if image_format is None:
            return

        # Replay the bytes of earlier chunks, then this chunk whole, so that a
        # large first chunk is not copied.
        inspector = self._start(image_format, bytes(self._head[:earlier]))
        inspector.feed(chunk)

    def finish(self) -> Inspection:
        """Run the checks that need the whole file; raise ContentError on failure."""
        inspector = self._inspector
        if inspector is None:
            image_format = sniff(bytes(self._head), at_end=True)
            if image_format is None:  # unreachable: at_end always decides
                raise AssertionError("sniff could not decide at the end of the file")
            inspector = self._start(image_format, bytes(self._head))
        return inspector.finish()

    def _start(self, image_format: ImageFormat, head: bytes) -> FormatInspector:
        """Hand the stream to the format's inspector, replaying `head` to it."""
        inspector = self._inspector = _INSPECTORS[image_format]()
        self._head = bytearray()
        inspector.feed(head)
        return inspector


def inspect_bytes(data: bytes) -> Inspection:
    """Inspect a whole file held in memory."""
    inspector = StreamInspector()
    inspector.feed(data)
    return inspector.finish()
