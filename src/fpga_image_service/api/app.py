"""The ASGI application: request ids, routing, the error envelope, lifespan."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import resources

from fpga_image_service.api.context import AppContext
from fpga_image_service.api.envelope import error_response
from fpga_image_service.api.http import (
    JSON,
    ClientDisconnected,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    send_response,
)
from fpga_image_service.api.request_id import request_id_var
from fpga_image_service.api.router import Router, route
from fpga_image_service.api.routes import Handlers
from fpga_image_service.auth.authenticator import Authenticator
from fpga_image_service.domain.ids import new_id
from fpga_image_service.errors import FisError, InternalError
from fpga_image_service.runtime import Runtime
from fpga_image_service.services.associations import AssociationService
from fpga_image_service.services.fpga_images import FpgaImageService

log = logging.getLogger(__name__)

BASE = "/v1/{project_id}/cloudservers/fpga_image"


def _openapi_document() -> Response:
    text = (resources.files("fpga_image_service.api") / "openapi.json").read_bytes()
    return Response(200, text, JSON)


def _routes(handlers: Handlers) -> Router:
    return Router(
        [
            route("/health", {"GET": handlers.health}),
            route("/openapi.json", {"GET": handlers.openapi}),
            route(BASE, {"POST": handlers.register_fpga_image}),
            route(f"{BASE}/detail", {"GET": handlers.list_fpga_images}),
            route(f"{BASE}/associations", {"GET": handlers.query_associations}),
            route(f"{BASE}/{{fpga_image_id}}", {"DELETE": handlers.delete_fpga_image}),
            route(
                f"{BASE}/{{fpga_image_id}}/association",
                {
                    "POST": handlers.associate,
                    "DELETE": handlers.disassociate,
                },
            ),
        ]
    )


class FisApp:
    """The HTTP API as an ASGI callable; it owns the runtime's lifetime."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self._activity = runtime.activity
        self.ctx = AppContext(
            settings=settings,
            authenticator=Authenticator(
                runtime.db, timedelta(seconds=settings.signature_skew_seconds)
            ),
            fpga_images=FpgaImageService(runtime.db, runtime.commits),
            associations=AssociationService(runtime.db, runtime.catalog),
            openapi=_openapi_document(),
        )
        self.router = _routes(Handlers(self.ctx))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._activity.seen()
        request_id = new_id()
        token = request_id_var.set(request_id)
        try:
            response = await self._respond(scope, receive)
            await send_response(send, response, request_id)
        finally:
            request_id_var.reset(token)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        request = Request(scope, receive)
        try:
            handler, request.path_params = self.router.resolve(
                scope["method"], scope["path"]
            )
            return await handler(request)
        except FisError as exc:
            if exc.status >= 500:
                log.error("request_failed code=%s message=%s", exc.code, exc.message)
            return error_response(exc, request_id_var.get())
        except ClientDisconnected:
            return Response(400)
        except Exception as exc:
            log.exception("request_crashed error=%s", type(exc).__name__)
            return error_response(
                InternalError(
                    "A system exception occurred; quote the X-Request-Id to an operator"
                ),
                request_id_var.get(),
            )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.runtime.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(runtime: Runtime) -> FisApp:
    """Build the ASGI app around a runtime."""
    return FisApp(runtime)
