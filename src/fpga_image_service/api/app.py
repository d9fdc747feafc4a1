"""The application factory: routes, middleware and the error handlers."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib import resources

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from fpga_image_service.api import envelope, routes
from fpga_image_service.api.context import AppContext
from fpga_image_service.api.request_id import RequestIdMiddleware
from fpga_image_service.auth.authenticator import Authenticator
from fpga_image_service.errors import FisError
from fpga_image_service.runtime import Runtime
from fpga_image_service.services.fpga_images import FpgaImageService

_BASE = "/v1/{project_id}/cloudservers/fpga_image"


def _openapi_document() -> dict[str, object]:
    text = (resources.files("fpga_image_service.api") / "openapi.json").read_text(
        encoding="utf-8"
    )
    document: dict[str, object] = json.loads(text)
    return document


async def _openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def _docs(request: Request) -> Response:
    return HTMLResponse(
        "<!doctype html><title>FPGA Image Service API</title>"
        "<p>The OpenAPI document of this service is at "
        '<a href="/openapi.json">/openapi.json</a>.</p>'
    )


def create_app(runtime: Runtime) -> Starlette:
    """Build the ASGI app around a runtime whose lifetime the app then owns."""
    settings = runtime.settings
    ctx = AppContext(
        settings=settings,
        authenticator=Authenticator(
            runtime.db, timedelta(seconds=settings.signature_skew_seconds)
        ),
        fpga_images=FpgaImageService(runtime.db, runtime.commits),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield
        finally:
            runtime.stop()

    app = Starlette(
        routes=[
            Route("/health", routes.health, methods=["GET"]),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/docs", _docs, methods=["GET"]),
            Route(_BASE, routes.register_fpga_image, methods=["POST"]),
            Route(f"{_BASE}/detail", routes.list_fpga_images, methods=["GET"]),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={
            FisError: envelope.handle_fis_error,
            HTTPException: envelope.handle_http_exception,
        },
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.openapi = _openapi_document()
    return app
