"""`fis admin ...` and `fis bucket-*` run as a user would, on a fresh data folder.

None of them needs a running server: they reach the database and the source
buckets under FIS_DATA_DIR directly.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from fpga_image_service.client import CLIENT_FILE, ClientConfig
from fpga_image_service.persistence import queries
from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.settings import Settings
from tests.e2e.service import assert_one_line_error

FIS = Path(sys.executable).with_name("fis")
IMAGE_BUCKET = Settings().image_bucket


def run_fis(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIS_")}
    env["FIS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [str(FIS), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextlib.contextmanager
def database_of(data_dir: Path) -> Iterator[Database]:
    """The data folder's database, migrated, closed on leaving."""
    db = open_database(Settings(data_dir=str(data_dir)).effective_database_url)
    try:
        migrate(db)
        yield db
    finally:
        db.close()


def make_project(data_dir: Path, name: str = "team-a") -> str:
    with database_of(data_dir) as db:
        project_id, _ = ProjectService(db, IMAGE_BUCKET).create_project(name)
    return project_id


def grant(data_dir: Path, project_id: str, bucket: str) -> None:
    with database_of(data_dir) as db:
        ProjectService(db, IMAGE_BUCKET).grant(project_id, bucket)


def grants_of(data_dir: Path) -> list[tuple[str, str]]:
    with database_of(data_dir) as db:
        return ProjectService(db, IMAGE_BUCKET).grants()


def save_client_file(data_dir: Path, project_id: str) -> None:
    config = ClientConfig("http://127.0.0.1:9", project_id, "AK", "SK")
    config.save(data_dir / CLIENT_FILE)


# -- fis admin -------------------------------------------------------------------


def test_admin_project_create_then_grant_and_revoke_a_bucket(tmp_path: Path) -> None:
    created = run_fis(tmp_path, "admin", "project-create", "team-a")
    assert created.returncode == 0, created.stderr
    project_id = re.search(r"project_id: ([0-9a-f]{32})", created.stdout)
    assert project_id is not None
    assert re.search(r"access_key: [A-Z0-9]{20}\n", created.stdout)
    assert re.search(r"secret_key: [A-Za-z0-9]{40}", created.stdout)
    pid = project_id.group(1)

    granted = run_fis(tmp_path, "admin", "grant", pid, "obs-fpga")
    assert granted.returncode == 0, granted.stderr
    listed = run_fis(tmp_path, "admin", "grants", "--project-id", pid)
    assert listed.stdout.splitlines()[1].split() == [pid, "obs-fpga"]

    revoked = run_fis(tmp_path, "admin", "revoke", pid, "obs-fpga")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked bucket obs-fpga" in revoked.stdout
    assert grants_of(tmp_path) == []


def test_admin_projects_lists_id_and_name(tmp_path: Path) -> None:
    project_id = make_project(tmp_path, "team-b")

    listed = run_fis(tmp_path, "admin", "projects")

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "id" + " " * 32 + "name",
        f"{project_id}  team-b",
    ]


def test_admin_key_create_adds_a_key_of_that_project(tmp_path: Path) -> None:
    project_id = make_project(tmp_path)

    created = run_fis(tmp_path, "admin", "key-create", project_id)

    assert created.returncode == 0, created.stderr
    access_key = re.search(r"access_key: ([A-Z0-9]{20})", created.stdout)
    assert access_key is not None
    with database_of(tmp_path) as db, db.read() as conn:
        key = queries.find_access_key(conn, access_key.group(1))
    assert key is not None and key.project_id == project_id


def test_admin_grant_refuses_an_unknown_project(tmp_path: Path) -> None:
    result = run_fis(tmp_path, "admin", "grant", "0" * 32, "obs-fpga")

    assert_one_line_error(result, "no project has the id")


def test_admin_revoke_refuses_an_unknown_project(tmp_path: Path) -> None:
    result = run_fis(tmp_path, "admin", "revoke", "0" * 32, "obs-fpga")

    assert_one_line_error(result, "no project has the id")


# -- fis bucket-create -------------------------------------------------------------


def test_bucket_create_makes_the_folder_and_grants_it_to_the_client_project(
    tmp_path: Path,
) -> None:
    project_id = make_project(tmp_path)
    save_client_file(tmp_path, project_id)

    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "buckets" / "obs-fpga").is_dir()
    assert grants_of(tmp_path) == [(project_id, "obs-fpga")]


def test_bucket_create_of_its_own_granted_bucket_succeeds_again(tmp_path: Path) -> None:
    project_id = make_project(tmp_path)
    save_client_file(tmp_path, project_id)
    grant(tmp_path, project_id, "obs-fpga")
    (tmp_path / "buckets" / "obs-fpga").mkdir(parents=True)

    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert result.returncode == 0, result.stderr
    assert "already exists" in result.stdout


def test_bucket_create_refuses_an_existing_bucket_of_no_grant(tmp_path: Path) -> None:
    project_id = make_project(tmp_path)
    save_client_file(tmp_path, project_id)
    (tmp_path / "buckets" / "obs-fpga").mkdir(parents=True)

    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert_one_line_error(result, "already exists", "fis admin grant")
    assert grants_of(tmp_path) == []


def test_bucket_create_refuses_a_bad_bucket_name(tmp_path: Path) -> None:
    save_client_file(tmp_path, make_project(tmp_path))

    result = run_fis(tmp_path, "bucket-create", "Obs_Fpga")

    assert_one_line_error(result, "bucket name")
    assert not (tmp_path / "buckets").exists()


def test_bucket_create_refuses_the_image_store_bucket(tmp_path: Path) -> None:
    save_client_file(tmp_path, make_project(tmp_path))

    result = run_fis(tmp_path, "bucket-create", "fis-images")

    assert_one_line_error(result, "image store")
    assert not (tmp_path / "buckets" / "fis-images").exists()


def test_bucket_create_without_client_file_names_the_missing_path(
    tmp_path: Path,
) -> None:
    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert_one_line_error(
        result, f"no client credentials at {tmp_path / CLIENT_FILE}", "--client-file"
    )


def test_bucket_create_refuses_a_client_file_of_an_unknown_project(
    tmp_path: Path,
) -> None:
    save_client_file(tmp_path, "f" * 32)

    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert_one_line_error(result, "no project has the id")
    assert not (tmp_path / "buckets" / "obs-fpga").exists()


def test_bucket_create_takes_back_the_grant_when_creation_fails(tmp_path: Path) -> None:
    save_client_file(tmp_path, make_project(tmp_path))
    # A file where the buckets folder belongs makes every creation fail.
    (tmp_path / "buckets").write_bytes(b"")

    result = run_fis(tmp_path, "bucket-create", "obs-fpga")

    assert_one_line_error(result)
    assert grants_of(tmp_path) == []


# -- fis bucket-put and bucket-list ---------------------------------------------------


def test_bucket_put_stores_files_that_bucket_list_shows(tmp_path: Path) -> None:
    (tmp_path / "buckets" / "obs-fpga").mkdir(parents=True)
    source = tmp_path / "pr_ul.bin"
    source.write_bytes(bytes(range(256)) * 5000)

    by_name = run_fis(tmp_path, "bucket-put", "obs-fpga", str(source))
    by_key = run_fis(
        tmp_path, "bucket-put", "obs-fpga", str(source), "--key", "vu9p/a.xclbin"
    )
    listed = run_fis(tmp_path, "bucket-list", "obs-fpga")

    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == "stored 1280000 bytes as obs-fpga:pr_ul.bin\n"
    assert by_key.returncode == 0, by_key.stderr
    assert listed.stdout.splitlines() == ["pr_ul.bin", "vu9p/a.xclbin"]
    stored = tmp_path / "buckets" / "obs-fpga" / "vu9p" / "a.xclbin"
    assert stored.read_bytes() == source.read_bytes()


def test_bucket_put_into_a_missing_bucket_is_a_one_line_error(tmp_path: Path) -> None:
    source = tmp_path / "pr_ul.bin"
    source.write_bytes(b"bits")

    result = run_fis(tmp_path, "bucket-put", "obs-fpga", str(source))

    assert_one_line_error(result, "bucket 'obs-fpga' does not exist")


def test_bucket_put_of_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "buckets" / "obs-fpga").mkdir(parents=True)

    result = run_fis(tmp_path, "bucket-put", "obs-fpga", str(tmp_path / "nope.bin"))

    assert_one_line_error(result, "is not an existing regular file")


def test_bucket_list_of_a_missing_bucket_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_fis(tmp_path, "bucket-list", "obs-fpga")

    assert_one_line_error(result, "does not exist")
