"""The mock's SQLite store: CDRs it sends (as CPO), CDRs it received (as eMSP), its tariffs.

Sent CDRs keep a dense ``position`` per version in ``last_updated`` order (they are added in
that order), so that a date window is a contiguous range of positions and a page at any offset
is a primary-key range scan: a page deep in a large store costs about the same as the first.
Every write is one transaction; the database runs in WAL mode with synchronous writes, so an
acknowledged CDR survives a crash.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_cdrs (
    version TEXT NOT NULL,
    position INTEGER NOT NULL,
    last_updated TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sent_cdrs_by_time ON sent_cdrs (version, last_updated, position);
CREATE TABLE IF NOT EXISTS received_cdrs (
    version TEXT NOT NULL,
    country_code TEXT NOT NULL COLLATE NOCASE,
    party_id TEXT NOT NULL COLLATE NOCASE,
    id TEXT NOT NULL COLLATE NOCASE,
    body TEXT NOT NULL,
    PRIMARY KEY (version, country_code, party_id, id)
);
CREATE TABLE IF NOT EXISTS tariffs (
    version TEXT NOT NULL,
    position INTEGER NOT NULL,
    last_updated TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    partner_url TEXT NOT NULL,
    partner_token TEXT,
    active INTEGER NOT NULL DEFAULT 1
);
"""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A credentials token this peer issued: "C" to a partner that registered with it, "B" to
    a partner it registered with; ``partner_token`` is the token to call that partner with."""

    token: str
    kind: str
    version: str
    partner_url: str
    partner_token: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: the raw JSON bodies and the total matching the filters."""

    bodies: list[str]
    total: int


class DuplicateCdr(Exception):
    """A received CDR whose (country_code, party_id, id) is already stored."""


class StoreError(ValueError):
    """The store's file cannot be opened as an SQLite database (the message names the fix)."""


def _connect(path: str) -> sqlite3.Connection:
    """The database at ``path``, its schema created; StoreError names what to change."""
    if path != ":memory:":
        where = Path(path)
        if where.is_dir():
            raise StoreError(
                f"{path} is a folder: give a file path for the database, e.g. "
                f"{where / 'mock.sqlite'}"
            )
        if not where.parent.is_dir():
            raise StoreError(
                f"{path}: the folder {where.parent} does not exist: create it, or give a path "
                "in an existing folder"
            )
    db = None
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
    except sqlite3.Error as exc:
        if db is not None:
            db.close()
        if "not a database" in str(exc):
            raise StoreError(
                f"{path} is not an SQLite database: give a new path, or a file this mock created"
            ) from None
        raise StoreError(
            f"{path} cannot be opened as an SQLite database ({exc}): give a path this user "
            "can read and write"
        ) from None
    return db


class Store:
    """A small repository over one SQLite database (a file, or ``:memory:``); StoreError
    when the file cannot be used."""

    def __init__(self, path: str = ":memory:"):
        # One connection shared by the server's threads, serialised by a lock: SQLite writes
        # are serial anyway, and reads are short.
        self._db = _connect(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # -- sender data ----------------------------------------------------------------------------

    def add_sent(self, table: str, version: str, objects: Iterable[dict[str, Any]]) -> int:
        """Append objects (in ``last_updated`` order) to ``sent_cdrs`` or ``tariffs``."""
        rows = sorted(objects, key=lambda o: str(o["last_updated"]))
        with self._lock, self._transaction():
            (start,) = self._db.execute(
                f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE version = ?",
                (version,),
            ).fetchone()
            self._insert_sent(table, version, rows, start)
        return len(rows)

    def seed_sent(
        self,
        version: str,
        mark: tuple[str, str],
        tables: Mapping[str, Iterable[dict[str, Any]]],
    ) -> bool:
        """Make ``tables`` (``sent_cdrs`` and/or ``tariffs`` -> objects) the sender data of
        ``version`` and store ``mark`` (a meta key and value) in ONE transaction; False, and
        nothing written, when the mark is already stored.

        Rows and mark commit together, so a crash (kill -9, Ctrl-C) at any point leaves the
        store as it was or fully seeded; rows of ``version`` found without the mark are what an
        interrupted earlier seeding (or an older mock) left, and are replaced, not added to: a
        restart with the same options has exactly the seeded number of rows."""
        key, value = mark
        sorted_tables = {
            table: sorted(objects, key=lambda o: str(o["last_updated"]))
            for table, objects in tables.items()
        }
        with self._lock, self._transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] == value:
                return False
            for table, rows in sorted_tables.items():
                self._db.execute(f"DELETE FROM {table} WHERE version = ?", (version,))
                self._insert_sent(table, version, rows, 0)
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        return True

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (KeyboardInterrupt too)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _insert_sent(
        self, table: str, version: str, rows: list[dict[str, Any]], start: int
    ) -> None:
        if table not in ("sent_cdrs", "tariffs"):
            raise ValueError(f"not a sender table: {table}")
        self._db.executemany(
            f"INSERT INTO {table} (version, position, last_updated, body) VALUES (?, ?, ?, ?)",
            (
                (version, start + i, o["last_updated"], json.dumps(o, ensure_ascii=False))
                for i, o in enumerate(rows)
            ),
        )

    def _position(self, table: str, version: str, instant: str | None, default: int) -> int:
        if instant is None:
            return default
        row = self._db.execute(
            f"SELECT MIN(position) FROM {table} WHERE version = ? AND last_updated >= ?",
            (version, instant),
        ).fetchone()
        return default if row[0] is None else int(row[0])

    def page(
        self,
        table: str,
        version: str,
        offset: int,
        limit: int,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Page:
        """Objects with ``date_from <= last_updated < date_to``, oldest first, from
        ``offset``, at most ``limit``; and how many match in all."""
        with self._lock:
            (count,) = self._db.execute(
                f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE version = ?",
                (version,),
            ).fetchone()
            first = 0 if date_from is None else self._position(table, version, date_from, count)
            end = self._position(table, version, date_to, count)
            total = max(0, end - first)
            low = first + offset
            high = min(end, low + limit)
            bodies = [
                body
                for (body,) in self._db.execute(
                    f"SELECT body FROM {table} WHERE version = ? AND position >= ? "
                    "AND position < ? ORDER BY position",
                    (version, low, high),
                )
            ]
        return Page(bodies, total)

    # -- receiver data --------------------------------------------------------------------------

    def add_received(self, version: str, body: str, key: tuple[str, str, str]) -> None:
        """Store a received CDR's JSON text, as received, under (country_code, party_id, id);
        DuplicateCdr if the key is known."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO received_cdrs (version, country_code, party_id, id, body) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (version, *key, body),
                )
            except sqlite3.IntegrityError:
                raise DuplicateCdr(key) from None

    def replace_received(self, version: str, body: str, key: tuple[str, str, str]) -> None:
        """Overwrite a received CDR (only the fault duplicate-overwrites does this)."""
        with self._lock:
            self._db.execute(
                "UPDATE received_cdrs SET body = ? WHERE version = ? AND country_code = ? "
                "AND party_id = ? AND id = ?",
                (body, version, *key),
            )

    def get_received(self, version: str, key: tuple[str, str, str]) -> str | None:
        """The stored body of a received CDR, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM received_cdrs WHERE version = ? AND country_code = ? "
                "AND party_id = ? AND id = ?",
                (version, *key),
            ).fetchone()
        return None if row is None else str(row[0])

    # -- meta -----------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A stored setting (e.g. what the store was seeded with)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- credentials ----------------------------------------------------------------------------

    def add_token(self, issued: IssuedToken) -> None:
        """Record a token this peer issued."""
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens (token, kind, version, partner_url, partner_token, active) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (issued.token, issued.kind, issued.version, issued.partner_url,
                 issued.partner_token, int(issued.active)),
            )  # fmt: skip

    def token(self, token: str) -> IssuedToken | None:
        """What is known of a token this peer issued (active or not)."""
        with self._lock:
            row = self._db.execute(
                "SELECT token, kind, version, partner_url, partner_token, active FROM tokens "
                "WHERE token = ?",
                (token,),
            ).fetchone()
        if row is None:
            return None
        return IssuedToken(row[0], row[1], row[2], row[3], row[4], bool(row[5]))

    def set_partner_token(self, token: str, partner_token: str) -> None:
        """Remember the token a partner gave us for calling it."""
        with self._lock:
            self._db.execute(
                "UPDATE tokens SET partner_token = ? WHERE token = ?", (partner_token, token)
            )

    def deactivate(self, token: str) -> None:
        """A token that may no longer be used (rotated or unregistered)."""
        with self._lock:
            self._db.execute("UPDATE tokens SET active = 0 WHERE token = ?", (token,))
