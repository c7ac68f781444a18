"""The mock's SQLite store: CDRs it sends (as CPO), CDRs it received (as eMSP), its tariffs.

Sent CDRs keep a dense ``position`` per version in ``last_updated`` order (they are added in
that order), so that a date window is a contiguous range of positions, found by two lookups in
the ``(version, last_updated, position)`` index, and a page at any offset is a range scan of
the ``(version, position)`` key: a page deep in a large store, or deep in a date window, costs
what the first one does.
Every write is one transaction; the database runs in WAL mode with synchronous writes, so an
acknowledged CDR survives a crash.

Seeding streams (``Store.seeding``): the rows are staged in a temporary database as they are
generated, then copied into place in ``last_updated`` order by one ``INSERT ... SELECT`` that
walks an index, so memory stays flat however many CDRs are seeded. ``:memory:`` is SQLite's
private temporary database (an empty file name): private to the connection and gone when it
closes, as ``:memory:`` is, but the pages its cache cannot hold go to a temporary file instead
of the process's memory (a million seeded CDRs are 2 GB of JSON).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

SenderTable = Literal["sent_cdrs", "tariffs"]
SentRow = tuple[str, str]  # (last_updated, JSON text) of one sender object
SENDER_TABLES: tuple[SenderTable, ...] = ("sent_cdrs", "tariffs")

# Sender rows live in rowid tables, their (version, position) key an index: a CDR's JSON (about
# 2 KB) is more than a WITHOUT ROWID row keeps in its page, and each spilled into an overflow
# page of its own, 4.7 KB a CDR on disk where 2 KB do (stores made so keep working as they are).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_cdrs (
    version TEXT NOT NULL,
    position INTEGER NOT NULL,
    last_updated TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version, position)
);
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
);
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


_STAGING = "seeding"  # the schema name of seeding's staging database (``Store.seeding``)


class Seeding:
    """The sender data of one version on its way into the store (``Store.seeding``)."""

    def __init__(self, store: Store, version: str, mark: tuple[str, str]) -> None:
        self._store = store
        self._version = version
        self._mark = mark
        self._tables: dict[SenderTable, None] = {}  # the tables staged, in order

    def add(self, table: SenderTable, rows: Iterable[SentRow]) -> None:
        """Stage rows of ``table`` (``sent_cdrs`` or ``tariffs``), consumed one at a time;
        a table staged at all, even with no rows, is replaced by ``commit``."""
        self._tables.setdefault(table, None)
        self._store._stage(table, rows)

    def commit(self) -> bool:
        """Make the staged tables the version's sender data and store the mark, in ONE
        transaction; False, and nothing written, when the mark is already stored."""
        return self._store._commit_staged(self._version, self._mark, list(self._tables))


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
        # "" is SQLite's private temporary database: ":memory:" that may spill to a file.
        db = sqlite3.connect(
            "" if path == ":memory:" else path, check_same_thread=False, isolation_level=None
        )
        # Large sorts and temporary tables spill to files, whatever the build's default.
        db.execute("PRAGMA temp_store=FILE")
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
        self._file = path != ":memory:"

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

    @contextmanager
    def seeding(self, version: str, mark: tuple[str, str]) -> Iterator[Seeding]:
        """Sender data of ``version`` on its way in: ``Seeding.add`` stages rows as they come,
        ``Seeding.commit`` puts them in place; whatever was not committed when the block ends
        (an exception, Ctrl-C) is dropped, the store unchanged.

        The rows are staged in a private temporary database attached for the purpose (never
        in the store's file, nor in memory beyond its page cache); detaching it deletes it at
        once, where dropping a table of a million rows would take seconds and keep the disk
        space until the connection closes."""
        with self._lock:
            self._detach_staging()  # left by a seeding interrupted in this connection
            self._db.execute(f"ATTACH DATABASE '' AS {_STAGING}")
            self._db.execute(
                f"CREATE TABLE {_STAGING}.staged (seq INTEGER PRIMARY KEY, "
                "tbl TEXT NOT NULL, last_updated TEXT NOT NULL, body TEXT NOT NULL)"
            )
        try:
            yield Seeding(self, version, mark)
        finally:
            with self._lock:
                self._detach_staging()

    def _detach_staging(self) -> None:
        attached = self._db.execute(
            "SELECT 1 FROM pragma_database_list WHERE name = ?", (_STAGING,)
        ).fetchone()
        if attached is not None:
            self._db.execute(f"DETACH DATABASE {_STAGING}")

    def _stage(self, table: SenderTable, rows: Iterable[SentRow]) -> None:
        if table not in SENDER_TABLES:
            raise ValueError(f"not a sender table: {table}")
        with self._lock:
            self._db.executemany(
                f"INSERT INTO {_STAGING}.staged (tbl, last_updated, body) VALUES (?, ?, ?)",
                ((table, updated, body) for updated, body in rows),
            )

    def _commit_staged(
        self, version: str, mark: tuple[str, str], tables: Iterable[SenderTable]
    ) -> bool:
        """Make the staged rows of ``tables`` the sender data of ``version`` and store ``mark``
        (a meta key and value) in ONE transaction; False, and nothing written, when the mark is
        already stored.

        Rows and mark commit together, so a crash (kill -9, Ctrl-C) at any point leaves the
        store as it was or fully seeded; rows of ``version`` found without the mark are what an
        interrupted earlier seeding (or an older mock) left, and are replaced, not added to: a
        restart with the same options has exactly the seeded number of rows. Positions follow
        ``last_updated``, ties in the order the rows were staged."""
        key, value = mark
        with self._lock:
            # The copy walks this index: no sort of the JSON bodies.
            self._db.execute(
                f"CREATE INDEX {_STAGING}.staged_in_order ON staged (tbl, last_updated, seq)"
            )
            # A bulk load into empty tables is several times faster with a rollback journal
            # than through the WAL (which would hold a second copy of every new page): the
            # transaction is just as atomic, and WAL comes back once it is done.
            self._journal("DELETE")
            try:
                with self._transaction():
                    row = self._db.execute(
                        "SELECT value FROM meta WHERE key = ?", (key,)
                    ).fetchone()
                    if row is not None and row[0] == value:
                        return False
                    for table in tables:
                        self._db.execute(f"DELETE FROM {table} WHERE version = ?", (version,))
                        self._db.execute(
                            f"INSERT INTO {table} (version, position, last_updated, body) "
                            "SELECT ?, row_number() OVER (ORDER BY last_updated, seq) - 1, "
                            f"last_updated, body FROM {_STAGING}.staged WHERE tbl = ? "
                            "ORDER BY last_updated, seq",
                            (version, table),
                        )
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )
            finally:
                self._journal("WAL")
        return True

    def _journal(self, mode: str) -> None:
        if not self._file:
            return
        # Another connection on the file keeps it in WAL mode: then the pragma fails, harmlessly.
        with suppress(sqlite3.OperationalError):
            self._db.execute(f"PRAGMA journal_mode={mode}")

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
        """The first position updated at or after ``instant`` (positions follow last_updated).
        Read from the (version, last_updated, position) index: MIN(position) would walk the
        table from position 0 to the answer, bodies and all."""
        if instant is None:
            return default
        row = self._db.execute(
            f"SELECT position FROM {table} WHERE version = ? AND last_updated >= ? "
            "ORDER BY last_updated, position LIMIT 1",
            (version, instant),
        ).fetchone()
        return default if row is None else int(row[0])

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
