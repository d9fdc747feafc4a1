import struct

from fpga_image_service.formats import ContentProblem, ImageFormat, inspect_bytes
from fpga_image_service.formats.bitfile import HEADER_LIMIT
from tests.fixtures.fpga_files import (
    BIT_MAGIC,
    SYNC_WORD,
    bit_field,
    bit_file,
    raw_bin,
    raw_bin_sync_offset,
)

from .helpers import refused, warnings_of


def _header(*fields: bytes, data: bytes) -> bytes:
    return BIT_MAGIC + b"".join(fields) + b"e" + struct.pack(">I", len(data)) + data


def test_bit_file_is_accepted_with_its_header_facts() -> None:
    data = raw_bin()
    bit = bit_file(design="vadd", part="xcu200-fsgd2104-2-e", data=data)

    inspection = inspect_bytes(bit)

    assert inspection.format is ImageFormat.BIT
    details = inspection.details
    assert details["design"] == "vadd"
    assert details["user_id"] == "0XFFFFFFFF"
    assert details["version"] == "2023.2"
    assert details["part"] == "xcu200-fsgd2104-2-e"
    assert details["date"] == "2024/01/02"
    assert details["time"] == "03:04:05"
    assert details["data_length"] == len(data)
    assert details["header_length"] == len(bit) - len(data)
    assert details["sync_offset"] == raw_bin_sync_offset()
    assert details["byte_order"] == "normal"
    assert details["warnings"] == []


def test_bit_file_reads_compress_and_partial_options_in_any_order() -> None:
    design = b"Falcon;PARTIAL=TRUE;UserID=0X12345678;COMPRESS=TRUE;Version=2021.1\x00"
    bit = _header(
        bit_field(b"a", design),
        bit_field(b"b", b"xczu6eg-ffvc900-1-i\x00"),
        bit_field(b"c", b"2021/05/06\x00"),
        bit_field(b"d", b"07:08:09\x00"),
        data=raw_bin(),
    )

    details = inspect_bytes(bit).details

    assert details["design"] == "Falcon"
    assert details["user_id"] == "0X12345678"
    assert details["compress"] is True
    assert details["partial"] is True


def test_bit_file_refuses_wrong_field_after_the_magic() -> None:
    bit = bytearray(bit_file())
    bit[12] = 2

    error = refused(bytes(bit), ContentProblem.MALFORMED)

    assert "00 09 0f f0 0f f0 0f f0 0f f0 00 00 02" in error.message


def test_bit_file_refuses_a_first_field_other_than_the_design() -> None:
    bit = _header(bit_field(b"b", b"xcvu9p\x00"), data=raw_bin())

    error = refused(bit, ContentProblem.MALFORMED)

    assert "first field must be the design name ('a')" in error.message


def test_bit_file_refuses_a_string_without_nul() -> None:
    bit = _header(bit_field(b"a", b"top;Version=1"), data=raw_bin())

    error = refused(bit, ContentProblem.MALFORMED)

    assert "'a' field is not NUL-terminated" in error.message


def test_bit_file_refuses_a_byte_that_is_not_a_key() -> None:
    bit = _header(bit_field(b"a", b"top\x00"), b"\x01\x00\x00", data=raw_bin())

    error = refused(bit, ContentProblem.MALFORMED)

    assert "which is not a field key" in error.message


def test_bit_file_refuses_a_header_longer_than_the_limit() -> None:
    long_design = b"x" * HEADER_LIMIT + b"\x00"
    bit = _header(bit_field(b"a", long_design), data=raw_bin())

    error = refused(bit, ContentProblem.MALFORMED)

    assert "('e') within its first 4096 bytes" in error.message


def test_bit_file_accepts_unknown_fields_before_the_length_with_a_warning() -> None:
    bit = _header(
        bit_field(b"a", b"top\x00"),
        bit_field(b"b", b"7a50tfgg484\x00"),
        bit_field(b"f", b"extra\x00"),
        data=raw_bin(),
    )

    inspection = inspect_bytes(bit)

    assert inspection.details["part"] == "7a50tfgg484"
    assert any("rather than a,b,c,d" in w for w in warnings_of(inspection))


def test_bit_file_refuses_a_file_that_ends_inside_the_header() -> None:
    bit = bit_file()

    error = refused(bit[:40], ContentProblem.TRUNCATED)

    assert error.message == (
        "the file is truncated: it ends inside the .bit header, after 40 bytes"
    )


def test_bit_file_refuses_a_file_shorter_than_its_data_length() -> None:
    bit = bit_file()

    error = refused(bit[:-1], ContentProblem.TRUNCATED)

    assert f"the .bit header says {len(bit)} bytes" in error.message
    assert f"but the object has {len(bit) - 1}" in error.message


def test_bit_file_refuses_bytes_after_its_data() -> None:
    error = refused(bit_file() + b"\x00" * 4, ContentProblem.MALFORMED)

    assert error.message.startswith("the file has 4 bytes after the")


def test_bit_file_refuses_data_without_a_sync_word() -> None:
    error = refused(bit_file(data=b"\xff" * 4096), ContentProblem.MALFORMED)

    assert "configuration data has no sync word" in error.message


def test_bit_file_refuses_a_sync_word_after_the_first_kib_of_data() -> None:
    data = b"\xff" * 1024 + SYNC_WORD + bytes(100)

    refused(bit_file(data=data), ContentProblem.MALFORMED)


def test_bit_file_accepts_a_sync_word_at_the_end_of_short_data() -> None:
    data = b"\xff" * 8 + SYNC_WORD

    assert inspect_bytes(bit_file(data=data)).details["sync_offset"] == 8


def test_bit_file_refuses_empty_data() -> None:
    refused(bit_file(data=b""), ContentProblem.MALFORMED)


def test_bit_file_warns_about_a_date_in_another_form() -> None:
    inspection = inspect_bytes(bit_file(date="Jan 2 2024"))

    assert "the .bit header date is not in YYYY/MM/DD form" in warnings_of(inspection)
