"""Tell the format of a file from its first bytes."""

from __future__ import annotations

from .model import ContentError, ContentProblem, ImageFormat
from .sync import SYNC_SEARCH_LENGTH, ByteOrder, find_sync

#: Enough bytes to decide for every format: a raw bitstream is only known once
#: its first 1 KiB has been searched for the sync word.
SNIFF_LENGTH = SYNC_SEARCH_LENGTH

XCLBIN_MAGIC = b"xclbin2\x00"
AEI_MAGIC = b"AEIv1.0\x00"
#: The .bit header up to its first checked field; the inspector checks the rest
#: (the 00 01 at byte 11 and the 'a' key) so that it can say what is wrong.
BIT_MAGIC = bytes.fromhex("00090ff00ff00ff00ff000")

_CONTAINERS = (
    (XCLBIN_MAGIC, ImageFormat.XCLBIN),
    (AEI_MAGIC, ImageFormat.AEI),
    (BIT_MAGIC, ImageFormat.BIT),
)

_LEGACY_XCLBIN = (b"xclbin0\x00", b"xclbin1\x00")

_FOREIGN = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x7fELF", "an ELF file"),
)

_TAR_MAGIC_OFFSET = 257
_TAR_MAGIC = b"ustar"
_TAR_MAGIC_END = _TAR_MAGIC_OFFSET + len(_TAR_MAGIC)


def sniff(head: bytes, at_end: bool) -> ImageFormat | None:
    """Name the format `head` begins; None while more bytes could change the answer.

    `at_end` says that `head` is the whole file. Raises ContentError when the
    bytes are no FPGA image. A raw bitstream is reported as BIN or BIN_SWAPPED.
    """
    if not head:
        if at_end:
            raise ContentError(ContentProblem.EMPTY, "the file is empty")
        return None

    for magic, image_format in _CONTAINERS:
        if head.startswith(magic):
            return image_format

    for magic in _LEGACY_XCLBIN:
        if head.startswith(magic):
            raise _legacy_xclbin(magic)

    for magic, label in _FOREIGN:
        if head.startswith(magic):
            raise _not_an_image(head, label)

    # Wait for the tar magic's place before trusting a sync word, so that the
    # answer does not depend on how the bytes were chunked.
    if len(head) < _TAR_MAGIC_END and not at_end:
        return None
    if head[_TAR_MAGIC_OFFSET:_TAR_MAGIC_END] == _TAR_MAGIC:
        raise _not_an_image(head, "a tar archive")

    mark = find_sync(head)
    if mark is not None:
        swapped = mark.byte_order is ByteOrder.SWAPPED
        return ImageFormat.BIN_SWAPPED if swapped else ImageFormat.BIN

    if len(head) < SNIFF_LENGTH and not at_end:
        return None
    raise _not_an_image(head, None)


def _legacy_xclbin(magic: bytes) -> ContentError:
    name = magic.rstrip(b"\x00").decode("ascii")
    return ContentError(
        ContentProblem.UNKNOWN_FORMAT,
        f"the file is a legacy {name} image, which is not supported: rebuild it "
        "as an xclbin2 file with Vitis or SDAccel 2017 or later",
    )


def _not_an_image(head: bytes, label: str | None) -> ContentError:
    start = " ".join(f"{byte:02x}" for byte in head[:4])
    if label is not None:
        reason = f"it starts with {start} ({label})"
    else:
        reason = (
            f"it starts with {start} and has no xclbin, AEI or .bit header and "
            "no bitstream sync word (aa 99 55 66) in its first 1 KiB"
        )
    return ContentError(
        ContentProblem.UNKNOWN_FORMAT, f"the file is not an FPGA image: {reason}"
    )
