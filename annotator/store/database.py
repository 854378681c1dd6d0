"""The project database: one SQLite file per project, read and written through sqlite-utils.

Every user action is one transaction (`BEGIN IMMEDIATE`, so two writers queue instead of failing), and each
writes a row to `changes` saying who did what, when. WAL mode lets readers carry on while someone writes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from annotator.core.errors import (
    ConflictError,
    DatabaseError,
    NewerDatabaseError,
    NotAProjectError,
    ReadOnlyDatabaseError,
    SchemeError,
)
from annotator.core.labels import DEFAULT_SCHEME, Label, LabelScheme, Role, label_problem, load_scheme
from annotator.store.annotations import Annotations
from annotator.store.documents import Documents
from annotator.store.effort import Effort
from annotator.store.links import Links
from annotator.store.notes import Notes
from annotator.store.schema import SCHEMA_VERSION, migrations
from annotator.store.scheme_tables import read_rule_link_roles, write_roles, write_scheme
from annotator.store.sql import TRANSACTION_TIME, clock, now, sqlite_error
from annotator.store.streaming import ExportStream
from annotator.store.suggestions import Suggestions
from annotator.store.team import Team

BUSY_TIMEOUT_MS = 30_000
APPLICATION_ID = 0x414E4E54  # "ANNT": marks the file as an annotator project


class Store:
    """A project database. Open with `Store(path)`; it is created (with the default scheme) when missing.

    Its repositories, sqlite-utils style, on its connection and inside its transactions: `store.documents` (the
    articles and the queue), `store.annotations` (spans and answers), `store.links`, `store.suggestions`
    (pre-annotation's queue and results) and `store.exports` (reading a project out, statistics)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        scheme: LabelScheme | None = None,
        readonly: bool = False,
    ) -> None:
        # The database file is only ever opened through SQLite: on POSIX, closing any other descriptor of it
        # drops every lock this process holds on it, and another program then deletes the WAL under our feet.
        self.path = Path(path)
        self.readonly = readonly
        self._scheme: LabelScheme | None = None
        self.documents = Documents(self)
        self.annotations = Annotations(self)
        self.links = Links(self)
        self.suggestions = Suggestions(self)
        self.exports = ExportStream(self)
        self.team = Team(self)
        self.notes = Notes(self)
        self._edit: dict[str, Any] | None = None  # the edit command being applied (see `recording`)
        self._work: dict[str, Any] | None = None  # and what it cost the editor, for its first log entry
        self.effort = Effort(self)
        if self.path.is_dir():
            raise NotAProjectError(f"{self.path}: is a folder, not a project database")
        try:
            info = self.path.stat()
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise DatabaseError(f"{self.path}: cannot open: {exc.strerror or exc}") from None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise NotAProjectError(f"{self.path}: not a regular file (a pipe, device or socket), not a project")
        exists = info is not None and info.st_size > 0
        if not exists and (not create or readonly):
            raise DatabaseError(f"{self.path}: no such project database")
        conn = self._connect(readonly)
        self.conn = conn
        self.db = Database(conn, execute_plugins=False)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            # Everything that decides whether the file is ours only reads: a refused file is left as it was.
            version = self._identify()
            if not readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":  # pragma: no cover - e.g. a network file system
                    conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = NORMAL")
            if not readonly and exists and not may_write(self.path):
                raise ReadOnlyDatabaseError(
                    f"{self.path}: the file is read-only (no permission to write it, or to write its folder); "
                    "reading commands (stats, export) still work, or copy it somewhere you may write")
            self._prepare(exists, scheme, version)
        except sqlite3.Error as exc:
            conn.close()
            raise sqlite_error(self.path, exc) from None
        except BaseException:
            conn.close()
            raise

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        # autocommit (`write()` begins and ends each transaction itself); the busy timeout from the first read on
        kwargs: dict[str, Any] = dict(isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        uri = self.path.resolve().as_uri()
        try:
            if not readonly:
                return sqlite3.connect(str(self.path), **kwargs)
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, **kwargs)
            try:
                conn.execute("PRAGMA schema_version").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                # SQLite says "unable to open" or "attempt to write a readonly database" when it cannot make
                # the -shm file; anything else is told again, with the file's name, when it is first read
                if "unable to open" not in str(exc) and "readonly" not in str(exc):
                    return conn
                # a WAL database in a folder this user may not write: SQLite cannot make its -shm file there.
                # Nobody can be writing it from here either, so it is read as an unchanging file.
                conn.close()
                return sqlite3.connect(f"{uri}?immutable=1", uri=True, **kwargs)
        except sqlite3.Error as exc:
            raise DatabaseError(f"{self.path}: cannot open: {exc}") from None

    def _identify(self) -> int:
        """The schema version; refuses, without writing anything, a file that is not ours (a file
        that is not SQLite at all fails its first read, which `sqlite_error` names)."""
        conn = self.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:  # a new file has neither tables nor a version: it is made ours
            tables = set(self.db.table_names())
            if tables or version:
                raise NotAProjectError(
                    f"{self.path}: an SQLite database, but not an annotator project "
                    f"(tables: {', '.join(sorted(tables))[:200] or 'none'}); it was left unchanged"
                )
        return version

    def _prepare(self, existed: bool, scheme: LabelScheme | None, version: int) -> None:
        conn = self.conn
        if version > SCHEMA_VERSION:
            raise NewerDatabaseError(
                f"{self.path}: made by a newer version of annotator (schema {version}, this version "
                f"reads up to {SCHEMA_VERSION}); upgrade annotator to open it"
            )
        if version == SCHEMA_VERSION:
            return
        if self.readonly:
            raise DatabaseError(f"{self.path}: needs migrating from schema {version}; open it read-write once")
        if existed and version > 0:
            self.backup(self.path.with_name(f"{self.path.name}.bak-v{version}"))
        with self.write():
            # what migrations 0004 and 0011 write into a new project; a project that has a scheme keeps its own
            self.db.first_scheme = scheme if version == 0 else None  # type: ignore[attr-defined]
            migrations.apply(self.db)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            if version == 0:
                self._set_meta("created_at", now())
            elif version < 3 and self.get_meta("scheme") == DEFAULT_SCHEME:
                write_roles(self.db, self._known(load_scheme()))  # projects made before events get its roles
            self._set_meta("schema_version", str(SCHEMA_VERSION))

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database (SQLite's online backup), e.g. before a migration."""
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def owns(self, other: str | os.PathLike[str]) -> bool:
        """True when `other` is this database's file, or its -wal, -shm or -journal file (by any name)."""
        return is_database_file(self.path, other)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:  # pragma: no cover
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. Waits for other writers (busy timeout) rather than failing."""
        if self.conn.in_transaction:  # nested: part of the enclosing transaction
            yield self.conn
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise sqlite_error(self.path, exc) from None
                if time.monotonic() > deadline:
                    raise DatabaseError(
                        f"{self.path}: another program has kept the database busy for "
                        f"{BUSY_TIMEOUT_MS // 1000} s; nothing was changed, try again"
                    ) from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                raise sqlite_error(self.path, exc) from None
        stamp = TRANSACTION_TIME.set(clock())
        try:
            yield self.conn
        except BaseException as exc:
            TRANSACTION_TIME.reset(stamp)
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:  # pragma: no cover - SQLite rolled back by itself
                    pass
            if self.readonly and isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                raise ReadOnlyDatabaseError(f"{self.path}: opened read-only; nothing can be changed") from None
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise sqlite_error(self.path, exc) from None
            raise
        else:
            TRANSACTION_TIME.reset(stamp)
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise sqlite_error(self.path, exc) from None

    def probe_writable(self, wait_ms: int = 200) -> None:
        """Returns when the database can be written now; raises the error that keeps it from being written
        otherwise (waits at most `wait_ms` for another writer: the window asks between keystrokes)."""
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT count(*) FROM project").fetchone()
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # a write that changes nothing
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise sqlite_error(self.path, exc) from None
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def check_integrity(self, budget_s: float = 3.0) -> bool:
        """Refuses a damaged database before anything is written to it (SQLite's quick check: every page read
        once, indexes not compared with their tables). The check stops after `budget_s` seconds: on a
        project of several GiB it would take minutes (14 on a 12 GiB file read cold) before every command.
        What it has not read is still guarded by SQLite, which refuses a damaged page when a command meets it
        (and the command's transaction is rolled back). True when the whole file was checked."""
        done = threading.Event()
        stopped = []

        def stop_when_late() -> None:  # SQLite's progress handler is not called inside the check; this is
            if done.wait(budget_s):
                return
            stopped.append(True)
            while not done.is_set():  # an interrupt before the check began would be lost: again until it ends
                self.conn.interrupt()
                done.wait(0.001)

        watch = threading.Thread(target=stop_when_late, daemon=True)
        watch.start()
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.OperationalError as exc:
            if stopped:
                return False  # out of time with nothing found so far
            raise sqlite_error(self.path, exc) from None
        except sqlite3.Error as exc:
            raise sqlite_error(self.path, exc) from None
        finally:
            done.set()
            watch.join()
        if problems != ["ok"]:
            lines = [ln for p in problems for ln in p.splitlines() if ln.strip() and not ln.startswith("***")]
            more = f" and {len(lines) - 1} more problem(s)" if len(lines) > 1 else ""
            raise sqlite_error(self.path, sqlite3.DatabaseError(f"malformed: {(lines or problems)[0][:200]}{more}"))
        return True

    def bump(self, doc_id: int, expected_revision: int | None) -> None:
        """Inside a write: refuses the edit if the article changed since `expected_revision` (when given), and
        moves its revision on."""
        rev = self.documents.revision(doc_id)
        if expected_revision is not None and rev != expected_revision:
            raise ConflictError(
                f"document {doc_id} was changed elsewhere (revision {rev}, expected {expected_revision})"
            )
        self.conn.execute("UPDATE documents SET revision = revision + 1 WHERE id = ?", (doc_id,))

    def check_label(self, label: str) -> None:
        if self.conn.execute("SELECT 1 FROM labels WHERE name = ?", (label,)).fetchone() is None:
            raise DatabaseError(f"unknown label {label!r}")

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO project(key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.write():
            self._set_meta(key, value)

    def _write_scheme(self, scheme: LabelScheme) -> None:
        write_scheme(self.db, scheme)
        self._scheme = None

    def _known(self, scheme: LabelScheme) -> LabelScheme:
        """The roles of the scheme for the labels this project holds (each role keeping only the fillers it
        holds): what a project made before events is given (only the roles are written)."""
        held = {r[0] for r in self.conn.execute("SELECT name FROM labels")}
        return LabelScheme(scheme.name, [
            replace(lb, roles=tuple(replace(r, fillers=tuple(f for f in r.fillers if f in held))
                                    for r in lb.roles if any(f in held for f in r.fillers)))
            for lb in scheme.labels if lb.name in held])

    def set_scheme(self, scheme: LabelScheme) -> None:
        """Adds the scheme's labels and updates existing ones. Labels in use are never removed."""
        for label in scheme.labels:
            problem = label_problem(label.name)
            if problem:
                raise SchemeError(f"scheme {scheme.name!r}: {problem}")
        with self.write():
            self._write_scheme(scheme)

    @property
    def scheme(self) -> LabelScheme:
        """The project's labels, read once (the window asks on every article and edit); set_scheme refreshes it."""
        if self._scheme is None:
            self._scheme = self._read_scheme()
        return self._scheme

    def _read_scheme(self) -> LabelScheme:
        rows = self.conn.execute(
            "SELECT name, kind, colour, hotkey, description FROM labels ORDER BY position, name"
        ).fetchall()
        roles: dict[str, list[Role]] = {}
        for event, name, fillers, hotkey, description in self.conn.execute(
                "SELECT event, name, fillers, hotkey, description FROM roles ORDER BY event, position, name"):
            roles.setdefault(event, []).append(Role(name, tuple(json.loads(fillers)), hotkey or "",
                                                    description or ""))
        guides = {label: (tuple(json.loads(examples)), tuple(json.loads(counter)))
                  for label, examples, counter in self.conn.execute(
                      "SELECT label, examples, counter_examples FROM label_guidelines")}
        return LabelScheme(
            name=self.get_meta("scheme") or "custom",
            labels=[Label(*row, roles=tuple(roles.get(row[0], ())), examples=guides.get(row[0], ((), ()))[0],
                          counter_examples=guides.get(row[0], ((), ()))[1]) for row in rows],
            description=self.get_meta("scheme_description") or "",
            entity_map=json.loads(self.get_meta("entity_map") or "{}"),
            guidelines=self.get_meta("guidelines") or "",
            rule_link_roles=read_rule_link_roles(self.get_meta("rule_link_roles")),
        )

    @contextmanager
    def recording(self, edit: dict[str, Any], work: dict[str, Any] | None = None) -> Iterator[None]:
        """The change log entries written meanwhile carry this edit command (kind and fields): the log says what
        the editor asked for, not only what it did to each row. `work` (annotator.core.effort: the kind of action
        and the active time it took) goes with the first entry only, so that it is counted once."""
        self._edit, self._work = edit, work
        try:
            yield
        finally:
            self._edit = self._work = None

    def _log(self, action: str, who: str | None, doc_id: int | None = None, span_id: int | None = None,
             **detail: Any) -> None:
        if self._edit is not None:
            detail["edit"] = self._edit
        if self._work is not None:
            detail["work"], self._work = self._work, None
        self.conn.execute(
            "INSERT INTO changes(doc_id, span_id, action, who, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, span_id, action, who, now(), json.dumps(detail, ensure_ascii=False) if detail else None),
        )


SIDE_FILES = ("", "-wal", "-shm", "-journal")


def is_database_file(db: str | os.PathLike[str], other: str | os.PathLike[str]) -> bool:
    """True when `other` names the database `db` or one of SQLite's files beside it."""
    other_path = Path(other)
    for suffix in SIDE_FILES:
        mine = Path(f"{db}{suffix}")
        try:
            if other_path.resolve() == mine.resolve():
                return True
            if other_path.exists() and mine.exists() and os.path.samefile(other_path, mine):
                return True
        except OSError:
            continue
    return False


def open_for_reading(path: str | os.PathLike[str]) -> Store:
    """A project opened for a command that only reads it: read-write when this user may write the file and its
    folder (so an older project is migrated), read-only otherwise."""
    p = Path(path)
    return Store(p, create=False, readonly=not may_write(p))


def may_write(path: Path) -> bool:
    """May this user write the file and make SQLite's -wal and -shm files beside it? Asked of the system, not by
    writing: opening a project must not change it."""
    return os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)
