"""The one place that turns errors into wire bodies.

ECS errors: {"error": {"code": ..., "message": ...}}. Gateway errors (bad
credentials, unknown API) use the gateway's shape instead:
{"error_code": ..., "error_msg": ..., "request_id": ...}.
"""

from __future__ import annotations

from fpga_image_service.api.http import Response, json_response
from fpga_image_service.errors import FisError


def error_body(error: FisError, request_id: str) -> dict[str, object]:
    """The JSON body that carries `error` on the wire."""
    if error.gateway_shape:
        return {
            "error_code": error.code,
            "error_msg": error.message,
            "request_id": request_id,
        }
    return {"error": {"code": error.code, "message": error.message}}


def error_response(error: FisError, request_id: str) -> Response:
    return json_response(error_body(error, request_id), error.status)
