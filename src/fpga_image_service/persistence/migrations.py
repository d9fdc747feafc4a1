"""Versioned schema migrations, applied in order, each exactly once."""

from __future__ import annotations

import logging
import time
from importlib import resources

from fpga_image_service.persistence.database import Conn, Database

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same in every process.
_PG_MIGRATION_LOCK = 0x46495331


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("fpga_image_service.persistence") / "migrations"
    found = []
    for item in folder.iterdir():
        if item.name.endswith(".sql"):
            version = int(item.name.split("_", 1)[0])
            found.append((version, item.name, item.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(script: str) -> list[str]:
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _applied(conn: Conn) -> set[int]:
    conn.run(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
    )
    return {r["version"] for r in conn.all("SELECT version FROM schema_migrations")}


def migrate(db: Database) -> list[str]:
    """Apply the migrations this database lacks; return their names."""
    applied_now: list[str] = []
    with db.transaction() as conn:
        if conn.dialect == "postgresql":
            # Several processes may start at once against one database.
            conn.one("SELECT pg_advisory_xact_lock(:key)", {"key": _PG_MIGRATION_LOCK})
        done = _applied(conn)
        for version, name, script in _migration_files():
            if version in done:
                continue
            for statement in _statements(script):
                conn.run(statement)
            conn.run(
                "INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (:version, :name, :at)",
                {"version": version, "name": name, "at": int(time.time())},
            )
            log.info("migration_applied name=%s", name)
            applied_now.append(name)
    return applied_now
