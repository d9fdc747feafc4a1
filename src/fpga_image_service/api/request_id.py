"""Request ids: one per request, in the X-Request-Id header and every log line."""

from __future__ import annotations

import contextvars
import logging
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fpga_image_service.errors import InternalError

log = logging.getLogger(__name__)

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)


class RequestIdMiddleware:
    """Give each HTTP request an id and echo it in the response headers.

    It is also the last net for unexpected exceptions, so that even a crash
    answers in the ECS envelope and carries the request id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        header = (b"x-request-id", request_id.encode("ascii"))

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.exception("request_crashed error=%s", type(exc).__name__)
            if started:
                raise
            # Imported here: the envelope module imports this one.
            from fpga_image_service.api.envelope import error_response

            response = error_response(
                InternalError(
                    "A system exception occurred; quote the X-Request-Id to an operator"
                )
            )
            await response(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Add `request_id` to every log record, "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
