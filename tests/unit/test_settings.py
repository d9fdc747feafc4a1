from __future__ import annotations

import pytest

from fpga_image_service import settings


@pytest.mark.parametrize("raw", ["0", "1.5", "-0.1"])
def test_a_removal_share_outside_zero_to_one_is_refused(raw: str) -> None:
    with pytest.raises(settings.SettingsError, match="FIS_REMOVAL_SHARE"):
        settings.load(None, {"FIS_REMOVAL_SHARE": raw})


def test_the_removal_share_is_read_from_the_environment() -> None:
    assert settings.load(None, {"FIS_REMOVAL_SHARE": "0.5"}).removal_share == 0.5
    assert settings.load(None, {}).removal_share == 0.002
