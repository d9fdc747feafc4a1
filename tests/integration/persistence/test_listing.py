"""The database's rendering of the detail list agrees with the Python one."""

from __future__ import annotations

import dataclasses
import json

from fpga_image_service.api import serialize
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.persistence import associations, listing, queries
from fpga_image_service.persistence.database import Database
from tests.integration.persistence.helpers import add_project, new_image


def test_wire_json_from_the_database_matches_the_serializer(db: Database) -> None:
    project = add_project(db)
    variants = [
        dict(status=FpgaImageStatus.SAVING),
        dict(
            status=FpgaImageStatus.ACTIVE,
            size_bytes=1,
            description="d",
            metadata='{"shell_type":"OCL","n":[1,2,{"x":null}]}',
        ),
        dict(
            status=FpgaImageStatus.ACTIVE,
            size_bytes=(3 << 20) + 5,
            description="中文描述。，ok",
            metadata='{"名":"值"}',
        ),
        dict(status=FpgaImageStatus.ACTIVE, size_bytes=4 << 20),
        dict(
            status=FpgaImageStatus.ERROR,
            size_bytes=0,
            message='the file is "truncated": \\ and more',
        ),
        dict(status=FpgaImageStatus.DELETING, size_bytes=123456789),
    ]
    images = []
    with db.transaction() as conn:
        for n, fields in enumerate(variants):
            image = dataclasses.replace(
                new_image(project, created_at=1_700_000_000_123_456 + n * 1_000_000),
                **fields,  # type: ignore[arg-type]
            )
            queries.insert_fpga_image(conn, image)
            images.append(image)
        associations.insert_association(
            conn, images[1].id, "00000000-0000-4000-8000-000000000001", project, 1
        )

    with db.read() as conn:
        records = listing.list_fpga_images(conn, project, None, 0)
        wire = listing.list_fpga_images_wire(conn, project, None, 0, len(images))
        single = listing.get_fpga_image_wire(conn, project, images[1].id)

    expected = [json.loads(serialize.fpga_image_json(r)) for r in records]
    assert [json.loads(w) for w in wire] == expected
    assert single is not None and json.loads(single)["protected"] is True
    assert [list(json.loads(w)) for w in wire] == [list(e) for e in expected]
    assert expected[-1]["createdAt"] == "2023-11-14 22:13:20"
