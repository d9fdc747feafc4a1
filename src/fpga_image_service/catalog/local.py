"""The embedded image catalog: VM images kept in the service's own database.

Operators add and remove them with the `fis admin-vm-image-*` commands; each
has an owner project and a visibility, as a Glance image would.
"""

from __future__ import annotations

import builtins
import logging

from fpga_image_service.catalog.base import Visibility, VmImage, is_image_id
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence import vm_images
from fpga_image_service.persistence.database import Database
from fpga_image_service.persistence.records import now_us
from fpga_image_service.persistence.vm_images import VmImageRecord

log = logging.getLogger(__name__)


def _image(record: VmImageRecord) -> VmImage:
    return VmImage(
        id=record.id,
        owner=record.owner,
        visibility=Visibility(record.visibility),
        name=record.name,
    )


class LocalImageCatalog:
    """An ImageCatalog on the `vm_images` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, image_id: str) -> VmImage | None:
        """The VM image with this id, or None."""
        if not is_image_id(image_id):
            return None
        with self._db.read() as conn:
            record = vm_images.find_vm_image(conn, image_id)
        return None if record is None else _image(record)

    def add(self, image: VmImage) -> None:
        """Store a new VM image; InvalidParameter if the id is bad or taken."""
        if not is_image_id(image.id):
            raise InvalidParameter(
                f"VM image id {image.id!r} is not a lowercase UUID "
                "(like 18efee75-e058-4c52-a49c-9e3ba4d1c8de)"
            )
        if not image.owner:
            raise InvalidParameter("a VM image needs an owner project id")
        try:
            visibility = Visibility(image.visibility)
        except ValueError:
            choices = ", ".join(v.value for v in Visibility)
            raise InvalidParameter(
                f"VM image visibility {image.visibility!r} is not one of {choices}"
            ) from None

        record = VmImageRecord(
            image.id, image.owner, visibility.value, image.name, now_us()
        )
        with self._db.transaction() as conn:
            added = vm_images.insert_vm_image(conn, record)
        if not added:
            raise InvalidParameter(f"a VM image with the id {image.id} already exists")

        log.info(
            "vm_image_added vm_image_id=%s owner=%s visibility=%s",
            image.id,
            image.owner,
            visibility.value,
        )

    def remove(self, image_id: str) -> bool:
        """Forget a VM image; False if there was none with this id."""
        with self._db.transaction() as conn:
            removed = vm_images.delete_vm_image(conn, image_id)
        if removed:
            log.info("vm_image_removed vm_image_id=%s", image_id)
        return removed

    def list(self, owner: str | None = None) -> builtins.list[VmImage]:
        """Every VM image, or one owner's, oldest first."""
        with self._db.read() as conn:
            records = vm_images.list_vm_images(conn, owner)
        return [_image(r) for r in records]
