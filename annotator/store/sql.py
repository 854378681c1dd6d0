"""Small helpers every repository of the store shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from annotator.core.errors import (
    DamagedDatabaseError,
    DatabaseError,
    NotAProjectError,
    ReadOnlyDatabaseError,
    UnavailableError,
)
from annotator.core.labels import LabelScheme
from annotator.core.model import Answer, Source, Span, SpanState

# a row's source and state as enums, by dict lookup (an article may hold thousands of spans and links)
SOURCES = {s.value: s for s in Source}
STATES = {s.value: s for s in SpanState}
ANSWERS = {a.value: a for a in Answer}


def span_of(r: Sequence[Any]) -> Span:
    """A Span from a row (id, start, end, label, source, state, score, ...): dict lookups and positional arguments,
    as a window opens articles with thousands of spans."""
    return Span(r[1], r[2], r[3], SOURCES[r[4]], STATES[r[5]], r[6], r[0])


# the time of the write transaction under way in this thread (Store.write sets it): every row a user action
# changes, and its change log entry, carry the same time, so a merge can tell which changes a file has seen
TRANSACTION_TIME: ContextVar[str | None] = ContextVar("TRANSACTION_TIME", default=None)


def clock() -> str:
    """The time now: UTC, ISO 8601, milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def now() -> str:
    """The time a change is stamped with: its transaction's time (the time now outside a transaction)."""
    return TRANSACTION_TIME.get() or clock()


CHUNK = 500  # values an `IN (...)` takes at a time (SQLite's limit on parameters is far above; this keeps it cheap)


def marks(n: int) -> str:
    """`?, ?, ?` for n values."""
    return ", ".join("?" * n)


def rows_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any], *, before: Sequence[Any] = (),
            after: Sequence[Any] = (), chunk: int = CHUNK) -> Iterator[tuple]:
    """The rows of `sql`, whose `{in}` is replaced by the placeholders of `values`, asked a chunk of values at a
    time; `before` and `after` are the query's other parameters, around the chunk's."""
    for i in range(0, len(values), chunk):
        part = list(values[i : i + chunk])
        yield from conn.execute(sql.format(**{"in": marks(len(part))}), [*before, *part, *after])


def execute_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> None:
    """`rows_in` for a statement that returns nothing (a DELETE or UPDATE over a list of ids)."""
    for _ in rows_in(conn, sql, values):
        pass


class Host(Protocol):
    """What a repository needs of the store it is part of (annotator.store.Store): its connection, transactions,
    the revision check, the change log, the scheme and the other repositories."""

    conn: sqlite3.Connection
    path: Path
    links: Any
    documents: Any

    @property
    def scheme(self) -> LabelScheme: ...

    def write(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def bump(self, doc_id: int, expected_revision: int | None) -> int: ...

    def check_label(self, label: str) -> None: ...

    def _log(self, action: str, who: str | None, doc_id: int | None = None, span_id: int | None = None,
             **detail: Any) -> None: ...


class Repository:
    """A part of the project database (`store.documents`, `store.annotations`, `store.suggestions`,
    `store.exports`, `store.links`), sqlite-utils style: it works on its store's connection and inside its
    transactions, and writes the store's change log."""

    def __init__(self, store: Host) -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn


def sqlite_error(path: Path, exc: sqlite3.Error) -> DatabaseError:
    """SQLite's error as one the user can act on, naming the file."""
    text = str(exc)
    if "malformed" in text or "disk image" in text or "corrupt" in text:
        return DamagedDatabaseError(
            f"{path}: the database is damaged ({text}); nothing was changed. Recover what it holds with "
            f"`sqlite3 {path} .recover | sqlite3 recovered.db`, or restore a backup"
        )
    if "not a database" in text or "encrypted" in text:
        return NotAProjectError(f"{path}: not an annotator project database (not an SQLite file)")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyDatabaseError(
            f"{path}: the file is read-only (no permission to write it, or to write its folder); "
            "reading commands (stats, export) still work, or copy it somewhere you may write"
        )
    if "locked" in text or "busy" in text:
        return UnavailableError(f"{path}: another program keeps the database busy; nothing was changed, try "
                                "again")
    if "full" in text:
        return UnavailableError(f"{path}: the disk is full; the last change was not saved")
    if "unable to open" in text or "disk I/O" in text:
        return UnavailableError(f"{path}: cannot read or write the file ({text}); is it on a removed disk or "
                                f"was it moved?")
    return UnavailableError(f"{path}: {text}")
