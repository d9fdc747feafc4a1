"""`fis admin-vm-image-*` run as an operator would, on a fresh data folder.

No server is needed: the commands reach the embedded image catalog in the
database under FIS_DATA_DIR directly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fpga_image_service.catalog import LocalImageCatalog, Visibility, VmImage
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.settings import Settings
from tests.e2e.service import assert_one_line_error

PROJECT_A = "a" * 32
PROJECT_B = "b" * 32
IMAGE_1 = "18efee75-e058-4c52-a49c-9e3ba4d1c8de"
IMAGE_2 = "89e38a0a-de83-4f3d-83b9-a2df2c605487"


def fis(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `fis` with only FIS_DATA_DIR of the FIS_* variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIS_")}
    env["FIS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "fpga_image_service.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def add(
    data_dir: Path, image_id: str, owner: str, visibility: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return fis(
        data_dir,
        "admin-vm-image-add",
        "--id",
        image_id,
        "--owner",
        owner,
        "--visibility",
        visibility,
        *extra,
    )


def catalog_images(data_dir: Path) -> list[VmImage]:
    """What the embedded catalog in the data folder holds."""
    db = open_database(Settings(data_dir=str(data_dir)).effective_database_url)
    try:
        migrate(db)
        return LocalImageCatalog(db).list()
    finally:
        db.close()


def table(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    assert result.returncode == 0, result.stderr
    return [line.split() for line in result.stdout.splitlines()]


def test_add_stores_the_image_in_the_catalog_and_says_so(tmp_path: Path) -> None:
    result = add(tmp_path, IMAGE_1, PROJECT_A, "private", "--name", "ubuntu-fpga")

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"added VM image {IMAGE_1} (owner {PROJECT_A}, visibility private)\n"
    )
    assert catalog_images(tmp_path) == [
        VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE, "ubuntu-fpga")
    ]


def test_list_shows_every_image_and_owner_filters(tmp_path: Path) -> None:
    assert add(tmp_path, IMAGE_1, PROJECT_A, "private", "--name", "one").returncode == 0
    assert add(tmp_path, IMAGE_2, PROJECT_B, "shared").returncode == 0

    every = table(fis(tmp_path, "admin-vm-image-list"))
    only_b = table(fis(tmp_path, "admin-vm-image-list", "--owner", PROJECT_B))

    assert every == [
        ["id", "owner", "visibility", "name"],
        [IMAGE_1, PROJECT_A, "private", "one"],
        [IMAGE_2, PROJECT_B, "shared"],
    ]
    assert only_b == [
        ["id", "owner", "visibility", "name"],
        [IMAGE_2, PROJECT_B, "shared"],
    ]


def test_list_of_an_empty_catalog_is_the_header(tmp_path: Path) -> None:
    assert table(fis(tmp_path, "admin-vm-image-list")) == [
        ["id", "owner", "visibility", "name"]
    ]


def test_remove_takes_the_image_out_of_the_catalog(tmp_path: Path) -> None:
    assert add(tmp_path, IMAGE_1, PROJECT_A, "private").returncode == 0
    assert add(tmp_path, IMAGE_2, PROJECT_A, "public").returncode == 0

    result = fis(tmp_path, "admin-vm-image-remove", IMAGE_1)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"removed VM image {IMAGE_1}\n"
    assert [i.id for i in catalog_images(tmp_path)] == [IMAGE_2]


def test_remove_of_an_unknown_image_is_a_one_line_error(tmp_path: Path) -> None:
    result = fis(tmp_path, "admin-vm-image-remove", IMAGE_1)

    assert_one_line_error(result, "no VM image has the id", IMAGE_1)


def test_add_of_an_existing_id_is_a_one_line_error(tmp_path: Path) -> None:
    assert add(tmp_path, IMAGE_1, PROJECT_A, "private").returncode == 0

    result = add(tmp_path, IMAGE_1, PROJECT_B, "public")

    assert_one_line_error(result, "already exists")
    assert catalog_images(tmp_path) == [VmImage(IMAGE_1, PROJECT_A, Visibility.PRIVATE)]


def test_add_of_an_id_that_is_not_a_lowercase_uuid_is_a_one_line_error(
    tmp_path: Path,
) -> None:
    result = add(tmp_path, IMAGE_1.upper(), PROJECT_A, "private")

    assert_one_line_error(result, "lowercase UUID")
    assert catalog_images(tmp_path) == []


def test_add_refuses_an_unknown_visibility_with_the_choices(tmp_path: Path) -> None:
    result = add(tmp_path, IMAGE_1, PROJECT_A, "hidden")

    assert result.returncode == 2
    assert "private" in result.stderr and "community" in result.stderr
    assert catalog_images(tmp_path) == []


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        (
            "admin-vm-image-add",
            ["a lowercase UUID", "project that owns", "who may use", "a name to"],
        ),
        ("admin-vm-image-remove", ["the VM image's id"]),
        ("admin-vm-image-list", ["only the VM images this project owns"]),
    ],
)
def test_help_explains_every_option_and_gives_an_example(
    tmp_path: Path, command: str, phrases: list[str]
) -> None:
    result = fis(tmp_path, command, "--help")

    assert result.returncode == 0, result.stderr
    assert f"example: fis {command} " in result.stdout
    text = " ".join(result.stdout.split())
    for phrase in phrases:
        assert phrase in text
