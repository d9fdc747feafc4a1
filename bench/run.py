"""The benchmarks of the register pipeline, in one run.

1. Registrations per second and p50/p99 latency at concurrency 1, 16 and 64,
   beside the same server's health check measured in the same run. The
   service runs with no in-process ingest worker, so the numbers are the API's.
   Afterwards every 200 answer is checked against the database: each
   acknowledged id must be there.
2. Ingest throughput of a 512 MiB raw bitstream beside hashlib.sha256 over
   the same file, and the worker process's peak memory (VmHWM).

Usage: .venv/bin/python bench/run.py [--seconds 5] [--ingest-mib 512]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.service import running_service

from bench.loadgen import LoadResult, run_load
from fpga_image_service.auth.signature import sign_request
from fpga_image_service.client import ClientConfig
from fpga_image_service.persistence import listing
from fpga_image_service.persistence.database import open_database

CONCURRENCY = (1, 16, 64)


def _health_request(host: str) -> bytes:
    return f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def _register_request(
    config: ClientConfig, host: str, extra_headers: dict[str, str] | None = None
) -> bytes:
    path = f"/v1/{config.project_id}/cloudservers/fpga_image"
    body = json.dumps(
        {
            "fpga_image": {
                "location": "obs-fpga:fpga.bin",
                "name": "bench",
                "description": "bench",
                "metadata": {"shell_type": "OCL", "shell_version": "1.0"},
            }
        }
    ).encode()
    headers = {"Host": host, "Content-Type": "application/json;charset=utf8"}
    headers.update(extra_headers or {})
    # One signature serves the whole run: it stays valid for 15 minutes.
    headers.update(
        sign_request(
            "POST",
            path,
            [],
            headers,
            body,
            config.access_key,
            config.secret_key,
            datetime.now(UTC),
        )
    )
    lines = [f"POST {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def bench_registration(seconds: float) -> list[LoadResult]:
    results: list[LoadResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        with running_service(
            data_dir, FIS_INGEST_WORKERS="0", FIS_LOG_LEVEL="WARNING"
        ) as service:
            service.fis("bucket-create", "obs-fpga", check=True)
            config = ClientConfig.load(service.client_file)
            host = config.endpoint.removeprefix("http://")
            hostname, port = host.split(":")
            health = _health_request(host)
            register = _register_request(config, host)
            bodies: list[bytes] = []
            for concurrency in CONCURRENCY:
                results.append(
                    run_load(
                        "health",
                        hostname,
                        int(port),
                        lambda: health,
                        concurrency,
                        seconds=seconds,
                    )
                )
                results.append(
                    run_load(
                        "register",
                        hostname,
                        int(port),
                        lambda: register,
                        concurrency,
                        seconds=seconds,
                        keep_bodies=bodies,
                    )
                )
                print(results[-2].line(), flush=True)
                print(results[-1].line(), flush=True)
            _check_durable(service.data_dir, config.project_id, bodies)
    return results


def _check_durable(data_dir: Path, project_id: str, bodies: list[bytes]) -> None:
    acknowledged = {json.loads(b)["fpga_image"]["id"] for b in bodies}
    db = open_database(f"sqlite:///{data_dir / 'fis.db'}")
    with db.read() as conn:
        stored = {i.id for i in listing.list_fpga_images(conn, project_id, None, 0)}
    db.close()
    missing = acknowledged - stored
    print(
        f"durability: {len(acknowledged)} acknowledged ids in the measured "
        f"windows, {len(missing)} missing from the database after shutdown"
    )
    if missing:
        raise SystemExit("acknowledged registrations were lost")


def bench_ingest(mib: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("ingest_once.py")),
                "--data-dir",
                tmp,
                "--mib",
                str(mib),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        print(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--ingest-mib", type=int, default=512)
    parser.add_argument("--skip-register", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    if not args.skip_register:
        results = bench_registration(args.seconds)
        by = {(r.name, r.concurrency): r for r in results}
        for c in CONCURRENCY:
            ratio = by[("register", c)].rate / by[("health", c)].rate
            print(f"c={c}: register/health throughput ratio {ratio:.2f}")
    if not args.skip_ingest:
        bench_ingest(args.ingest_mib)


if __name__ == "__main__":
    main()
