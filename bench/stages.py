"""Where a registration's time goes: its stages, one after another, on one server.

The same server answers, in the same run and at the same concurrency:
  health    GET /health, the trivial endpoint of bench/run.py;
  echo      the registration request, body read, a fixed answer sent back;
  verify    the same, after the signature and project are verified;
  validate  the same, after the body is also parsed and checked;
  register  the real registration: all of the above, the row and its commit.
The three partial stages are chosen by an X-Bench-Stage header (signed like
any other) that only this script's server knows; `fis serve` has no such thing.
Each line shows the rate, its ratio to health, and the server's CPU time per
request (from /proc), which tells what each stage adds.

Usage: .venv/bin/python bench/stages.py [--seconds 5] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.e2e.service import free_port

from bench.loadgen import run_load
from bench.run import _register_request
from fpga_image_service.client import ClientConfig

STAGES = ("echo", "verify", "validate")
_ANSWER = b'{"fpga_image":{"status":"saving","id":"0123456789abcdef0123456789abcdef"}}'


def serve(data_dir: str, port: int) -> None:
    """The service of `fis serve`, with the partial stages in front of it."""
    import uvicorn

    from fpga_image_service import settings as settings_module
    from fpga_image_service.api.app import create_app
    from fpga_image_service.api.http import JSON, Request, Response, send_response
    from fpga_image_service.api.routes import Handlers
    from fpga_image_service.cli.server import bootstrap
    from fpga_image_service.domain.validation import parse_register_body
    from fpga_image_service.runtime import Runtime
    from fpga_image_service.services.projects import ProjectService

    settings = settings_module.load(
        None,
        {
            "FIS_DATA_DIR": data_dir,
            "FIS_PORT": str(port),
            "FIS_INGEST_WORKERS": "0",
            "FIS_LOG_LEVEL": "WARNING",
        },
    )
    runtime = Runtime(settings)
    bootstrap(runtime)
    projects = ProjectService(runtime.db, settings.image_bucket)
    ((project_id, _),) = projects.list_projects()
    projects.grant(project_id, "obs-fpga")
    app = create_app(runtime)
    _, handler_params = app.router.resolve(
        "POST", f"/v1/{project_id}/cloudservers/fpga_image"
    )
    handlers = Handlers(app.ctx)

    async def staged(scope, receive, send):  # type: ignore[no-untyped-def]
        stage = None
        if scope["type"] == "http":
            stage = dict(scope["headers"]).get(b"x-bench-stage")
        if stage is None:
            await app(scope, receive, send)
            return
        request = Request(scope, receive)
        request.path_params = dict(handler_params)
        if stage == b"echo":
            await request.read_body(settings.max_body_bytes)
        else:
            await handlers._authenticate(request)
            if stage == b"validate":
                parse_register_body(request.body)
        await send_response(send, Response(200, _ANSWER, JSON), "bench")

    uvicorn.run(staged, host="127.0.0.1", port=port, log_config=None, access_log=False)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(data_dir), str(port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            _measure(server, data_dir, port, args.seconds, args.concurrency)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _measure(
    server: subprocess.Popen[bytes],
    data_dir: Path,
    port: int,
    seconds: float,
    concurrency: int,
) -> None:
    host = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://{host}/health").status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the bench server did not start") from None
            time.sleep(0.05)
    config = ClientConfig.load(data_dir / "client.json")
    requests = {"health": f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()}
    for stage in STAGES:
        requests[stage] = _register_request(config, host, {"X-Bench-Stage": stage})
    requests["register"] = _register_request(config, host)

    warmup = 1.0
    health_rate = None
    print(f"concurrency {concurrency}, {seconds:g} s per stage after {warmup:g} s")
    for name, raw in requests.items():
        before = _cpu_seconds(server.pid)
        result = run_load(
            name, "127.0.0.1", port, lambda r=raw: r, concurrency, warmup, seconds
        )
        spent = _cpu_seconds(server.pid) - before
        # The CPU counter covers the warm-up too; so does this request count.
        served = result.requests * (seconds + warmup) / seconds
        health_rate = health_rate or result.rate
        print(
            f"{result.line()}  ratio {result.rate / health_rate:4.2f}  "
            f"server CPU {spent / served * 1e6:5.0f} us/request"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
