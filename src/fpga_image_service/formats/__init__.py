"""Streaming inspectors that check FPGA logic files in one bounded-memory pass.

Feed a StreamInspector every chunk of a file, then call finish(): it returns
an Inspection (the format and the facts found) or raises ContentError.
"""

from .inspector import StreamInspector, inspect_bytes
from .model import ContentError, ContentProblem, ImageFormat, Inspection
from .naming import check_name

__all__ = [
    "ContentError",
    "ContentProblem",
    "ImageFormat",
    "Inspection",
    "StreamInspector",
    "check_name",
    "inspect_bytes",
]
