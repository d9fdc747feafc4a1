"""Use-cases on FPGA images: register, list and delete."""

from __future__ import annotations

import logging
import threading
import time

from fpga_image_service.domain.ids import new_id
from fpga_image_service.domain.status import FpgaImageStatus
from fpga_image_service.domain.validation import RegisterRequest
from fpga_image_service.errors import (
    BucketNotGranted,
    FpgaImageNotFound,
    FpgaImageProtected,
)
from fpga_image_service.persistence import associations, listing, queries
from fpga_image_service.persistence.commit_queue import CommitQueue
from fpga_image_service.persistence.database import Conn, Database
from fpga_image_service.persistence.records import FpgaImage, now_us
from fpga_image_service.services.page_cache import PageCache

log = logging.getLogger(__name__)

_GRANT_CACHE_SECONDS = 5.0


class FpgaImageService:
    """Registers FPGA images, answers the detail list and starts deletions."""

    def __init__(self, db: Database, commits: CommitQueue) -> None:
        self._db = db
        self._commits = commits
        self._grants: dict[tuple[str, str], float] = {}
        self._pages = PageCache()
        self._lock = threading.Lock()

    async def register(self, project_id: str, request: RegisterRequest) -> FpgaImage:
        """Store a new image as saving; return once its row is durable."""
        bucket = request.location.bucket
        if not await self._granted(project_id, bucket):
            raise BucketNotGranted(
                f"the project may not read bucket {bucket!r}; "
                "ask an operator to grant it (fis admin grant)"
            )

        image = FpgaImage(
            id=new_id(),
            project_id=project_id,
            name=request.name,
            description=request.description,
            location=str(request.location),
            metadata=request.metadata,
            status=FpgaImageStatus.SAVING,
            message=None,
            size_bytes=None,
            sha256=None,
            format=None,
            inspection=None,
            created_at=now_us(),
        )
        await self._commits.write_together(queries.insert_fpga_images, image)
        log.info(
            "fpga_image_registered fpga_image_id=%s project_id=%s location=%s",
            image.id,
            project_id,
            image.location,
        )
        return image

    async def delete(self, project_id: str, fpga_image_id: str) -> None:
        """Start deleting an image; a worker removes its bytes, then its row.

        The status change goes through the group commit, so that concurrent
        deletes share a disk sync; refusals come back as values, so that a
        refused delete does not roll back the batch it shares.
        """
        outcome = await self._commits.write(
            lambda conn: _start_deleting(conn, project_id, fpga_image_id)
        )
        if outcome is _MISSING:
            # Another project's image answers exactly as a missing one.
            raise FpgaImageNotFound(
                f"tenant [{project_id}] fpga image [{fpga_image_id}] doesn't exist"
            )
        if outcome is _PROTECTED:
            raise FpgaImageProtected(
                f"tenant [{project_id}] fpga image [{fpga_image_id}] is protected"
            )
        log.info(
            "fpga_image_deleting fpga_image_id=%s project_id=%s previous=%s",
            fpga_image_id,
            project_id,
            outcome,
        )

    async def list(
        self, project_id: str, fpga_image_id: str | None, paging: tuple[int, int] | None
    ) -> bytes:
        """The detail list's JSON body: the project's images, newest first, or
        the one image with `fpga_image_id`."""
        return await self._db.read_async(
            lambda conn: self._list(conn, project_id, fpga_image_id, paging)
        )

    def _list(
        self,
        conn: Conn,
        project_id: str,
        fpga_image_id: str | None,
        paging: tuple[int, int] | None,
    ) -> bytes:
        if fpga_image_id is not None:
            # The id switches paging off, as the reference says.
            image = listing.get_fpga_image_wire(conn, project_id, fpga_image_id)
            return _detail_body([] if image is None else [image], count=None)

        # The version is read before the page: see PageCache.
        count, version = queries.list_state(conn, project_id)
        if paging is None:
            images = listing.list_fpga_images_wire(conn, project_id, None, 0, count)
            return _detail_body(images, count)

        page, size = paging
        key = (project_id, page, size)
        body = self._pages.get(key, version)
        if body is None:
            images = listing.list_fpga_images_wire(
                conn, project_id, size, (page - 1) * size, count
            )
            body = _detail_body(images, count)
            self._pages.put(key, version, body)
        return body

    async def _granted(self, project_id: str, bucket: str) -> bool:
        now = time.monotonic()
        with self._lock:
            expires = self._grants.get((project_id, bucket))
        if expires is not None and expires > now:
            return True

        granted = await self._db.read_async(
            lambda conn: queries.is_bucket_granted(conn, project_id, bucket)
        )
        if granted:
            # Only positive answers are cached: a fresh grant works at once.
            with self._lock:
                self._grants[(project_id, bucket)] = now + _GRANT_CACHE_SECONDS
        return granted


_MISSING = "missing"
_PROTECTED = "protected"


def _start_deleting(conn: Conn, project_id: str, fpga_image_id: str) -> str:
    """deleting, unless missing or protected; return the status it had."""
    image = associations.lock_fpga_image(conn, fpga_image_id)
    if image is None or image.project_id != project_id:
        return _MISSING
    if image.status is FpgaImageStatus.DELETING:
        return image.status.value
    if associations.is_protected(conn, fpga_image_id):
        return _PROTECTED
    # The row is locked (or, on SQLite, the whole database), so the status
    # read above still holds.
    queries.mark_deleting(conn, image, now_us())
    return image.status.value


def _detail_body(images: list[str], count: int | None) -> bytes:
    """`{"count": ..., "fpgaimages": [...]}` from images in wire JSON form."""
    total = len(images) if count is None else count
    return f'{{"count":{total},"fpgaimages":[{",".join(images)}]}}'.encode()
