"""Rules of the local-folder store that S3 has no counterpart for."""

from __future__ import annotations

import errno
import os
import secrets
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from fpga_image_service.storage import (
    AccessDenied,
    InvalidKey,
    LocalObjectStore,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from fpga_image_service.storage.local import PARTIALS_FOLDER, translate_os_error

from .conftest import StoreCase

T = TypeVar("T")


@pytest.fixture
def folder(local: StoreCase, tmp_path: Path) -> Path:
    """The folder of the `local` store's bucket."""
    return tmp_path / "root" / local.bucket


def partial_folder(local: StoreCase, key: str) -> Path:
    assert isinstance(local.store, LocalObjectStore)
    return local.store.partial_folder(local.bucket, key)


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
    assert list((folder / PARTIALS_FOLDER).iterdir()) == []


def test_a_failed_write_removes_its_temporary_folder(
    local: StoreCase, folder: Path
) -> None:
    def failing() -> Iterator[bytes]:
        yield b"half"
        raise OSError(errno.EIO, "source went away")

    with pytest.raises(OSError):
        local.store.write(local.bucket, "dir/a.bin", failing())

    assert files_in(folder) == []
    assert list((folder / PARTIALS_FOLDER).iterdir()) == []


def test_a_write_keeps_its_temporary_file_in_the_keys_own_folder(
    local: StoreCase, folder: Path
) -> None:
    partials = partial_folder(local, "dir/a.bin")
    seen: list[str] = []

    def chunks() -> Iterator[bytes]:
        seen.extend(files_in(folder))
        yield b"data"

    local.store.write(local.bucket, "dir/a.bin", chunks())

    (temporary,) = seen
    assert (folder / temporary).parent == partials
    assert partials.parent == folder / PARTIALS_FOLDER


def test_a_crashed_write_is_hidden_from_listing_and_removed_by_discard_partial(
    local: StoreCase, folder: Path
) -> None:
    partials = partial_folder(local, "dir/a.bin")
    partials.mkdir(parents=True)
    (partials / "0123456789abcdef").write_bytes(b"half an image")

    assert list(local.store.list_keys(local.bucket)) == []
    local.store.discard_partial(local.bucket, "dir/a.bin")

    assert not partials.exists()
    assert list((folder / PARTIALS_FOLDER).iterdir()) == []


def test_discard_partial_leaves_the_keys_folder_alone(
    local: StoreCase, folder: Path
) -> None:
    local.store.write(local.bucket, "dir/a.bin", [b"stored"])
    # Named like the temporary files of earlier versions, but now plain objects.
    lookalikes = ["dir/.a.bin.partial-0123456789abcdef", "dir/a.bin.partial-01"]
    for name in lookalikes:
        (folder / name).write_bytes(b"not ours")

    local.store.discard_partial(local.bucket, "dir/a.bin")

    assert files_in(folder) == sorted(["dir/a.bin", *lookalikes])


def test_discard_partial_reads_no_folder_but_the_keys_temporary_folder(
    local: StoreCase, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(200):
        local.store.write(local.bucket, f"project/image-{n:03}", [b"stored"])
    local.crash_write("project/image-100", b"half")
    listed: list[Path] = []

    def spy(real: Callable[[Path], T]) -> Callable[[Path], T]:
        def listing(path: Path) -> T:
            listed.append(Path(path))
            return real(path)

        return listing

    monkeypatch.setattr(os, "scandir", spy(os.scandir))
    monkeypatch.setattr(os, "listdir", spy(os.listdir))
    local.store.discard_partial(local.bucket, "project/image-100")
    monkeypatch.undo()

    # A peek at the bucket's temporary folder (is anything there at all?),
    # then the key's own; never the bucket's folders of stored objects.
    assert listed == [
        folder / PARTIALS_FOLDER,
        partial_folder(local, "project/image-100"),
    ]
    assert local.leftovers() == []
    assert len(list(local.store.list_keys(local.bucket))) == 200


@pytest.mark.parametrize("key", [".partials", ".partials/x", "link/x"])
def test_keys_in_the_temporary_folder_are_refused(
    local: StoreCase, folder: Path, key: str
) -> None:
    local.store.write(local.bucket, "k", [b"data"])  # creates the folder
    (folder / "link").symlink_to(folder / PARTIALS_FOLDER)
    operations: dict[str, Callable[[], object]] = {
        "write": lambda: local.store.write(local.bucket, key, [b"x"]),
        "read": lambda: b"".join(local.store.read(local.bucket, key)),
        "head": lambda: local.store.head(local.bucket, key),
        "delete": lambda: local.store.delete(local.bucket, key),
        "discard_partial": lambda: local.store.discard_partial(local.bucket, key),
    }

    for operation in operations.values():
        with pytest.raises(InvalidKey):
            operation()
    assert list((folder / PARTIALS_FOLDER).iterdir()) == []


def test_keys_that_only_resemble_the_temporary_folder_are_accepted(
    local: StoreCase,
) -> None:
    keys = ["a/.partials/x", ".partialsx", ".partial"]
    for key in keys:
        local.store.write(local.bucket, key, [b"x"])

    assert list(local.store.list_keys(local.bucket)) == sorted(keys)


def test_a_temporary_folder_that_is_a_symlink_is_refused(
    local: StoreCase, tmp_path: Path, folder: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / PARTIALS_FOLDER).symlink_to(outside)

    with pytest.raises(StorageError):
        local.store.write(local.bucket, "k", [b"data"])
    with pytest.raises(StorageError):
        local.store.discard_partial(local.bucket, "k")
    assert list(outside.iterdir()) == []


def test_keys_reaching_one_file_share_the_temporary_folder(
    local: StoreCase, folder: Path
) -> None:
    (folder / "real").mkdir()
    (folder / "alias").symlink_to(folder / "real")

    via_alias = partial_folder(local, "alias/a.bin")

    assert via_alias == partial_folder(local, "real/a.bin")
    assert via_alias != partial_folder(local, "real/b.bin")


def test_a_finishing_write_keeps_the_folder_another_write_of_the_key_uses(
    local: StoreCase,
) -> None:
    local.crash_write("a.bin", b"another writer's unfinished copy")

    local.store.write(local.bucket, "a.bin", [b"done"])

    assert local.leftovers() == ["a.bin"]


def test_a_write_recreates_the_temporary_folder_a_finishing_write_removed(
    local: StoreCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    partials = partial_folder(local, "a.bin")
    real_token_hex = secrets.token_hex
    removals: list[Path] = []

    # The name is drawn between the mkdir and the open: the moment at which a
    # concurrent writer of the key may remove the then empty folder.
    def token_hex(size: int) -> str:
        if not removals:
            partials.rmdir()
            removals.append(partials)
        return real_token_hex(size)

    monkeypatch.setattr(secrets, "token_hex", token_hex)
    local.store.write(local.bucket, "a.bin", [b"data"])

    assert removals == [partials]
    assert b"".join(local.store.read(local.bucket, "a.bin")) == b"data"
    assert not partials.exists()


def test_concurrent_writes_of_one_key_all_succeed(local: StoreCase) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _ in range(50):
                local.store.write(local.bucket, "a.bin", [b"version %d" % n])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert b"".join(local.store.read(local.bucket, "a.bin")).startswith(b"version ")
    assert local.leftovers() == []


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


@pytest.mark.parametrize(
    "relative",
    [
        "real/file.bin",
        "real/missing/deeper.bin",
        "missing/x/y",
        "real/file.bin/below",  # through a file
        "alias/file.bin",  # a link to a folder in the middle
        "real/link.bin",  # a link to a file at the end
        "out/secret",  # a link to outside
        "loop/x",  # a link that loops
    ],
)
def test_resolving_below_a_folder_agrees_with_a_full_resolve(
    tmp_path: Path, relative: str
) -> None:
    from fpga_image_service.storage.local import _resolve_below

    top = (tmp_path / "top").resolve()
    (top / "real").mkdir(parents=True)
    (top / "real" / "file.bin").write_bytes(b"x")
    (top / "alias").symlink_to(top / "real")
    (top / "real" / "link.bin").symlink_to(top / "real" / "file.bin")
    (tmp_path / "outside").mkdir()
    (top / "out").symlink_to(tmp_path / "outside")
    (top / "loop").symlink_to(top / "loop")

    try:
        expected = (top / relative).resolve()
    except RuntimeError:  # a loop: the local store refuses such a key
        with pytest.raises(InvalidKey):
            _resolve_below(top, relative)
        return
    assert _resolve_below(top, relative) == expected


def test_discard_partial_with_nothing_interrupted_reads_only_the_temporary_root(
    local: StoreCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    local.store.write(local.bucket, "project/image", [b"stored"])
    listed: list[str] = []
    real = os.scandir

    def spy(path: str) -> Iterator[os.DirEntry[str]]:
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    local.store.discard_partial(local.bucket, "project/image")
    monkeypatch.undo()

    assert all(p.endswith(PARTIALS_FOLDER) for p in listed), listed
    assert list(local.store.list_keys(local.bucket)) == ["project/image"]
