from __future__ import annotations

import threading

import pytest

from fpga_image_service.persistence import queries
from fpga_image_service.persistence.commit_queue import CommitQueue
from fpga_image_service.persistence.database import Conn, Database
from tests.integration.persistence.helpers import add_project, new_image


def test_concurrent_writes_are_all_committed(db: Database) -> None:
    project = add_project(db)
    queue = CommitQueue(db)
    queue.start()
    images = [new_image(project) for _ in range(200)]
    futures = []
    lock = threading.Lock()

    def submit_some(chunk: list) -> None:  # type: ignore[type-arg]
        for image in chunk:
            future = queue.submit(lambda c, i=image: queries.insert_fpga_image(c, i))
            with lock:
                futures.append(future)

    threads = [
        threading.Thread(target=submit_some, args=(images[n::8],)) for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in futures:
        f.result(timeout=30)
    queue.stop()

    with db.read() as conn:
        assert queries.count_fpga_images(conn, project) == 200


def test_a_failing_write_does_not_undo_its_batch_neighbours(db: Database) -> None:
    project = add_project(db)
    duplicate = new_image(project)
    queue = CommitQueue(db)

    def fail(conn: Conn) -> None:
        queries.insert_fpga_image(conn, duplicate)
        queries.insert_fpga_image(conn, duplicate)  # primary key clash

    good = new_image(project)
    # Queue both before the writer starts, so that they share one batch.
    bad_future = queue.submit(fail)
    good_future = queue.submit(lambda c: queries.insert_fpga_image(c, good))
    queue.start()

    with pytest.raises(Exception):  # noqa: B017 - the driver's own error class
        bad_future.result(timeout=30)
    good_future.result(timeout=30)
    queue.stop()
    with db.read() as conn:
        assert queries.get_fpga_image(conn, project, good.id) is not None
        assert queries.get_fpga_image(conn, project, duplicate.id) is None
