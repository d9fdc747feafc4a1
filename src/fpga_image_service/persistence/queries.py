"""Named queries. Every SQL statement of the service lives in this package.

Status writes are compare-and-set: they name the status they expect, and the
caller learns from the row count whether it still held.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from fpga_image_service.domain.status import FpgaImageStatus, check_transition
from fpga_image_service.persistence.database import Conn
from fpga_image_service.persistence.records import AccessKey, Claim, FpgaImage

IMAGE_COLUMNS = (
    "id, project_id, name, description, location, metadata, status, message, "
    "size_bytes, sha256, format, inspection, created_at"
)

# An FPGA image is protected while it has an association; derived on read so
# that no stored flag can disagree with the associations table.
PROTECTED = (
    "EXISTS (SELECT 1 FROM fpga_image_associations a "
    "WHERE a.fpga_image_id = fpga_images.id) AS protected"
)

# -- projects, keys and grants ---------------------------------------------


def insert_project(conn: Conn, project_id: str, name: str, at: int) -> None:
    """Create a project."""
    conn.run(
        "INSERT INTO projects (id, name, created_at) VALUES (:id, :name, :at)",
        {"id": project_id, "name": name, "at": at},
    )


def find_project_by_name(conn: Conn, name: str) -> str | None:
    """The id of the project with this name, if any."""
    row = conn.one("SELECT id FROM projects WHERE name = :name", {"name": name})
    return None if row is None else str(row["id"])


def project_exists(conn: Conn, project_id: str) -> bool:
    """Whether a project with this id exists."""
    row = conn.one("SELECT 1 AS x FROM projects WHERE id = :id", {"id": project_id})
    return row is not None


def list_projects(conn: Conn) -> list[tuple[str, str]]:
    """Every project as (id, name), oldest first."""
    rows = conn.all("SELECT id, name FROM projects ORDER BY created_at, id")
    return [(r["id"], r["name"]) for r in rows]


def insert_access_key(conn: Conn, key: AccessKey, at: int) -> None:
    """Store an access key pair for a project."""
    conn.run(
        "INSERT INTO access_keys (access_key, secret_key, project_id, created_at) "
        "VALUES (:ak, :sk, :project_id, :at)",
        {
            "ak": key.access_key,
            "sk": key.secret_key,
            "project_id": key.project_id,
            "at": at,
        },
    )


def find_access_key(conn: Conn, access_key: str) -> AccessKey | None:
    """The key pair for an access key id, if it exists."""
    row = conn.one(
        "SELECT access_key, secret_key, project_id FROM access_keys "
        "WHERE access_key = :ak",
        {"ak": access_key},
    )
    if row is None:
        return None
    return AccessKey(row["access_key"], row["secret_key"], row["project_id"])


def grant_bucket(conn: Conn, project_id: str, bucket: str, at: int) -> bool:
    """Let a project register from a bucket; False if it already could."""
    if is_bucket_granted(conn, project_id, bucket):
        return False
    conn.run(
        "INSERT INTO bucket_grants (project_id, bucket, created_at) "
        "VALUES (:project_id, :bucket, :at)",
        {"project_id": project_id, "bucket": bucket, "at": at},
    )
    return True


def revoke_bucket(conn: Conn, project_id: str, bucket: str) -> bool:
    """Withdraw a grant; False if there was none."""
    count = conn.run(
        "DELETE FROM bucket_grants WHERE project_id = :project_id AND bucket = :bucket",
        {"project_id": project_id, "bucket": bucket},
    )
    return count > 0


def is_bucket_granted(conn: Conn, project_id: str, bucket: str) -> bool:
    """Whether a project may register from a bucket."""
    row = conn.one(
        "SELECT 1 AS x FROM bucket_grants "
        "WHERE project_id = :project_id AND bucket = :bucket",
        {"project_id": project_id, "bucket": bucket},
    )
    return row is not None


def list_grants(conn: Conn, project_id: str | None = None) -> list[tuple[str, str]]:
    """Grants as (project_id, bucket), optionally of one project."""
    if project_id is None:
        rows = conn.all("SELECT project_id, bucket FROM bucket_grants ORDER BY 1, 2")
    else:
        rows = conn.all(
            "SELECT project_id, bucket FROM bucket_grants "
            "WHERE project_id = :project_id ORDER BY bucket",
            {"project_id": project_id},
        )
    return [(r["project_id"], r["bucket"]) for r in rows]


# -- FPGA images: the API side ---------------------------------------------


def insert_fpga_image(conn: Conn, image: FpgaImage) -> None:
    """Store a newly registered FPGA image."""
    insert_fpga_images(conn, [image])


def insert_fpga_images(conn: Conn, images: Sequence[FpgaImage]) -> None:
    """Store newly registered FPGA images, with one count update per project.

    A registration's insert is the hot write: a group commit carries many,
    and one call for all of them spares the writer a statement's overhead
    per image (and, on SQLite, a hand-over of the GIL per statement).
    """
    conn.run_many(
        f"INSERT INTO fpga_images ({IMAGE_COLUMNS}, updated_at) VALUES "
        "(:id, :project_id, :name, :description, :location, :metadata, :status, "
        ":message, :size_bytes, :sha256, :format, :inspection, :created_at, "
        ":created_at)",
        [
            {
                "id": image.id,
                "project_id": image.project_id,
                "name": image.name,
                "description": image.description,
                "location": image.location,
                "metadata": image.metadata,
                "status": image.status.value,
                "message": image.message,
                "size_bytes": image.size_bytes,
                "sha256": image.sha256,
                "format": image.format,
                "inspection": image.inspection,
                "created_at": image.created_at,
            }
            for image in images
        ],
    )
    for project_id, added in Counter(image.project_id for image in images).items():
        _add_to_count(conn, project_id, added)


def _add_to_count(conn: Conn, project_id: str, delta: int) -> None:
    conn.run(
        "UPDATE projects SET fpga_image_count = fpga_image_count + :delta, "
        "list_version = list_version + 1 WHERE id = :project_id",
        {"delta": delta, "project_id": project_id},
    )


def touch_list(conn: Conn, project_id: str) -> None:
    """Note a change that the project's detail list shows (see list_state).

    Every statement that changes an image's status, message or protection
    calls this in the same transaction; adding and removing rows does it
    through the count.
    """
    conn.run(
        "UPDATE projects SET list_version = list_version + 1 WHERE id = :project_id",
        {"project_id": project_id},
    )


def count_fpga_images(conn: Conn, project_id: str) -> int:
    """How many FPGA images a project owns."""
    return list_state(conn, project_id)[0]


def list_state(conn: Conn, project_id: str) -> tuple[int, int]:
    """A project's image count and list version; (0, 0) for no such project."""
    row = conn.one(
        "SELECT fpga_image_count AS n, list_version AS v FROM projects "
        "WHERE id = :project_id",
        {"project_id": project_id},
    )
    return (int(row["n"]), int(row["v"])) if row else (0, 0)


def get_fpga_image(conn: Conn, project_id: str, fpga_image_id: str) -> FpgaImage | None:
    """One FPGA image of a project, if it exists."""
    row = conn.one(
        f"SELECT {IMAGE_COLUMNS}, {PROTECTED} FROM fpga_images "
        "WHERE id = :id AND project_id = :project_id",
        {"id": fpga_image_id, "project_id": project_id},
    )
    return None if row is None else FpgaImage.from_row(row)


# -- FPGA images: the worker side ------------------------------------------


def claim_work(conn: Conn, owner: str, now: int, lease_until: int) -> Claim | None:
    """Lease the oldest saving image whose lease is free, if any."""
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect == "postgresql" else ""
    # `status = 'saving'` word for word: the partial index's condition, which
    # SQLite must find in the query to use the index.
    row = conn.one(
        "UPDATE fpga_images SET lease_owner = :owner, lease_expires_at = :until, "
        "attempts = attempts + 1 "
        "WHERE id = (SELECT id FROM fpga_images "
        "WHERE status = 'saving' AND next_attempt_at <= :now "
        "AND (lease_expires_at IS NULL OR lease_expires_at < :now) "
        f"ORDER BY next_attempt_at, created_at LIMIT 1{lock}) "
        "RETURNING id, project_id, status, location, attempts",
        {"owner": owner, "now": now, "until": lease_until},
    )
    if row is None:
        return None
    return Claim(
        fpga_image_id=row["id"],
        project_id=row["project_id"],
        status=FpgaImageStatus(row["status"]),
        location=row["location"],
        attempts=row["attempts"],
        owner=owner,
    )


def claim_deletions(
    conn: Conn, owner: str, now: int, lease_until: int, limit: int
) -> list[Claim]:
    """Lease up to `limit` deleting images whose lease is free, oldest first."""
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect == "postgresql" else ""
    rows = conn.all(
        "UPDATE fpga_images SET lease_owner = :owner, lease_expires_at = :until, "
        "attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM fpga_images "
        "WHERE status = 'deleting' AND next_attempt_at <= :now "
        "AND (lease_expires_at IS NULL OR lease_expires_at < :now) "
        f"ORDER BY next_attempt_at, created_at LIMIT :limit{lock}) "
        "RETURNING id, project_id, status, location, attempts",
        {"owner": owner, "now": now, "until": lease_until, "limit": limit},
    )
    return [
        Claim(
            r["id"],
            r["project_id"],
            FpgaImageStatus(r["status"]),
            r["location"],
            r["attempts"],
            owner,
        )
        for r in rows
    ]


def extend_lease(conn: Conn, claim: Claim, lease_until: int) -> bool:
    """Renew a lease; False if the worker lost it or the status moved on."""
    count = conn.run(
        "UPDATE fpga_images SET lease_expires_at = :until "
        "WHERE id = :id AND lease_owner = :owner AND status = :status",
        {
            "until": lease_until,
            "id": claim.fpga_image_id,
            "owner": claim.owner,
            "status": claim.status.value,
        },
    )
    return count == 1


def finish_active(
    conn: Conn,
    claim: Claim,
    size_bytes: int,
    sha256: str,
    fmt: str,
    inspection: str,
    at: int,
) -> bool:
    """saving -> active with what ingest found; False if the claim was lost."""
    check_transition(FpgaImageStatus.SAVING, FpgaImageStatus.ACTIVE)
    count = conn.run(
        "UPDATE fpga_images SET status = 'active', message = NULL, "
        "size_bytes = :size, sha256 = :sha256, format = :format, "
        "inspection = :inspection, updated_at = :at, lease_owner = NULL, "
        "lease_expires_at = NULL "
        "WHERE id = :id AND status = 'saving' AND lease_owner = :owner",
        {
            "size": size_bytes,
            "sha256": sha256,
            "format": fmt,
            "inspection": inspection,
            "at": at,
            "id": claim.fpga_image_id,
            "owner": claim.owner,
        },
    )
    if count == 1:
        touch_list(conn, claim.project_id)
    return count == 1


def finish_error(conn: Conn, claim: Claim, message: str, at: int) -> bool:
    """saving -> error with a message; False if the claim was lost."""
    check_transition(FpgaImageStatus.SAVING, FpgaImageStatus.ERROR)
    count = conn.run(
        "UPDATE fpga_images SET status = 'error', message = :message, "
        "updated_at = :at, lease_owner = NULL, lease_expires_at = NULL "
        "WHERE id = :id AND status = 'saving' AND lease_owner = :owner",
        {"message": message, "at": at, "id": claim.fpga_image_id, "owner": claim.owner},
    )
    if count == 1:
        touch_list(conn, claim.project_id)
    return count == 1


def schedule_retry(conn: Conn, claim: Claim, not_before: int, message: str) -> bool:
    """Release a claim so that the work is tried again after `not_before`."""
    count = conn.run(
        "UPDATE fpga_images SET lease_owner = NULL, lease_expires_at = NULL, "
        "next_attempt_at = :not_before, message = :message "
        "WHERE id = :id AND lease_owner = :owner AND status = :status",
        {
            "not_before": not_before,
            "message": message,
            "id": claim.fpga_image_id,
            "owner": claim.owner,
            "status": claim.status.value,
        },
    )
    if count == 1:
        touch_list(conn, claim.project_id)  # the message is shown
    return count == 1


def current_status(conn: Conn, fpga_image_id: str) -> FpgaImageStatus | None:
    """The status of an image by id alone, or None once its row is gone."""
    row = conn.one(
        "SELECT status FROM fpga_images WHERE id = :id", {"id": fpga_image_id}
    )
    return None if row is None else FpgaImageStatus(row["status"])


# -- FPGA images: deletion ---------------------------------------------------


def mark_deleting(conn: Conn, image: FpgaImage, at: int) -> bool:
    """saving, active or error -> deleting; False if the status moved meanwhile.

    The lease is kept: a worker still copying the image keeps it until it
    notices, so the removal waits for the copy to stop.
    """
    check_transition(image.status, FpgaImageStatus.DELETING)
    count = conn.run(
        "UPDATE fpga_images SET status = 'deleting', attempts = 0, "
        "next_attempt_at = 0, updated_at = :at "
        "WHERE id = :id AND status = :expected",
        {"at": at, "id": image.id, "expected": image.status.value},
    )
    if count == 1:
        touch_list(conn, image.project_id)
    return count == 1


def release_claim(conn: Conn, claim: Claim) -> None:
    """Give a lease up at once, so that the next worker need not wait it out."""
    conn.run(
        "UPDATE fpga_images SET lease_owner = NULL, lease_expires_at = NULL "
        "WHERE id = :id AND lease_owner = :owner",
        {"id": claim.fpga_image_id, "owner": claim.owner},
    )


def delete_fpga_image_row(conn: Conn, claim: Claim) -> bool:
    """Remove a deleting image's row for good; False if the claim was lost."""
    return bool(delete_fpga_image_rows(conn, [claim]))


def delete_fpga_image_rows(conn: Conn, claims: Sequence[Claim]) -> list[Claim]:
    """Remove deleting images' rows for good, in one statement; return the
    claims whose rows went (the others' claims were lost)."""
    if not claims:
        return []
    params: dict[str, object] = {
        f"id{n}": claim.fpga_image_id for n, claim in enumerate(claims)
    }
    # Only claims of one owner: a batch is what one worker claimed.
    (owner,) = {claim.owner for claim in claims}
    params["owner"] = owner
    rows = conn.all(
        "DELETE FROM fpga_images WHERE status = 'deleting' AND lease_owner = :owner "
        f"AND id IN ({', '.join(f':id{n}' for n in range(len(claims)))}) "
        "RETURNING id",
        params,
    )
    gone = {row["id"] for row in rows}
    removed = [claim for claim in claims if claim.fpga_image_id in gone]
    per_project = Counter(claim.project_id for claim in removed)
    for project_id, count in sorted(per_project.items()):
        _add_to_count(conn, project_id, -count)
    return removed
