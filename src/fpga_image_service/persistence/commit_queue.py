"""Group commit: concurrent writes share one transaction and one disk sync.

A registration is acknowledged only after its row is committed, and a commit
costs an fsync. One writer thread takes every write waiting at that moment,
runs them all in one transaction, commits once, and then resolves every
waiter. Under load a single sync covers dozens of registrations; alone, a
write waits for nothing. If any write of a batch fails, the batch is rolled
back and each write is retried in a transaction of its own, so that one bad
write fails alone. (Savepoints would isolate failures too, but cost two more
statements per write on the hot path, for a case that almost never happens.)

A write of many of the same kind (the insert of a registration) can be
queued as one item of a batched write: the batch then runs all of them in
one call, so that one statement inserts every image of a commit.

Background writes (`call`) may wait a moment for a request's write to ride
along with, instead of committing alone just before the request arrives;
only while requests are writing, since otherwise none will come.

A lone write from an event loop, when the writer thread has nothing to do,
commits right there in the loop, if the database commits locally (SQLite):
the two thread hand-offs would cost a third of the commit, and the loop has
nothing else to do meanwhile. Under load the writer is busy, writes of one
loop turn come several at a time, and they go to the writer as before.

Writes from an event loop are gathered per loop turn and handed over as one
item, and their results come back in one call into the loop: a thread hand-off
per request would cost more than the insert itself. Ingest workers in the same
process write through `call`: their lease claims and removals then share the
API's commits instead of holding the database while a request waits.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fpga_image_service.persistence.database import Conn, Database

log = logging.getLogger(__name__)

T = TypeVar("T")

Op = Callable[[Conn], Any]
RunAll = Callable[[Conn, list[Any]], None]


@dataclass(frozen=True)
class _Together:
    """One item of a batched write; alone (a retry), it runs as a batch of one."""

    run_all: RunAll
    item: Any

    def __call__(self, conn: Conn) -> None:
        self.run_all(conn, [self.item])


@dataclass
class _LoopItem:
    loop: asyncio.AbstractEventLoop
    ops: list[Op] = field(default_factory=list)
    futures: list[asyncio.Future[Any]] = field(default_factory=list)


@dataclass
class _ThreadItem:
    """A write from a plain thread (an ingest worker), waiting on an event."""

    op: Op
    done: threading.Event = field(default_factory=threading.Event)
    outcome: tuple[bool, Any] = (False, None)

    @property
    def ops(self) -> list[Op]:
        return [self.op]


_STOP = object()

#: How long the in-process workers' writes wait for a request's write to
#: share a commit with, in the API's process. Under a steady stream of
#: requests one comes well within it; a worker's write that committed alone
#: would make a request arriving meanwhile wait for two commits instead of
#: one. Measured in bench/RESULTS.md (delete while removals run).
RIDE_ALONG_SECONDS = 0.002

#: For how long after a request's write background writes wait to ride along.
REQUESTS_RECENT_SECONDS = 0.5


class CommitQueue:
    """A single writer thread that batches operations into shared commits."""

    def __init__(
        self,
        db: Database,
        max_batch: int = 512,
        ride_along: float = 0.0,
        inline: bool | None = None,
    ) -> None:
        """`ride_along`: how long background writes (`call`) wait for a
        request's write to share a commit with; 0 commits them at once.
        `inline`: whether a lone write from an event loop may commit in the
        loop while the writer is idle; by default when the database commits
        locally."""
        self._db = db
        self._ride_along = ride_along
        self._inline = db.commits_locally if inline is None else inline
        # Set by the writer thread while it waits with nothing in hand.
        self._writer_idle = False
        self._last_request_write = -REQUESTS_RECENT_SECONDS
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._gathering: dict[asyncio.AbstractEventLoop, _LoopItem] = {}

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="fis-commit-queue", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then end the writer thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    async def write(self, op: Callable[[Conn], T]) -> T:
        """Run `op` in a shared commit; return its result once it is durable."""
        loop = asyncio.get_running_loop()
        self._last_request_write = time.monotonic()
        item = self._gathering.get(loop)
        if item is None:
            item = self._gathering[loop] = _LoopItem(loop)
            loop.call_soon(self._hand_over, loop)
        future: asyncio.Future[T] = loop.create_future()
        item.ops.append(op)
        item.futures.append(future)
        return await future

    async def write_together(
        self, run_all: Callable[[Conn, list[T]], None], item: T
    ) -> None:
        """Queue `item` for `run_all`, which a commit calls once with every
        item queued for it; return once the commit is durable."""
        await self.write(_Together(run_all, item))

    def requests_writing(self) -> bool:
        """Whether requests (writes from an event loop) came in lately."""
        return time.monotonic() - self._last_request_write < REQUESTS_RECENT_SECONDS

    def call(self, op: Callable[[Conn], T]) -> T:
        """Run `op` in a shared commit from a thread that is not an event
        loop; block until it is durable and return its result."""
        if self._thread is None:
            raise RuntimeError("the commit queue is not running")
        item = _ThreadItem(op)
        self._queue.put(item)
        item.done.wait()
        ok, value = item.outcome
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        item = self._gathering.pop(loop)
        if (
            self._inline
            and len(item.ops) == 1
            and self._writer_idle
            and self._queue.empty()
        ):
            # Alone and nobody else writing: commit here, without a hand-off.
            # (A worker's write that slips in meanwhile waits for the turn.)
            _settle_all(item.futures, self._commit(item.ops))
            return
        self._queue.put(item)

    # -- the writer thread ------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_LoopItem | _ThreadItem] = []
            size = 0
            self._writer_idle = True
            item = self._queue.get()
            self._writer_idle = False
            while True:
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
                size += len(item.ops)
                if size >= self._max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    if not self._worth_waiting(batch):
                        break
                    try:
                        item = self._queue.get(timeout=self._ride_along)
                    except queue.Empty:
                        break
            if batch:
                self._commit_and_resolve(batch)

    def _worth_waiting(self, batch: list[_LoopItem | _ThreadItem]) -> bool:
        """Whether a batch of background writes waits for the next request.

        A worker's write that commits alone makes any request arriving
        meanwhile wait for that commit, then for its own; riding along with
        the request's commit instead costs the request a few statements.
        """
        return (
            self._ride_along > 0
            and all(type(item) is _ThreadItem for item in batch)
            and self.requests_writing()
        )

    def _commit_and_resolve(self, batch: list[_LoopItem | _ThreadItem]) -> None:
        ops = [op for item in batch for op in item.ops]
        outcomes = self._commit(ops)
        start = 0
        for item in batch:
            results = outcomes[start : start + len(item.ops)]
            start += len(item.ops)
            if isinstance(item, _ThreadItem):
                item.outcome = results[0]
                item.done.set()
            else:
                item.loop.call_soon_threadsafe(_settle_all, item.futures, results)

    def _commit(self, ops: list[Op]) -> list[tuple[bool, Any]]:
        """Run `ops` in one transaction; on failure, each in its own."""
        try:
            with self._db.transaction() as conn:
                return _run(conn, ops)
        except Exception as exc:
            if len(ops) == 1:
                # The caller owns the failure and logs it where it handles it.
                return [(False, exc)]
        return [self._commit([op])[0] for op in ops]


def _run(conn: Conn, ops: list[Op]) -> list[tuple[bool, Any]]:
    """Run `ops` in order, each batched write once, after the others."""
    outcomes: list[tuple[bool, Any]] = []
    together: dict[RunAll, list[Any]] = {}
    for op in ops:
        if type(op) is _Together:
            together.setdefault(op.run_all, []).append(op.item)
            outcomes.append((True, None))
        else:
            outcomes.append((True, op(conn)))
    for run_all, items in together.items():
        run_all(conn, items)
    return outcomes


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    ok, value = outcome
    if future.done():  # an awaiting request was cancelled
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _settle_all(
    futures: list[asyncio.Future[Any]], outcomes: list[tuple[bool, Any]]
) -> None:
    for future, outcome in zip(futures, outcomes, strict=True):
        _settle(future, outcome)
