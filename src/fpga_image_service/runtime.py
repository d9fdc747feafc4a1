"""Wiring: the database, object stores and workers that settings describe."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from fpga_image_service.catalog import ImageCatalog, open_catalog
from fpga_image_service.ingest.worker import Worker
from fpga_image_service.persistence.commit_queue import RIDE_ALONG_SECONDS, CommitQueue
from fpga_image_service.persistence.database import Database, open_database
from fpga_image_service.persistence.migrations import migrate
from fpga_image_service.settings import Settings
from fpga_image_service.storage import (
    AccessDenied,
    LocalObjectStore,
    ObjectStore,
    S3Config,
    S3ObjectStore,
)

log = logging.getLogger(__name__)


def open_object_store(settings: Settings, folder: str) -> ObjectStore:
    """An object store; `folder` names its root under the data folder when local.

    With S3 the source buckets and the image store bucket live in one
    service; locally they are separate folders, so that no source bucket can
    ever name the image store.
    """
    if settings.storage == "s3":
        return S3ObjectStore(
            S3Config(
                endpoint_url=settings.s3_endpoint,
                region=settings.s3_region,
                access_key=settings.s3_access_key or None,
                secret_key=settings.s3_secret_key or None,
                addressing_style="virtual"
                if settings.s3_addressing == "virtual"
                else "path",
            )
        )
    return LocalObjectStore(Path(settings.data_dir) / folder)


def _ensure_bucket(store: ObjectStore, bucket: str) -> None:
    """Create the image store bucket, or accept one an operator made for us."""
    try:
        store.create_bucket(bucket)
    except AccessDenied:
        # Credentials scoped to one existing bucket may not create buckets.
        if not store.bucket_exists(bucket):
            raise


class RequestActivity:
    """When this process last began answering a request, of any kind.

    Background work in the process gives way while requests come: a request
    that finds a worker holding the interpreter or sharing its commit waits.
    """

    #: How long after a request the process still counts as answering them.
    RECENT_SECONDS = 0.5

    def __init__(self) -> None:
        self._last = -self.RECENT_SECONDS

    def seen(self) -> None:
        self._last = time.monotonic()

    def recent(self) -> bool:
        return time.monotonic() - self._last < self.RECENT_SECONDS


class Runtime:
    """Everything one process runs, started and stopped together."""

    def __init__(self, settings: Settings, *, workers: int | None = None) -> None:
        self.settings = settings
        self.db: Database = open_database(settings.effective_database_url)
        migrate(self.db)
        self.sources = open_object_store(settings, "buckets")
        self.images = open_object_store(settings, "image-store")
        _ensure_bucket(self.images, settings.image_bucket)
        self.catalog: ImageCatalog = open_catalog(
            settings.catalog, self.db, settings.glance_endpoint, settings.glance_token
        )
        # While requests write, the workers' writes wait briefly to share a
        # request's commit; in a `fis worker` process none ever comes, and
        # they commit at once.
        self.commits = CommitQueue(self.db, ride_along=RIDE_ALONG_SECONDS)
        self.activity = RequestActivity()
        self._worker_count = settings.ingest_workers if workers is None else workers
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def new_worker(self) -> Worker:
        """A worker whose writes share the group commit of this process, and
        whose removals give way to the requests this process answers."""
        return Worker(
            self.settings,
            self.db,
            self.sources,
            self.images,
            self.commits.call,
            self.activity.recent,
        )

    def start(self) -> None:
        self.commits.start()
        for n in range(self._worker_count):
            worker = self.new_worker()
            thread = threading.Thread(
                target=worker.run,
                args=(self._stop,),
                name=f"fis-worker-{n}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads.clear()
        self.commits.stop()
        self.db.close()
