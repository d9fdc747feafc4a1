"""HTTP handlers: parse, call one service function, serialize."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fpga_image_service.api import serialize
from fpga_image_service.api.body import read_body
from fpga_image_service.api.context import AppContext
from fpga_image_service.auth.authenticator import require_project
from fpga_image_service.auth.signature import HttpRequestParts
from fpga_image_service.domain.validation import (
    parse_fpga_image_id,
    parse_page_and_size,
    parse_register_body,
)


def _context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _query(request: Request) -> list[tuple[str, str]]:
    raw = request.scope.get("query_string", b"").decode("latin-1")
    return parse_qsl(raw, keep_blank_values=True)


async def _authenticate(request: Request, body: bytes) -> str:
    """Verify the signature and the project in the path; return the project id."""
    ctx = _context(request)
    parts = HttpRequestParts(
        method=request.method,
        path=request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        query=_query(request),
        headers={
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in request.scope["headers"]
        },
        body=body,
    )
    key = ctx.authenticator.authenticate(parts)
    project_id: str = request.path_params["project_id"]
    require_project(key, project_id)
    return project_id


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def register_fpga_image(request: Request) -> Response:
    ctx = _context(request)
    body = await read_body(request, ctx.settings.max_body_bytes)
    project_id = await _authenticate(request, body)
    registration = parse_register_body(body)

    image = await ctx.fpga_images.register(project_id, registration)

    return JSONResponse({"fpga_image": {"status": image.status.value, "id": image.id}})


async def list_fpga_images(request: Request) -> Response:
    ctx = _context(request)
    body = await read_body(request, ctx.settings.max_body_bytes)
    project_id = await _authenticate(request, body)
    query = dict(reversed(_query(request)))
    raw_id = query.get("fpga_image_id")
    fpga_image_id = None if raw_id is None else parse_fpga_image_id(raw_id)
    paging = parse_page_and_size(query.get("page"), query.get("size"))

    page = await ctx.fpga_images.list(project_id, fpga_image_id, paging)

    return JSONResponse(
        {
            "count": page.count,
            "fpgaimages": [serialize.fpga_image(image) for image in page.images],
        }
    )
