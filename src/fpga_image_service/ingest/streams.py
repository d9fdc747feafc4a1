"""Overlap the three costs of a copy: reading, hashing and writing.

hashlib and file or socket I/O release the GIL, so a reader thread, a hasher
thread and the writing thread run truly in parallel; the copy then takes about
as long as its slowest part instead of the sum of all three. Queues are short,
so memory stays a few chunks whatever the file size.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections.abc import Iterator
from typing import Any

_DEPTH = 4
_END = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(chunks: Iterator[bytes], depth: int = _DEPTH) -> Iterator[bytes]:
    """Iterate `chunks` in a background thread, `depth` chunks ahead."""
    pending: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                _put(pending, chunk, stop)
            _put(pending, _END, stop)
        except BaseException as exc:
            _put(pending, _Failure(exc), stop)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="fis-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = pending.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        # The consumer may stop early (an error, a lost lease): let the
        # producer see it and end instead of blocking on a full queue.
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                pending.get(timeout=0.05)
        thread.join()


def _put(pending: queue.Queue[Any], item: object, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            pending.put(item, timeout=0.05)
            return
        except queue.Full:
            continue


class BackgroundSha256:
    """SHA-256 computed in its own thread from chunks handed to `update`."""

    def __init__(self, depth: int = _DEPTH) -> None:
        self._pending: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._hash = hashlib.sha256()
        self._thread = threading.Thread(
            target=self._run, name="fis-sha256", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._pending.get()) is not _END:
            self._hash.update(chunk)

    def update(self, chunk: bytes) -> None:
        self._pending.put(chunk)

    def hexdigest(self) -> str:
        """Wait for the chunks handed over so far; return their digest."""
        self.close()
        return self._hash.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._pending.put(_END)
            self._thread.join()
