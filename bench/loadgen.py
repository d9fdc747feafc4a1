"""A small HTTP/1.1 keep-alive load generator for benchmarks on loopback.

Each connection sends one request, waits for the whole answer, and sends the
next, for a fixed time; concurrency is the number of connections. Requests are
prepared bytes, so the generator spends its time on the socket, not on
building requests. Loops are bounded in time and count and end by themselves.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    name: str
    concurrency: int
    requests: int
    seconds: float
    statuses: dict[int, int]
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def line(self) -> str:
        return (
            f"{self.name:<10} c={self.concurrency:<3} {self.rate:9.1f} req/s  "
            f"p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  "
            f"statuses {dict(self.statuses)}"
        )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _connection(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    stop_at: float,
    measure_from: float,
    latencies: list[float],
    statuses: Counter[int],
    bodies: list[bytes],
    max_requests: int,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    try:
        while sent < max_requests:
            # Built before the clock starts: a request signed per call (a
            # delete of a new id) costs the generator, not the server.
            request = make_request()
            started = time.perf_counter()
            if started >= stop_at:
                break
            writer.write(request)
            status, body = await _read_response(reader)
            sent += 1
            if started >= measure_from:
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
                bodies.append(body)
    finally:
        writer.close()


async def _run(
    name: str,
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    concurrency: int,
    warmup: float,
    seconds: float,
    keep_bodies: list[bytes],
) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    now = time.perf_counter()
    measure_from = now + warmup
    stop_at = measure_from + seconds
    await asyncio.gather(
        *(
            _connection(
                host,
                port,
                make_request,
                stop_at,
                measure_from,
                latencies,
                statuses,
                keep_bodies,
                max_requests=1_000_000,
            )
            for _ in range(concurrency)
        )
    )
    latencies.sort()
    return LoadResult(
        name=name,
        concurrency=concurrency,
        requests=len(latencies),
        seconds=seconds,
        statuses=dict(statuses),
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[int(len(latencies) * 0.99) - 1] * 1000,
    )


def run_load(
    name: str,
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    concurrency: int,
    warmup: float = 1.0,
    seconds: float = 5.0,
    keep_bodies: list[bytes] | None = None,
) -> LoadResult:
    """Drive `concurrency` connections; report the part after the warm-up."""
    try:
        import uvloop

        runner: Callable[..., LoadResult] = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    return runner(
        _run(
            name,
            host,
            port,
            make_request,
            concurrency,
            warmup,
            seconds,
            keep_bodies if keep_bodies is not None else [],
        )
    )
