"""The one place that turns errors into wire bodies.

ECS errors: {"error": {"code": ..., "message": ...}}. Gateway errors (bad
credentials, unknown API) use the gateway's shape instead:
{"error_code": ..., "error_msg": ..., "request_id": ...}.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fpga_image_service.api.request_id import request_id_var
from fpga_image_service.errors import (
    FisError,
    MethodNotAllowed,
    RouteNotFound,
)

log = logging.getLogger(__name__)


def error_body(error: FisError) -> dict[str, object]:
    """The JSON body that carries `error` on the wire."""
    if error.gateway_shape:
        return {
            "error_code": error.code,
            "error_msg": error.message,
            "request_id": request_id_var.get(),
        }
    return {"error": {"code": error.code, "message": error.message}}


def error_response(error: FisError) -> Response:
    return JSONResponse(error_body(error), status_code=error.status)


async def handle_fis_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FisError)
    if exc.status >= 500:
        log.error("request_failed code=%s message=%s", exc.code, exc.message)
    return error_response(exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(
            MethodNotAllowed(f"method {request.method} is not allowed on this path")
        )
    return error_response(RouteNotFound("API does not exist or has not been published"))
