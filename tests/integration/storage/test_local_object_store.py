"""Rules of the local-folder store that S3 has no counterpart for."""

from __future__ import annotations

import errno
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from fpga_image_service.storage import (
    AccessDenied,
    InvalidKey,
    LocalObjectStore,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from fpga_image_service.storage.local import translate_os_error

from .conftest import StoreCase


@pytest.fixture
def folder(local: StoreCase, tmp_path: Path) -> Path:
    """The folder of the `local` store's bucket."""
    return tmp_path / "root" / local.bucket


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("key", ["../x.bin", "a/../../x.bin", "/etc/passwd"])
def test_keys_that_climb_out_of_the_bucket_are_refused(
    local: StoreCase, key: str
) -> None:
    with pytest.raises(InvalidKey):
        local.store.write(local.bucket, key, [b"data"])
    with pytest.raises(InvalidKey):
        local.store.head(local.bucket, key)


def test_a_key_through_a_symlink_to_outside_the_root_is_refused(
    local: StoreCase, tmp_path: Path, folder: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bin").write_bytes(b"secret")
    (folder / "link").symlink_to(outside)

    with pytest.raises(InvalidKey):
        b"".join(local.store.read(local.bucket, "link/secret.bin"))
    with pytest.raises(InvalidKey):
        local.store.write(local.bucket, "link/new.bin", [b"data"])
    assert sorted(p.name for p in outside.iterdir()) == ["secret.bin"]


def test_a_key_that_is_a_symlink_to_a_file_outside_the_root_is_refused(
    local: StoreCase, tmp_path: Path, folder: Path
) -> None:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"secret")
    (folder / "innocent.bin").symlink_to(secret)

    with pytest.raises(InvalidKey):
        b"".join(local.store.read(local.bucket, "innocent.bin"))
    with pytest.raises(InvalidKey):
        local.store.delete(local.bucket, "innocent.bin")
    assert secret.read_bytes() == b"secret"


def test_a_symlink_that_stays_inside_the_bucket_is_followed(
    local: StoreCase, folder: Path
) -> None:
    (folder / "real").mkdir()
    (folder / "alias").symlink_to(folder / "real")

    local.store.write(local.bucket, "alias/a.bin", [b"data"])

    assert b"".join(local.store.read(local.bucket, "real/a.bin")) == b"data"


def test_a_bucket_that_is_a_symlink_to_outside_the_root_is_refused(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / "escape").symlink_to(tmp_path / "elsewhere")
    store = LocalObjectStore(root)

    with pytest.raises(InvalidKey):
        store.bucket_exists("escape")
    with pytest.raises(InvalidKey):
        store.write("escape", "k", [b"data"])
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_create_bucket_makes_the_root_folder_too(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "not" / "yet")

    store.create_bucket("bucket")

    assert (tmp_path / "not" / "yet" / "bucket").is_dir()


def test_a_successful_write_leaves_only_the_object(
    local: StoreCase, folder: Path
) -> None:
    local.store.write(local.bucket, "dir/a.bin", [b"abc", b"def"])

    assert files_in(folder) == ["dir/a.bin"]
    assert (folder / "dir" / "a.bin").read_bytes() == b"abcdef"


def test_a_crashed_write_is_hidden_from_listing_and_removed_by_discard_partial(
    local: StoreCase, folder: Path
) -> None:
    (folder / "dir").mkdir()
    partial = folder / "dir" / ".a.bin.partial-0123456789abcdef"
    partial.write_bytes(b"half an image")

    assert list(local.store.list_keys(local.bucket)) == []
    local.store.discard_partial(local.bucket, "dir/a.bin")

    assert not partial.exists()


def test_discard_partial_keeps_files_that_only_look_like_leftovers(
    local: StoreCase, folder: Path
) -> None:
    lookalikes = [".a.bin.partial-short", "a.bin.partial-0123456789abcdef"]
    for name in lookalikes:
        (folder / name).write_bytes(b"not ours")

    local.store.discard_partial(local.bucket, "a.bin")

    assert files_in(folder) == sorted(lookalikes)


def test_a_key_named_like_a_temporary_file_is_refused(local: StoreCase) -> None:
    with pytest.raises(InvalidKey):
        local.store.write(local.bucket, "d/.a.bin.partial-0123456789abcdef", [b"x"])

    local.store.write(local.bucket, "d/.a.bin.partial-0123", [b"x"])
    assert list(local.store.list_keys(local.bucket)) == ["d/.a.bin.partial-0123"]


def test_a_key_below_an_existing_object_is_refused(local: StoreCase) -> None:
    local.store.write(local.bucket, "a", [b"object"])

    with pytest.raises(InvalidKey):
        local.store.write(local.bucket, "a/b", [b"data"])
    assert b"".join(local.store.read(local.bucket, "a")) == b"object"


def test_a_key_naming_an_existing_folder_is_refused_and_leaves_nothing(
    local: StoreCase, folder: Path
) -> None:
    local.store.write(local.bucket, "a/b", [b"object"])

    with pytest.raises(InvalidKey):
        local.store.write(local.bucket, "a", [b"data"])
    assert files_in(folder) == ["a/b"]


def test_a_folder_is_not_an_object(local: StoreCase) -> None:
    local.store.write(local.bucket, "a/b", [b"object"])

    with pytest.raises(ObjectNotFound):
        local.store.head(local.bucket, "a")
    with pytest.raises(ObjectNotFound):
        b"".join(local.store.read(local.bucket, "a"))
    local.store.delete(local.bucket, "a")
    assert list(local.store.list_keys(local.bucket)) == ["a/b"]


def test_list_keys_skips_symlinks(local: StoreCase, folder: Path) -> None:
    local.store.write(local.bucket, "real.bin", [b"object"])
    (folder / "link.bin").symlink_to(folder / "real.bin")

    assert list(local.store.list_keys(local.bucket)) == ["real.bin"]


def test_write_does_not_hold_the_whole_stream_in_memory(local: StoreCase) -> None:
    def sixty_four_mebibytes() -> Iterator[bytes]:
        for _ in range(64):
            yield os.urandom(1 << 20)

    tracemalloc.start()
    try:
        size = local.store.write(local.bucket, "big.bin", sixty_four_mebibytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert size == 64 << 20
    assert peak < 8 << 20


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), AccessDenied),
        (OSError(errno.ENOSPC, "No space left on device"), StorageUnavailable),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), StorageUnavailable),
        (OSError(errno.EIO, "Input/output error"), StorageUnavailable),
        (OSError(errno.ENAMETOOLONG, "File name too long"), InvalidKey),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory"), InvalidKey),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), InvalidKey),
        (OSError(errno.EROFS, "Read-only file system"), StorageError),
    ],
)
def test_file_system_errors_become_storage_errors(
    error: OSError, expected: type[StorageError]
) -> None:
    error.filename = "/srv/secret/root/bucket/k"

    translated = translate_os_error(error, "bucket/k")

    assert type(translated) is expected
    assert "bucket/k" in translated.message
    assert "/srv/secret" not in translated.message
