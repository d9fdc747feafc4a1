"""FPGA image records in the wire shape of the reference.

Lists are the hot path of reads: a page of 100 images is assembled as JSON
text directly, with each image's stored metadata (already compact, validated
JSON) copied in as it is instead of being parsed and encoded again.
"""

from __future__ import annotations

import json
import time

from fpga_image_service.persistence.records import FpgaImage

_MIB = 1024 * 1024
_encode = json.JSONEncoder(ensure_ascii=False).encode


def created_at(created_at_us: int) -> str:
    """UTC `YYYY-MM-DD HH:MM:SS`, no T and no zone, as the reference shows."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created_at_us // 1_000_000))


def size_mib(size_bytes: int | None) -> int | None:
    """Whole MiB rounded up; unknown while the image is still saving."""
    if size_bytes is None:
        return None
    return -(-size_bytes // _MIB)


def fpga_image_json(image: FpgaImage) -> str:
    """One element of `fpgaimages` as JSON text."""
    size = size_mib(image.size_bytes)
    return (
        f'{{"id":"{image.id}","name":{_encode(image.name)},'
        f'"description":{_encode(image.description)},'
        f'"status":"{image.status.value}",'
        f'"size":{"null" if size is None else size},'
        f'"createdAt":"{created_at(image.created_at)}",'
        f'"protected":{"true" if image.protected else "false"},'
        f'"message":{_encode(image.message)},'
        f'"metadata":{image.metadata},"log_directory":null}}'
    )


def fpga_images_json(images: list[FpgaImage]) -> str:
    """A JSON array of images."""
    return "[" + ",".join(fpga_image_json(image) for image in images) + "]"
