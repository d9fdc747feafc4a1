"""The little HTTP layer the API needs, straight on ASGI.

A framework's request and response objects cost more per call than the whole
registration logic; the register endpoint is hot, so requests are read and
answered here with no more than the ASGI messages themselves.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fpga_image_service.errors import BodyTooLarge, InvalidParameter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JSON = b"application/json"


class ClientDisconnected(Exception):
    """The client went away before its request body arrived."""


@dataclass
class Request:
    """One HTTP request: what the handlers and the signature check read."""

    scope: Scope
    receive: Receive
    path_params: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    _query: tuple[tuple[str, str], ...] | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def raw_path(self) -> str:
        raw: bytes = self.scope.get("raw_path") or self.scope["path"].encode()
        return raw.split(b"?", 1)[0].decode("latin-1")

    def headers(self) -> dict[str, str]:
        """Header names lower-case; repeated headers joined with commas."""
        found: dict[str, str] = {}
        for name, value in self.scope["headers"]:
            key = name.decode("latin-1")
            text = value.decode("latin-1")
            found[key] = f"{found[key]},{text}" if key in found else text
        return found

    def query(self) -> tuple[tuple[str, str], ...]:
        """The decoded query pairs in their order, parsed once per request
        (the signature check and the handler both read them)."""
        if self._query is None:
            raw: bytes = self.scope.get("query_string", b"")
            pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
            self._query = tuple(pairs)
        return self._query

    async def read_body(self, limit: int) -> bytes:
        """The whole body, refusing one past `limit` bytes before reading it all."""
        for name, value in self.scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    raise InvalidParameter("Content-Length is not a number")
                if int(value) > limit:
                    raise BodyTooLarge(_too_large(limit))

        chunks: list[bytes] = []
        received = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                # A chunked body has no Content-Length; stop at the limit.
                raise BodyTooLarge(_too_large(limit))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return self.body


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: bytes | None = None


async def send_response(send: Send, response: Response, request_id: str) -> None:
    """Write a response with its length, type and the request id."""
    headers = [
        (b"content-length", str(len(response.body)).encode("ascii")),
        (b"x-request-id", request_id.encode("ascii")),
    ]
    if response.content_type is not None:
        headers.append((b"content-type", response.content_type))
    await send(
        {"type": "http.response.start", "status": response.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": response.body})


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(status, body.encode("utf-8"), JSON)


def empty_response(status: int = 204) -> Response:
    return Response(status)


def _too_large(limit: int) -> str:
    return f"request body is larger than the limit of {limit} bytes"
