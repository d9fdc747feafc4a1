"""Nothing acknowledged is lost: kill -9 of the service, and of a worker mid-copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fpga_image_service.client import FisClient
from fpga_image_service.storage.local import PARTIALS_FOLDER
from tests.e2e.service import RunningService, start_service, wait_for_status
from tests.fixtures import fpga_files


def _register_many(service: RunningService, count: int) -> list[str]:
    def one(n: int) -> str:
        with service.client() as client:
            answer = client.register("obs-fpga:fpga.bin", f"img-{n}", {"n": str(n)})
        return str(answer["id"])

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(count)))


def test_acknowledged_registrations_survive_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    service = start_service(data_dir, FIS_INGEST_WORKERS="0")
    try:
        assert service.fis("bucket-create", "obs-fpga").returncode == 0
        service.put_object("obs-fpga", "fpga.bin", fpga_files.raw_bin())
        ids = _register_many(service, 64)
    finally:
        service.stop(signal.SIGKILL)

    restarted = start_service(data_dir)
    try:
        with restarted.client() as client:
            listed = {i["id"] for i in client.list_images()["fpgaimages"]}
            assert set(ids) <= listed
            for fpga_image_id in ids:
                wait_for_status(client, fpga_image_id, {"active"})
    finally:
        restarted.stop()


def _partial_files(folder: Path) -> list[Path]:
    """The temporary files in the image bucket `folder`, of any key."""
    return list((folder / PARTIALS_FOLDER).glob("*/*"))


def test_worker_killed_mid_copy_is_taken_over(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    service = start_service(data_dir, FIS_INGEST_WORKERS="0", FIS_LEASE_SECONDS="2")
    worker = None
    try:
        assert service.fis("bucket-create", "obs-fpga").returncode == 0
        # A sparse 1 GiB bitstream: cheap on disk, slow enough to copy that
        # the worker can be killed in the middle of it.
        source = service.bucket_path("obs-fpga") / "big.bin"
        with source.open("wb") as out:
            out.write(fpga_files.raw_bin(payload_size=4096))
            out.truncate(1 << 30)
        with service.client() as client:
            fpga_image_id = client.register("obs-fpga:big.bin", "big", {})["id"]

        worker = subprocess.Popen(
            [sys.executable, "-m", "fpga_image_service.cli.main", "worker"],
            env=service.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        store = data_dir / "image-store" / "fis-images"
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size > 0 for p in _partial_files(store)):
            assert time.monotonic() < deadline, "the copy never started"
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert _partial_files(store), "the killed worker left no partial file"

        worker = subprocess.Popen(
            [sys.executable, "-m", "fpga_image_service.cli.main", "worker"],
            env=service.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = FisClient.from_file(service.client_file)
        image = wait_for_status(client, fpga_image_id, {"active", "error"}, 120)
        client.close()

        assert image["status"] == "active"
        assert image["size"] == 1024
        assert _partial_files(store) == []
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait()
        service.stop()


def _stored_objects(data_dir: Path, project_id: str) -> set[str]:
    """The ids of the images whose bytes are in the image store."""
    folder = data_dir / "image-store" / "fis-images" / project_id
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_acknowledged_deletes_survive_kill_9_and_finish_under_requests(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    service = start_service(data_dir)
    try:
        assert service.fis("bucket-create", "obs-fpga").returncode == 0
        service.put_object("obs-fpga", "fpga.bin", fpga_files.raw_bin())
        ids = _register_many(service, 12)
        with service.client() as client:
            for fpga_image_id in ids:
                wait_for_status(client, fpga_image_id, {"active"})
            project_id = client.config.project_id
    finally:
        service.stop()
    assert _stored_objects(data_dir, project_id) == set(ids)

    # No worker: the deletes are acknowledged, then the process dies.
    service = start_service(data_dir, FIS_INGEST_WORKERS="0")
    try:
        with service.client() as client:
            for fpga_image_id in ids:
                client.delete(fpga_image_id)
    finally:
        service.stop(signal.SIGKILL)

    restarted = start_service(data_dir)
    try:
        with restarted.client() as client:
            # Every delete held: what is still listed is on its way out.
            listed = client.list_images()["fpgaimages"]
            assert {i["id"] for i in listed} <= set(ids)
            assert {i["status"] for i in listed} <= {"deleting"}
            # A client polling without a pause keeps the process answering
            # requests: removals are paced then, but they still finish.
            deadline = time.monotonic() + 60
            while client.list_images()["count"] > 0:
                assert time.monotonic() < deadline, "the deletes never finished"
    finally:
        restarted.stop()
    assert _stored_objects(data_dir, project_id) == set()
