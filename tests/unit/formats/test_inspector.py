import json
import tracemalloc
from collections.abc import Callable

import pytest

from fpga_image_service.formats import (
    ContentError,
    ContentProblem,
    ImageFormat,
    StreamInspector,
    inspect_bytes,
)
from tests.fixtures.fpga_files import (
    BITSTREAM_KIND,
    aei_file,
    bit_file,
    default_sections,
    raw_bin,
    xclbin_file,
)

from .helpers import inspect_in_chunks

MIB = 1024 * 1024
ODD_SIZES = [1, 7, 4096, 65537]


def _large_xclbin(payload_size: int) -> bytes:
    bit = bit_file(data=raw_bin(payload_size=payload_size))
    return xclbin_file([*default_sections()[:2], (BITSTREAM_KIND, "bitstream", bit)])


SMALL_FILES: dict[str, Callable[[], bytes]] = {
    "xclbin": xclbin_file,
    "aei": aei_file,
    "bit": bit_file,
    "bin": raw_bin,
    "bin-swapped": lambda: raw_bin(swapped=True),
    "xclbin-user-signature": lambda: (
        xclbin_file() + bytes.fromhex("5349474e9dff41c08ccb82a7131cc9f3") + bytes(40)
    ),
}

LARGE_FILES: dict[str, Callable[[], bytes]] = {
    "xclbin": lambda: _large_xclbin(3 * MIB),
    "aei": lambda: aei_file(bitstream=raw_bin(payload_size=3 * MIB)),
    "bit": lambda: bit_file(data=raw_bin(payload_size=3 * MIB)),
    "bin": lambda: raw_bin(payload_size=3 * MIB + 3),
    "bin-swapped": lambda: raw_bin(payload_size=3 * MIB, swapped=True),
}


@pytest.mark.parametrize("name", SMALL_FILES)
@pytest.mark.parametrize("chunk_size", ODD_SIZES)
def test_small_file_gives_the_same_result_in_any_chunk_size(
    name: str, chunk_size: int
) -> None:
    data = SMALL_FILES[name]()

    assert inspect_in_chunks(data, [chunk_size]) == inspect_bytes(data)


@pytest.mark.parametrize("name", LARGE_FILES)
def test_multi_megabyte_file_gives_the_same_result_in_odd_chunks(name: str) -> None:
    data = LARGE_FILES[name]()

    assert inspect_in_chunks(data, ODD_SIZES) == inspect_bytes(data)
    assert inspect_in_chunks(data, [MIB]) == inspect_bytes(data)


@pytest.mark.parametrize("name", LARGE_FILES)
def test_inspection_memory_stays_flat_for_a_multi_megabyte_file(name: str) -> None:
    data = LARGE_FILES[name]()
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]

    tracemalloc.start()
    try:
        inspector = StreamInspector()
        for chunk in chunks:
            inspector.feed(chunk)
        inspector.finish()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The file is over 3 MiB; the inspector may hold its small windows only.
    assert peak < 64 * 1024


@pytest.mark.parametrize("name", SMALL_FILES)
def test_details_are_json_serialisable(name: str) -> None:
    inspection = inspect_bytes(SMALL_FILES[name]())

    assert json.loads(json.dumps(inspection.details)) == inspection.details


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (aei_file()[:-5], ContentProblem.TRUNCATED),
        (bit_file(data=bytes(4096)), ContentProblem.MALFORMED),
        (xclbin_file() + b"junk", ContentProblem.MALFORMED),
    ],
)
def test_errors_do_not_depend_on_chunk_size(
    data: bytes, problem: ContentProblem
) -> None:
    messages = set()
    for chunk_size in ODD_SIZES:
        with pytest.raises(ContentError) as caught:
            inspect_in_chunks(data, [chunk_size])
        assert caught.value.problem is problem
        messages.add(caught.value.message)

    assert len(messages) == 1


def test_stream_inspector_accepts_empty_chunks() -> None:
    inspector = StreamInspector()
    for chunk in (b"", *[bytes([b]) for b in bit_file()], b""):
        inspector.feed(chunk)

    assert inspector.finish().format is ImageFormat.BIT


def test_stream_inspector_refuses_a_file_of_empty_chunks_as_empty() -> None:
    inspector = StreamInspector()
    inspector.feed(b"")

    with pytest.raises(ContentError) as caught:
        inspector.finish()

    assert caught.value.problem is ContentProblem.EMPTY


def test_stream_inspector_refuses_a_zip_at_its_first_chunk() -> None:
    inspector = StreamInspector()

    with pytest.raises(ContentError) as caught:
        inspector.feed(b"PK\x03\x04")

    assert caught.value.problem is ContentProblem.UNKNOWN_FORMAT


def test_content_error_carries_problem_and_message() -> None:
    error = ContentError(ContentProblem.TRUNCATED, "the file is truncated: x")

    assert (error.problem, error.message, str(error)) == (
        ContentProblem.TRUNCATED,
        "the file is truncated: x",
        "the file is truncated: x",
    )
