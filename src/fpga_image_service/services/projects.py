"""Operator use-cases: projects, their access keys and their bucket grants."""

from __future__ import annotations

import logging
import secrets
import string
import uuid

from fpga_image_service.domain.location import check_bucket_name
from fpga_image_service.errors import InvalidParameter
from fpga_image_service.persistence import associations, queries
from fpga_image_service.persistence.database import Conn, Database
from fpga_image_service.persistence.records import AccessKey, FpgaImage, now_us

log = logging.getLogger(__name__)

_AK_ALPHABET = string.ascii_uppercase + string.digits
_SK_ALPHABET = string.ascii_letters + string.digits


def new_access_key(project_id: str) -> AccessKey:
    """A fresh key pair shaped like the cloud's: 20-character AK, 40-character SK."""
    return AccessKey(
        access_key="".join(secrets.choice(_AK_ALPHABET) for _ in range(20)),
        secret_key="".join(secrets.choice(_SK_ALPHABET) for _ in range(40)),
        project_id=project_id,
    )


class ProjectService:
    """Creates projects and keys, and grants buckets to projects."""

    def __init__(self, db: Database, image_bucket: str) -> None:
        self._db = db
        self._image_bucket = image_bucket

    def create_project(self, name: str) -> tuple[str, AccessKey]:
        """A new project with its first key pair; the secret is shown only now."""
        project_id = uuid.uuid4().hex
        key = new_access_key(project_id)
        with self._db.transaction() as conn:
            if queries.find_project_by_name(conn, name) is not None:
                raise InvalidParameter(f"a project named {name!r} already exists")
            queries.insert_project(conn, project_id, name, now_us())
            queries.insert_access_key(conn, key, now_us())
        log.info(
            "project_created project_id=%s name=%s access_key=%s",
            project_id,
            name,
            key.access_key,
        )
        return project_id, key

    def add_access_key(self, project_id: str) -> AccessKey:
        """Another key pair for an existing project."""
        key = new_access_key(project_id)
        with self._db.transaction() as conn:
            self._require_project(conn, project_id)
            queries.insert_access_key(conn, key, now_us())
        log.info(
            "access_key_created project_id=%s access_key=%s", project_id, key.access_key
        )
        return key

    def list_projects(self) -> list[tuple[str, str]]:
        with self._db.read() as conn:
            return queries.list_projects(conn)

    def grant(self, project_id: str, bucket: str) -> bool:
        """Let a project register from a bucket; False if it already could."""
        check_bucket_name(bucket, field="bucket")
        if bucket == self._image_bucket:
            raise InvalidParameter(
                f"bucket {bucket!r} is the service's own image store and cannot be "
                "granted"
            )
        with self._db.transaction() as conn:
            self._require_project(conn, project_id)
            added = queries.grant_bucket(conn, project_id, bucket, now_us())
        log.info(
            "bucket_granted project_id=%s bucket=%s new=%s", project_id, bucket, added
        )
        return added

    def revoke(self, project_id: str, bucket: str) -> bool:
        with self._db.transaction() as conn:
            removed = queries.revoke_bucket(conn, project_id, bucket)
        log.info(
            "bucket_revoked project_id=%s bucket=%s found=%s",
            project_id,
            bucket,
            removed,
        )
        return removed

    def grants(self, project_id: str | None = None) -> list[tuple[str, str]]:
        with self._db.read() as conn:
            return queries.list_grants(conn, project_id)

    def find_fpga_image(self, fpga_image_id: str) -> FpgaImage | None:
        """Any project's FPGA image with what ingest recorded of it."""
        with self._db.read() as conn:
            return associations.find_fpga_image(conn, fpga_image_id)

    @staticmethod
    def _require_project(conn: Conn, project_id: str) -> None:
        if not queries.project_exists(conn, project_id):
            raise InvalidParameter(f"no project has the id {project_id!r}")
