"""One pass over an FPGA logic file: copy, hash, count and inspect together.

The source object streams chunk by chunk into the image store. Each chunk is
hashed, counted and shown to the format inspector on its way, so memory stays
flat whatever the file size, and any problem found (too large, truncated, not
what its name says) aborts the write before anything becomes visible.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fpga_image_service.domain.validation import Location
from fpga_image_service.formats import (
    ContentError,
    ContentProblem,
    Inspection,
    StreamInspector,
    check_name,
)
from fpga_image_service.ingest.streams import BackgroundSha256, prefetch
from fpga_image_service.storage import ObjectStore

CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class IngestResult:
    """What a finished copy found."""

    size_bytes: int
    sha256: str
    inspection: Inspection

    def inspection_json(self) -> str:
        return json.dumps(
            self.inspection.details, separators=(",", ":"), sort_keys=True
        )


class _Tap:
    """Hashes, counts and inspects the chunks that flow through it."""

    def __init__(self, max_bytes: int, heartbeat: Callable[[], None]) -> None:
        self.max_bytes = max_bytes
        self.heartbeat = heartbeat
        self.size = 0
        self.sha256 = ""
        self.inspector = StreamInspector()

    def flow(self, chunks: Iterator[bytes], file_name: str) -> Iterator[bytes]:
        # The hashing thread lives exactly as long as this generator runs.
        hasher = BackgroundSha256()
        try:
            yield from self._flow(chunks, file_name, hasher)
        finally:
            self.sha256 = hasher.hexdigest()
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def _flow(
        self, chunks: Iterator[bytes], file_name: str, hasher: BackgroundSha256
    ) -> Iterator[bytes]:
        for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise ContentError(
                    ContentProblem.TOO_LARGE,
                    f"the file is larger than the limit of {self.max_bytes} bytes",
                )
            hasher.update(chunk)
            self.inspector.feed(chunk)
            self.heartbeat()
            yield chunk

        # Checks that need the whole file run before the generator ends, so
        # that a failure here still aborts the write in the image store.
        if self.size == 0:
            raise ContentError(ContentProblem.EMPTY, "the file is empty")
        self.inspection = self.inspector.finish()
        check_name(file_name, self.inspection)


def copy_and_inspect(
    source: ObjectStore,
    location: Location,
    target: ObjectStore,
    target_bucket: str,
    target_key: str,
    max_bytes: int,
    heartbeat: Callable[[], None],
) -> IngestResult:
    """Copy `location` into the image store, returning what the pass found.

    Raises ContentError for a file that is not acceptable, and the storage
    errors of either store; in every failure nothing is left under target_key.
    """
    tap = _Tap(max_bytes, heartbeat)
    chunks = prefetch(source.read(location.bucket, location.key, CHUNK_SIZE))
    target.write(target_bucket, target_key, tap.flow(chunks, location.key))
    return IngestResult(
        size_bytes=tap.size, sha256=tap.sha256, inspection=tap.inspection
    )
