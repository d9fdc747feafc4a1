"""Named queries of the `vm_images` table, the embedded image catalog's store.

Rows come back as plain records; the catalog turns them into its own type, so
this module does not depend on the catalog package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpga_image_service.persistence.database import Conn

_COLUMNS = "id, owner, visibility, name, created_at"


@dataclass(frozen=True)
class VmImageRecord:
    """One row of `vm_images`."""

    id: str
    owner: str
    visibility: str
    name: str
    created_at: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VmImageRecord:
        return cls(
            id=row["id"],
            owner=row["owner"],
            visibility=row["visibility"],
            name=row["name"],
            created_at=row["created_at"],
        )


def insert_vm_image(conn: Conn, record: VmImageRecord) -> bool:
    """Store a VM image; False, and nothing changed, if the id is taken."""
    # ON CONFLICT makes the check and the insert one statement, so two admins
    # adding the same id at once cannot both succeed or trip the primary key.
    count = conn.run(
        f"INSERT INTO vm_images ({_COLUMNS}) "
        "VALUES (:id, :owner, :visibility, :name, :created_at) "
        "ON CONFLICT (id) DO NOTHING",
        {
            "id": record.id,
            "owner": record.owner,
            "visibility": record.visibility,
            "name": record.name,
            "created_at": record.created_at,
        },
    )
    return count == 1


def find_vm_image(conn: Conn, image_id: str) -> VmImageRecord | None:
    """The VM image with this id, if any."""
    row = conn.one(f"SELECT {_COLUMNS} FROM vm_images WHERE id = :id", {"id": image_id})
    return None if row is None else VmImageRecord.from_row(row)


def list_vm_images(conn: Conn, owner: str | None) -> list[VmImageRecord]:
    """Every VM image, or one owner's, oldest first with ties broken by id."""
    if owner is None:
        rows = conn.all(f"SELECT {_COLUMNS} FROM vm_images ORDER BY created_at, id")
    else:
        rows = conn.all(
            f"SELECT {_COLUMNS} FROM vm_images WHERE owner = :owner "
            "ORDER BY created_at, id",
            {"owner": owner},
        )
    return [VmImageRecord.from_row(r) for r in rows]


def delete_vm_image(conn: Conn, image_id: str) -> bool:
    """Remove a VM image; False if there was none with this id."""
    return conn.run("DELETE FROM vm_images WHERE id = :id", {"id": image_id}) == 1
