"""What an inspection reports: the detected format, its facts, and its problems."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ImageFormat(StrEnum):
    """An FPGA logic file format; the values are stored in the database."""

    XCLBIN = "xclbin"
    AEI = "aei"  # Huawei AEIv1.0 container
    BIT = "bit"  # Xilinx .bit with its header
    BIN = "bin"  # raw bitstream, normal byte order
    BIN_SWAPPED = "bin-swapped"  # raw bitstream, 32-bit words byte-swapped


class ContentProblem(StrEnum):
    """Why the content of a file was refused."""

    EMPTY = "empty"
    UNKNOWN_FORMAT = "unknown_format"
    TRUNCATED = "truncated"
    MALFORMED = "malformed"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    FORMAT_MISMATCH = "format_mismatch"  # content does not match the file name
    TOO_LARGE = "too_large"  # raised by the ingest pipeline, not by the inspectors


class ContentError(Exception):
    """The file's content is not an acceptable FPGA image; `message` says why."""

    def __init__(self, problem: ContentProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message

    def __repr__(self) -> str:
        return f"ContentError({self.problem.value!r}, {self.message!r})"


@dataclass(frozen=True)
class Inspection:
    """A file that passed inspection: its format and the JSON-ready facts found."""

    format: ImageFormat
    details: dict[str, object]


def truncated(message: str) -> ContentError:
    """A TRUNCATED error whose message starts the way every such message does."""
    return ContentError(ContentProblem.TRUNCATED, f"the file is truncated: {message}")


def malformed(message: str) -> ContentError:
    """A MALFORMED error; `message` is a full sentence naming the broken rule."""
    return ContentError(ContentProblem.MALFORMED, message)


class Warnings:
    """A bounded, ordered set of warning sentences for the details."""

    LIMIT = 32

    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, message: str) -> None:
        if len(self._items) < self.LIMIT and message not in self._items:
            self._items.append(message)

    def as_list(self) -> list[str]:
        return list(self._items)
