"""Raw signed HTTP calls, for tests that need to send what the SDK would not."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import httpx

from fpga_image_service.auth.signature import sign_request
from fpga_image_service.client import ClientConfig


def signed(
    config: ClientConfig,
    method: str,
    path: str,
    body: bytes = b"",
    query: list[tuple[str, str]] | None = None,
    *,
    now: datetime | None = None,
    secret_key: str | None = None,
    legacy: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Sign and send one request the way a Huawei SDK or fisclient would."""
    query = query or []
    host = urlsplit(config.endpoint).netloc
    headers = {"Host": host, **(extra_headers or {})}
    if body:
        headers.setdefault("Content-Type", "application/json;charset=utf8")
    headers.update(
        sign_request(
            method,
            path,
            query,
            headers,
            body,
            config.access_key,
            secret_key or config.secret_key,
            now or datetime.now(UTC),
            legacy_scope=(config.region, "ecs") if legacy else None,
        )
    )
    url = config.endpoint + path + ("?" + urlencode(query) if query else "")
    return httpx.request(method, url, content=body, headers=headers, timeout=30)


def register_path(config: ClientConfig, project_id: str | None = None) -> str:
    return f"/v1/{project_id or config.project_id}/cloudservers/fpga_image"
