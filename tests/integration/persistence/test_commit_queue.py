from __future__ import annotations

import asyncio

from fpga_image_service.persistence import queries
from fpga_image_service.persistence.commit_queue import CommitQueue
from fpga_image_service.persistence.database import Conn, Database
from fpga_image_service.persistence.records import FpgaImage
from tests.integration.persistence.helpers import add_project, new_image


def test_concurrent_writes_are_all_committed_in_shared_batches(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    batches = _counting(queue)

    async def register_all() -> None:
        images = [new_image(project) for _ in range(200)]
        await asyncio.gather(
            *(
                queue.write(lambda c, i=image: queries.insert_fpga_image(c, i))
                for image in images
            )
        )

    asyncio.run(register_all())
    queue.stop()

    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 200
    assert sum(batches) == 200
    assert len(batches) < 200  # writes of one loop turn share a commit


def test_a_failing_write_does_not_undo_its_batch_neighbours(db: Database) -> None:
    project = add_project(db)
    duplicate = new_image(project)
    good = new_image(project)
    queue = CommitQueue(db)
    queue.start()

    def fail(conn: Conn) -> None:
        queries.insert_fpga_image(conn, duplicate)
        queries.insert_fpga_image(conn, duplicate)  # primary key clash

    async def both() -> list[object]:
        # Issued in one loop turn, so that they are handed over as one batch.
        return await asyncio.gather(
            queue.write(fail),
            queue.write(lambda c: queries.insert_fpga_image(c, good)),
            return_exceptions=True,
        )

    bad, fine = asyncio.run(both())
    queue.stop()

    assert isinstance(bad, Exception)
    assert fine is None
    with db.read() as conn:
        assert queries.get_fpga_image(conn, project, good.id) is not None
        assert queries.get_fpga_image(conn, project, duplicate.id) is None


def test_stop_finishes_what_is_queued(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    image = new_image(project)

    async def write_one() -> None:
        await queue.write(lambda c: queries.insert_fpga_image(c, image))

    asyncio.run(write_one())
    queue.stop()
    with db.read() as conn:
        assert queries.get_fpga_image(conn, project, image.id) is not None


def test_threads_write_through_call_and_get_results_and_errors(db: Database) -> None:
    import threading

    import pytest

    project = add_project(db)
    queue = CommitQueue(db)
    with pytest.raises(RuntimeError, match="not running"):
        queue.call(lambda c: None)
    queue.start()
    images = [new_image(project) for _ in range(40)]
    results: list[object] = []

    def insert(image: FpgaImage) -> None:
        def op(conn: Conn) -> str:
            queries.insert_fpga_image(conn, image)
            return "ok"

        results.append(queue.call(op))

    threads = [threading.Thread(target=insert, args=(i,)) for i in images]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        queue.call(lambda c: queries.insert_fpga_image(c, images[0]))

    async def from_the_loop_too() -> None:
        await queue.write(lambda c: queries.insert_fpga_image(c, new_image(project)))

    asyncio.run(from_the_loop_too())
    queue.stop()

    assert results == ["ok"] * 40
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 41


def test_writes_queued_together_run_in_one_call_per_commit(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    calls: list[int] = []

    def insert_all(conn: Conn, images: list[FpgaImage]) -> None:
        calls.append(len(images))
        queries.insert_fpga_images(conn, images)

    async def register_all() -> None:
        # Issued in one loop turn, so that they share one commit.
        await asyncio.gather(
            *(queue.write_together(insert_all, new_image(project)) for _ in range(50))
        )

    asyncio.run(register_all())
    queue.stop()

    assert calls == [50]
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 50
        assert queries.list_state(conn, project)[0] == 50


def test_a_failing_write_together_fails_alone(db: Database) -> None:
    project = add_project(db)
    taken = new_image(project)
    with db.transaction() as conn:
        queries.insert_fpga_image(conn, taken)
    fresh = [new_image(project) for _ in range(3)]
    queue = CommitQueue(db)
    queue.start()

    async def all_four() -> list[object]:
        return await asyncio.gather(
            *(
                queue.write_together(queries.insert_fpga_images, image)
                for image in [fresh[0], taken, *fresh[1:]]
            ),
            return_exceptions=True,
        )

    outcomes = asyncio.run(all_four())
    queue.stop()

    assert outcomes[0] is None and outcomes[2:] == [None, None]
    assert isinstance(outcomes[1], Exception)  # the id is taken
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 4


def _counting(queue: CommitQueue) -> list[int]:
    """The sizes of the queue's commits, as they happen."""
    batches: list[int] = []
    commit = queue._commit

    def counting_commit(ops: list) -> list:  # type: ignore[type-arg]
        batches.append(len(ops))
        return commit(ops)

    queue._commit = counting_commit  # type: ignore[method-assign]
    return batches


def _request_write(queue: CommitQueue, project: str) -> None:
    async def request() -> None:
        await queue.write(lambda c: queries.insert_fpga_image(c, new_image(project)))

    asyncio.run(request())


def test_a_background_write_rides_along_with_the_next_request(db: Database) -> None:
    import threading
    import time

    project = add_project(db)
    queue = CommitQueue(db, ride_along=5.0)
    batches = _counting(queue)
    queue.start()
    _request_write(queue, project)  # requests are writing
    background = threading.Thread(
        target=queue.call,
        args=(lambda c: queries.insert_fpga_image(c, new_image(project)),),
    )
    started = time.monotonic()
    background.start()
    time.sleep(0.1)  # the background write is waiting by now

    _request_write(queue, project)
    background.join()
    queue.stop()

    assert batches == [1, 2]  # one commit for the second request and the wait
    assert time.monotonic() - started < 5.0  # the request ended the wait


def _background_write_takes(
    db: Database, ride_along: float, after_a_request: bool
) -> float:
    """How long a lone background write takes to commit; checks it did."""
    import time

    project = add_project(db)
    queue = CommitQueue(db, ride_along=ride_along)
    queue.start()
    if after_a_request:
        _request_write(queue, project)
    assert queue.requests_writing() is after_a_request
    started = time.monotonic()
    queue.call(lambda c: queries.insert_fpga_image(c, new_image(project)))
    waited = time.monotonic() - started
    queue.stop()
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 1 + after_a_request
    return waited


def test_a_background_write_alone_commits_after_the_ride_along_wait(
    db: Database,
) -> None:
    assert 0.15 <= _background_write_takes(db, 0.2, after_a_request=True) < 5.0


def test_a_background_write_waits_for_nobody_when_no_request_writes(
    db: Database,
) -> None:
    # Not the 5 s of the ride-along wait.
    assert _background_write_takes(db, 5.0, after_a_request=False) < 2.5


def test_requests_count_as_writing_for_a_while_after_their_last_write(
    db: Database,
) -> None:
    from fpga_image_service.persistence import commit_queue

    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    _request_write(queue, project)
    assert queue.requests_writing()
    queue._last_request_write -= commit_queue.REQUESTS_RECENT_SECONDS
    assert not queue.requests_writing()
    queue.stop()


def _wait_until_idle(queue: CommitQueue) -> None:
    import time

    deadline = time.monotonic() + 5.0
    while not queue._writer_idle:
        assert time.monotonic() < deadline, "the writer thread never waited"
        time.sleep(0.001)


def _writer_threads(queue: CommitQueue, project: str, count: int) -> list[str]:
    """The names of the threads that ran each of `count` writes of one turn."""
    import threading

    def op(conn: Conn) -> str:
        queries.insert_fpga_image(conn, new_image(project))
        return threading.current_thread().name

    async def writes() -> list[str]:
        return list(await asyncio.gather(*(queue.write(op) for _ in range(count))))

    return asyncio.run(writes())


def test_a_lone_write_commits_in_the_loop_when_the_database_is_local(
    db: Database,
) -> None:
    import threading

    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    _wait_until_idle(queue)
    (ran_in,) = _writer_threads(queue, project, 1)
    queue.stop()

    if db.commits_locally:  # SQLite: no hand-off
        assert ran_in == threading.current_thread().name
    else:  # PostgreSQL: a round trip must not stop the loop
        assert ran_in == "fis-commit-queue"
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 1


def test_writes_of_one_turn_go_to_the_writer_thread_together(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db, inline=True)
    batches = _counting(queue)
    queue.start()
    _wait_until_idle(queue)
    ran_in = _writer_threads(queue, project, 5)
    queue.stop()

    assert ran_in == ["fis-commit-queue"] * 5
    assert batches == [5]


def test_no_write_commits_in_the_loop_when_told_not_to(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db, inline=False)
    queue.start()
    _wait_until_idle(queue)
    assert _writer_threads(queue, project, 1) == ["fis-commit-queue"]
    queue.stop()


def test_a_failing_write_in_the_loop_fails_alone(db: Database) -> None:
    import pytest

    project = add_project(db)
    taken = new_image(project)
    queue = CommitQueue(db, inline=True)
    queue.start()

    async def twice() -> None:
        await queue.write(lambda c: queries.insert_fpga_image(c, taken))
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            await queue.write(lambda c: queries.insert_fpga_image(c, taken))
        await queue.write(lambda c: queries.insert_fpga_image(c, new_image(project)))

    _wait_until_idle(queue)
    asyncio.run(twice())
    queue.stop()
    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 2
