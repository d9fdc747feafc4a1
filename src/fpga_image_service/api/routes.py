"""HTTP handlers: parse, call one service function, serialize."""

from __future__ import annotations

from fpga_image_service.api import serialize
from fpga_image_service.api.context import AppContext
from fpga_image_service.api.http import (
    JSON,
    Request,
    Response,
    empty_response,
    json_response,
)
from fpga_image_service.auth.authenticator import require_project
from fpga_image_service.auth.signature import HttpRequestParts
from fpga_image_service.domain.validation import (
    parse_association_body,
    parse_fpga_image_id,
    parse_image_id,
    parse_page_and_size,
    parse_register_body,
)
from fpga_image_service.services.associations import AssociationGroup

HEALTHY = json_response({"status": "ok"})


class Handlers:
    """The API's handlers, bound to the services of one running app."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def _authenticate(self, request: Request) -> str:
        """Read the body, verify the signature and the project; return the project."""
        body = await request.read_body(self.ctx.settings.max_body_bytes)
        parts = HttpRequestParts(
            method=request.method,
            path=request.raw_path,
            query=request.query(),
            headers=request.headers(),
            body=body,
        )
        key = await self.ctx.authenticator.authenticate(parts)
        project_id = request.path_params["project_id"]
        require_project(key, project_id)
        return project_id

    async def health(self, request: Request) -> Response:
        return HEALTHY

    async def openapi(self, request: Request) -> Response:
        return self.ctx.openapi

    async def register_fpga_image(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        registration = parse_register_body(request.body)

        image = await self.ctx.fpga_images.register(project_id, registration)

        return json_response(
            {"fpga_image": {"status": image.status.value, "id": image.id}}
        )

    async def list_fpga_images(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        query = dict(reversed(request.query()))
        raw_id = query.get("fpga_image_id")
        fpga_image_id = None if raw_id is None else parse_fpga_image_id(raw_id)
        paging = parse_page_and_size(query.get("page"), query.get("size"))

        body = await self.ctx.fpga_images.list(project_id, fpga_image_id, paging)

        return Response(200, body, JSON)

    async def delete_fpga_image(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        fpga_image_id = parse_fpga_image_id(request.path_params["fpga_image_id"])

        await self.ctx.fpga_images.delete(project_id, fpga_image_id)

        return empty_response(204)

    async def associate(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        fpga_image_id = parse_fpga_image_id(request.path_params["fpga_image_id"])
        image_id = parse_association_body(request.body)

        await self.ctx.associations.associate(project_id, fpga_image_id, image_id)

        return empty_response(204)

    async def disassociate(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        fpga_image_id = parse_fpga_image_id(request.path_params["fpga_image_id"])
        image_id = parse_association_body(request.body)

        await self.ctx.associations.disassociate(project_id, fpga_image_id, image_id)

        return empty_response(204)

    async def query_associations(self, request: Request) -> Response:
        project_id = await self._authenticate(request)
        query = dict(reversed(request.query()))
        raw_fpga_id = query.get("fpga_image_id")
        raw_image_id = query.get("image_id")
        fpga_image_id = (
            None if raw_fpga_id is None else parse_fpga_image_id(raw_fpga_id)
        )
        image_id = None if raw_image_id is None else parse_image_id(raw_image_id)
        paging = parse_page_and_size(query.get("page"), query.get("size"))

        body = await self.ctx.associations.query(
            project_id, fpga_image_id, image_id, paging, _association_groups_json
        )

        return Response(200, body, JSON)


def _association_groups_json(groups: list[AssociationGroup]) -> bytes:
    body = ",".join(
        f'{{"image_id":"{group.image_id}","fpgaimages":'
        f"{serialize.fpga_images_json(group.fpga_images)}}}"
        for group in groups
    )
    return f'{{"associations":[{body}]}}'.encode()
