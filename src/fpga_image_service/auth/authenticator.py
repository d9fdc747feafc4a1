"""Who is calling: verify an AK/SK signature and bind the key to its project.

Key pairs are read from the database and kept for a few seconds, so a busy
API does not query the key table on every request, while a key removed by an
operator stops working within the cache lifetime on every API process.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from fpga_image_service.auth.signature import (
    HttpRequestParts,
    SignatureError,
    parse_authorization,
    verify_signature,
)
from fpga_image_service.errors import AuthenticationFailed, ProjectMismatch
from fpga_image_service.persistence import queries
from fpga_image_service.persistence.database import Database
from fpga_image_service.persistence.records import AccessKey

log = logging.getLogger(__name__)

_CACHE_SECONDS = 5.0


class Authenticator:
    """Turns a signed request into the access key that signed it."""

    def __init__(self, db: Database, max_skew: timedelta) -> None:
        self._db = db
        self._max_skew = max_skew
        self._cache: dict[str, tuple[float, AccessKey | None]] = {}
        self._lock = threading.Lock()

    async def authenticate(self, parts: HttpRequestParts) -> AccessKey:
        """Return the caller's key, or raise AuthenticationFailed."""
        header = parts.headers.get("authorization")
        if not header:
            if "x-auth-token" in parts.headers:
                raise AuthenticationFailed(
                    "Incorrect IAM authentication information: token authentication "
                    "is not supported here, sign requests with an access key"
                )
            raise AuthenticationFailed(
                "Incorrect IAM authentication information: Authorization not found"
            )

        try:
            authorization = parse_authorization(header)
        except SignatureError as exc:
            raise AuthenticationFailed(
                f"Incorrect IAM authentication information: {exc}"
            ) from None

        key = await self._lookup(authorization.access_key)
        if key is None:
            log.warning("auth_refused reason=unknown_access_key")
            raise AuthenticationFailed(
                "Incorrect IAM authentication information: access key not found"
            )

        try:
            verify_signature(
                parts,
                authorization,
                key.secret_key,
                datetime.now(UTC),
                self._max_skew,
            )
        except SignatureError as exc:
            log.warning("auth_refused reason=signature access_key=%s", key.access_key)
            raise AuthenticationFailed(
                f"Incorrect IAM authentication information: {exc}"
            ) from None
        return key

    async def _lookup(self, access_key: str) -> AccessKey | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(access_key)
        if hit is not None and hit[0] > now:
            return hit[1]
        key = await self._db.read_async(
            lambda conn: queries.find_access_key(conn, access_key)
        )
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[access_key] = (now + _CACHE_SECONDS, key)
        return key


def require_project(key: AccessKey, project_id: str) -> None:
    """Refuse a key used on a path of another project, revealing nothing of it."""
    if key.project_id != project_id:
        raise ProjectMismatch(
            "project_id in the URL does not match the project of the access key"
        )
