"""The ingest worker: claim work through database leases and carry it out.

Workers share nothing but the database and the object stores. A claim is a
lease on one image row; the worker renews it while it copies, and a worker
that dies simply stops renewing, so another one takes the image over once the
lease expires. Each claim counts an attempt, and an image whose attempts run
out ends in `error`, so no image stays `saving` forever.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Protocol, TypeVar

from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.domain.validation import Location, parse_location
from fpga_image_service.formats import ContentError
from fpga_image_service.ingest.pipeline import copy_and_inspect
from fpga_image_service.persistence import queries
from fpga_image_service.persistence.database import Conn, Database
from fpga_image_service.persistence.records import Claim, now_us
from fpga_image_service.settings import Settings
from fpga_image_service.storage import (
    AccessDenied,
    BucketNotFound,
    InvalidKey,
    ObjectNotFound,
    ObjectStore,
    StorageError,
    StorageUnavailable,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class Write(Protocol):
    """Runs `op` in a write transaction; returns its result once committed."""

    def __call__(self, op: Callable[[Conn], T], /) -> T: ...


# Removals claimed at once. Each removal's rows are random pages of the
# database, so a commit that carries many of them makes the API requests
# sharing it wait; while requests come, batches are about a second apart
# (removal_share), so that few commits carry one. Measured in
# bench/RESULTS.md: at a share of 0.25, batches of 16 and 64 made the delete
# p99 worse than batches of 4; a second apart, 16 did no worse than 4.
_REMOVAL_BATCH = 16
# After a batch of removals that was not full, the next one waits at least
# this long: deletes arriving meanwhile are removed together, and the
# worker's commits leave the database to the API. An image shows `deleting`
# that much longer.
_REMOVAL_PAUSE_SECONDS = 0.2


class LeaseLost(Exception):
    """The claim was taken over or the image left `saving` while we copied."""


def image_key(project_id: str, fpga_image_id: str) -> str:
    """Where an image's bytes live in the image store."""
    return f"{project_id}/{fpga_image_id}"


def _owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Carries out saving (and deleting) claims, one at a time."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        sources: ObjectStore,
        images: ObjectStore,
        write: Write | None = None,
        answering_requests: Callable[[], bool] | None = None,
    ) -> None:
        """`write` runs a write in a transaction and returns once it is
        committed; by default in a transaction of its own. A worker in the
        API's process passes the group commit (CommitQueue.call), so that its
        writes share commits with the API's instead of holding the API back,
        and `answering_requests` (RequestActivity.recent), so that its
        removals keep to `removal_share` while the process answers requests.
        Without it, as in a `fis worker` process, removals go at full speed."""
        self.settings = settings
        self.db = db
        self._write: Write = write or functools.partial(_own_transaction, db)
        self._answering_requests = answering_requests or _never
        self.sources = sources
        self.images = images
        self.owner = _owner_name()
        self._lease_us = int(settings.lease_seconds * 1_000_000)
        self._removals_due = 0

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set, sleeping briefly whenever there is none."""
        log.info("worker_started owner=%s", self.owner)
        while not stop.is_set():
            try:
                found = self.run_once()
            except Exception:
                # A database outage must not kill the worker; the lease of
                # anything it held expires and the work is picked up again.
                log.exception("worker_loop_failed owner=%s", self.owner)
                found = False
            if not found:
                stop.wait(self._idle_wait())
        log.info("worker_stopped owner=%s", self.owner)

    def _idle_wait(self) -> float:
        """How long to sleep when there was nothing to do: the poll interval,
        or less when removals wait for their turn and it comes sooner.
        (Removals already due were looked for, and there were none.)"""
        due = (self._removals_due - now_us()) / 1_000_000
        if due <= 0:
            return self.settings.poll_seconds
        return min(self.settings.poll_seconds, max(due, 0.001))

    def run_once(self) -> bool:
        """Claim and carry out one unit of work; False when there was none."""
        now = now_us()
        until = now + self._lease_us
        removing = now >= self._removals_due

        def claim_some(conn: Conn) -> tuple[list[Claim], Claim | None]:
            if removing:
                found = queries.claim_deletions(
                    conn, self.owner, now, until, _REMOVAL_BATCH
                )
                if found:
                    return found, None
            return [], queries.claim_work(conn, self.owner, now, until)

        removals, claim = self._write(claim_some)
        if removals:
            # Removals go in batches: a burst of deletes costs the database
            # two writes per batch, not two per image.
            started = time.monotonic()
            self._remove(removals)
            self._pace_removals(time.monotonic() - started, len(removals))
            return True
        if claim is None:
            return False

        try:
            self._save(claim)
        except Exception:
            # The next worker need not wait for the lease to expire.
            self._release(claim)
            raise
        return True

    def _pace_removals(self, spent: float, count: int) -> None:
        """Removing deleted images is background work: while requests are
        answered in this process, after a batch the next waits so that
        removals take at most `removal_share` of the worker's time. A storm
        of deletes then shows `deleting` for longer instead of taking the CPU
        and the commits from the API that answers them; once the requests
        stop, the rest goes at full speed."""
        rest = 0.0
        if self._answering_requests():
            rest = spent * (1 / self.settings.removal_share - 1)
        if count < _REMOVAL_BATCH:
            rest = max(rest, _REMOVAL_PAUSE_SECONDS)
        self._removals_due = now_us() + int(rest * 1_000_000)

    def _release(self, claim: Claim) -> None:
        self._write(lambda conn: queries.release_claim(conn, claim))

    # -- saving -----------------------------------------------------------

    def _save(self, claim: Claim) -> None:
        if claim.attempts > self.settings.ingest_attempts:
            self._fail(
                claim,
                f"the copy did not finish after {self.settings.ingest_attempts} "
                "attempts; register the image again",
            )
            return

        location = parse_location(claim.location)
        key = image_key(claim.project_id, claim.fpga_image_id)
        log.info(
            "ingest_started fpga_image_id=%s project_id=%s attempt=%d location=%s",
            claim.fpga_image_id,
            claim.project_id,
            claim.attempts,
            location,
        )
        try:
            # A worker that died mid-copy may have left an unfinished upload.
            self.images.discard_partial(self.settings.image_bucket, key)
            result = copy_and_inspect(
                self.sources,
                location,
                self.images,
                self.settings.image_bucket,
                key,
                self.settings.max_image_bytes,
                self._heartbeat(claim),
            )
        except LeaseLost:
            # Deleted while copying, or taken over: the write was aborted, and
            # the lease goes back at once so that a removal need not wait.
            self._release(claim)
            log.info(
                "ingest_stopped fpga_image_id=%s reason=lease_lost",
                claim.fpga_image_id,
            )
            return
        except ContentError as exc:
            self._fail(claim, exc.message)
            return
        except StorageUnavailable as exc:
            self._retry_or_fail(claim, f"object storage is unavailable: {exc}")
            return
        except StorageError as exc:
            self._fail(claim, _storage_message(exc, location))
            return

        done = self._write(
            lambda conn: queries.finish_active(
                conn,
                claim,
                result.size_bytes,
                result.sha256,
                result.inspection.format.value,
                result.inspection_json(),
                now_us(),
            )
        )
        if not done:
            self._after_lost_claim(claim, key)
            return
        log.info(
            "fpga_image_active fpga_image_id=%s project_id=%s size=%d sha256=%s "
            "format=%s",
            claim.fpga_image_id,
            claim.project_id,
            result.size_bytes,
            result.sha256,
            result.inspection.format.value,
        )

    def _heartbeat(self, claim: Claim) -> _Heartbeat:
        # At least every second, so that a delete stops a copy promptly.
        return _Heartbeat(self, claim, min(self.settings.lease_seconds / 3, 1.0))

    # -- deleting ---------------------------------------------------------

    def _remove(self, claims: list[Claim]) -> None:
        """Remove deleting images' bytes, then their rows, in that order.

        Rows go last, so a crash in between leaves rows that the next worker
        finishes, never an object without a row.
        """
        bucket = self.settings.image_bucket
        failed: list[tuple[Claim, StorageError]] = []
        deletable: dict[str, Claim] = {}
        for claim in claims:
            key = image_key(claim.project_id, claim.fpga_image_id)
            try:
                self.images.discard_partial(bucket, key)
            except StorageError as exc:
                failed.append((claim, exc))
            else:
                deletable[key] = claim
        try:
            # One request or one folder sync for the batch, not one per image.
            refused = self.images.delete_many(bucket, list(deletable))
        except StorageError as exc:
            refused = dict.fromkeys(deletable, exc)
        failed += [(deletable[key], exc) for key, exc in refused.items()]
        removed = [claim for key, claim in deletable.items() if key not in refused]

        retries = [
            # Deleting has no error status to end in: keep trying, slower.
            (
                claim,
                error,
                min(
                    self.settings.retry_base_seconds * 2 ** min(claim.attempts, 16),
                    300.0,
                ),
            )
            for claim, error in failed
        ]

        def forget(conn: Conn) -> list[Claim]:
            gone = queries.delete_fpga_image_rows(conn, removed)
            for claim, error, delay in retries:
                queries.schedule_retry(
                    conn, claim, now_us() + int(delay * 1_000_000), str(error)
                )
            return gone

        for claim in self._write(forget):
            log.info(
                "fpga_image_deleted fpga_image_id=%s project_id=%s",
                claim.fpga_image_id,
                claim.project_id,
            )
        for claim, error, _ in retries:
            log.warning(
                "delete_retry fpga_image_id=%s attempt=%d error=%s",
                claim.fpga_image_id,
                claim.attempts,
                error,
            )

    def _fail(self, claim: Claim, message: str) -> None:
        def finish(conn: Conn) -> bool:
            done = queries.finish_error(conn, claim, message, now_us())
            if not done:  # deleted meanwhile: let the removal start now
                queries.release_claim(conn, claim)
            return done

        if self._write(finish):
            log.info(
                "fpga_image_error fpga_image_id=%s project_id=%s message=%r",
                claim.fpga_image_id,
                claim.project_id,
                message,
            )

    def _retry_or_fail(self, claim: Claim, message: str) -> None:
        if claim.attempts >= self.settings.ingest_attempts:
            log.error(
                "ingest_gave_up fpga_image_id=%s attempts=%d error=%s",
                claim.fpga_image_id,
                claim.attempts,
                message,
            )
            self._fail(claim, f"{message}; gave up after {claim.attempts} attempts")
            return
        delay = self.settings.retry_base_seconds * 2 ** (claim.attempts - 1)

        def schedule(conn: Conn) -> None:
            scheduled = queries.schedule_retry(
                conn, claim, now_us() + int(delay * 1_000_000), message
            )
            if not scheduled:  # deleted meanwhile: let the removal start now
                queries.release_claim(conn, claim)

        self._write(schedule)
        log.warning(
            "ingest_retry fpga_image_id=%s attempt=%d delay=%.1f error=%s",
            claim.fpga_image_id,
            claim.attempts,
            delay,
            message,
        )

    def _after_lost_claim(self, claim: Claim, key: str) -> None:
        """Our copy finished but the claim was gone: keep no orphan object."""
        with self.db.read() as conn:
            status = queries.current_status(conn, claim.fpga_image_id)
        if status in (None, FpgaImageStatus.DELETING):
            self.images.delete(self.settings.image_bucket, key)
        self._release(claim)
        log.warning(
            "ingest_claim_lost fpga_image_id=%s status=%s", claim.fpga_image_id, status
        )


class _Heartbeat:
    """Renews the lease while the copy runs, at most every `interval` seconds."""

    def __init__(self, worker: Worker, claim: Claim, interval: float) -> None:
        self.worker = worker
        self.claim = claim
        self.interval = interval
        self.next_at = time.monotonic() + interval

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + self.interval
        until = now_us() + self.worker._lease_us
        held = self.worker._write(
            lambda conn: queries.extend_lease(conn, self.claim, until)
        )
        if not held:
            raise LeaseLost(self.claim.fpga_image_id)


def _never() -> bool:
    return False


def _own_transaction(db: Database, op: Callable[[Conn], T]) -> T:
    with db.transaction() as conn:
        return op(conn)


def _storage_message(exc: StorageError, location: Location) -> str:
    if isinstance(exc, ObjectNotFound):
        return (
            f"the object {location.key!r} was not found in bucket {location.bucket!r}"
        )
    if isinstance(exc, BucketNotFound):
        return f"the bucket {location.bucket!r} does not exist"
    if isinstance(exc, AccessDenied):
        return f"the service is not allowed to read {location}: {exc}"
    if isinstance(exc, InvalidKey):
        return f"the object key {location.key!r} is not usable: {exc}"
    return f"object storage failed: {exc}"
