"""Group commit: concurrent writes share one transaction and one disk sync.

A registration is acknowledged only after its row is committed, and a commit
costs an fsync. One writer thread takes every write waiting at that moment,
runs each inside its own savepoint (so one failure does not undo the others),
commits once, and then resolves every waiter. Under load a single sync covers
dozens of registrations; alone, a write waits for nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from fpga_image_service.persistence.database import Conn, Database

log = logging.getLogger(__name__)

T = TypeVar("T")

_Op = tuple[Callable[[Conn], Any], "Future[Any]"]
_STOP = object()


class CommitQueue:
    """A single writer thread that batches operations into shared commits."""

    def __init__(self, db: Database, max_batch: int = 256) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name="fis-commit-queue", daemon=True
        )
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then end the writer thread."""
        if self._started:
            self._queue.put(_STOP)
            self._thread.join()
            self._started = False

    def submit(self, op: Callable[[Conn], T]) -> Future[T]:
        """Queue `op`; its future resolves once the commit holding it is durable."""
        future: Future[T] = Future()
        self._queue.put((op, future))
        return future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Op] = []
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
                if len(batch) >= self._max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[_Op]) -> None:
        results: list[tuple[Future[Any], bool, Any]] = []
        try:
            with self._db.transaction() as conn:
                for op, future in batch:
                    results.append((future, *_in_savepoint(conn, op)))
        except Exception as exc:
            log.error("group_commit_failed batch=%d error=%s", len(batch), exc)
            for _, future in batch:
                future.set_exception(exc)
            return
        for future, ok, value in results:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _in_savepoint(conn: Conn, op: Callable[[Conn], Any]) -> tuple[bool, Any]:
    conn.run("SAVEPOINT op")
    try:
        value = op(conn)
    except Exception as exc:
        conn.run("ROLLBACK TO SAVEPOINT op")
        conn.run("RELEASE SAVEPOINT op")
        return False, exc
    conn.run("RELEASE SAVEPOINT op")
    return True, value
