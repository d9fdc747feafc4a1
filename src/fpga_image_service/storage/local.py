"""An object store in a local folder.

A bucket is a sub-folder of the root and a key a relative path inside it.
A write goes to a temporary file and is renamed into place once it is on
disk, so readers see the old object or the new one, never half.

Temporary files live in `<bucket>/.partials/<sha256 of the key's path>/`, one
folder per key, not next to their target: `discard_partial` then reads only
that small folder instead of scanning the target's folder, which may hold a
whole project's objects. A flat `.partials` folder would need a scan as well,
and a mirror of the key's path would need several folders cleaned up. The
folder is in the bucket, so the rename stays on one file system unless a
mount point sits inside the bucket. Keys under `.partials` are refused.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import secrets
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .base import DEFAULT_CHUNK_SIZE, ObjectInfo
from .errors import (
    AccessDenied,
    BucketNotFound,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from .keys import check_bucket, check_key

logger = logging.getLogger(__name__)

#: The bucket-level folder that holds temporary files; no key may start with it.
PARTIALS_FOLDER = ".partials"

#: How often a write tries to create its temporary file when finishing writers
#: of the same key keep removing the emptied per-key folder in between; only a
#: bound against an endless loop, a second attempt nearly always succeeds.
_CREATE_ATTEMPTS = 100

#: Failures that may pass on their own (a full disk, a flaky network mount).
_TRANSIENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ESTALE, errno.ETIMEDOUT, errno.EAGAIN}
)


def translate_os_error(exc: OSError, where: str) -> StorageError:
    """Map a file-system error on the object `where` to a storage error."""
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, PermissionError):
        return AccessDenied(f"permission denied on {where!r}")
    if exc.errno == errno.ENAMETOOLONG:
        return InvalidKey(f"{where!r} is too long for the local store")
    if isinstance(exc, NotADirectoryError | IsADirectoryError | FileExistsError):
        # A folder tree cannot hold both "a" and "a/b"; S3 can.
        return InvalidKey(f"{where!r} clashes with an existing object or folder")
    if exc.errno in _TRANSIENT_ERRNOS:
        return StorageUnavailable(f"local storage failed on {where!r}: {reason}")
    return StorageError(f"local storage failed on {where!r}: {reason}")


@contextlib.contextmanager
def _translated(where: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise translate_os_error(exc, where) from exc


class LocalObjectStore:
    """Buckets as sub-folders of `root`; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def create_bucket(self, bucket: str) -> None:
        """Create the bucket folder; do nothing if it already exists."""
        folder = self._bucket_folder(bucket)

        with _translated(bucket):
            self._root.mkdir(parents=True, exist_ok=True)
            _make_folders(self._root, folder)

    def bucket_exists(self, bucket: str) -> bool:
        """Tell whether the bucket folder exists."""
        return self._bucket_folder(bucket).is_dir()

    def head(self, bucket: str, key: str) -> ObjectInfo:
        """Report the object's size; raise ObjectNotFound or BucketNotFound."""
        folder = self._existing_bucket(bucket)
        path = self._object_path(folder, key)

        with _translated(f"{bucket}/{key}"):
            try:
                status = path.stat()
            except (FileNotFoundError, NotADirectoryError) as exc:
                raise _object_not_found(bucket, key) from exc

        if not stat.S_ISREG(status.st_mode):
            raise _object_not_found(bucket, key)
        return ObjectInfo(size=status.st_size)

    def read(
        self, bucket: str, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Open the object now and stream it in chunks of at most `chunk_size`."""
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        folder = self._existing_bucket(bucket)
        path = self._object_path(folder, key)
        where = f"{bucket}/{key}"

        with _translated(where):
            try:
                handle = path.open("rb", buffering=0)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
                raise _object_not_found(bucket, key) from exc

        return _stream(handle, chunk_size, where)

    def write(self, bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        """Write to a temporary file, fsync it and rename it over `key`."""
        folder = self._existing_bucket(bucket)
        path = self._object_path(folder, key)
        partials = self._partials_of(folder, path)
        where = f"{bucket}/{key}"

        with _translated(where):
            _make_folders(folder, path.parent)
            handle, temporary = _create_temporary(partials)

        try:
            size = _fill(handle, chunks, where)
            with _translated(where):
                os.replace(temporary, path)
                _fsync_folder(path.parent)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise
        finally:
            _remove_if_empty(partials)
        return size

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object's file; do nothing if there is none."""
        failed = self.delete_many(bucket, [key])
        if key in failed:
            raise failed[key]

    def delete_many(self, bucket: str, keys: Sequence[str]) -> dict[str, StorageError]:
        """Unlink the files, then sync each folder they were in once."""
        folder = self._existing_bucket(bucket)
        failed: dict[str, StorageError] = {}
        unlinked: dict[Path, list[str]] = {}
        for key in keys:
            where = f"{bucket}/{key}"
            # Emptied folders stay: removing them would race a concurrent
            # write that has just created the folder and is about to open
            # its file.
            try:
                with _translated(where):
                    path = self._object_path(folder, key)
                    try:
                        path.unlink()
                    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                        continue
            except StorageError as exc:
                failed[key] = exc
                continue
            unlinked.setdefault(path.parent, []).append(key)

        for parent, removed in unlinked.items():
            try:
                with _translated(f"{bucket}/{removed[0]}"):
                    _fsync_folder(parent)
            except StorageError as exc:
                # Not durably gone: the caller must not forget these objects.
                failed.update(dict.fromkeys(removed, exc))
        return failed

    def discard_partial(self, bucket: str, key: str) -> None:
        """Remove the temporary files that interrupted writes of `key` left."""
        folder = self._bucket_folder(bucket)
        path = self._object_path(folder, key)
        with _translated(f"{bucket}/{key}"):
            if not _any_partials(folder):
                return  # the usual case, and the cheap way to find it
        partials = self._partials_of(folder, path)
        where = f"{bucket}/{key}"

        # Only the key's own folder is read, never the folder of its target.
        with _translated(where):
            try:
                with os.scandir(partials) as entries:
                    leftovers = [
                        Path(entry.path)
                        for entry in entries
                        if not entry.is_dir(follow_symlinks=False)
                    ]
            except (FileNotFoundError, NotADirectoryError):
                return

            for leftover in leftovers:
                leftover.unlink(missing_ok=True)
                logger.info("partial_discarded bucket=%s key=%s", bucket, key)
        _remove_if_empty(partials)

    def partial_folder(self, bucket: str, key: str) -> Path:
        """The folder where writes of `key` keep their temporary files."""
        folder = self._bucket_folder(bucket)
        return self._partials_of(folder, self._object_path(folder, key))

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Check the bucket now, then yield its keys in lexicographic order."""
        folder = self._existing_bucket(bucket)
        return _walk(folder, "", prefix, bucket)

    def _bucket_folder(self, bucket: str) -> Path:
        check_bucket(bucket)
        folder = _resolve_below(self._root, bucket)
        if folder == self._root or not folder.is_relative_to(self._root):
            raise InvalidKey(f"bucket {bucket!r} resolves outside the storage root")
        return folder

    def _existing_bucket(self, bucket: str) -> Path:
        folder = self._bucket_folder(bucket)
        if not folder.is_dir():
            raise BucketNotFound(f"bucket {bucket!r} does not exist")
        return folder

    def _object_path(self, folder: Path, key: str) -> Path:
        check_key(key)

        path = _resolve_below(folder, key)
        if path == folder or not path.is_relative_to(folder):
            raise InvalidKey(f"object key {key!r} resolves outside its bucket")
        # Checked after resolving, so that a symbolic link cannot lead there.
        if path.relative_to(folder).parts[0] == PARTIALS_FOLDER:
            raise InvalidKey(f"object key {key!r} is reserved for temporary files")
        return path

    def _partials_of(self, folder: Path, path: Path) -> Path:
        """The temporary folder of the object at `path`, named by its path.

        The resolved path, not the key: keys that reach one file through a
        symbolic link share the folder, so `discard_partial` sees all writes.
        """
        name = os.fsencode(path.relative_to(folder).as_posix())
        hashed = hashlib.sha256(name).hexdigest()
        partials = folder / PARTIALS_FOLDER / hashed
        if _resolve_below(folder, f"{PARTIALS_FOLDER}/{hashed}") != partials:
            raise StorageError(f"{PARTIALS_FOLDER!r} in a bucket is a symbolic link")
        return partials


def _any_partials(folder: Path) -> bool:
    """Whether the bucket's temporary folder holds anything at all.

    Empty or missing, no write of any key was interrupted (and, by the
    contract of discard_partial, none is running). A symbolic link counts as
    something, so that _partials_of refuses it.
    """
    top = os.path.join(folder, PARTIALS_FOLDER)
    try:
        if os.path.islink(top):
            return True
        with os.scandir(top) as entries:
            return next(entries, None) is not None
    except (FileNotFoundError, NotADirectoryError):
        return False


def _resolve_below(top: Path, relative: str) -> Path:
    """`(top / relative).resolve()`, for a `top` that is resolved already.

    Only the components of `relative` are looked at, one lstat each, instead of
    every folder from the file system's root: the image store resolves several
    paths per object it touches. A symbolic link among them takes the full,
    general way. `relative` has no "", "." or ".." segments (check_key).
    """
    current = os.path.join(top, relative)
    start = len(current) - len(relative)
    for end in _segment_ends(relative):
        try:
            mode = os.lstat(current[: start + end]).st_mode
        except OSError:
            continue  # as resolve(): a missing part is kept as it is written
        if stat.S_ISLNK(mode):
            return _resolve(Path(current), relative)
    return Path(current)


def _segment_ends(relative: str) -> Iterator[int]:
    position = relative.find("/")
    while position != -1:
        yield position
        position = relative.find("/", position + 1)
    yield len(relative)


def _resolve(path: Path, name: str) -> Path:
    """Follow symbolic links so that the caller can check where `path` lands."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        raise InvalidKey(f"{name!r} cannot be resolved") from exc


def _object_not_found(bucket: str, key: str) -> ObjectNotFound:
    return ObjectNotFound(f"object {key!r} not found in bucket {bucket!r}")


def _make_folders(top: Path, folder: Path) -> None:
    """Create `folder` and its missing parents below `top`, durably."""
    missing: list[Path] = []
    current = folder
    while current != top and not current.is_dir():
        missing.append(current)
        current = current.parent

    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # a concurrent writer created it
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in `folder` survive a power loss."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _create_temporary(partials: Path) -> tuple[io.FileIO, Path]:
    """Create a new, empty temporary file in `partials` and open it.

    A concurrent writer of the same key that finishes removes the folder once
    it is empty, which may happen between our mkdir and our open: then the
    folder is created again. The folders are not fsynced: a temporary file
    matters only until the rename, which the fsync of the target's folder
    makes durable; at worst a crash leaves a leftover for `discard_partial`.
    """
    attempts = _CREATE_ATTEMPTS
    while True:
        # Not mkdir(parents=True): that would bring back a deleted bucket.
        partials.parent.mkdir(exist_ok=True)
        # Not exist_ok either: its check that the folder is still there races
        # with the removal; the open below tells whether it is.
        with contextlib.suppress(FileExistsError):
            partials.mkdir()
        temporary = partials / secrets.token_hex(8)
        try:
            return temporary.open("xb", buffering=0), temporary
        except FileNotFoundError:
            attempts -= 1
            if attempts == 0:
                raise


def _remove_if_empty(partials: Path) -> None:
    """Remove a key's temporary folder unless another write still uses it."""
    with contextlib.suppress(OSError):  # not empty, or already gone
        partials.rmdir()


def _fill(handle: io.FileIO, chunks: Iterable[bytes], where: str) -> int:
    """Write `chunks` to the open file and fsync it; return the byte count."""
    size = 0
    flusher = _Flusher(handle.fileno())
    with handle:
        try:
            # Errors raised by `chunks` itself pass through untranslated.
            for chunk in chunks:
                with _translated(where):
                    handle.write(chunk)
                size += len(chunk)
                flusher.wrote(len(chunk))
        finally:
            flusher.join()

        with _translated(where):
            os.fsync(handle.fileno())
    return size


class _Flusher:
    """Syncs a file being written in the background, every few MiB.

    A large image would otherwise be written to the page cache first and
    synced in one long wait at the end; syncing while writing overlaps the
    disk with the copy, so the final fsync has little left to do.
    """

    EVERY = 32 << 20

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._unsynced = 0
        self._thread: threading.Thread | None = None

    def wrote(self, count: int) -> None:
        self._unsynced += count
        if self._unsynced < self.EVERY:
            return
        if self._thread is not None and self._thread.is_alive():
            return
        self._unsynced = 0
        self._thread = threading.Thread(target=self._sync, daemon=True)
        self._thread.start()

    def _sync(self) -> None:
        # Errors surface from the final fsync, which the caller checks.
        with contextlib.suppress(OSError):
            os.fdatasync(self._fd)

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _stream(handle: io.FileIO, chunk_size: int, where: str) -> Iterator[bytes]:
    with handle:
        while True:
            with _translated(where):
                chunk = handle.read(chunk_size)
            if not chunk:
                return
            yield chunk


def _walk(folder: Path, base: str, prefix: str, bucket: str) -> Iterator[str]:
    """Yield the keys under `folder` that start with `prefix`, sorted.

    A sub-folder sorts as its name plus "/", which is exactly where all its
    keys fall among its siblings, so a depth-first walk yields sorted keys.
    """
    with _translated(f"{bucket}/{base}"):
        try:
            with os.scandir(folder) as scan:
                entries = [
                    (_sort_name(entry), entry)
                    for entry in scan
                    if base or entry.name != PARTIALS_FOLDER
                ]
        except (FileNotFoundError, NotADirectoryError):
            return  # removed while we walked

    for name, entry in sorted(entries, key=lambda pair: pair[0]):
        key = base + name
        if name.endswith("/"):
            if key.startswith(prefix) or prefix.startswith(key):
                yield from _walk(Path(entry.path), key, prefix, bucket)
        elif key.startswith(prefix) and _is_object(entry):
            yield key


def _sort_name(entry: os.DirEntry[str]) -> str:
    if entry.is_dir(follow_symlinks=False):
        return entry.name + "/"
    return entry.name


def _is_object(entry: os.DirEntry[str]) -> bool:
    """Only regular files are objects, not symbolic links."""
    return entry.is_file(follow_symlinks=False)
