"""Connections to SQLite or PostgreSQL behind one small interface.

Queries are written once with `:name` placeholders; this module rewrites them
for psycopg. Dialect differences stay inside the persistence package.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from fpga_image_service.errors import ServiceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

Row = dict[str, Any]
Params = Mapping[str, Any]

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class DatabaseUnavailable(ServiceUnavailable):
    """The database refused or dropped the connection."""


class Conn(Protocol):
    """The three things queries do with a connection."""

    dialect: str

    def one(self, sql: str, params: Params = ...) -> Row | None: ...

    def all(self, sql: str, params: Params = ...) -> list[Row]: ...

    def run(self, sql: str, params: Params = ...) -> int: ...

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per element of `rows`."""
        ...


class _SqliteConn:
    dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def one(self, sql: str, params: Params = {}) -> Row | None:  # noqa: B006
        row = self.raw.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: Params = {}) -> list[Row]:  # noqa: B006
        return [dict(r) for r in self.raw.execute(sql, params).fetchall()]

    def run(self, sql: str, params: Params = {}) -> int:  # noqa: B006
        return self.raw.execute(sql, params).rowcount

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        self.raw.executemany(sql, rows)


class _PostgresConn:
    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Row]) -> None:
        self.raw = raw

    def one(self, sql: str, params: Params = {}) -> Row | None:  # noqa: B006
        return self.raw.execute(_to_pyformat(sql), params).fetchone()

    def all(self, sql: str, params: Params = {}) -> list[Row]:  # noqa: B006
        return self.raw.execute(_to_pyformat(sql), params).fetchall()

    def run(self, sql: str, params: Params = {}) -> int:  # noqa: B006
        return self.raw.execute(_to_pyformat(sql), params).rowcount

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_to_pyformat(sql), rows)


_pyformat_cache: dict[str, str] = {}


def _to_pyformat(sql: str) -> str:
    converted = _pyformat_cache.get(sql)
    if converted is None:
        converted = _NAMED.sub(r"%(\1)s", sql)
        _pyformat_cache[sql] = converted
    return converted


class Database(Protocol):
    """A database the service can read and write."""

    dialect: str
    #: Whether a commit is a local call (a file and a disk sync) rather than
    #: a round trip to a server: a caller with nothing else to do may run it
    #: itself.
    commits_locally: bool

    def read(self) -> contextlib.AbstractContextManager[Conn]: ...

    def transaction(self) -> contextlib.AbstractContextManager[Conn]: ...

    async def read_async(self, query: Callable[[Conn], T]) -> T:
        """Run a read-only `query` for a coroutine, the cheapest way this
        database allows."""
        ...

    def close(self) -> None: ...


class SqliteDatabase:
    """The embedded default: one file, WAL, every commit synced to disk."""

    dialect = "sqlite"
    commits_locally = True

    CHECKPOINT_SECONDS = 1.0

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        # Threads of this process take turns at writing here, where a
        # release wakes the next one at once. SQLite's own busy handler would
        # make them sleep and poll, up to 100 ms a time, under contention.
        self._write_turn = threading.Lock()
        self._checkpointer = threading.Thread(
            target=self._checkpoints, name="fis-sqlite-checkpoint", daemon=True
        )
        self._checkpointer.start()

    def _checkpoints(self) -> None:
        """Copy the write-ahead log into the database file, once a second.

        PASSIVE never waits for readers or writers; a checkpoint that could
        not finish simply resumes next time.
        """
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._closing.wait(self.CHECKPOINT_SECONDS):
                try:
                    raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.OperationalError as exc:
                    log.warning("sqlite_checkpoint_failed error=%s", exc)
        finally:
            raw.close()

    def _connection(self) -> _SqliteConn:
        conn: _SqliteConn | None = getattr(self._local, "conn", None)
        if conn is None:
            raw = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False
            )
            raw.row_factory = sqlite3.Row
            # WAL with synchronous=FULL syncs the log on every commit, so an
            # acknowledged row survives a power cut, while readers never wait
            # for the writer.
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=FULL")
            raw.execute("PRAGMA busy_timeout=30000")
            raw.execute("PRAGMA foreign_keys=ON")
            # Checkpoints run in a thread of their own (see _checkpoints), not
            # inside whichever request's commit happens to cross the limit.
            raw.execute("PRAGMA wal_autocheckpoint=0")
            conn = _SqliteConn(raw)
            self._local.conn = conn
            with self._lock:
                self._all.append(raw)
        return conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Conn]:
        yield self._connection()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Conn]:
        conn = self._connection()
        with self._write_turn:
            # IMMEDIATE takes the write lock up front, so a read-then-update
            # (a lease claim) cannot be overtaken by another writer.
            conn.raw.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.raw.execute("ROLLBACK")
                raise
            conn.raw.execute("COMMIT")

    async def read_async(self, query: Callable[[Conn], T]) -> T:
        # An SQLite read is a local call of a millisecond at most that never
        # waits for a writer (WAL); a thread hand-off would cost as much as
        # the read and add GIL contention, so it runs right here.
        return query(self._connection())

    def close(self) -> None:
        self._closing.set()
        self._checkpointer.join()
        with self._lock:
            for raw in self._all:
                raw.close()
            self._all.clear()
        self._local = threading.local()


class PostgresDatabase:
    """Scale-out: several processes share one PostgreSQL database."""

    dialect = "postgresql"
    commits_locally = False

    def __init__(self, url: str, max_connections: int = 10) -> None:
        self.url = url
        self._pool: psycopg_pool.ConnectionPool[psycopg.Connection[Row]] = (
            psycopg_pool.ConnectionPool(
                url,
                min_size=1,
                max_size=max_connections,
                kwargs={"row_factory": dict_row, "autocommit": True},
                open=False,
            )
        )
        try:
            self._pool.open(wait=True, timeout=10)
        except psycopg_pool.PoolTimeout as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {exc}") from exc

    @contextlib.contextmanager
    def read(self) -> Iterator[Conn]:
        try:
            with self._pool.connection() as raw:
                yield _PostgresConn(raw)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"PostgreSQL failed: {exc}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Conn]:
        try:
            with self._pool.connection() as raw, raw.transaction():
                yield _PostgresConn(raw)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"PostgreSQL failed: {exc}") from exc

    async def read_async(self, query: Callable[[Conn], T]) -> T:
        # A network round trip must not stop the event loop.
        def run() -> T:
            with self.read() as conn:
                return query(conn)

        return await asyncio.to_thread(run)

    def close(self) -> None:
        self._pool.close()


def open_database(url: str) -> Database:
    """Open the database a URL names: sqlite:///path or postgresql://..."""
    if url.startswith("sqlite:///"):
        return SqliteDatabase(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")
