"""Plain records read from and written to the tables."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fpga_image_service.domain.status import FpgaImageStatus


def now_us() -> int:
    """Microseconds since the Unix epoch: the unit of every time column."""
    return time.time_ns() // 1000


@dataclass(frozen=True)
class FpgaImage:
    """One row of `fpga_images`, as the services see it."""

    id: str
    project_id: str
    name: str
    description: str | None
    location: str
    metadata: str
    status: FpgaImageStatus
    message: str | None
    size_bytes: int | None
    sha256: str | None
    format: str | None
    inspection: str | None
    created_at: int
    protected: bool = False

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FpgaImage:
        return cls(
            id=row["id"],
            project_id=row["project_id"],
            name=row["name"],
            description=row["description"],
            location=row["location"],
            metadata=row["metadata"],
            status=FpgaImageStatus(row["status"]),
            message=row["message"],
            size_bytes=row["size_bytes"],
            sha256=row["sha256"],
            format=row["format"],
            inspection=row["inspection"],
            created_at=row["created_at"],
            protected=bool(row.get("protected", False)),
        )


@dataclass(frozen=True)
class Claim:
    """Work a worker holds a lease on: copy a saving image or remove a deleted one."""

    fpga_image_id: str
    project_id: str
    status: FpgaImageStatus
    location: str
    attempts: int
    owner: str


@dataclass(frozen=True)
class AccessKey:
    access_key: str
    secret_key: str
    project_id: str
