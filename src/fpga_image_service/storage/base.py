"""The object-store protocol that the local-folder and S3 stores implement.

Both stores report failures with the same exceptions from `storage.errors`,
so callers never see whether a file or an S3 object was missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from .errors import StorageError

#: The default size of the chunks `read` yields.
DEFAULT_CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class ObjectInfo:
    """What `head` reports about a stored object."""

    size: int


class ObjectStore(Protocol):
    """Buckets of objects addressed by `/`-separated keys."""

    def create_bucket(self, bucket: str) -> None:
        """Create the bucket; do nothing if it already exists."""
        ...

    def bucket_exists(self, bucket: str) -> bool:
        """Tell whether the bucket exists."""
        ...

    def head(self, bucket: str, key: str) -> ObjectInfo:
        """Describe the object; raise ObjectNotFound or BucketNotFound."""
        ...

    def read(
        self, bucket: str, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Stream the object in chunks of at most `chunk_size` bytes.

        A missing bucket or key may raise here or on the first iteration.
        """
        ...

    def write(self, bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenated chunks under `key` atomically; return the size.

        If anything fails, including iterating `chunks`, nothing becomes visible
        under `key`, no partial data is left behind and the exception propagates.
        Memory stays bounded however long `chunks` is.
        """
        ...

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; do nothing if it does not exist."""
        ...

    def delete_many(self, bucket: str, keys: Sequence[str]) -> dict[str, StorageError]:
        """Remove several objects as `delete` would, in as few requests or disk
        syncs as the store allows.

        Return the keys that could not be removed, each with its error; every
        other key is gone, durably, when this returns. A missing bucket raises.
        """
        ...

    def discard_partial(self, bucket: str, key: str) -> None:
        """Remove what an interrupted write of `key` by a dead process left.

        Call it only when no live writer of `key` exists: it cannot tell the
        leftovers of a dead writer from the work of a running one.
        """
        ...

    def list_keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with `prefix`, in lexicographic order."""
        ...
