import pytest

from fpga_image_service.formats import (
    ContentError,
    ContentProblem,
    ImageFormat,
    Inspection,
    check_name,
)


def _inspection(image_format: ImageFormat) -> Inspection:
    return Inspection(image_format, {})


@pytest.mark.parametrize("name", ["vadd.xclbin", "dir/VADD.XCLBIN", "a_hw.xclbin"])
def test_check_name_accepts_an_xclbin_named_xclbin(name: str) -> None:
    check_name(name, _inspection(ImageFormat.XCLBIN))


@pytest.mark.parametrize(
    "image_format",
    [ImageFormat.BIN, ImageFormat.BIN_SWAPPED, ImageFormat.AEI, ImageFormat.BIT],
)
def test_check_name_accepts_bitstreams_and_containers_named_bin(
    image_format: ImageFormat,
) -> None:
    check_name("pr_ul_20180929_aei.bin", _inspection(image_format))


@pytest.mark.parametrize(
    "image_format",
    [ImageFormat.BIN, ImageFormat.BIN_SWAPPED, ImageFormat.AEI, ImageFormat.BIT],
)
def test_check_name_refuses_anything_but_xclbin_named_xclbin(
    image_format: ImageFormat,
) -> None:
    with pytest.raises(ContentError) as caught:
        check_name("vadd.xclbin", _inspection(image_format))

    assert caught.value.problem is ContentProblem.FORMAT_MISMATCH
    assert "'vadd.xclbin'" in caught.value.message
    assert f"({image_format.value})" in caught.value.message


def test_check_name_refuses_an_xclbin_named_bin() -> None:
    with pytest.raises(ContentError) as caught:
        check_name("image.bin", _inspection(ImageFormat.XCLBIN))

    assert caught.value.message == (
        "the file 'image.bin' holds an xclbin (xclbin), but a name ending in .bin "
        "must hold aei, bin, bin-swapped or bit"
    )


def test_check_name_refuses_a_name_with_another_ending() -> None:
    with pytest.raises(ContentError) as caught:
        check_name("image.tar", _inspection(ImageFormat.BIN))

    assert caught.value.problem is ContentProblem.FORMAT_MISMATCH
    assert "ends in neither .bin nor .xclbin" in caught.value.message
