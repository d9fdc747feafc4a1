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
    batches: list[int] = []
    commit = queue._commit

    def counting_commit(ops: list) -> list:  # type: ignore[type-arg]
        batches.append(len(ops))
        return commit(ops)

    queue._commit = counting_commit  # type: ignore[method-assign]

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
