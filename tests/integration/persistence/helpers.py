"""Small builders for persistence tests."""

from __future__ import annotations

import uuid

from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.persistence import queries
from fpga_image_service.persistence.database import Database
from fpga_image_service.persistence.records import FpgaImage, now_us


def add_project(db: Database, name: str = "p") -> str:
    project_id = uuid.uuid4().hex
    with db.transaction() as conn:
        queries.insert_project(conn, project_id, name, now_us())
    return project_id


def new_image(
    project_id: str, created_at: int | None = None, name: str = "img"
) -> FpgaImage:
    return FpgaImage(
        id=uuid.uuid4().hex,
        project_id=project_id,
        name=name,
        description=None,
        location="obs-fpga:fpga.bin",
        metadata='{"a":"b"}',
        status=FpgaImageStatus.SAVING,
        message=None,
        size_bytes=None,
        sha256=None,
        format=None,
        inspection=None,
        created_at=now_us() if created_at is None else created_at,
    )


def add_image(
    db: Database, project_id: str, created_at: int | None = None
) -> FpgaImage:
    image = new_image(project_id, created_at)
    with db.transaction() as conn:
        queries.insert_fpga_image(conn, image)
    return image
