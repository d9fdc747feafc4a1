"""Paths to handlers: a short table matched in order."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fpga_image_service.api.http import Request, Response
from fpga_image_service.errors import MethodNotAllowed, RouteNotFound

Handler = Callable[[Request], Awaitable[Response]]

_PARAM = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Route:
    template: str
    handlers: dict[str, Handler]
    pattern: re.Pattern[str]


def route(template: str, handlers: dict[str, Handler]) -> Route:
    """A path template such as /v1/{project_id}/x, with a handler per method."""
    parts: list[str] = []
    end = 0
    for param in _PARAM.finditer(template):
        parts.append(re.escape(template[end : param.start()]))
        parts.append(f"(?P<{param.group(1)}>[^/]+)")
        end = param.end()
    parts.append(re.escape(template[end:]))
    return Route(template, handlers, re.compile("".join(parts)))


class Router:
    """Finds the handler for a method and path, or says why there is none."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed = False
        for candidate in self.routes:
            match = candidate.pattern.fullmatch(path)
            if match is None:
                continue
            handler = candidate.handlers.get(method)
            if handler is not None:
                return handler, match.groupdict()
            allowed = True
        if allowed:
            raise MethodNotAllowed(f"method {method} is not allowed on this path")
        raise RouteNotFound("API does not exist or has not been published")
