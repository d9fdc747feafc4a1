"""A fake of the API client for running client commands through `fis`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fpga_image_service.client import ApiError, ClientConfig

IMAGE_ID = "4010a32c5c62bad9015c62dc2290002b"


@dataclass
class FakeApi:
    """What the fake client answers, and the calls it was asked to make."""

    images: list[dict[str, Any]] = field(default_factory=list)
    associations: dict[str, Any] = field(default_factory=lambda: {"associations": []})
    error: ApiError | None = None
    calls: list[tuple[object, ...]] = field(default_factory=list)


class FakeFisClient:
    """Stands in for FisClient; answers from a FakeApi and records every call."""

    def __init__(self, api: FakeApi, config: ClientConfig) -> None:
        self.api = api
        self.config = config

    def __enter__(self) -> FakeFisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _call(self, *call: object) -> None:
        self.api.calls.append(call)
        if self.api.error is not None:
            raise self.api.error

    def list_images(
        self,
        fpga_image_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        self._call("list_images", fpga_image_id, page, size)
        return {"count": len(self.api.images), "fpgaimages": self.api.images}

    def get(self, fpga_image_id: str) -> dict[str, Any] | None:
        self._call("get", fpga_image_id)
        return self.api.images[0] if self.api.images else None

    def delete(self, fpga_image_id: str) -> None:
        self._call("delete", fpga_image_id)

    def associate(self, fpga_image_id: str, image_id: str) -> None:
        self._call("associate", fpga_image_id, image_id)

    def disassociate(self, fpga_image_id: str, image_id: str) -> None:
        self._call("disassociate", fpga_image_id, image_id)

    def associations(
        self,
        image_id: str | None = None,
        fpga_image_id: str | None = None,
        page: int | None = None,
        size: int | None = None,
    ) -> dict[str, Any]:
        self._call("associations", image_id, fpga_image_id, page, size)
        return self.api.associations


def an_image(status: str, fpga_image_id: str = IMAGE_ID) -> dict[str, Any]:
    """An FPGA image as the detail list and the association query show it."""
    return {
        "id": fpga_image_id,
        "name": "img",
        "status": status,
        "protected": False,
        "size": 45,
        "createdAt": "2018-11-26 07:53:35",
        "description": None,
        "metadata": {"shell_type": "0x101"},
        "message": None,
    }
