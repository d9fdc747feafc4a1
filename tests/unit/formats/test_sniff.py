import pytest

from fpga_image_service.formats import ContentError, ContentProblem, ImageFormat
from fpga_image_service.formats.sniff import sniff
from tests.fixtures.fpga_files import aei_file, bit_file, raw_bin, xclbin_file

from .helpers import refused


def test_empty_file_is_refused_as_empty() -> None:
    error = refused(b"", ContentProblem.EMPTY)
    assert error.message == "the file is empty"


@pytest.mark.parametrize(
    ("data", "image_format"),
    [
        (xclbin_file(), ImageFormat.XCLBIN),
        (aei_file(), ImageFormat.AEI),
        (bit_file(), ImageFormat.BIT),
        (raw_bin(), ImageFormat.BIN),
        (raw_bin(swapped=True), ImageFormat.BIN_SWAPPED),
    ],
)
def test_sniff_names_each_format_from_its_first_kib(
    data: bytes, image_format: ImageFormat
) -> None:
    assert sniff(data[:1024], at_end=False) is image_format


def test_sniff_waits_while_a_magic_is_incomplete() -> None:
    assert sniff(b"xclbin", at_end=False) is None
    assert sniff(b"\xff" * 100, at_end=False) is None


def test_zip_archive_is_refused_by_name() -> None:
    data = b"PK\x03\x04" + bytes(2000)

    error = refused(data, ContentProblem.UNKNOWN_FORMAT)

    assert error.message == (
        "the file is not an FPGA image: it starts with 50 4b 03 04 (a zip archive)"
    )


def test_tar_archive_is_refused_by_name() -> None:
    header = bytearray(b"dcp.tar".ljust(512, b"\x00"))
    header[257:263] = b"ustar\x00"

    error = refused(bytes(header) + bytes(1024), ContentProblem.UNKNOWN_FORMAT)

    assert "(a tar archive)" in error.message


def test_elf_file_is_refused_by_name() -> None:
    error = refused(b"\x7fELF" + bytes(60), ContentProblem.UNKNOWN_FORMAT)

    assert "7f 45 4c 46 (an ELF file)" in error.message


@pytest.mark.parametrize("legacy", [b"xclbin0\x00", b"xclbin1\x00"])
def test_legacy_xclbin_is_refused_as_unsupported(legacy: bytes) -> None:
    error = refused(legacy + bytes(600), ContentProblem.UNKNOWN_FORMAT)

    name = legacy.rstrip(b"\x00").decode()
    assert f"legacy {name} image, which is not supported" in error.message


def test_unrecognised_bytes_are_refused_with_their_first_bytes() -> None:
    error = refused(b"\x89PNG" + bytes(3000), ContentProblem.UNKNOWN_FORMAT)

    assert error.message.startswith(
        "the file is not an FPGA image: it starts with 89 50 4e 47"
    )


def test_short_unrecognised_file_is_refused_at_the_end() -> None:
    with pytest.raises(ContentError) as caught:
        sniff(b"hello", at_end=True)

    assert caught.value.problem is ContentProblem.UNKNOWN_FORMAT
