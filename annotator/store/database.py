"""The project database: one SQLite file per project, read and written through sqlite-utils.

Every user action is one transaction (`BEGIN IMMEDIATE`, so two writers queue instead of failing), and each
writes a row to `changes` saying who did what, when. WAL mode lets readers carry on while someone writes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from annotator.core.errors import (
    ConflictError,
    DamagedDatabaseError,
    DatabaseError,
    NewerDatabaseError,
    NotAProjectError,
    ReadOnlyDatabaseError,
    SchemeError,
    UnavailableError,
)
from annotator.core.labels import DEFAULT_SCHEME, Label, LabelScheme, Role, label_problem, load_scheme
from annotator.core.model import Answer, Document, ImportRecord, Source, Span, SpanState, Token
from annotator.core.tokens import pack_tokens, unpack_tokens
from annotator.store.links import Links
from annotator.store.schema import SCHEMA_VERSION, migrations
from annotator.store.sql import now

BUSY_TIMEOUT_MS = 30_000
_SOURCES = {s.value: s for s in Source}
_STATES = {s.value: s for s in SpanState}
APPLICATION_ID = 0x414E4E54  # "ANNT": marks the file as an annotator project


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    spans: int = 0
    links: int = 0


@dataclass
class DocumentRow:
    """A document as the queue shows it."""

    id: int
    title: str
    answer: str
    n_spans: int


class Store:
    """A project database. Open with `Store(path)`; it is created (with the default scheme) when missing."""

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
        self.links = Links(self)
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
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Everything that decides whether the file is ours only reads: a refused file is left as it was.
            version, app_id = self._identify(exists)
            if not readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":  # pragma: no cover - e.g. a network file system
                    conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = NORMAL")
            if not readonly and exists and not self._may_write():
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

    def _may_write(self) -> bool:
        """May this user write the file and make SQLite's -wal and -shm files beside it? Asked of the system,
        not by writing: opening a project must not change it."""
        return os.access(self.path, os.W_OK) and os.access(self.path.resolve().parent, os.W_OK)

    def _identify(self, exists: bool) -> tuple[int, int]:
        """(schema version, application id); refuses, without writing anything, a file that is not ours."""
        conn = self.conn
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "encrypted" in str(exc):
                raise NotAProjectError(
                    f"{self.path}: not an annotator project database (not an SQLite file)") from None
            raise
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if exists and app_id != APPLICATION_ID:
            tables = set(self.db.table_names())
            if tables or version:
                raise NotAProjectError(
                    f"{self.path}: an SQLite database, but not an annotator project "
                    f"(tables: {', '.join(sorted(tables))[:200] or 'none'}); it was left unchanged"
                )
        return version, app_id

    # ------------------------------------------------------------------ opening and migrating

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
            migrations.apply(self.db)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            if version == 0:
                self._set_meta("created_at", now())
                self._write_scheme(scheme or load_scheme())
            elif version < 3 and self.get_meta("scheme") == DEFAULT_SCHEME:
                self._write_roles(self._known(load_scheme()))  # projects made before events get its roles
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
        try:
            yield self.conn
        except BaseException as exc:
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

    def check_integrity(self) -> None:
        """Refuses a damaged database before anything is written to it (SQLite's quick check: every page read
        once, indexes not compared with their tables)."""
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.Error as exc:
            raise sqlite_error(self.path, exc) from None
        if problems != ["ok"]:
            raise sqlite_error(self.path, sqlite3.DatabaseError("malformed: " + "; ".join(problems)[:300]))

    # ------------------------------------------------------------------ project metadata and labels

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO project(key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM project WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.write():
            self._set_meta(key, value)

    def _write_scheme(self, scheme: LabelScheme) -> None:
        self.db["labels"].insert_all(
            [
                {"name": lb.name, "kind": lb.kind, "colour": lb.colour, "hotkey": lb.hotkey,
                 "description": lb.description, "position": i}
                for i, lb in enumerate(scheme.labels)
            ],
            replace=True,
        )
        self._set_meta("scheme", scheme.name)
        self._set_meta("scheme_description", scheme.description)
        self._set_meta("entity_map", json.dumps(scheme.entity_map))
        self._write_roles(scheme)
        self._scheme = None

    def _known(self, scheme: LabelScheme) -> LabelScheme:
        """The scheme cut down to the labels this project holds (roles keep only fillers it holds)."""
        held = {r[0] for r in self.conn.execute("SELECT name FROM labels")}
        labels = [Label(lb.name, lb.kind, lb.colour, lb.hotkey, lb.description,
                        tuple(Role(r.name, tuple(f for f in r.fillers if f in held), r.hotkey, r.description)
                              for r in lb.roles if any(f in held for f in r.fillers)))
                  for lb in scheme.labels if lb.name in held]
        return LabelScheme(scheme.name, labels, scheme.description,
                           {k: v for k, v in scheme.entity_map.items() if v in held})

    def _write_roles(self, scheme: LabelScheme) -> None:
        """The roles of the scheme's event labels, replacing those labels' roles (links keep their role name)."""
        names = [lb.name for lb in scheme.labels if lb.roles]
        self.conn.executemany("DELETE FROM roles WHERE event = ?", [(n,) for n in names])
        self.db["roles"].insert_all(
            [{"event": lb.name, "name": r.name, "fillers": json.dumps(list(r.fillers)), "hotkey": r.hotkey,
              "description": r.description, "position": i}
             for lb in scheme.labels for i, r in enumerate(lb.roles)],
            replace=True,
        )
        self._scheme = None

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
        return LabelScheme(
            name=self.get_meta("scheme", "custom") or "custom",
            labels=[Label(*row, roles=tuple(roles.get(row[0], ()))) for row in rows],
            description=self.get_meta("scheme_description", "") or "",
            entity_map=json.loads(self.get_meta("entity_map", "{}") or "{}"),
        )

    # ------------------------------------------------------------------ documents in

    def _log(self, action: str, who: str | None, doc_id: int | None = None, span_id: int | None = None,
             **detail: Any) -> None:
        self.conn.execute(
            "INSERT INTO changes(doc_id, span_id, action, who, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, span_id, action, who, now(), json.dumps(detail, ensure_ascii=False) if detail else None),
        )

    def add_records(self, records: Sequence[ImportRecord], who: str | None = None) -> AddResult:
        """Adds a batch of documents (with their spans) in one transaction. Documents whose text is already in
        the project, or earlier in the batch, are skipped whole."""
        result = AddResult()
        if not records:
            return result
        stamp = now()
        with self.write() as conn:
            hashes = [r.document.input_hash for r in records]
            existing = set()
            for i in range(0, len(hashes), 500):
                chunk = hashes[i : i + 500]
                existing.update(
                    row[0] for row in conn.execute(
                        f"SELECT input_hash FROM documents WHERE input_hash IN ({','.join('?' * len(chunk))})",
                        chunk,
                    )
                )
            fresh: list[ImportRecord] = []
            for rec in records:
                h = rec.document.input_hash
                if h in existing:
                    result.duplicates += 1
                else:
                    existing.add(h)
                    fresh.append(rec)
            insert = (
                "INSERT INTO documents(external_id, title, text, meta, input_hash, source_file, answer, "
                "answered_by, answered_at, revision, created_at) VALUES (?,?,?,?,?,?,?,?,?,0,?)"
            )
            span_rows = []
            linked: list[tuple[int, ImportRecord]] = []  # records that come with links, and their ids
            plain: list[ImportRecord] = []  # a run of articles with nothing but their text: inserted together
            for rec in [*fresh, None]:
                if rec is not None and not rec.spans and not rec.document.tokens and \
                        rec.document.answer is Answer.PENDING:
                    plain.append(rec)
                    continue
                if plain:  # ids follow the input's order, so the queue does too
                    conn.executemany(insert, (self._doc_params(r, stamp) for r in plain))
                    plain = []
                if rec is None:
                    break
                doc_id = conn.execute(insert, self._doc_params(rec, stamp)).lastrowid
                if rec.document.tokens:
                    conn.execute("INSERT INTO tokens(doc_id, data) VALUES (?, ?)",
                                 (doc_id, pack_tokens(rec.document.tokens)))
                for sp in rec.spans:
                    span_rows.append((doc_id, sp.start, sp.end, sp.label, sp.source.value, sp.state.value,
                                      sp.score, who, stamp))
                if rec.links:
                    linked.append((doc_id, rec))
            if span_rows:
                cur = conn.executemany(
                    'INSERT OR IGNORE INTO spans(doc_id, start, "end", label, source, state, score, created_by, '
                    "updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    span_rows,
                )
                result.spans = cur.rowcount
            for doc_id, rec in linked:
                ids = {(r[1], r[2], r[3]): r[0] for r in conn.execute(
                    'SELECT id, start, "end", label FROM spans WHERE doc_id = ?', (doc_id,))}
                result.links += self.links.insert(doc_id, rec.links, [ids.get(sp.key) for sp in rec.spans], who,
                                                  stamp)
            result.added = len(fresh)
            if fresh:
                files = sorted({r.path for r in fresh if r.path})
                extra = {"links": result.links} if result.links else {}
                self._log("import", who, documents=len(fresh), spans=result.spans, files=files[:20], **extra)
        return result

    @staticmethod
    def _doc_params(rec: ImportRecord, stamp: str) -> tuple:
        d = rec.document
        return (
            d.external_id, d.title or "", d.text,
            json.dumps(d.meta, ensure_ascii=False) if d.meta else "{}",
            d.input_hash, rec.path, d.answer.value, d.answered_by,
            d.answered_at or (stamp if d.answer is not Answer.PENDING else None),
            stamp,
        )

    # ------------------------------------------------------------------ reading

    def count_documents(self, answer: str | None = None, query: str | None = None) -> int:
        sql, params = self._doc_filter(answer, query)
        return self.conn.execute(f"SELECT count(*) FROM documents d {sql}", params).fetchone()[0]

    def _doc_filter(self, answer: str | None, query: str | None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if answer:
            clauses.append("d.answer = ?")
            params.append(Answer.parse(answer).value)
        if query and query.strip():
            clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(fts_query(query))
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_documents(self, offset: int = 0, limit: int = 100, answer: str | None = None,
                       query: str | None = None) -> list[DocumentRow]:
        """A page of the queue, in document order (for scripts and tests; the window pages by id)."""
        ids = self.document_ids(0, offset + limit, answer, query)[offset:]
        rows = self.document_rows(ids)
        return [rows[i] for i in ids if i in rows]

    def document_ids(self, after: int = 0, limit: int = 1000, answer: str | None = None,
                     query: str | None = None) -> list[int]:
        """The next ids of the queue after `after` (keyset paging: as fast at the millionth row as at the first)."""
        where, params = self._doc_filter(answer, query)
        cond = (where + " AND" if where else "WHERE") + " d.id > ?"
        return [r[0] for r in self.conn.execute(
            f"SELECT d.id FROM documents d {cond} ORDER BY d.id LIMIT ?", [*params, after, limit])]

    def document_rows(self, ids: Sequence[int]) -> dict[int, DocumentRow]:
        """Queue rows (title, answer, visible spans) of these documents."""
        out: dict[int, DocumentRow] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            for row in self.conn.execute(
                "SELECT d.id, d.title, d.answer, (SELECT count(*) FROM spans s WHERE s.doc_id = d.id "
                f"AND s.state != 'rejected') FROM documents d WHERE d.id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[row[0]] = DocumentRow(*row)
        return out

    def next_document(self, after: int, answer: str | None = "pending", backwards: bool = False) -> int | None:
        """The id of the next (or previous) document, optionally with the given answer."""
        clauses, params = [("d.id < ?" if backwards else "d.id > ?")], [after]
        if answer:
            clauses.append("d.answer = ?")
            params.append(answer)
        row = self.conn.execute(
            f"SELECT d.id FROM documents d WHERE {' AND '.join(clauses)} ORDER BY d.id "
            f"{'DESC' if backwards else 'ASC'} LIMIT 1", params).fetchone()
        return row[0] if row else None

    def progress(self) -> tuple[int, int]:
        """(answered, total) documents."""
        total, pending = self.conn.execute(
            "SELECT count(*), sum(answer = 'pending') FROM documents").fetchone()
        return (total or 0) - (pending or 0), total or 0

    def document(self, doc_id: int, with_tokens: bool = True) -> Document:
        tokens_sql = "t.data" if with_tokens else "NULL"
        row = self.conn.execute(
            f"SELECT d.id, external_id, title, text, meta, input_hash, answer, answered_by, answered_at, {tokens_sql} "
            "FROM documents d LEFT JOIN tokens t ON t.doc_id = d.id WHERE d.id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise DatabaseError(f"no document {doc_id} in {self.path}")
        return Document(
            id=row[0], external_id=row[1], title=row[2] or "", text=row[3], meta=json.loads(row[4] or "{}"),
            input_hash=row[5], answer=Answer(row[6]), answered_by=row[7], answered_at=row[8],
            tokens=unpack_tokens(row[9]) if row[9] else None,
        )

    def revision(self, doc_id: int) -> int:
        """Moves on with every edit of the document (an edit that expects an older one is refused)."""
        return self.version(doc_id)[0]

    def version(self, doc_id: int) -> tuple[int, int]:
        """What a window watches to notice any change of a document made elsewhere: its revision (edits) and
        its pre-annotation runs (new suggestions never conflict with edits, so they do not move the revision,
        which would rewrite every document row)."""
        row = self.conn.execute(
            "SELECT revision, (SELECT count(*) FROM preannotated p WHERE p.doc_id = d.id) FROM documents d "
            "WHERE d.id = ?", (doc_id,)).fetchone()
        if row is None:
            raise DatabaseError(f"no document {doc_id} in {self.path}")
        return row[0], row[1]

    def spans(self, doc_id: int, states: Iterable[SpanState] | None = None) -> list[Span]:
        sql = 'SELECT id, start, "end", label, source, state, score FROM spans WHERE doc_id = ?'
        params: list[Any] = [doc_id]
        if states is not None:
            st = [SpanState(s).value for s in states]
            sql += f" AND state IN ({','.join('?' * len(st))})"
            params += st
        sql += ' ORDER BY start, "end" DESC, label'
        return [_span(r) for r in self.conn.execute(sql, params)]

    def span_states(self, doc_id: int, where: tuple[int, int] | None = None) -> dict[int, tuple[str, str]]:
        """id -> (label, state) of the spans of a document (only those over `where`, a (start, end) stretch, if
        given), rejected ones too. Cheap: no records built."""
        sql, params = "SELECT id, label, state FROM spans WHERE doc_id = ?", [doc_id]
        if where is not None:
            sql += ' AND start = ? AND "end" = ?'
            params += list(where)
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(sql, params)}

    def tokens(self, doc_id: int) -> list[Token] | None:
        row = self.conn.execute("SELECT data FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()
        return unpack_tokens(row[0]) if row and row[0] else None

    def span(self, span_id: int) -> tuple[int, Span]:
        r = self.conn.execute(
            'SELECT id, start, "end", label, source, state, score, doc_id FROM spans WHERE id = ?', (span_id,)
        ).fetchone()
        if r is None:
            raise DatabaseError(f"no span {span_id} in {self.path}")
        return r[7], _span(r)

    # ------------------------------------------------------------------ editing (one transaction each)

    def _bump(self, doc_id: int, expected_revision: int | None) -> int:
        rev = self.revision(doc_id)
        if expected_revision is not None and rev != expected_revision:
            raise ConflictError(
                f"document {doc_id} was changed elsewhere (revision {rev}, expected {expected_revision})"
            )
        self.conn.execute("UPDATE documents SET revision = revision + 1 WHERE id = ?", (doc_id,))
        return rev + 1

    def _check_label(self, label: str) -> None:
        if self.conn.execute("SELECT 1 FROM labels WHERE name = ?", (label,)).fetchone() is None:
            raise DatabaseError(f"unknown label {label!r}")

    def add_span(self, doc_id: int, start: int, end: int, label: str, who: str | None,
                 expected_revision: int | None = None) -> Span:
        """The editor marks text as a span. Marking a suggestion (or a removed span) again accepts it."""
        with self.write() as conn:
            self._check_label(label)
            text_len = conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if text_len is None:
                raise DatabaseError(f"no document {doc_id}")
            if not (0 <= start < end <= text_len[0]):
                raise DatabaseError(f"span {start}..{end} lies outside document {doc_id}")
            self._bump(doc_id, expected_revision)
            row = conn.execute(
                'SELECT id, state FROM spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?',
                (doc_id, start, end, label),
            ).fetchone()
            stamp = now()
            if row:
                conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE id = ?", (stamp, row[0]))
                span_id, before = row[0], row[1]
            else:
                cur = conn.execute(
                    'INSERT INTO spans(doc_id, start, "end", label, source, state, created_by, updated_at) '
                    "VALUES (?, ?, ?, ?, 'editor', 'accepted', ?, ?)",
                    (doc_id, start, end, label, who, stamp),
                )
                span_id, before = cur.lastrowid, None
            self._log("add_span", who, doc_id, span_id, start=start, end=end, label=label, before=before)
        return self.span(span_id)[1]

    def set_span_state(self, span_id: int, state: SpanState | str, who: str | None,
                       expected_revision: int | None = None) -> Span:
        state = SpanState(state)
        with self.write() as conn:
            doc_id, span = self.span(span_id)
            self._bump(doc_id, expected_revision)
            stamp = now()
            conn.execute("UPDATE spans SET state = ?, updated_at = ? WHERE id = ?", (state.value, stamp, span_id))
            detail: dict[str, Any] = {"before": span.state.value, "after": state.value}
            if state is SpanState.REJECTED:
                gone = self.links.reject_hanging(doc_id, stamp)  # a removed span takes its links with it
                if gone:
                    detail["links_rejected"] = gone
            self._log("set_state", who, doc_id, span_id, **detail)
        return self.span(span_id)[1]

    def relabel_span(self, span_id: int, label: str, who: str | None,
                     expected_revision: int | None = None) -> Span:
        """Gives a span another label; it becomes an accepted span. If the same stretch already carries that
        label, that span is accepted and this one removed (rejected) instead, so nothing is duplicated."""
        with self.write() as conn:
            self._check_label(label)
            doc_id, span = self.span(span_id)
            self._bump(doc_id, expected_revision)
            other = conn.execute(
                'SELECT id FROM spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ? AND id != ?',
                (doc_id, span.start, span.end, label, span_id),
            ).fetchone()
            stamp = now()
            if other:
                conn.execute("UPDATE spans SET state = 'rejected', updated_at = ? WHERE id = ?", (stamp, span_id))
                conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE id = ?", (stamp, other[0]))
                gone = self.links.reject_hanging(doc_id, stamp)
                self._log("relabel", who, doc_id, span_id, before=span.label, after=label, merged_into=other[0],
                          **({"links_rejected": gone} if gone else {}))
                result_id = other[0]
            else:
                conn.execute(
                    "UPDATE spans SET label = ?, state = 'accepted', updated_at = ? WHERE id = ?",
                    (label, stamp, span_id),
                )
                unfit = self.links.reject_unfit(span_id, stamp)  # roles the new label does not have
                self._log("relabel", who, doc_id, span_id, before=span.label, after=label,
                          state_before=span.state.value, **({"links_rejected": unfit} if unfit else {}))
                result_id = span_id
        return self.span(result_id)[1]

    def delete_span(self, span_id: int, who: str | None, expected_revision: int | None = None) -> Span:
        """Removes a span from the article. It is kept as 'rejected', so pre-annotation never suggests it again."""
        return self.set_span_state(span_id, SpanState.REJECTED, who, expected_revision)

    def accept_all(self, doc_id: int, who: str | None, expected_revision: int | None = None) -> list[int]:
        """Accepts every remaining suggestion of the article; returns the ids of the spans it accepted."""
        with self.write() as conn:
            self._bump(doc_id, expected_revision)
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM spans WHERE doc_id = ? AND state = 'suggested'", (doc_id,))]
            stamp = now()
            conn.execute(
                "UPDATE spans SET state = 'accepted', updated_at = ? WHERE doc_id = ? AND state = 'suggested'",
                (stamp, doc_id),
            )
            links = self.links.accept_suggested(doc_id, stamp)
            self._log("accept_all", who, doc_id, None, spans=ids, **({"links": links} if links else {}))
        return ids

    def set_answer(self, doc_id: int, answer: Answer | str, who: str | None,
                   expected_revision: int | None = None, *, accept_suggested: bool = False,
                   restore: Sequence[tuple[int, str, str]] = (),
                   restore_links: Sequence[tuple[int, str]] = ()) -> list[tuple[int, str, str]]:
        """Answers a document. With `accept_suggested` and the answer accept, the suggestions still standing are
        accepted in the same transaction (what the editor saw highlighted is the answer, as in Prodigy's
        correct workflow), and so are its suggested links; `restore` puts spans back as (id, label, state) and
        `restore_links` links as (id, state) first (how undo takes that back).
        Returns the spans it accepted as they were before, (id, label, 'suggested') each."""
        answer = Answer(answer)
        with self.write() as conn:
            before = conn.execute("SELECT answer FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if before is None:
                raise DatabaseError(f"no document {doc_id}")
            self._bump(doc_id, expected_revision)
            stamp = now()
            self._put_back(doc_id, restore, stamp)
            self.links.put_back(doc_id, restore_links, stamp)
            accepted: list[tuple[int, str, str]] = []
            accepted_links: list[int] = []
            if accept_suggested and answer is Answer.ACCEPT:
                accepted = [(r[0], r[1], SpanState.SUGGESTED.value) for r in conn.execute(
                    "SELECT id, label FROM spans WHERE doc_id = ? AND state = 'suggested' ORDER BY id", (doc_id,))]
                conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE doc_id = ? AND "
                             "state = 'suggested'", (stamp, doc_id))
                accepted_links = self.links.accept_suggested(doc_id, stamp)
            pending = answer is Answer.PENDING
            conn.execute(
                "UPDATE documents SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
                (answer.value, None if pending else who, None if pending else stamp, doc_id),
            )
            detail: dict[str, Any] = {"before": before[0], "after": answer.value}
            if accepted:
                detail["accepted"] = [r[0] for r in accepted]
            if accepted_links:
                detail["accepted_links"] = accepted_links
            if restore:
                detail["restored"] = [list(r) for r in restore]
            if restore_links:
                detail["restored_links"] = [list(r) for r in restore_links]
            self._log("answer", who, doc_id, None, **detail)
        return accepted

    def restore_spans(self, doc_id: int, rows: Sequence[tuple[int, str, str]], who: str | None,
                      expected_revision: int | None = None, links: Sequence[tuple[int, str]] = ()) -> None:
        """Puts spans back as they were, (id, label, state) each, and links, (id, state) each: how the window
        undoes and redoes. One transaction, logged as 'restore'."""
        with self.write():
            self._bump(doc_id, expected_revision)
            stamp = now()
            self._put_back(doc_id, rows, stamp)
            self.links.put_back(doc_id, links, stamp)
            detail: dict[str, Any] = {"spans": [list(r) for r in rows]}
            if links:
                detail["links"] = [list(r) for r in links]
            self._log("restore", who, doc_id, None, **detail)

    def _put_back(self, doc_id: int, rows: Sequence[tuple[int, str, str]], stamp: str) -> None:
        """Sets spans of the document to (id, label, state) each, inside the caller's transaction."""
        self.conn.executemany(
            "UPDATE spans SET label = ?, state = ?, updated_at = ? WHERE id = ? AND doc_id = ?",
            [(label, SpanState(state).value, stamp, span_id, doc_id) for span_id, label, state in rows])

    def set_tokens(self, doc_id: int, tokens: Sequence[Token] | bytes) -> None:
        """Keeps the tokens of a document that has none yet (the first tokenizer to see it wins)."""
        blob = tokens if isinstance(tokens, bytes) else pack_tokens(tokens)
        with self.write() as conn:
            conn.execute("INSERT OR IGNORE INTO tokens(doc_id, data) VALUES (?, ?)", (doc_id, blob))

    # ------------------------------------------------------------------ pre-annotation

    def iter_unannotated_ids(self, pipeline: str, batch_size: int = 256, doc_ids: Sequence[int] | None = None,
                             only_pending: bool = True) -> Iterator[list[int]]:
        """Batches of the ids of documents this pipeline has not pre-annotated yet (of `doc_ids` when given, answered
        or not). Reads by id ranges, so that it can be interrupted and resumed, and so memory stays flat."""
        not_done = "NOT EXISTS (SELECT 1 FROM preannotated p WHERE p.doc_id = d.id AND p.pipeline = ?)"
        if doc_ids is not None:
            wanted = sorted(set(doc_ids))
            for i in range(0, len(wanted), batch_size):
                chunk = wanted[i : i + batch_size]
                ids = [r[0] for r in self.conn.execute(
                    f"SELECT d.id FROM documents d WHERE d.id IN ({','.join('?' * len(chunk))}) AND {not_done} "
                    "ORDER BY d.id", [*chunk, pipeline])]
                if ids:
                    yield ids
            return
        last = -1
        pending = " AND d.answer = 'pending'" if only_pending else ""
        while True:
            ids = [r[0] for r in self.conn.execute(
                f"SELECT d.id FROM documents d WHERE d.id > ?{pending} AND {not_done} ORDER BY d.id LIMIT ?",
                (last, pipeline, batch_size))]
            if not ids:
                return
            last = ids[-1]
            yield ids

    def iter_unannotated(self, pipeline: str, batch_size: int = 256, doc_ids: Sequence[int] | None = None,
                         only_pending: bool = True) -> Iterator[list[tuple[int, str, bytes | None]]]:
        """The same batches as (id, text, packed tokens) rows."""
        for ids in self.iter_unannotated_ids(pipeline, batch_size, doc_ids, only_pending):
            yield self.rows_for(ids)

    def rows_for(self, ids: Sequence[int]) -> list[tuple[int, str, bytes | None]]:
        """(id, text, packed tokens) of these documents, in id order."""
        out: list[tuple[int, str, bytes | None]] = []
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            out += self.conn.execute(
                "SELECT d.id, d.text, (SELECT data FROM tokens t WHERE t.doc_id = d.id) FROM documents d "
                f"WHERE d.id IN ({','.join('?' * len(chunk))}) ORDER BY d.id", chunk).fetchall()
        return out

    def count_unannotated(self, pipeline: str, only_pending: bool = True) -> int:
        extra = " AND d.answer = 'pending'" if only_pending else ""
        return self.conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM preannotated p WHERE "
            "p.doc_id = d.id AND p.pipeline = ?)" + extra,
            (pipeline,),
        ).fetchone()[0]

    def save_suggestions(self, results: Sequence[tuple], pipeline: str, who: str | None = None) -> int:
        """Stores a batch of pre-annotation results (doc id, tokens, spans[, links]) in one transaction; a span is
        a Span or a (start, end, label, source, score) tuple, a link (event key, argument key, role) with keys
        (start, end, label). Tokens are kept for documents that have none yet. A suggestion never replaces or
        repeats a span or link already there, whatever its state, and no link is suggested for a span the
        editor removed. Returns the number of spans added."""
        stamp = now()
        token_rows = [(t if isinstance(t, bytes) else pack_tokens(t), r[0]) for r in results if (t := r[1])]
        insert = (
            'INSERT OR IGNORE INTO spans(doc_id, start, "end", label, source, state, score, created_by, '
            "updated_at) VALUES (?, ?, ?, ?, ?, 'suggested', ?, ?, ?)"
        )
        rows = [(r[0], s[0], s[1], s[2], s[3], s[4], pipeline, stamp) if isinstance(s, tuple) else
                (r[0], s.start, s.end, s.label, s.source.value, s.score, pipeline, stamp)
                for r in results for s in r[2]]
        with self.write() as conn:
            if token_rows:
                conn.executemany("INSERT OR IGNORE INTO tokens(data, doc_id) VALUES (?, ?)", token_rows)
            before = conn.total_changes
            conn.executemany(insert, rows)
            added = conn.total_changes - before
            for r in results:
                if len(r) > 3 and r[3]:
                    self._suggest_links(r[0], r[3], pipeline, stamp)
            conn.executemany(
                "INSERT OR REPLACE INTO preannotated(doc_id, pipeline, at, suggestions) VALUES (?, ?, ?, ?)",
                [(r[0], pipeline, stamp, len(r[2])) for r in results],
            )
            if results:
                self._log("preannotate", who, None, None, pipeline=pipeline, documents=len(results),
                          suggestions=added)
        return added

    def _suggest_links(self, doc_id: int, links: Sequence[tuple], pipeline: str, stamp: str) -> None:
        ids = {(r[1], r[2], r[3]): (r[0], r[4]) for r in self.conn.execute(
            'SELECT id, start, "end", label, state FROM spans WHERE doc_id = ?', (doc_id,))}
        rows = []
        for event, argument, role in links:
            e, a = ids.get(tuple(event)), ids.get(tuple(argument))
            if e and a and SpanState.REJECTED.value not in (e[1], a[1]):
                rows.append((doc_id, e[0], a[0], role, pipeline, stamp))
        self.conn.executemany(
            "INSERT OR IGNORE INTO links(doc_id, event_id, arg_id, role, source, state, created_by, updated_at) "
            "VALUES (?, ?, ?, ?, 'rule', 'suggested', ?, ?)", rows)

    # ------------------------------------------------------------------ export

    def export_keys(self, include_pending: bool = False) -> list[tuple[int, str, str]]:
        """(id, input hash, answer) of the documents an export would consider, in id order."""
        where = "" if include_pending else " WHERE answer != 'pending'"
        return self.conn.execute(f"SELECT id, input_hash, answer FROM documents{where} ORDER BY id").fetchall()

    def iter_for_export(self, include_pending: bool = False, labels: Iterable[str] | None = None,
                        batch_size: int = 500, with_state: bool = False,
                        ) -> Iterator[tuple[dict[str, Any], list[tuple]]]:
        """Documents in id order with the spans an export carries: accepted spans of answered documents, and with
        `include_pending`, the other documents with their suggestions and accepted spans. Streams. Spans are
        (start, end, label), or with `with_state` (start, end, label, state). The document's `links` are
        (event, argument, role), the first two positions in its spans, for the links (of the same states) whose
        spans both go out; `links_left_out` counts the others."""
        label_set = set(labels) if labels else None
        where = "" if include_pending else "WHERE answer != 'pending'"
        last = -1
        while True:
            cond = ("WHERE" if not where else where + " AND") + " id > ?"
            docs = self.conn.execute(
                "SELECT id, external_id, title, text, meta, input_hash, answer, answered_by, answered_at, "
                f"(SELECT data FROM tokens t WHERE t.doc_id = documents.id) FROM documents {cond} ORDER BY id LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not docs:
                return
            first, last = docs[0][0], docs[-1][0]
            by_doc: dict[int, list[tuple[int, int, str, str]]] = {}
            for doc_id, start, end, label, state in self.conn.execute(
                'SELECT doc_id, start, "end", label, state FROM spans WHERE doc_id BETWEEN ? AND ? '
                "AND state != 'rejected' ORDER BY doc_id, start, \"end\", label",
                (first, last),
            ):
                by_doc.setdefault(doc_id, []).append((start, end, label, state))
            links_of: dict[int, list[tuple]] = {}
            for row in self.conn.execute(
                'SELECT l.doc_id, e.start, e."end", e.label, a.start, a."end", a.label, l.role, l.state FROM links l '
                "JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id WHERE l.doc_id BETWEEN ? AND ? "
                "AND l.state != 'rejected' ORDER BY l.doc_id, l.id", (first, last),
            ):
                links_of.setdefault(row[0], []).append(row[1:])
            for row in docs:
                doc = {
                    "id": row[0], "external_id": row[1], "title": row[2], "text": row[3], "meta": row[4],
                    "input_hash": row[5], "answer": row[6], "answered_by": row[7], "answered_at": row[8],
                    "tokens": row[9],
                }
                answered = row[6] != "pending"
                spans = [
                    (s, e, lb, st) if with_state else (s, e, lb) for s, e, lb, st in by_doc.get(row[0], ())
                    if (st == "accepted" or not answered) and (label_set is None or lb in label_set)
                ]
                position = {sp[:3]: i for i, sp in enumerate(spans)}
                # links as (event position, argument position, role) in `spans`, when both spans go out
                doc["links"] = []
                for link in links_of.get(row[0], ()):
                    event, argument, role, state = link[0:3], link[3:6], link[6], link[7]
                    if (state == "accepted" or not answered) and event in position and argument in position:
                        doc["links"].append((position[event], position[argument], role))
                doc["links_left_out"] = len(links_of.get(row[0], ())) - len(doc["links"])
                yield doc, spans

    # ------------------------------------------------------------------ stats

    def stats(self) -> dict[str, Any]:
        conn = self.conn
        by_answer = dict(conn.execute("SELECT answer, count(*) FROM documents GROUP BY answer").fetchall())
        spans: dict[str, dict[str, int]] = {}
        for label, state, n in conn.execute("SELECT label, state, count(*) FROM spans GROUP BY label, state"):
            spans.setdefault(label, {})[state] = n
        editors: dict[str, dict[str, int]] = {}
        for who, answer, n in conn.execute(
            "SELECT answered_by, answer, count(*) FROM documents WHERE answer != 'pending' GROUP BY 1, 2"
        ):
            editors.setdefault(who or "(unknown)", {})[answer] = n
        for who, n in conn.execute(
            "SELECT who, count(*) FROM changes WHERE action NOT IN ('import', 'preannotate') GROUP BY who"
        ):
            editors.setdefault(who or "(unknown)", {})["changes"] = n
        return {
            "documents": sum(by_answer.values()),
            "by_answer": {a.value: by_answer.get(a.value, 0) for a in Answer},
            "spans": spans,
            "editors": editors,
            "preannotated": dict(conn.execute(
                "SELECT pipeline, count(*) FROM preannotated GROUP BY pipeline").fetchall()),
        }


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
    writable = os.access(p, os.W_OK) and os.access(p.resolve().parent, os.W_OK)
    return Store(p, create=False, readonly=not writable)


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


def _span(r: tuple) -> Span:
    """A Span from a row (id, start, end, label, source, state, score, ...): dict lookups and positional arguments,
    as a window opens articles with thousands of spans."""
    return Span(r[1], r[2], r[3], _SOURCES[r[4]], _STATES[r[5]], r[6], r[0])


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: every word must occur (prefix match on the last one)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    if not words:
        return '""'
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


