"""Ingest one large raw bitstream in this process and report speed and memory.

Run by bench/run.py in its own process, so that VmHWM is the worker's peak.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.persistence.helpers import new_image

from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.persistence import queries
from fpga_image_service.runtime import Runtime
from fpga_image_service.services.projects import ProjectService
from fpga_image_service.settings import Settings

SYNC_PREAMBLE = b"\xff" * 64 + b"\x00\x00\x00\xbb\x11\x22\x00\x44" + b"\xff" * 8


def _write_file(path: Path, mib: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as out:
        out.write(SYNC_PREAMBLE + b"\xaa\x99\x55\x66")
        for _ in range(mib):
            out.write(block)


def _warm_memory(folder: Path, mib: int) -> None:
    """Write and delete a scratch file, so the measured copies reuse warm pages.

    A fresh virtual machine backs guest memory lazily: the first write into a
    page the guest never touched costs a fault on the host, and makes a first
    copy run at a fraction of the speed a long-running service sees.
    """
    scratch = folder / "scratch.tmp"
    block = b"\0" * (1 << 20)
    with scratch.open("wb") as out:
        for _ in range(mib):
            out.write(block)
    scratch.unlink()


def _sha256_rate(path: Path) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size / (time.perf_counter() - started)


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir, ingest_workers=0)
    runtime = Runtime(settings)
    runtime.start()  # no workers of its own: its group commit, for ours
    project_id, _ = ProjectService(runtime.db, settings.image_bucket).create_project(
        "b"
    )
    ProjectService(runtime.db, settings.image_bucket).grant(project_id, "obs-fpga")
    runtime.sources.create_bucket("obs-fpga")
    source = Path(args.data_dir) / "buckets" / "obs-fpga" / "big.bin"
    _write_file(source, args.mib)
    size = source.stat().st_size

    _warm_memory(Path(args.data_dir), size // (1 << 20) * (args.rounds + 1))
    mib_s = 1 << 20
    # Several rounds, to show the spread between runs.
    for round_no in range(1, args.rounds + 1):
        sha_rate = _sha256_rate(source)
        image = dataclasses.replace(new_image(project_id), location="obs-fpga:big.bin")
        with runtime.db.transaction() as conn:
            queries.insert_fpga_image(conn, image)
        started = time.perf_counter()
        runtime.new_worker().run_once()
        ingest_rate = size / (time.perf_counter() - started)
        with runtime.db.read() as conn:
            stored = queries.get_fpga_image(conn, project_id, image.id)
        assert stored is not None and stored.status is FpgaImageStatus.ACTIVE, stored
        print(
            f"round {round_no}: ingest of {size / mib_s:.0f} MiB: "
            f"{ingest_rate / mib_s:.0f} MiB/s; hashlib.sha256 over the same file: "
            f"{sha_rate / mib_s:.0f} MiB/s; ratio {ingest_rate / sha_rate:.2f}"
        )
    print(f"worker peak memory (VmHWM): {_peak_rss_mib():.1f} MiB over all rounds")
    runtime.stop()


if __name__ == "__main__":
    main()
