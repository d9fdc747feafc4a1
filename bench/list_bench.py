"""Latency of the detail list, the association query and delete at 100,000 images.

One project holds --images images (100,000 by default), inserted straight into
the database of an embedded-default service. Each call is measured with the
load generator beside the same server's health check, in the same run:
  list page 1 and page 900 (size 100), a lookup by fpga_image_id, the
  association query by fpga_image_id, and delete (each request a new image).

Usage: .venv/bin/python bench/list_bench.py [--images 100000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.service import running_service
from tests.integration.persistence.helpers import new_image

from bench.loadgen import LoadResult, run_load
from fpga_image_service.auth.signature import sign_request
from fpga_image_service.client import ClientConfig
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.persistence import associations, queries
from fpga_image_service.persistence.database import open_database
from fpga_image_service.persistence.records import now_us


def _fill(database_url: str, project_id: str, count: int) -> list[str]:
    """Insert `count` active images, oldest first; return their ids."""
    db = open_database(database_url)
    ids = []
    base = now_us() - count * 1000
    with db.transaction() as conn:
        for n in range(count):
            image = dataclasses.replace(
                new_image(project_id, created_at=base + n * 1000, name=f"img-{n}"),
                status=FpgaImageStatus.ACTIVE,
                size_bytes=40 << 20,
                sha256="0" * 64,
                format="bin",
                inspection="{}",
            )
            queries.insert_fpga_image(conn, image)
            ids.append(image.id)
        vm_image = str(uuid.uuid4())
        for fpga_image_id in ids[:5]:
            associations.insert_association(
                conn, fpga_image_id, vm_image, project_id, now_us()
            )
    db.close()
    return ids


def _request(
    config: ClientConfig,
    host: str,
    method: str,
    suffix: str,
    query: list[tuple[str, str]] | None = None,
) -> bytes:
    path = f"/v1/{config.project_id}/cloudservers/fpga_image{suffix}"
    query = query or []
    headers = {"Host": host}
    headers.update(
        sign_request(
            method,
            path,
            query,
            headers,
            b"",
            config.access_key,
            config.secret_key,
            datetime.now(UTC),
        )
    )
    target = path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    lines = [f"{method} {target} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--no-worker", action="store_true", help="run no ingest worker")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        with running_service(
            data_dir, FIS_INGEST_WORKERS="0", FIS_LOG_LEVEL="WARNING"
        ) as first:
            config = ClientConfig.load(first.client_file)
        ids = _fill(f"sqlite:///{data_dir / 'fis.db'}", config.project_id, args.images)
        workers = {"FIS_INGEST_WORKERS": "0"} if args.no_worker else {}
        with running_service(data_dir, FIS_LOG_LEVEL="WARNING", **workers) as service:
            config = ClientConfig.load(service.client_file)
            host = config.endpoint.removeprefix("http://")
            hostname, port = host.split(":")
            cases: dict[str, Callable[[], bytes]] = {}
            health = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            page1 = _request(
                config, host, "GET", "/detail", [("page", "1"), ("size", "100")]
            )
            page900 = _request(
                config, host, "GET", "/detail", [("page", "900"), ("size", "100")]
            )
            lookup = _request(
                config, host, "GET", "/detail", [("fpga_image_id", ids[len(ids) // 2])]
            )
            assoc = _request(
                config, host, "GET", "/associations", [("fpga_image_id", ids[0])]
            )
            cases = {
                "health": lambda: health,
                "list-p1": lambda: page1,
                "list-p900": lambda: page900,
                "lookup": lambda: lookup,
                "assoc": lambda: assoc,
            }
            deletable: Iterator[str] = iter(ids[10:])
            cases["delete"] = lambda: _request(
                config, host, "DELETE", f"/{next(deletable)}"
            )
            results: list[LoadResult] = []
            for concurrency in args.concurrency:
                for name, make in cases.items():
                    result = run_load(
                        name,
                        hostname,
                        int(port),
                        make,
                        concurrency,
                        warmup=0.5,
                        seconds=args.seconds,
                    )
                    results.append(result)
                    print(result.line(), flush=True)
            _ratios(results)


def _ratios(results: list[LoadResult]) -> None:
    health = {r.concurrency: r for r in results if r.name == "health"}
    for r in results:
        if r.name != "health":
            base = health[r.concurrency].p99_ms
            print(
                f"c={r.concurrency} {r.name:<10} p99 {r.p99_ms:7.2f} ms = "
                f"{r.p99_ms / base:5.2f} x health p99 ({base:.2f} ms)"
            )
    print(json.dumps({"note": "target: every ratio under 5"}))


if __name__ == "__main__":
    main()
