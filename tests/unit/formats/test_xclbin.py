import struct

import pytest

from fpga_image_service.formats import ContentProblem, ImageFormat, inspect_bytes
from tests.fixtures.fpga_files import (
    BITSTREAM_KIND,
    DEFAULT_VBNV,
    MEM_TOPOLOGY_KIND,
    XCLBIN_LENGTH_AT,
    XCLBIN_MODE_AT,
    XCLBIN_NUM_SECTIONS_AT,
    XCLBIN_SECTION_HEADER_SIZE,
    XCLBIN_SECTIONS_AT,
    XCLBIN_SIGNATURE_LENGTH_AT,
    XCLBIN_USER_SIGNATURE_MAGIC,
    bit_file,
    mem_topology,
    patch,
    xclbin_file,
)

from .helpers import refused, warnings_of

AEI_ID = "0123456789abcdef0123456789abcdef"


def _section_at(index: int) -> int:
    return XCLBIN_SECTIONS_AT + XCLBIN_SECTION_HEADER_SIZE * index


def _patch_section(data: bytes, index: int, offset: int, size: int) -> bytes:
    return patch(data, _section_at(index) + 24, "<QQ", offset, size)


def _table_end(count: int) -> int:
    return XCLBIN_SECTIONS_AT + XCLBIN_SECTION_HEADER_SIZE * count


def test_xclbin_is_accepted_with_its_header_facts() -> None:
    data = xclbin_file()

    inspection = inspect_bytes(data)

    assert inspection.format is ImageFormat.XCLBIN
    details = inspection.details
    assert details["uuid"] == "5fc9fd7e-642c-4b41-a762-5ee6f5f7ac29"
    assert "aei_id" not in details
    assert details["platform_vbnv"] == DEFAULT_VBNV
    assert details["mode"] == "FLAT"
    assert details["num_sections"] == 3
    assert details["section_kinds"] == [
        "EMBEDDED_METADATA",
        "MEM_TOPOLOGY",
        "BITSTREAM",
    ]
    assert details["length"] == len(data)
    assert details["timestamp"] == 1_700_000_000
    assert details["created_at"] == "2023-11-14T22:13:20+00:00"
    assert details["xrt_version"] == "2.16.0"
    assert details["user_signature"] is False
    assert details["warnings"] == []


def test_xclbin_reports_the_bit_header_inside_its_bitstream_section() -> None:
    bit = bit_file(design="vadd", part="xcu200-fsgd2104-2-e")
    data = xclbin_file([(BITSTREAM_KIND, "bitstream", bit)])

    details = inspect_bytes(data).details

    assert details["bitstream_content"] == "bit"
    bitstream = details["bitstream"]
    assert isinstance(bitstream, dict)
    assert (bitstream["design"], bitstream["part"]) == ("vadd", "xcu200-fsgd2104-2-e")


def test_xclbin_names_a_dcp_in_its_bitstream_section() -> None:
    data = xclbin_file([(BITSTREAM_KIND, "dcp", b"PK\x03\x04" + bytes(100))])

    assert inspect_bytes(data).details["bitstream_content"] == "dcp"


def test_xclbin_reports_a_huawei_aei_id_instead_of_a_uuid() -> None:
    details = inspect_bytes(xclbin_file(aei_id=AEI_ID)).details

    assert details["aei_id"] == AEI_ID
    assert "uuid" not in details


def test_xclbin_names_unknown_section_kinds_and_accepts_them() -> None:
    data = xclbin_file([(99, "future", b"x" * 8), (BITSTREAM_KIND, "b", bit_file())])

    inspection = inspect_bytes(data)

    assert inspection.details["section_kinds"] == ["UNKNOWN(99)", "BITSTREAM"]
    assert any("UNKNOWN(99)" in w for w in warnings_of(inspection))


@pytest.mark.parametrize(
    ("mode", "name"), [(1, "PR"), (5, "SW_EMU"), (9, "UNKNOWN(9)")]
)
def test_xclbin_names_its_mode(mode: int, name: str) -> None:
    data = xclbin_file(mode=mode)

    assert inspect_bytes(data).details["mode"] == name


def test_xclbin_accepts_an_absent_section_marked_zero_zero() -> None:
    data = _patch_section(xclbin_file(), 1, 0, 0)

    assert inspect_bytes(data).details["num_sections"] == 3


def test_xclbin_warns_about_a_section_off_an_8_byte_boundary() -> None:
    data = xclbin_file()
    offset, size = struct.unpack_from("<QQ", data, _section_at(1) + 24)
    data = _patch_section(data, 1, offset + 1, size - 1)

    inspection = inspect_bytes(data)

    assert "section 1 (MEM_TOPOLOGY) does not start on an 8-byte boundary" in (
        warnings_of(inspection)
    )


def test_xclbin_accepts_the_largest_section_count() -> None:
    sections = [(MEM_TOPOLOGY_KIND, "", b"")] * 4096

    assert inspect_bytes(xclbin_file(sections)).details["num_sections"] == 4096


def test_xclbin_refuses_a_file_under_496_bytes() -> None:
    error = refused(xclbin_file()[:495], ContentProblem.TRUNCATED)

    assert error.message == (
        "the file is truncated: an xclbin has at least 496 bytes but the object has 495"
    )


def test_xclbin_refuses_a_file_shorter_than_its_header() -> None:
    refused(xclbin_file()[:300], ContentProblem.TRUNCATED)


def test_xclbin_refuses_zero_sections() -> None:
    data = patch(xclbin_file(), XCLBIN_NUM_SECTIONS_AT, "<I", 0)

    error = refused(data, ContentProblem.MALFORMED)

    assert "lists no sections" in error.message


def test_xclbin_refuses_more_than_4096_sections() -> None:
    data = patch(xclbin_file(), XCLBIN_NUM_SECTIONS_AT, "<I", 4097)

    error = refused(data, ContentProblem.MALFORMED)

    assert "lists 4097 sections, more than the 4096 accepted" in error.message


def test_xclbin_refuses_a_section_table_past_the_declared_length() -> None:
    data = patch(xclbin_file(), XCLBIN_NUM_SECTIONS_AT, "<I", 200)

    error = refused(data, ContentProblem.MALFORMED)

    assert "its 200 section headers need" in error.message


def test_xclbin_refuses_a_file_that_ends_inside_its_section_table() -> None:
    data = xclbin_file()
    short = data[: _table_end(3) - 1]

    error = refused(short, ContentProblem.TRUNCATED)

    assert "whose headers end at byte 576, but the object has 575" in error.message


def test_xclbin_refuses_a_section_inside_the_section_table() -> None:
    data = _patch_section(xclbin_file(), 0, _table_end(3) - 8, 8)

    error = refused(data, ContentProblem.MALFORMED)

    assert "section 0 (EMBEDDED_METADATA) starts at byte 568" in error.message


def test_xclbin_refuses_a_section_whose_end_overflows() -> None:
    data = _patch_section(xclbin_file(), 2, 2**64 - 8, 16)

    error = refused(data, ContentProblem.MALFORMED)

    assert "overflows 64 bits" in error.message


def test_xclbin_refuses_a_section_past_the_declared_length() -> None:
    data = xclbin_file()
    offset, size = struct.unpack_from("<QQ", data, _section_at(2) + 24)
    data = _patch_section(data, 2, offset, size + 1)

    error = refused(data, ContentProblem.MALFORMED)

    assert f"ends at byte {len(data) + 1}, past the {len(data)} bytes" in error.message


def test_xclbin_refuses_a_section_past_the_end_of_the_file() -> None:
    data = xclbin_file()
    offset, size = struct.unpack_from("<QQ", data, _section_at(2) + 24)
    data = patch(
        _patch_section(data, 2, offset, size + 8), XCLBIN_LENGTH_AT, "<Q", len(data) + 8
    )

    error = refused(data, ContentProblem.TRUNCATED)

    assert error.message == (
        f"the file is truncated: the xclbin header says {len(data) + 8} bytes but "
        f"the object has {len(data)}"
    )


def test_xclbin_refuses_a_file_shorter_than_its_declared_length() -> None:
    data = xclbin_file()

    refused(data[:-1], ContentProblem.TRUNCATED)


def test_xclbin_refuses_bytes_after_its_declared_length() -> None:
    data = xclbin_file() + b"mirror data"

    error = refused(data, ContentProblem.MALFORMED)

    assert "and they are not a user signature" in error.message


def test_xclbin_accepts_a_user_signature_after_its_declared_length() -> None:
    data = xclbin_file() + XCLBIN_USER_SIGNATURE_MAGIC + bytes(64)

    inspection = inspect_bytes(data)

    assert inspection.details["user_signature"] is True
    assert any("user signature" in w for w in warnings_of(inspection))


def test_xclbin_refuses_a_user_signature_cut_short() -> None:
    data = xclbin_file() + XCLBIN_USER_SIGNATURE_MAGIC[:10]

    refused(data, ContentProblem.MALFORMED)


def test_xclbin_refuses_a_signature_length_below_minus_one() -> None:
    data = patch(xclbin_file(), XCLBIN_SIGNATURE_LENGTH_AT, "<i", -2)

    error = refused(data, ContentProblem.MALFORMED)

    assert "signature length is -2" in error.message


def test_xclbin_accepts_a_pkcs_signature_inside_its_length() -> None:
    data = xclbin_file() + bytes(64)
    data = patch(data, XCLBIN_LENGTH_AT, "<Q", len(data))
    data = patch(data, XCLBIN_SIGNATURE_LENGTH_AT, "<i", 64)

    assert inspect_bytes(data).details["signature_length"] == 64


def test_xclbin_refuses_a_pkcs_signature_reaching_into_the_table() -> None:
    data = xclbin_file()
    data = patch(data, XCLBIN_SIGNATURE_LENGTH_AT, "<i", len(data) - 500)

    error = refused(data, ContentProblem.MALFORMED)

    assert "signature would start inside the section table" in error.message


def test_xclbin_warns_about_an_unknown_mode() -> None:
    data = patch(xclbin_file(), XCLBIN_MODE_AT, "<H", 7)

    assert "the xclbin mode 7 is not a known mode" in warnings_of(inspect_bytes(data))


def test_xclbin_without_bitstream_warns_unless_it_targets_emulation() -> None:
    sections = [(MEM_TOPOLOGY_KIND, "mem", mem_topology())]
    warning = "the xclbin has no BITSTREAM or PDI section"

    assert warning in warnings_of(inspect_bytes(xclbin_file(sections)))
    assert warning not in warnings_of(inspect_bytes(xclbin_file(sections, mode=5)))
