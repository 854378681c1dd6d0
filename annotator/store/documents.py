"""The articles: adding them (with their spans and links), paging and searching the queue, reading one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from annotator.core.errors import ConflictError, DatabaseError
from annotator.core.model import Answer, Document, Link, Record, SpanState, Token
from annotator.core.tokens import pack_tokens, unpack_tokens
from annotator.store.notes import EMPTY as EMPTY_NOTE
from annotator.store.sql import Repository, execute_in, now, rows_in


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    spans: int = 0
    links: int = 0
    ids: list[int] = field(default_factory=list)  # of the documents added, in the input's order


@dataclass
class DocumentRow:
    """A document as the queue shows it."""

    id: int
    title: str
    answer: str
    n_spans: int
    flagged: bool = False  # it or one of its spans is flagged (annotator.store.notes)
    commented: bool = False


REVIEW = "review"  # the queue's filter for a team's articles left to decide, worst agreement first
# the queue's order for active learning: the pending articles a trained model judged most useful to correct
# first (migration 0009), then the pending articles no model has judged, in id order
USEFUL = "useful"
NOTED = "noted"  # the queue's filter for the articles flagged or commented (their own notes, or an editor's)
HASTY = "hasty"  # the queue's filter for the articles accepted unread, or in a run with every suggestion as it was


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: every word must occur (prefix match on the last one)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    if not words:
        return '""'
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


class Documents(Repository):
    """The articles: adding them (with their spans and links), paging and searching the queue, reading one.

    `store.documents`: it works on the store's connection and inside its transactions."""

    def add_records(self, records: Sequence[Record], who: str | None = None) -> AddResult:
        """Adds a batch of documents (with their spans) in one transaction. Documents whose text is already in
        the project, or earlier in the batch, are skipped whole."""
        result = AddResult()
        if not records:
            return result
        stamp = now()
        with self.store.write() as conn:
            hashes = [r.document.input_hash for r in records]
            existing = {row[0] for row in rows_in(conn, "SELECT input_hash FROM documents WHERE input_hash IN ({in})",
                                                  hashes)}
            fresh: list[Record] = []
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
            linked: list[tuple[int, Record]] = []  # records that come with links, and their ids
            plain: list[Record] = []  # a run of articles with nothing but their text: inserted together
            for rec in [*fresh, None]:
                if rec is not None and not rec.spans and not rec.document.tokens and \
                        rec.document.answer is Answer.PENDING:
                    plain.append(rec)
                    continue
                if plain:  # ids follow the input's order, so the queue does too
                    conn.executemany(insert, (self._doc_params(r, stamp, who) for r in plain))
                    plain = []
                if rec is None:
                    break
                doc_id = conn.execute(insert, self._doc_params(rec, stamp, who)).lastrowid
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
                # links name the record's spans by position; every span is stored by now (INSERT OR IGNORE)
                span_ids = [ids[sp.key] for sp in rec.spans]
                result.links += self.store.links.insert(
                    doc_id, [replace(lk, event=span_ids[lk.event], argument=span_ids[lk.argument]) for lk in rec.links],
                    who, stamp)
            result.added = len(fresh)
            by_hash = dict(rows_in(conn, "SELECT input_hash, id FROM documents WHERE input_hash IN ({in})",
                                   [r.document.input_hash for r in fresh]))
            result.ids = [by_hash[r.document.input_hash] for r in fresh]
            if fresh:
                files = sorted({r.path for r in fresh if r.path})
                extra = {"links": result.links} if result.links else {}
                self.store._log("import", who, documents=len(fresh), spans=result.spans, files=files[:20], **extra)
        return result

    @staticmethod
    def _doc_params(rec: Record, stamp: str, who: str | None) -> tuple:
        """An answer a record brings belongs to the annotator it names, else to whoever imports it."""
        d = rec.document
        return (
            d.external_id, d.title or "", d.text,
            json.dumps(d.meta, ensure_ascii=False) if d.meta else "{}",
            d.input_hash, rec.path, d.answer.value,
            d.answered_by or (who if d.answer is not Answer.PENDING else None),
            d.answered_at or (stamp if d.answer is not Answer.PENDING else None),
            stamp,
        )

    def count_documents(self, answer: str | None = None, query: str | None = None, label: str | None = None) -> int:
        """How many articles (with this answer, holding these words, showing a span of this label): without words
        or label, as the database keeps the counts (migration 0005), not by counting rows."""
        if answer == USEFUL:  # every pending article, in another order
            answer = "pending"
        if not (query and query.strip()) and answer not in (REVIEW, NOTED, HASTY) and not label:
            name = f"answer:{Answer.parse(answer).value}" if answer else "documents"
            return self.conn.execute("SELECT n FROM counts WHERE name = ?", (name,)).fetchone()[0]
        source, where, params = self._doc_filter(answer, query, label)
        return self.conn.execute(f"SELECT count(DISTINCT d.id) {source} {where}", params).fetchone()[0]

    def _doc_filter(self, answer: str | None, query: str | None,
                    label: str | None = None) -> tuple[str, str, list[Any]]:
        """FROM, WHERE and parameters of the queue's filter. A search walks the full-text index in id order and
        joins each hit to its article, so that a page of a word found in most articles reads one page of hits,
        not all of them (FTS5 pages its own rowids). A label alone walks the spans of that label in article
        order (migration 0008's index), so a rare label's page does not look into every article; with words or
        a review, each article found is looked into for a span of the label. A rejected span does not count."""
        source, clauses, params = "FROM documents d", [], []
        by_spans = False  # a label alone walks its spans, unless the articles of the answer asked for are fewer
        if answer == NOTED:  # flagged or commented, by its own notes (not on a removed span) or an editor's
            clauses.append("(d.id IN (SELECT n.doc_id FROM notes n LEFT JOIN spans s ON s.id = n.span_id WHERE "
                           "(n.text != '' OR n.flagged) AND (n.span_id = 0 OR s.state != 'rejected')) OR d.id IN "
                           "(SELECT doc_id FROM layer_notes WHERE note != ?))")
            params.append(EMPTY_NOTE)
            answer = None
        if answer == HASTY:  # flagged for a reviewer's look by the effort figures (annotator.core.effort)
            clauses.append("d.id IN (SELECT doc_id FROM effort WHERE flag != '')")
            answer = None
        if answer == REVIEW:  # the articles left to decide, worst agreement first (document_ids orders them)
            source = "FROM reviews r CROSS JOIN documents d ON d.id = r.doc_id"
            clauses.append("d.answer = 'pending' AND r.disputed > 0")
            if query and query.strip():
                clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
                params.append(fts_query(query))
            answer = None
        elif query and query.strip():
            source = "FROM documents_fts f CROSS JOIN documents d ON d.id = f.rowid"  # CROSS: the index first
            clauses.append("documents_fts MATCH ?")
            params.append(fts_query(query))
        elif label and (not answer or self._label_spans(label) <= self.count_documents(answer)):
            by_spans = True  # the label's spans first (CROSS); both counts are kept by the database
            source = "FROM spans s CROSS JOIN documents d ON d.id = s.doc_id"
            clauses.append("s.label = ? AND s.state != 'rejected'")
            params.append(label)
        if label and not by_spans:
            clauses.append("EXISTS (SELECT 1 FROM spans s WHERE s.doc_id = d.id AND s.label = ? "
                           "AND s.state != 'rejected')")
            params.append(label)
        if answer:
            clauses.append("d.answer = ?")
            params.append(Answer.parse(answer).value)
        return source, ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _label_spans(self, label: str) -> int:
        """How many spans of the label are not rejected, as the database keeps it (migration 0007)."""
        return self.conn.execute("SELECT coalesce(sum(n), 0) FROM tallies WHERE what = 'span' AND a = ? "
                                 "AND b != 'rejected'", (label,)).fetchone()[0]

    def list_documents(self, offset: int = 0, limit: int = 100, answer: str | None = None,
                       query: str | None = None, label: str | None = None) -> list[DocumentRow]:
        """A page of the queue, in document order (for scripts and tests; the window pages by id)."""
        ids = self.document_ids(0, offset + limit, answer, query, label=label)[offset:]
        rows = self.document_rows(ids)
        return [rows[i] for i in ids if i in rows]

    def document_ids(self, after: int = 0, limit: int | None = 1000, answer: str | None = None,
                     query: str | None = None, until: int | None = None, label: str | None = None) -> list[int]:
        """The next ids of the queue after `after` (keyset paging: as fast at the millionth row as at the first),
        at most `limit` of them (None: no limit), up to `until` when given."""
        if answer == USEFUL:
            return self._useful_ids(after, limit, query, label, until)
        source, where, params = self._doc_filter(answer, query, label)
        if answer == REVIEW:  # keyset on (agreement, id)
            score = "(SELECT score FROM reviews WHERE doc_id = ?)"
            cond, bounds = where, []
            if after:
                cond += f" AND (r.score, d.id) > ({score}, ?)"
                bounds += [after, after]
            if until is not None:
                cond += f" AND (r.score, d.id) <= ({score}, ?)"
                bounds += [until, until]
            return [r[0] for r in self.conn.execute(
                f"SELECT d.id {source} {cond} ORDER BY r.score, d.id LIMIT ?",
                [*params, *bounds, -1 if limit is None else limit])]
        # by the index's own rowid when searching: FTS5 then stops at the page's end
        key = {"documents_fts": "f.rowid", "spans": "s.doc_id"}.get(source.split()[1], "d.id")
        cond = (where + " AND" if where else "WHERE") + f" {key} > ?"
        bounds = [after]
        if until is not None:
            cond += f" AND {key} <= ?"
            bounds.append(until)
        distinct = "DISTINCT" if key == "s.doc_id" else ""  # an article holds many spans of a label
        return [r[0] for r in self.conn.execute(f"SELECT {distinct} {key} {source} {cond} ORDER BY {key} LIMIT ?",
                                                [*params, *bounds, -1 if limit is None else limit])]

    def _useful_ids(self, after: int, limit: int | None, query: str | None, label: str | None,
                    until: int | None) -> list[int]:
        """`document_ids` in the order of usefulness: the pending articles a model judged, most useful first
        (keyset on the index's (rank, id)), then the pending articles it has not judged, by id. `after` and
        `until` are articles of either part; the part of each is looked up."""
        clauses, params = ["d.answer = 'pending'"], []
        if query and query.strip():
            clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(fts_query(query))
        if label:
            clauses.append("EXISTS (SELECT 1 FROM spans s WHERE s.doc_id = d.id AND s.label = ? "
                           "AND s.state != 'rejected')")
            params.append(label)
        where = " AND ".join(clauses)

        def rank(doc_id: int) -> float | None:
            row = self.conn.execute("SELECT rank FROM priorities WHERE doc_id = ?", (doc_id,)).fetchone()
            return row[0] if row else None

        after_rank = rank(after) if after else None
        until_rank = rank(until) if until is not None else None
        left = -1 if limit is None else limit
        ids: list[int] = []
        if not after or after_rank is not None:  # the judged part
            cond, bounds = where, []
            if after:
                cond += " AND (p.rank, p.doc_id) > (?, ?)"
                bounds += [after_rank, after]
            if until_rank is not None:
                cond += " AND (p.rank, p.doc_id) <= (?, ?)"
                bounds += [until_rank, until]
            ids = [r[0] for r in self.conn.execute(
                f"SELECT d.id FROM priorities p CROSS JOIN documents d ON d.id = p.doc_id WHERE {cond} "
                "ORDER BY p.rank, p.doc_id LIMIT ?", [*params, *bounds, left])]
            if until_rank is not None or (limit is not None and len(ids) >= limit):
                return ids
            after = 0
        cond, bounds = where + " AND NOT EXISTS (SELECT 1 FROM priorities p WHERE p.doc_id = d.id) AND d.id > ?", [
            after]
        if until is not None:
            cond += " AND d.id <= ?"
            bounds.append(until)
        return ids + [r[0] for r in self.conn.execute(
            f"SELECT d.id FROM documents d WHERE {cond} ORDER BY d.id LIMIT ?",
            [*params, *bounds, -1 if limit is None else limit - len(ids)])]

    def usefulness(self, ids: Sequence[int]) -> dict[int, float]:
        """How useful to correct next the last pre-annotation with a trained model judged these articles (those
        it judged)."""
        return {r[0]: -r[1] for r in rows_in(self.conn, "SELECT doc_id, rank FROM priorities WHERE doc_id IN ({in})",
                                             ids)}

    def judged(self) -> int:
        """How many pending articles a trained model has judged for the order of usefulness."""
        return self.conn.execute("SELECT count(*) FROM priorities p CROSS JOIN documents d ON d.id = p.doc_id "
                                 "WHERE d.answer = 'pending'").fetchone()[0]

    def document_rows(self, ids: Sequence[int]) -> dict[int, DocumentRow]:
        """Queue rows (title, answer, visible spans, flagged, commented) of these documents."""
        marks = self.store.notes.marks(ids)
        return {row[0]: DocumentRow(*row, *marks.get(row[0], (False, False))) for row in rows_in(
            self.conn, "SELECT d.id, d.title, d.answer, (SELECT count(*) FROM spans s WHERE s.doc_id = d.id "
            "AND s.state != 'rejected') FROM documents d WHERE d.id IN ({in})", ids)}

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

    def last_id(self) -> int:
        """The newest article's id (0 in an empty project): it moves when articles are added, which a window
        watches for at no cost."""
        return self.conn.execute("SELECT max(id) FROM documents").fetchone()[0] or 0

    def progress(self) -> tuple[int, int]:
        """(answered, total) documents, as the database keeps them (migration 0005's triggers): two rows read,
        however many articles there are."""
        counts = dict(self.conn.execute("SELECT name, n FROM counts WHERE name IN ('documents', 'answer:pending')"))
        return counts["documents"] - counts["answer:pending"], counts["documents"]

    def document(self, doc_id: int, with_tokens: bool = True) -> Document:
        tokens_sql = "t.data" if with_tokens else "NULL"
        row = self.conn.execute(
            f"SELECT d.id, external_id, title, text, meta, input_hash, answer, answered_by, answered_at, {tokens_sql} "
            "FROM documents d LEFT JOIN tokens t ON t.doc_id = d.id WHERE d.id = ?",
            (doc_id,),
        ).fetchone()
        if row is None:
            raise DatabaseError(f"no document {doc_id} in {self.store.path}")
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
            raise DatabaseError(f"no document {doc_id} in {self.store.path}")
        return row[0], row[1]

    def tokens(self, doc_id: int) -> list[Token] | None:
        row = self.conn.execute("SELECT data FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()
        return unpack_tokens(row[0]) if row and row[0] else None

    def set_tokens(self, doc_id: int, tokens: Sequence[Token]) -> None:
        """Keeps the tokens of a document that has none yet (the first tokenizer to see it wins)."""
        with self.store.write() as conn:
            conn.execute("INSERT OR IGNORE INTO tokens(doc_id, data) VALUES (?, ?)", (doc_id, pack_tokens(tokens)))

    def remove(self, doc_ids: Sequence[int], who: str | None) -> list[Record]:
        """Takes back an import: removes these articles with their spans, links and tokens, and returns them as
        records (spans and links in every state) that `add_records` puts back. Refuses, removing nothing, if an
        editor has changed any of them since they came in."""
        ids = sorted(set(doc_ids))
        with self.store.write() as conn:
            rows = dict(rows_in(conn, "SELECT id, revision FROM documents WHERE id IN ({in})", ids))
            missing = [i for i in ids if i not in rows]
            if missing:
                raise DatabaseError(f"no document {', '.join(map(str, missing[:10]))} in {self.store.path}")
            edited = [i for i in ids if rows[i] > 0]
            if edited:
                raise ConflictError(f"document(s) {', '.join(map(str, edited[:10]))} were edited after they came "
                                    f"in; nothing was removed")
            records = [self._record(i) for i in ids]
            for table in ("links", "spans", "tokens", "preannotated", "documents"):
                column = "id" if table == "documents" else "doc_id"
                execute_in(conn, f"DELETE FROM {table} WHERE {column} IN ({{in}})", ids)
            self.store._log("remove_documents", who, documents=len(ids), ids=ids[:100])
        return records

    def _record(self, doc_id: int) -> Record:
        """The article as a record: its document, every span and link (positions in its spans), its file."""
        doc = self.document(doc_id)
        path = self.conn.execute("SELECT source_file FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        spans = self.store.annotations.spans(doc_id)
        position = {sp.id: i for i, sp in enumerate(spans)}
        links = [Link(position[lk.event], position[lk.argument], lk.role, lk.source, lk.state, lk.score)
                 for lk in self.store.links.of_document(doc_id, states=list(SpanState))]
        for sp in spans:
            sp.id = None
        doc.id = None
        return Record(doc, spans, path=path, links=links)
