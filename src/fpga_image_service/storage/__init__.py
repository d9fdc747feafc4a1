"""Object storage: one protocol, a local-folder and an S3 implementation."""

from .base import ObjectInfo, ObjectStore
from .errors import (
    AccessDenied,
    BucketNotFound,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from .local import LocalObjectStore
from .s3 import S3Config, S3ObjectStore

__all__ = [
    "AccessDenied",
    "BucketNotFound",
    "InvalidKey",
    "LocalObjectStore",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "S3Config",
    "S3ObjectStore",
    "StorageError",
    "StorageUnavailable",
]
