"""Named queries of associations, and the locks that keep their rules race-free.

Two rules span rows: an FPGA image with an association cannot be deleted, and
a VM image holds at most ten FPGA images. On SQLite every write transaction
holds the database lock, so check-then-write is atomic. On PostgreSQL the
transactions lock what they read: the FPGA image row (FOR UPDATE, taken by
association and by delete alike) and the VM image (an advisory lock, taken
by association and disassociation), always in that order: VM image first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fpga_image_service.persistence.database import Conn
from fpga_image_service.persistence.queries import IMAGE_COLUMNS
from fpga_image_service.persistence.records import FpgaImage


@dataclass(frozen=True)
class Association:
    image_id: str
    fpga_image: FpgaImage


def lock_vm_image(conn: Conn, image_id: str) -> None:
    """Serialise changes to the associations of one VM image until commit."""
    if conn.dialect != "postgresql":
        return
    digest = hashlib.sha256(image_id.encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    conn.one("SELECT pg_advisory_xact_lock(:key) AS locked", {"key": key})


def lock_fpga_image(conn: Conn, fpga_image_id: str) -> FpgaImage | None:
    """Read an FPGA image of any project and lock its row until commit."""
    lock = " FOR UPDATE" if conn.dialect == "postgresql" else ""
    row = conn.one(
        f"SELECT {IMAGE_COLUMNS} FROM fpga_images WHERE id = :id{lock}",
        {"id": fpga_image_id},
    )
    return None if row is None else FpgaImage.from_row(row)


def find_fpga_image(conn: Conn, fpga_image_id: str) -> FpgaImage | None:
    """Read an FPGA image of any project, without locking it."""
    row = conn.one(
        f"SELECT {IMAGE_COLUMNS} FROM fpga_images WHERE id = :id",
        {"id": fpga_image_id},
    )
    return None if row is None else FpgaImage.from_row(row)


def is_protected(conn: Conn, fpga_image_id: str) -> bool:
    """Whether an FPGA image has any association."""
    row = conn.one(
        "SELECT 1 AS x FROM fpga_image_associations WHERE fpga_image_id = :id LIMIT 1",
        {"id": fpga_image_id},
    )
    return row is not None


def association_exists(conn: Conn, fpga_image_id: str, image_id: str) -> bool:
    """Whether this pair is already associated."""
    row = conn.one(
        "SELECT 1 AS x FROM fpga_image_associations "
        "WHERE fpga_image_id = :fpga_image_id AND image_id = :image_id",
        {"fpga_image_id": fpga_image_id, "image_id": image_id},
    )
    return row is not None


def count_for_vm_image(conn: Conn, image_id: str) -> int:
    """How many FPGA images a VM image is associated with."""
    row = conn.one(
        "SELECT COUNT(*) AS n FROM fpga_image_associations WHERE image_id = :image_id",
        {"image_id": image_id},
    )
    return int(row["n"]) if row else 0


def insert_association(
    conn: Conn, fpga_image_id: str, image_id: str, project_id: str, at: int
) -> None:
    """Associate an FPGA image with a VM image."""
    conn.run(
        "INSERT INTO fpga_image_associations "
        "(fpga_image_id, image_id, project_id, created_at) "
        "VALUES (:fpga_image_id, :image_id, :project_id, :at)",
        {
            "fpga_image_id": fpga_image_id,
            "image_id": image_id,
            "project_id": project_id,
            "at": at,
        },
    )
    _touch_owner(conn, fpga_image_id)


def delete_association(conn: Conn, fpga_image_id: str, image_id: str) -> bool:
    """Remove one association; False if there was none."""
    count = conn.run(
        "DELETE FROM fpga_image_associations "
        "WHERE fpga_image_id = :fpga_image_id AND image_id = :image_id",
        {"fpga_image_id": fpga_image_id, "image_id": image_id},
    )
    if count > 0:
        _touch_owner(conn, fpga_image_id)
    return count > 0


def _touch_owner(conn: Conn, fpga_image_id: str) -> None:
    """An association changes `protected` in the owner's detail list."""
    conn.run(
        "UPDATE projects SET list_version = list_version + 1 WHERE id = "
        "(SELECT project_id FROM fpga_images WHERE id = :fpga_image_id)",
        {"fpga_image_id": fpga_image_id},
    )


def list_associations(
    conn: Conn,
    project_id: str,
    fpga_image_id: str | None,
    image_id: str | None,
    limit: int | None,
    offset: int,
) -> list[Association]:
    """A project's associations, by VM image then age, optionally filtered."""
    sql = (
        f"SELECT a.image_id AS image_id, "
        f"{', '.join('f.' + c.strip() for c in IMAGE_COLUMNS.split(','))} "
        "FROM fpga_image_associations a JOIN fpga_images f ON f.id = a.fpga_image_id "
        "WHERE a.project_id = :project_id"
    )
    params: dict[str, object] = {"project_id": project_id}
    if fpga_image_id is not None:
        sql += " AND a.fpga_image_id = :fpga_image_id"
        params["fpga_image_id"] = fpga_image_id
    if image_id is not None:
        sql += " AND a.image_id = :image_id"
        params["image_id"] = image_id
    sql += " ORDER BY a.image_id, a.created_at, a.fpga_image_id"
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=offset)
    return [
        Association(row["image_id"], FpgaImage.from_row({**row, "protected": True}))
        for row in conn.all(sql, params)
    ]
