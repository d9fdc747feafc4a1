"""Every request the app answers marks the process as answering requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fpga_image_service.api.app import create_app
from fpga_image_service.runtime import RequestActivity, Runtime
from fpga_image_service.settings import Settings


def test_a_request_marks_the_runtime_as_answering_requests(tmp_path: Path) -> None:
    runtime = Runtime(Settings(data_dir=str(tmp_path)), workers=0)
    app = create_app(runtime)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/health",
        "query_string": b"",
        "headers": [],
    }
    try:
        assert not runtime.activity.recent()
        asyncio.run(app(scope, receive, send))
        assert sent[0]["status"] == 200
        assert runtime.activity.recent()
    finally:
        runtime.db.close()


def test_activity_is_recent_only_for_a_while() -> None:
    activity = RequestActivity()
    assert not activity.recent()
    activity.seen()
    assert activity.recent()
    activity._last -= RequestActivity.RECENT_SECONDS
    assert not activity.recent()
