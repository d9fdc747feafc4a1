"""Start the real service in a subprocess, as a user would with `fis serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from fpga_image_service.client import ClientConfig, FisClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class RunningService:
    data_dir: Path
    endpoint: str
    process: subprocess.Popen[str]
    env: dict[str, str]

    @property
    def client_file(self) -> Path:
        return self.data_dir / "client.json"

    def client(self) -> FisClient:
        return FisClient(ClientConfig.load(self.client_file))

    def bucket_path(self, bucket: str) -> Path:
        return self.data_dir / "buckets" / bucket

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        path = self.bucket_path(bucket) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def fis(
        self, *args: str, check: bool = False, answers: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the command-line client against this service.

        `answers` go to its standard input, a pipe, not a terminal.
        """
        return subprocess.run(
            [sys.executable, "-m", "fpga_image_service.cli.main", *args],
            env=self.env,
            input=answers,
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def service_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIS_")}
    env.update(
        FIS_DATA_DIR=str(data_dir),
        FIS_PORT=str(port),
        FIS_POLL_SECONDS="0.05",
        FIS_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def start_service(data_dir: Path, **extra: str) -> RunningService:
    """Start `fis serve` and wait until its health check answers."""
    port = free_port()
    env = service_env(data_dir, port, **extra)
    log = (data_dir.parent / f"{data_dir.name}-service.log").open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "fpga_image_service.cli.main", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fis serve exited with {process.returncode}")
        try:
            if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                return RunningService(data_dir, endpoint, process, env)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("fis serve did not answer its health check within 30 s")


@contextmanager
def running_service(data_dir: Path, **extra: str) -> Iterator[RunningService]:
    service = start_service(data_dir, **extra)
    try:
        yield service
    finally:
        service.stop()


def wait_for_status(
    client: FisClient, fpga_image_id: str, statuses: set[str], timeout: float = 30
) -> dict[str, object]:
    """Poll the detail list until the image reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    image = None
    while time.monotonic() < deadline:
        image = client.get(fpga_image_id)
        if image is not None and image["status"] in statuses:
            return image
        time.sleep(0.05)
    raise AssertionError(f"image {fpga_image_id} stuck at {image}")


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], *words: str
) -> None:
    """A user error: exit 1, nothing on stdout, one `Error: ...` line on stderr."""
    assert result.returncode == 1, result
    assert result.stdout == "", result
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
