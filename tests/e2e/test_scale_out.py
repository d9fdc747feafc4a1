"""Scale-out: PostgreSQL, S3 storage, API and workers in separate processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.conftest_s3 import ACCESS_KEY, SECRET_KEY, start_s3_server
from tests.e2e.service import running_service, wait_for_status
from tests.fixtures import fpga_files
from tests.postgres import fresh_database


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    endpoint, stop = start_s3_server()
    yield endpoint
    stop()


def test_api_and_two_workers_share_postgres_and_s3(
    tmp_path: Path, s3_endpoint: str
) -> None:
    with fresh_database() as database_url:
        settings = {
            "FIS_DATABASE_URL": database_url,
            "FIS_STORAGE": "s3",
            "FIS_S3_ENDPOINT": s3_endpoint,
            "FIS_S3_ACCESS_KEY": ACCESS_KEY,
            "FIS_S3_SECRET_KEY": SECRET_KEY,
            "FIS_INGEST_WORKERS": "0",
        }
        with running_service(tmp_path / "data", **settings) as service:
            assert service.fis("bucket-create", "obs-fpga").returncode == 0
            s3 = boto3.client(
                "s3",
                endpoint_url=s3_endpoint,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY,
                region_name="us-east-1",
            )
            files = {
                "a.xclbin": fpga_files.xclbin_file(),
                "b.bin": fpga_files.aei_file(),
                "c.bin": fpga_files.raw_bin(),
                "d.bin": b"",
            }
            for key, data in files.items():
                s3.put_object(Bucket="obs-fpga", Key=f"dir/{key}", Body=data)
            with service.client() as client:
                ids = {
                    key: client.register(f"obs-fpga:dir/{key}", "x", {})["id"]
                    for key in files
                }

            workers = [
                subprocess.Popen(
                    [sys.executable, "-m", "fpga_image_service.cli.main", "worker"],
                    env=service.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(2)
            ]
            try:
                with service.client() as client:
                    final = {
                        key: wait_for_status(client, i, {"active", "error"}, 60)
                        for key, i in ids.items()
                    }
            finally:
                for worker in workers:
                    worker.terminate()
                    worker.wait(timeout=30)

            assert {k: v["status"] for k, v in final.items()} == {
                "a.xclbin": "active",
                "b.bin": "active",
                "c.bin": "active",
                "d.bin": "error",
            }
            stored = s3.list_objects_v2(Bucket="fis-images").get("Contents", [])
            assert sorted(o["Key"].rsplit("/", 1)[1] for o in stored) == sorted(
                ids[k] for k in ("a.xclbin", "b.bin", "c.bin")
            )
