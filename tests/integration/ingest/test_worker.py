"""The ingest worker against a real database and real local folders."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.ingest.worker import Worker, image_key
from fpga_image_service.persistence import queries
from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.persistence.records import FpgaImage, now_us
from fpga_image_service.settings import Settings
from fpga_image_service.storage import (
    AccessDenied,
    LocalObjectStore,
    ObjectInfo,
    StorageUnavailable,
)
from tests.fixtures import fpga_files
from tests.integration.persistence.helpers import add_project, new_image


@dataclasses.dataclass
class Setup:
    db: Database
    settings: Settings
    sources: LocalObjectStore
    images: LocalObjectStore
    project: str

    def worker(self, sources: Any = None) -> Worker:
        return Worker(self.settings, self.db, sources or self.sources, self.images)

    def worker_with(self, answering_requests: Any = None, **settings: Any) -> Worker:
        """A worker with some settings changed."""
        return Worker(
            dataclasses.replace(self.settings, **settings),
            self.db,
            self.sources,
            self.images,
            answering_requests=answering_requests,
        )

    def register(self, key: str, data: bytes | None) -> FpgaImage:
        if data is not None:
            self.sources.write("obs-fpga", key, [data])
        image = dataclasses.replace(new_image(self.project), location=f"obs-fpga:{key}")
        with self.db.transaction() as conn:
            queries.insert_fpga_image(conn, image)
        return image

    def stored(self, image: FpgaImage) -> FpgaImage:
        with self.db.read() as conn:
            found = queries.get_fpga_image(conn, self.project, image.id)
        assert found is not None
        return found

    def image_files(self) -> list[str]:
        return list(self.images.list_keys("fis-images"))


@pytest.fixture
def setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    db = open_database(database_url)
    migrate(db)
    settings = Settings(
        data_dir=str(tmp_path),
        lease_seconds=30,
        retry_base_seconds=0.0,
        ingest_attempts=3,
    )
    sources = LocalObjectStore(tmp_path / "buckets")
    images = LocalObjectStore(tmp_path / "image-store")
    sources.create_bucket("obs-fpga")
    images.create_bucket("fis-images")
    yield Setup(db, settings, sources, images, add_project(db))
    db.close()


def test_good_file_becomes_active_with_digest_and_format(setup: Setup) -> None:
    data = fpga_files.xclbin_file()
    image = setup.register("k.xclbin", data)

    assert setup.worker().run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ACTIVE
    assert stored.size_bytes == len(data)
    import hashlib

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.format == "xclbin"
    assert setup.image_files() == [image_key(setup.project, image.id)]
    copied = b"".join(setup.images.read("fis-images", setup.image_files()[0]))
    assert copied == data


def test_no_work_returns_false(setup: Setup) -> None:
    assert not setup.worker().run_once()


def test_bad_file_ends_in_error_and_leaves_no_object(setup: Setup) -> None:
    whole = fpga_files.aei_file()
    image = setup.register("cut.bin", whole[:-10])

    setup.worker().run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message and "truncated" in stored.message
    assert setup.image_files() == []


def test_file_over_the_limit_ends_in_error(setup: Setup) -> None:
    setup = dataclasses.replace(
        setup, settings=dataclasses.replace(setup.settings, max_image_bytes=1000)
    )
    image = setup.register("big.bin", fpga_files.raw_bin(payload_size=5000))

    setup.worker().run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message and "larger than the limit" in stored.message


class FlakyStore:
    """Local storage whose reads fail with a transient error `failures` times."""

    def __init__(self, inner: LocalObjectStore, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def read(self, bucket: str, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        if self.failures > 0:
            self.failures -= 1
            raise StorageUnavailable("connection reset by the storage service")
        return self.inner.read(bucket, key, chunk_size)

    def head(self, bucket: str, key: str) -> ObjectInfo:
        return self.inner.head(bucket, key)

    def write(self, bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        return self.inner.write(bucket, key, chunks)


def test_transient_failure_is_retried_then_succeeds(setup: Setup) -> None:
    image = setup.register("retry.bin", fpga_files.raw_bin())
    worker = setup.worker(FlakyStore(setup.sources, failures=2))

    for _ in range(3):
        assert worker.run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ACTIVE


def test_transient_failure_gives_up_after_the_attempts(setup: Setup) -> None:
    image = setup.register("down.bin", fpga_files.raw_bin())
    worker = setup.worker(FlakyStore(setup.sources, failures=100))

    for _ in range(3):
        assert worker.run_once()
    assert not worker.run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message and "gave up after 3 attempts" in stored.message


def test_a_dead_workers_claim_is_taken_over_and_its_partial_removed(
    setup: Setup,
) -> None:
    image = setup.register("takeover.bin", fpga_files.raw_bin())
    now = now_us()
    with setup.db.transaction() as conn:
        dead = queries.claim_work(conn, "dead-worker", now - 2, now - 1)
    assert dead is not None
    # What the dead worker left: a temporary file of its unfinished copy.
    key = image_key(setup.project, image.id)
    partials = setup.images.partial_folder("fis-images", key)
    partials.mkdir(parents=True)
    leftover = partials / ("ab" * 8)
    leftover.write_bytes(b"half")

    assert setup.worker().run_once()

    assert setup.stored(image).status is FpgaImageStatus.ACTIVE
    assert not leftover.exists()
    assert list(partials.parent.iterdir()) == []
    folder = (
        Path(setup.settings.data_dir) / "image-store" / "fis-images" / setup.project
    )
    assert sorted(p.name for p in folder.iterdir()) == [image.id]
    assert setup.image_files() == [key]


def test_claims_past_the_attempt_limit_end_in_error(setup: Setup) -> None:
    image = setup.register("crashy.bin", fpga_files.raw_bin())
    for _ in range(3):  # three workers that each died holding the claim
        now = now_us()
        with setup.db.transaction() as conn:
            assert queries.claim_work(conn, "dies", now, now) is not None

    assert setup.worker().run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message and "did not finish after 3 attempts" in stored.message


def _mark_deleting(setup: Setup, image: FpgaImage) -> None:
    with setup.db.transaction() as conn:
        current = queries.get_fpga_image(conn, setup.project, image.id)
        assert current is not None
        assert queries.mark_deleting(conn, current, now_us())


def test_deleting_image_is_listed_as_deleting_then_removed(setup: Setup) -> None:
    image = setup.register("del.bin", fpga_files.raw_bin())
    setup.worker().run_once()
    assert setup.image_files() == [image_key(setup.project, image.id)]

    _mark_deleting(setup, image)
    assert setup.stored(image).status is FpgaImageStatus.DELETING

    assert setup.worker().run_once()
    with setup.db.read() as conn:
        assert queries.get_fpga_image(conn, setup.project, image.id) is None
    assert setup.image_files() == []


def test_a_crash_during_deleting_is_finished_by_the_next_worker(setup: Setup) -> None:
    image = setup.register("del2.bin", fpga_files.raw_bin())
    setup.worker().run_once()
    _mark_deleting(setup, image)
    # A worker claims the removal, deletes the object, then dies before the row.
    now = now_us()
    with setup.db.transaction() as conn:
        assert queries.claim_deletions(conn, "dies", now - 2, now - 1, 1)
    setup.images.delete("fis-images", image_key(setup.project, image.id))

    assert setup.worker().run_once()

    with setup.db.read() as conn:
        assert queries.current_status(conn, image.id) is None


def test_delete_while_saving_stops_the_copy_and_leaves_nothing(setup: Setup) -> None:
    image = setup.register("slow.bin", fpga_files.raw_bin(payload_size=64 << 20))
    # A lease far longer than the test: the removal below can only run at
    # once if the stopped copy gave its lease back.
    setup = dataclasses.replace(
        setup, settings=dataclasses.replace(setup.settings, lease_seconds=60)
    )
    worker = setup.worker()
    original = worker.images.write
    copied: list[int] = []

    def write_then_delete(bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        def chunks_with_delete() -> Iterator[bytes]:
            for n, chunk in enumerate(chunks):
                copied.append(n)
                if n == 2:
                    _mark_deleting(setup, image)
                    import time

                    time.sleep(1.1)  # past the heartbeat interval (1 s)
                yield chunk

        return original(bucket, key, chunks_with_delete())

    worker.images.write = write_then_delete  # type: ignore[method-assign]
    assert worker.run_once()

    assert len(copied) < 64, "the copy ran to the end instead of stopping"
    assert setup.stored(image).status is FpgaImageStatus.DELETING
    assert setup.image_files() == []
    folder = Path(setup.settings.data_dir) / "image-store" / "fis-images"
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    assert setup.worker().run_once()  # the lease was given back: removal runs now
    with setup.db.read() as conn:
        assert queries.current_status(conn, image.id) is None


class DeniedStore(FlakyStore):
    """Storage that refuses to read anything."""

    def read(self, bucket: str, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        raise AccessDenied("Access Denied")


def test_storage_refusing_to_read_ends_in_error_saying_so(setup: Setup) -> None:
    image = setup.register("denied.bin", fpga_files.raw_bin())

    setup.worker(DeniedStore(setup.sources, failures=0)).run_once()

    stored = setup.stored(image)
    assert stored.status is FpgaImageStatus.ERROR
    assert stored.message == (
        "the service is not allowed to read obs-fpga:denied.bin: Access Denied"
    )


def test_removals_go_in_batches_with_one_store_call_and_are_paced(
    setup: Setup,
) -> None:
    images = [setup.register(f"batch{n}.bin", fpga_files.raw_bin()) for n in range(3)]
    worker = setup.worker()
    for _ in images:
        assert worker.run_once()
    for image in images:
        _mark_deleting(setup, image)
    calls: list[list[str]] = []
    original = worker.images.delete_many

    def counting(bucket: str, keys: list[str]) -> dict[str, Any]:
        calls.append(list(keys))
        return original(bucket, keys)

    worker.images.delete_many = counting  # type: ignore[method-assign]
    before = now_us()

    assert worker.run_once()

    assert len(calls) == 1 and len(calls[0]) == 3
    assert setup.image_files() == []
    with setup.db.read() as conn:
        assert all(queries.current_status(conn, i.id) is None for i in images)
    # A partial batch: the next removals wait for their turn (0.2 s at least).
    another = setup.register("later.bin", fpga_files.raw_bin())
    assert worker.run_once()  # saving is not held back
    _mark_deleting(setup, another)
    assert worker._removals_due >= before + 200_000
    assert not worker.run_once()  # the removal waits
    worker._removals_due = 0
    assert worker.run_once()
    with setup.db.read() as conn:
        assert queries.current_status(conn, another.id) is None


def test_removal_pacing_follows_the_removal_share_while_requests_write(
    setup: Setup,
) -> None:
    busy = True
    worker = setup.worker_with(lambda: busy, removal_share=0.25)
    start = now_us()
    worker._pace_removals(spent=1.0, count=10_000)  # a full batch that took 1 s
    # Removing may take a quarter of the time: 3 s of rest follow 1 s of work.
    assert start + 2_900_000 <= worker._removals_due <= now_us() + 3_000_000

    busy = False  # the requests stopped: the next full batch follows at once
    worker._pace_removals(spent=1.0, count=10_000)
    assert worker._removals_due <= now_us()


def test_a_worker_that_answers_no_requests_removes_at_full_speed(
    setup: Setup,
) -> None:
    worker = setup.worker_with(removal_share=0.01)
    worker._pace_removals(spent=1.0, count=10_000)
    assert worker._removals_due <= now_us()


def test_a_removal_the_store_refuses_is_retried_later_and_the_rest_go(
    setup: Setup,
) -> None:
    keep, go = (setup.register(f"r{n}.bin", fpga_files.raw_bin()) for n in range(2))
    worker = setup.worker()
    assert worker.run_once() and worker.run_once()
    _mark_deleting(setup, keep)
    _mark_deleting(setup, go)
    refused_key = image_key(setup.project, keep.id)
    original = worker.images.delete_many

    def refusing(bucket: str, keys: list[str]) -> dict[str, Any]:
        failed = original(bucket, [k for k in keys if k != refused_key])
        return {**failed, refused_key: StorageUnavailable("the disk is busy")}

    worker.images.delete_many = refusing  # type: ignore[method-assign]
    assert worker.run_once()

    assert setup.image_files() == [refused_key]
    kept = setup.stored(keep)
    assert kept.status is FpgaImageStatus.DELETING
    assert kept.message is not None and "busy" in kept.message
    with setup.db.read() as conn:
        assert queries.current_status(conn, go.id) is None


def test_the_api_process_worker_gives_way_to_the_requests_it_answers(
    tmp_path: Path,
) -> None:
    from fpga_image_service.runtime import Runtime

    runtime = Runtime(Settings(data_dir=str(tmp_path)), workers=0)
    runtime.start()
    try:
        worker = runtime.new_worker()
        worker._pace_removals(spent=0.01, count=10_000)
        assert worker._removals_due <= now_us()  # no request yet: full speed

        runtime.activity.seen()  # the app does so for every request
        before = now_us()
        worker._pace_removals(spent=0.01, count=10_000)
        # The default share, 0.2%: 10 ms of removing, then about 5 s of rest.
        assert worker._removals_due >= before + 4_000_000
    finally:
        runtime.stop()


def test_an_idle_worker_sleeps_its_poll_interval(setup: Setup) -> None:
    worker = setup.worker_with(poll_seconds=0.5)
    assert not worker.run_once()  # nothing to save, nothing to remove
    assert worker._idle_wait() == 0.5

    # Removals paused for their turn: wake when it comes, not later.
    worker._removals_due = now_us() + 100_000
    assert 0.05 < worker._idle_wait() <= 0.1


def test_an_idle_worker_does_not_spin(setup: Setup) -> None:
    import threading
    import time

    worker = setup.worker_with(poll_seconds=0.2)
    calls = 0
    run_once = worker.run_once

    def counting() -> bool:
        nonlocal calls
        calls += 1
        return run_once()

    worker.run_once = counting  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    time.sleep(1.0)
    stop.set()
    thread.join()
    assert 1 <= calls <= 10  # about one look every 0.2 s, not one a millisecond
