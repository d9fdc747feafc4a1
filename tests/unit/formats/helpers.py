"""Shared assertions for the format tests."""

from __future__ import annotations

import pytest

from fpga_image_service.formats import (
    ContentError,
    ContentProblem,
    Inspection,
    StreamInspector,
)


def inspect_in_chunks(data: bytes, sizes: list[int]) -> Inspection:
    """Feed `data` in chunks whose sizes cycle through `sizes`, then finish."""
    inspector = StreamInspector()
    position = 0
    index = 0
    while position < len(data):
        size = sizes[index % len(sizes)]
        inspector.feed(data[position : position + size])
        position += size
        index += 1
    return inspector.finish()


def refused(data: bytes, problem: ContentProblem) -> ContentError:
    """Inspect `data` whole and byte by byte; both must refuse it the same way."""
    errors = []
    for sizes in ([len(data) or 1], [1]):
        with pytest.raises(ContentError) as caught:
            inspect_in_chunks(data, sizes)
        errors.append(caught.value)
    whole, bytewise = errors
    assert whole.problem is problem, whole.message
    assert (bytewise.problem, bytewise.message) == (whole.problem, whole.message)
    return whole


def warnings_of(inspection: Inspection) -> list[str]:
    """The warning sentences an inspection recorded."""
    warnings = inspection.details["warnings"]
    assert isinstance(warnings, list)
    return [str(warning) for warning in warnings]
