"""The storage error tree.

Both object stores raise only these; each implementation translates its own
third-party errors (file system, botocore) where it calls them, chained with
`raise ... from`. Messages name the bucket and key, never paths on the server,
endpoints or credentials, so they are safe to show to users.
"""

from __future__ import annotations


class StorageError(Exception):
    """Root of every storage failure; the message is safe to show users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BucketNotFound(StorageError):
    """The bucket does not exist."""


class ObjectNotFound(StorageError):
    """The bucket exists, but holds no object under the key."""


class AccessDenied(StorageError):
    """The store refused the operation for lack of permission or credentials."""


class InvalidKey(StorageError):
    """The bucket name or key is malformed, or points outside its bucket."""


class StorageUnavailable(StorageError):
    """A transient failure (unreachable, timeout, overloaded); callers may retry."""
