"""FPGA image records in the wire shape of the reference."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fpga_image_service.persistence.records import FpgaImage

_MIB = 1024 * 1024


def created_at(created_at_us: int) -> str:
    """UTC `YYYY-MM-DD HH:MM:SS`, no T and no zone, as the reference shows."""
    moment = datetime.fromtimestamp(created_at_us / 1_000_000, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def size_mib(size_bytes: int | None) -> int | None:
    """Whole MiB rounded up; unknown while the image is still saving."""
    if size_bytes is None:
        return None
    return -(-size_bytes // _MIB)


def fpga_image(image: FpgaImage) -> dict[str, object]:
    """One element of `fpgaimages`, with every field of the reference."""
    return {
        "id": image.id,
        "name": image.name,
        "description": image.description,
        "status": image.status.value,
        "size": size_mib(image.size_bytes),
        "createdAt": created_at(image.created_at),
        "protected": image.protected,
        "message": image.message,
        "metadata": json.loads(image.metadata),
        "log_directory": None,
    }
