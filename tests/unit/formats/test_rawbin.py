import pytest

from fpga_image_service.formats import ContentProblem, ImageFormat, inspect_bytes
from tests.fixtures.fpga_files import (
    SYNC_WORD,
    raw_bin,
    raw_bin_sync_offset,
    swap_words,
)

from .helpers import refused


def test_raw_bin_in_normal_order_is_accepted() -> None:
    inspection = inspect_bytes(raw_bin())

    assert inspection.format is ImageFormat.BIN
    assert inspection.details == {
        "byte_order": "normal",
        "sync_offset": raw_bin_sync_offset(),
        "size": len(raw_bin()),
        "size_multiple_of_4": True,
        "warnings": [],
    }


def test_raw_bin_with_swapped_words_is_accepted_as_swapped() -> None:
    inspection = inspect_bytes(raw_bin(swapped=True, preamble_words=8))

    assert inspection.format is ImageFormat.BIN_SWAPPED
    assert inspection.details["byte_order"] == "swapped"
    assert inspection.details["sync_offset"] == raw_bin_sync_offset(8)


def test_raw_bin_accepts_sync_word_in_the_last_word_of_the_first_kib() -> None:
    data = b"\xff" * 1020 + SYNC_WORD + bytes(64)

    assert inspect_bytes(data).details["sync_offset"] == 1020


def test_raw_bin_refuses_sync_word_after_the_first_kib() -> None:
    data = b"\xff" * 1024 + SYNC_WORD + bytes(64)

    refused(data, ContentProblem.UNKNOWN_FORMAT)


def test_raw_bin_refuses_sync_word_off_a_word_boundary() -> None:
    data = b"\xff" * 18 + SYNC_WORD + bytes(64)

    refused(data, ContentProblem.UNKNOWN_FORMAT)


@pytest.mark.parametrize("swapped", [False, True])
def test_raw_bin_flags_a_size_that_is_not_whole_words(swapped: bool) -> None:
    data = raw_bin(payload_size=4095, swapped=swapped)

    details = inspect_bytes(data).details

    assert details["size_multiple_of_4"] is False
    assert details["warnings"]


def test_raw_bin_of_one_sync_word_is_accepted() -> None:
    assert inspect_bytes(swap_words(SYNC_WORD)).format is ImageFormat.BIN_SWAPPED
