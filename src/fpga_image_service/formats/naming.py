"""Whether a file's detected format fits the name it was uploaded under."""

from __future__ import annotations

from .model import ContentError, ContentProblem, ImageFormat, Inspection

_DESCRIPTIONS = {
    ImageFormat.XCLBIN: "an xclbin",
    ImageFormat.AEI: "a Huawei AEI container",
    ImageFormat.BIT: "a Xilinx .bit file",
    ImageFormat.BIN: "a raw bitstream",
    ImageFormat.BIN_SWAPPED: "a byte-swapped raw bitstream",
}

#: Name endings and the formats each may hold. Huawei's client only accepts
#: names ending in .bin or .xclbin, and uploads AEI containers, .bit files and
#: raw bitstreams under .bin.
_ALLOWED = (
    ("xclbin", frozenset({ImageFormat.XCLBIN})),
    (
        ".bin",
        frozenset(
            {ImageFormat.BIN, ImageFormat.BIN_SWAPPED, ImageFormat.AEI, ImageFormat.BIT}
        ),
    ),
)


def check_name(file_name: str, inspection: Inspection) -> None:
    """Raise ContentError(FORMAT_MISMATCH) unless the format fits the name."""
    detected = inspection.format
    found = f"{_DESCRIPTIONS[detected]} ({detected.value})"
    lowered = file_name.lower()
    for ending, formats in _ALLOWED:
        if not lowered.endswith(ending):
            continue
        if detected in formats:
            return
        *others, last = sorted(f.value for f in formats)
        expected = f"{', '.join(others)} or {last}" if others else last
        raise ContentError(
            ContentProblem.FORMAT_MISMATCH,
            f"the file {file_name!r} holds {found}, but a name ending in {ending} "
            f"must hold {expected}",
        )

    raise ContentError(
        ContentProblem.FORMAT_MISMATCH,
        f"the file {file_name!r} holds {found}, but its name ends in neither "
        ".bin nor .xclbin",
    )
