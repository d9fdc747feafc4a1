"""Reading request bodies without trusting their size."""

from __future__ import annotations

from starlette.requests import Request

from fpga_image_service.errors import BodyTooLarge, InvalidParameter


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing anything past `limit` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidParameter("Content-Length is not a number")
        if int(declared) > limit:
            raise BodyTooLarge(_too_large(limit))

    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            # A chunked body has no Content-Length; stop at the limit instead.
            raise BodyTooLarge(_too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return f"request body is larger than the limit of {limit} bytes"
