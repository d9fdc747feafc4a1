"""A throw-away PostgreSQL database for tests, or a clear reason to skip.

The server is the one at FIS_TEST_POSTGRES_URL (default: the local server with
trust authentication). With FIS_REQUIRE_POSTGRES=1, as CI sets it, a missing
server fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

ADMIN_URL = os.environ.get(
    "FIS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it afterwards."""
    try:
        admin = _admin()
    except psycopg.OperationalError as exc:
        if os.environ.get("FIS_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                f"PostgreSQL is required but not reachable at {ADMIN_URL}: {exc}"
            )
        pytest.skip(
            f"PostgreSQL not reachable at {ADMIN_URL} ({exc}); set "
            "FIS_TEST_POSTGRES_URL to run these tests"
        )
    name = f"fis_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
