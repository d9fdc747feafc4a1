"""Rules every bucket name and key must pass, in both object stores.

The rules are the intersection of what a folder tree and S3 can hold without
ambiguity: a key is a relative path of non-empty segments, none of them `.` or
`..`, so that `a/./b`, `a//b` and `a/b` cannot name different objects in one
store and the same file in the other.
"""

from __future__ import annotations

from .errors import InvalidKey

#: S3 limits a key to 1024 bytes of UTF-8.
MAX_KEY_BYTES = 1024


def check_bucket(bucket: str) -> None:
    """Raise InvalidKey unless `bucket` is a single, non-special path segment."""
    if not bucket or bucket in (".", ".."):
        raise InvalidKey(f"invalid bucket name {bucket!r}")
    if "/" in bucket or "\0" in bucket:
        raise InvalidKey(f"invalid bucket name {bucket!r}")


def check_key(key: str) -> None:
    """Raise InvalidKey unless `key` is a relative path of plain segments."""
    if not key:
        raise InvalidKey("the object key is empty")
    if "\0" in key:
        raise InvalidKey(f"object key {key!r} contains a NUL character")
    if key.startswith("/"):
        raise InvalidKey(f"object key {key!r} is absolute")

    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey(f"object key {key!r} has an empty, '.' or '..' segment")

    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidKey(f"object key {key!r} is not valid UTF-8") from exc
    if size > MAX_KEY_BYTES:
        raise InvalidKey(f"object key is longer than {MAX_KEY_BYTES} bytes")
