"""Fixtures that run client commands against a fake API client."""

from __future__ import annotations

from pathlib import Path

import pytest

from fpga_image_service.cli import common
from fpga_image_service.client import ClientConfig
from tests.unit.cli.fakes import FakeApi, FakeFisClient


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    """Every command's API client is a FakeFisClient on the returned FakeApi."""
    api = FakeApi()
    monkeypatch.setattr(common, "FisClient", lambda config: FakeFisClient(api, config))
    return api


@pytest.fixture
def client_file(tmp_path: Path, fake_api: FakeApi) -> Path:
    """A client file whose endpoint nothing listens on: only the fake answers."""
    path = tmp_path / "client.json"
    ClientConfig("http://127.0.0.1:9", "p" * 32, "AK", "SK").save(path)
    return path
