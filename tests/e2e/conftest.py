from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.service import RunningService, running_service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """One embedded-default service per test module, with bucket obs-fpga granted."""
    data_dir: Path = tmp_path_factory.mktemp("fis") / "data"
    with running_service(data_dir) as svc:
        result = svc.fis("bucket-create", "obs-fpga")
        assert result.returncode == 0, result.stderr
        yield svc
