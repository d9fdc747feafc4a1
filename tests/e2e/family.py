"""Helpers for tests of delete and associations: projects, VM images, images."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from fpga_image_service.client import ClientConfig, FisClient
from tests.e2e.service import RunningService, running_service, wait_for_status
from tests.e2e.signing import register_path, signed
from tests.fixtures import fpga_files
from tests.postgres import fresh_database


@contextmanager
def service_on(database: str, data_dir: Path) -> Iterator[RunningService]:
    """A running service on SQLite or on a fresh PostgreSQL database."""
    if database == "sqlite":
        with running_service(data_dir) as service:
            yield service
        return
    with (
        fresh_database() as url,
        running_service(data_dir, FIS_DATABASE_URL=url) as service,
    ):
        yield service


def second_project(service: RunningService, name: str) -> ClientConfig:
    """Create another project through the admin command; return its client config."""
    out = service.fis("admin", "project-create", name, check=True).stdout
    fields = dict(re.findall(r"(\w+): (\S+)", out))
    return ClientConfig(
        service.endpoint,
        fields["project_id"],
        fields["access_key"],
        fields["secret_key"],
    )


def add_vm_image(service: RunningService, owner: str, visibility: str) -> str:
    image_id = str(uuid.uuid4())
    service.fis(
        "admin-vm-image-add",
        "--id",
        image_id,
        "--owner",
        owner,
        "--visibility",
        visibility,
        check=True,
    )
    return image_id


def active_images(service: RunningService, count: int) -> list[str]:
    """Register `count` small images and wait until all are active."""
    service.put_object("obs-fpga", "small.bin", fpga_files.raw_bin())
    with service.client() as client:
        ids = [
            str(client.register("obs-fpga:small.bin", f"i{n}", {})["id"])
            for n in range(count)
        ]
        for fpga_image_id in ids:
            wait_for_status(client, fpga_image_id, {"active"})
    return ids


def call(
    config: ClientConfig,
    method: str,
    suffix: str,
    body: object | None = None,
    query: list[tuple[str, str]] | None = None,
) -> httpx.Response:
    """One signed call below .../cloudservers/fpga_image."""
    import json

    content = b"" if body is None else json.dumps(body).encode()
    return signed(config, method, register_path(config) + suffix, content, query)


def associate(
    config: ClientConfig, fpga_image_id: str, image_id: str
) -> httpx.Response:
    return call(
        config, "POST", f"/{fpga_image_id}/association", {"image": {"id": image_id}}
    )


def disassociate(
    config: ClientConfig, fpga_image_id: str, image_id: str
) -> httpx.Response:
    return call(
        config, "DELETE", f"/{fpga_image_id}/association", {"image": {"id": image_id}}
    )


def delete(config: ClientConfig, fpga_image_id: str) -> httpx.Response:
    return call(config, "DELETE", f"/{fpga_image_id}")


def detail(client: FisClient, fpga_image_id: str) -> dict[str, object] | None:
    return client.get(fpga_image_id)
