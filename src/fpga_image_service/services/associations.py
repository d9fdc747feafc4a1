"""Use-cases on associations of FPGA images with VM images."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from fpga_image_service.catalog import ImageCatalog, Visibility, VmImage
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.errors import (
    AssociationExists,
    AssociationLimit,
    AssociationNotFound,
    FpgaImageNotActive,
    FpgaImageNotFound,
    NotFpgaImageOwner,
    VmImageNotFound,
    VmImageNotPrivate,
)
from fpga_image_service.persistence import associations, queries
from fpga_image_service.persistence.database import Conn, Database
from fpga_image_service.persistence.records import FpgaImage, now_us
from fpga_image_service.services.page_cache import PageCache

log = logging.getLogger(__name__)

#: The most FPGA images one VM image may be associated with.
MAX_PER_VM_IMAGE = 10

# The reference's own message for both a repeated pair and a full VM image.
_RELATE_FAILED = (
    "tenant [{project}] relate fpga image [{fpga}] and image [{image}] failed: "
    "relation already exist or the related fpga image count of image reach the "
    "max limit"
)


@dataclass(frozen=True)
class AssociationGroup:
    """One element of the association query: a VM image and its FPGA images."""

    image_id: str
    fpga_images: list[FpgaImage]


class AssociationService:
    """Associates FPGA images with VM images and answers the association query."""

    def __init__(self, db: Database, catalog: ImageCatalog) -> None:
        self._db = db
        self._catalog = catalog
        self._answers = PageCache()

    async def associate(
        self, project_id: str, fpga_image_id: str, image_id: str
    ) -> None:
        vm_image = await asyncio.to_thread(self._catalog.get, image_id)
        _require_private_vm_image(project_id, image_id, vm_image)
        await asyncio.to_thread(self._associate, project_id, fpga_image_id, image_id)
        log.info(
            "association_created fpga_image_id=%s image_id=%s project_id=%s",
            fpga_image_id,
            image_id,
            project_id,
        )

    def _associate(self, project_id: str, fpga_image_id: str, image_id: str) -> None:
        with self._db.transaction() as conn:
            associations.lock_vm_image(conn, image_id)
            image = associations.lock_fpga_image(conn, fpga_image_id)
            if image is None or image.project_id != project_id:
                raise _not_found(project_id, fpga_image_id)
            if image.status is not FpgaImageStatus.ACTIVE:
                raise FpgaImageNotActive(
                    f"tenant [{project_id}] fpga image [{fpga_image_id}] is "
                    f"{image.status.value}; only an active fpga image can be related"
                )
            message = _RELATE_FAILED.format(
                project=project_id, fpga=fpga_image_id, image=image_id
            )
            if associations.association_exists(conn, fpga_image_id, image_id):
                raise AssociationExists(message)
            if associations.count_for_vm_image(conn, image_id) >= MAX_PER_VM_IMAGE:
                raise AssociationLimit(message)
            associations.insert_association(
                conn, fpga_image_id, image_id, project_id, now_us()
            )

    async def disassociate(
        self, project_id: str, fpga_image_id: str, image_id: str
    ) -> None:
        # Ownership of the FPGA image is the first rule of disassociation; an
        # image's owner never changes, so checking it before the catalog call
        # (and again under the lock) is enough.
        await asyncio.to_thread(self._require_owner, project_id, fpga_image_id)
        vm_image = await asyncio.to_thread(self._catalog.get, image_id)
        # A VM image removed from the catalog must not pin its FPGA images.
        if vm_image is not None:
            _require_private_vm_image(project_id, image_id, vm_image)
        await asyncio.to_thread(self._disassociate, project_id, fpga_image_id, image_id)
        log.info(
            "association_removed fpga_image_id=%s image_id=%s project_id=%s",
            fpga_image_id,
            image_id,
            project_id,
        )

    def _require_owner(self, project_id: str, fpga_image_id: str) -> None:
        with self._db.read() as conn:
            _require_owner(conn, project_id, fpga_image_id)

    def _disassociate(self, project_id: str, fpga_image_id: str, image_id: str) -> None:
        with self._db.transaction() as conn:
            associations.lock_vm_image(conn, image_id)
            _require_owner(conn, project_id, fpga_image_id, lock=True)
            if not associations.delete_association(conn, fpga_image_id, image_id):
                raise AssociationNotFound(
                    f"tenant [{project_id}] fpga image [{fpga_image_id}] and image "
                    f"[{image_id}] are not related"
                )

    async def query(
        self,
        project_id: str,
        fpga_image_id: str | None,
        image_id: str | None,
        paging: tuple[int, int] | None,
        render: Callable[[list[AssociationGroup]], bytes],
    ) -> bytes:
        """Associations of the project, grouped by VM image, as `render` writes
        them; answers are kept while the project's list version holds (see
        PageCache)."""
        if fpga_image_id is None and image_id is None:
            return render([])
        return await self._db.read_async(
            lambda conn: self._query(
                conn, project_id, fpga_image_id, image_id, paging, render
            )
        )

    def _query(
        self,
        conn: Conn,
        project_id: str,
        fpga_image_id: str | None,
        image_id: str | None,
        paging: tuple[int, int] | None,
        render: Callable[[list[AssociationGroup]], bytes],
    ) -> bytes:
        _, version = queries.list_state(conn, project_id)  # before the query
        key = (project_id, "associations", fpga_image_id, image_id, paging)
        body = self._answers.get(key, version)
        if body is None:
            body = render(_query(conn, project_id, fpga_image_id, image_id, paging))
            self._answers.put(key, version, body)
        return body


def _query(
    conn: Conn,
    project_id: str,
    fpga_image_id: str | None,
    image_id: str | None,
    paging: tuple[int, int] | None,
) -> list[AssociationGroup]:
    if fpga_image_id is not None and image_id is not None:
        paging = None  # both ids name one pair: paging has no effect
    limit, offset = (
        (None, 0) if paging is None else (paging[1], (paging[0] - 1) * paging[1])
    )
    if fpga_image_id is not None:
        _require_own_image(conn, project_id, fpga_image_id)
    found = associations.list_associations(
        conn, project_id, fpga_image_id, image_id, limit, offset
    )
    groups: dict[str, list[FpgaImage]] = {}
    for association in found:
        groups.setdefault(association.image_id, []).append(association.fpga_image)
    return [AssociationGroup(i, images) for i, images in groups.items()]


def _require_owner(
    conn: Conn, project_id: str, fpga_image_id: str, *, lock: bool = False
) -> None:
    read = associations.lock_fpga_image if lock else associations.find_fpga_image
    image = read(conn, fpga_image_id)
    if image is None:
        raise _not_found(project_id, fpga_image_id)
    if image.project_id != project_id:
        raise NotFpgaImageOwner(
            f"tenant [{project_id}] is not the owner of fpga image [{fpga_image_id}]"
        )


def _require_own_image(conn: Conn, project_id: str, fpga_image_id: str) -> None:
    if queries.get_fpga_image(conn, project_id, fpga_image_id) is None:
        raise _not_found(project_id, fpga_image_id)


def _not_found(project_id: str, fpga_image_id: str) -> FpgaImageNotFound:
    return FpgaImageNotFound(
        f"tenant [{project_id}] fpga image [{fpga_image_id}] doesn't exist"
    )


def _require_private_vm_image(
    project_id: str, image_id: str, vm_image: VmImage | None
) -> None:
    """Refuse VM images the project cannot see, and any that are not private.

    A private image of another project is one the caller cannot see, so it
    answers as a missing one; every other refusal says "not private".
    """
    hidden = vm_image is None or (
        vm_image.owner != project_id and vm_image.visibility is Visibility.PRIVATE
    )
    if hidden:
        raise VmImageNotFound(f"tenant [{project_id}] image [{image_id}] doesn't exist")
    assert vm_image is not None
    if vm_image.visibility is not Visibility.PRIVATE:
        raise VmImageNotPrivate(
            f"tenant [{project_id}] image [{image_id}] type "
            f"[{vm_image.visibility.value}] is not private"
        )
