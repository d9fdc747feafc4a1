from fpga_image_service.formats import ContentProblem, ImageFormat, inspect_bytes
from fpga_image_service.formats.aei import METADATA_LIMIT
from tests.fixtures.fpga_files import (
    DEFAULT_AEI_METADATA,
    SYNC_WORD,
    aei_container,
    aei_file,
    patch,
    raw_bin,
    raw_bin_sync_offset,
)

from .helpers import refused, warnings_of


def test_aei_container_is_accepted_with_its_metadata() -> None:
    bitstream = raw_bin()
    data = aei_file(bitstream=bitstream)

    inspection = inspect_bytes(data)

    assert inspection.format is ImageFormat.AEI
    details = inspection.details
    assert details["metadata"] == DEFAULT_AEI_METADATA
    assert details["bitstream_length"] == len(bitstream)
    assert details["metadata_length"] == len(data) - 80 - len(bitstream) - 32
    assert details["byte_order"] == "normal"
    assert details["sync_offset"] == raw_bin_sync_offset()
    assert details["warnings"] == []


def test_aei_container_keeps_only_metadata_keys_of_interest() -> None:
    metadata = {"version": "AEIv1.0", "shell_type": "0x101", "secret": "x"}

    details = inspect_bytes(aei_file(metadata=metadata)).details

    assert details["metadata"] == {"version": "AEIv1.0", "shell_type": "0x101"}


def test_aei_container_records_a_swapped_bitstream() -> None:
    data = aei_file(bitstream=raw_bin(swapped=True))

    assert inspect_bytes(data).details["byte_order"] == "swapped"


def test_aei_container_warns_about_another_metadata_version() -> None:
    inspection = inspect_bytes(aei_file(metadata={"version": "2.0"}))

    assert any("AEIv1.0" in warning for warning in warnings_of(inspection))


def test_aei_container_refuses_metadata_length_not_a_multiple_of_4() -> None:
    data = aei_container(b'{"a":1}', raw_bin())

    error = refused(data, ContentProblem.MALFORMED)

    assert "metadata length, 7, is not a multiple of 4" in error.message


def test_aei_container_refuses_a_negative_length() -> None:
    data = patch(aei_file(), 12, ">i", -4)

    error = refused(data, ContentProblem.MALFORMED)

    assert "negative length" in error.message


def test_aei_container_refuses_metadata_over_the_limit() -> None:
    data = patch(aei_file(), 8, ">i", METADATA_LIMIT + 4)

    error = refused(data, ContentProblem.MALFORMED)

    assert f"more than the {METADATA_LIMIT} accepted" in error.message


def test_aei_container_refuses_metadata_that_is_not_json() -> None:
    data = aei_container(b"{not json}  ", raw_bin())

    error = refused(data, ContentProblem.MALFORMED)

    assert error.message.startswith("the AEI metadata is not valid JSON")


def test_aei_container_refuses_metadata_that_is_not_an_object() -> None:
    data = aei_container(b"[1, 2, 3]   ", raw_bin())

    error = refused(data, ContentProblem.MALFORMED)

    assert error.message == "the AEI metadata must be a JSON object, not a list"


def test_aei_container_refuses_a_bitstream_without_sync_word() -> None:
    data = aei_file(bitstream=b"\xff" * 2048)

    error = refused(data, ContentProblem.MALFORMED)

    assert "its bitstream has no sync word" in error.message


def test_aei_container_refuses_a_sync_word_after_the_first_kib() -> None:
    data = aei_file(bitstream=b"\xff" * 1024 + SYNC_WORD + bytes(28))

    refused(data, ContentProblem.MALFORMED)


def test_aei_container_refuses_a_file_shorter_than_its_header() -> None:
    error = refused(aei_file()[:60], ContentProblem.TRUNCATED)

    assert "80-byte header but the object has 60 bytes" in error.message


def test_aei_container_refuses_a_file_shorter_than_its_lengths_say() -> None:
    data = aei_file()

    error = refused(data[:-1], ContentProblem.TRUNCATED)

    assert f"the AEI header says {len(data)} bytes" in error.message


def test_aei_container_refuses_bytes_after_the_digest() -> None:
    error = refused(aei_file() + b"\n", ContentProblem.MALFORMED)

    assert error.message.startswith("the file has 1 bytes after the SHA-256 digest")


def test_aei_container_refuses_a_wrong_digest() -> None:
    data = bytearray(aei_file())
    data[-1] ^= 0xFF

    refused(bytes(data), ContentProblem.CHECKSUM_MISMATCH)


def test_aei_container_refuses_content_changed_after_packaging() -> None:
    data = bytearray(aei_file())
    data[-100] ^= 0x01  # a payload byte, after the sync word

    error = refused(bytes(data), ContentProblem.CHECKSUM_MISMATCH)

    assert "SHA-256 digest does not match" in error.message
