"""Reading a project out: the documents an export takes, streamed with their spans and links, and the statistics."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotator.core.model import Answer, Document, Link, Record, Source, Span
from annotator.store.sql import ANSWERS, SOURCES, STATES, Repository, span_of


def _document(row: tuple) -> Document:
    """A Document from (id, external id, title, text, meta, input hash, answer, answered by, answered at, ...)."""
    return Document(text=row[3], title=row[2] or "", meta=json.loads(row[4]) if row[4] and row[4] != "{}" else {},
                    external_id=row[1], input_hash=row[5], id=row[0], answer=ANSWERS[row[6]], answered_by=row[7],
                    answered_at=row[8])


class ExportStream(Repository):
    """Reading a project out: the documents an export takes, streamed with their spans and links, and the statistics.

    `store.exports`: it works on the store's connection."""

    def export_keys(self, include_pending: bool = False) -> list[tuple[int, str, str]]:
        """(id, input hash, answer) of the documents an export would consider, in id order."""
        where = "" if include_pending else " WHERE answer != 'pending'"
        return self.conn.execute(f"SELECT id, input_hash, answer FROM documents{where} ORDER BY id").fetchall()

    def iter_for_export(self, include_pending: bool = False, labels: Iterable[str] | None = None,
                        batch_size: int = 500) -> Iterator[tuple[Record, bytes | None]]:
        """Articles in id order, each a `Record` with the spans an export carries, and its packed tokens (None
        when it has none yet): accepted spans of answered articles, and with `include_pending`, the other
        articles with their suggestions and accepted spans. Streams. Its links (of the same states) name its
        spans by position; `links_left_out` counts those whose spans do not both go out."""
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
            by_doc: dict[int, list[tuple]] = {}
            for row in self.conn.execute(
                'SELECT doc_id, id, start, "end", label, source, state, score FROM spans WHERE doc_id BETWEEN ? AND ? '
                "AND state != 'rejected' ORDER BY doc_id, start, \"end\", label",
                (first, last),
            ):
                by_doc.setdefault(row[0], []).append(row[1:])
            links_of: dict[int, list[tuple]] = {}
            for row in self.conn.execute(
                "SELECT doc_id, event_id, arg_id, role, source, state, score, id FROM links "
                "WHERE doc_id BETWEEN ? AND ? AND state != 'rejected' ORDER BY doc_id, id", (first, last),
            ):
                links_of.setdefault(row[0], []).append(row[1:])
            notes = self.store.notes.for_export([r[0] for r in docs])  # comments and flags go out in meta
            for row in docs:
                document = _document(row)
                if row[0] in notes:
                    document.meta = {**document.meta, **notes[row[0]]}
                answer = document.answer
                answered = answer is not Answer.PENDING
                spans = [span_of(r) for r in by_doc.get(row[0], ())
                         if (r[5] == "accepted" or not answered) and (label_set is None or r[3] in label_set)]
                position = {sp.id: i for i, sp in enumerate(spans)}
                # the links an export of this article carries by their state (an answered article's accepted
                # ones); of those, the ones whose spans do not both go out are counted, by why
                due = [r for r in links_of.get(row[0], ()) if r[4] == "accepted" or not answered]
                links = [Link(position[r[0]], position[r[1]], r[2], SOURCES[r[3]], STATES[r[4]], r[5], r[6])
                         for r in due if r[0] in position and r[1] in position]
                out = {r[0] for r in by_doc.get(row[0], ()) if r[5] == "accepted" or not answered}
                by_label = sum(1 for r in due if (r[0] not in position or r[1] not in position)
                               and r[0] in out and r[1] in out)
                yield Record(document, spans, links=links, links_left_out=by_label,
                             links_hanging=len(due) - len(links) - by_label), row[9]

    def layer_keys(self, editor: str, include_pending: bool = False) -> list[tuple[int, str, str]]:
        """(id, input hash, answer) of the articles an editor answered in their layer (with `include_pending`,
        also those assigned to them they have not answered), in id order."""
        return [(d, h, a or "pending") for d, h, a in self.conn.execute(
            "SELECT d.id, d.input_hash, a.answer FROM documents d LEFT JOIN layer_answers a ON a.doc_id = d.id AND "
            "a.editor = ? WHERE (a.answer IS NOT NULL AND a.answer != 'pending') OR (? AND d.id IN (SELECT doc_id "
            "FROM assignments WHERE editor = ?)) ORDER BY d.id", (editor, include_pending, editor))]

    def iter_layer(self, editor: str, labels: Iterable[str] | None = None, batch_size: int = 500,
                   include_pending: bool = False) -> Iterator[tuple[Record, bytes | None]]:
        """One editor's layer as `iter_for_export` gives their own project file: the articles they answered
        (whatever the answer), with the spans and links they accepted; with `include_pending`, also the articles
        assigned to them they have not answered, with the suggestions their file was packed with, as their
        layer left them."""
        label_set = set(labels) if labels else None
        keys = self.layer_keys(editor, include_pending)
        for i in range(0, len(keys), batch_size):
            ids = [k[0] for k in keys[i:i + batch_size]]
            answers = {k[0]: k[2] for k in keys[i:i + batch_size]}
            first, last = ids[0], ids[-1]
            at = dict(self.conn.execute("SELECT doc_id, at FROM layer_answers WHERE editor = ? AND doc_id BETWEEN ? "
                                        "AND ?", (editor, first, last)))
            docs = {r[0]: r for r in self.conn.execute(
                "SELECT id, external_id, title, text, meta, input_hash, 'pending', NULL, NULL, (SELECT data FROM "
                "tokens t WHERE t.doc_id = documents.id) FROM documents WHERE id BETWEEN ? AND ?", (first, last))}
            spans_of: dict[int, dict[tuple, tuple[str, str]]] = {}
            links_of: dict[int, dict[tuple, str]] = {}
            pending = [d for d in ids if answers[d] == "pending"]
            if pending:  # what the editor's file was packed with: the suggestions pre-annotation made
                for d, s_, e, lb, source in self.conn.execute(
                        'SELECT doc_id, start, "end", label, source FROM spans WHERE doc_id BETWEEN ? AND ? AND '
                        "source != 'editor'", (first, last)):
                    if answers.get(d) == "pending":
                        spans_of.setdefault(d, {})[(s_, e, lb)] = ("suggested", source)
                for d, *k in self.conn.execute(
                        'SELECT l.doc_id, e.start, e."end", e.label, a.start, a."end", a.label, l.role FROM links l '
                        "JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id WHERE l.doc_id BETWEEN ? "
                        "AND ? AND l.source != 'editor' AND e.source != 'editor' AND a.source != 'editor'",
                        (first, last)):
                    if answers.get(d) == "pending":
                        links_of.setdefault(d, {})[(tuple(k[0:3]), tuple(k[3:6]), k[6])] = "suggested"
            for d, s_, e, lb, state, source in self.conn.execute(
                    'SELECT doc_id, start, "end", label, state, source FROM layer_spans WHERE editor = ? AND doc_id '
                    "BETWEEN ? AND ?", (editor, first, last)):
                if d in answers:
                    spans_of.setdefault(d, {})[(s_, e, lb)] = (state, source)
            for d, *k in self.conn.execute(
                    "SELECT doc_id, event_start, event_end, event_label, arg_start, arg_end, arg_label, role, state "
                    "FROM layer_links WHERE editor = ? AND doc_id BETWEEN ? AND ?", (editor, first, last)):
                if d in answers:
                    links_of.setdefault(d, {})[(tuple(k[0:3]), tuple(k[3:6]), k[6])] = k[7]
            notes = self.store.notes.for_export(ids, editor)
            for d in ids:
                row = docs[d]
                answer = answers[d]
                if answer != "pending":
                    row = (*row[:6], answer, editor, at.get(d), row[9])
                document = _document(row)
                if d in notes:
                    document.meta = {**document.meta, **notes[d]}
                answered = answer != "pending"
                def due(state: str, answered: bool = answered) -> bool:  # what an export of the editor's own
                    return state == "accepted" if answered else state != "rejected"  # file carries, by state

                out = [Span(s_, e, lb, SOURCES[src], STATES[st]) for (s_, e, lb), (st, src) in
                       sorted(spans_of.get(d, {}).items()) if due(st)]
                spans = [sp for sp in out if label_set is None or sp.label in label_set]
                position = {sp.key: i for i, sp in enumerate(spans)}
                kept = {sp.key for sp in out}
                every = [(k, st) for k, st in sorted(links_of.get(d, {}).items()) if due(st)]
                links = [Link(position[k[0]], position[k[1]], k[2], Source.EDITOR, STATES[st]) for k, st in every
                         if k[0] in position and k[1] in position]
                by_label = sum(1 for k, _ in every if not (k[0] in position and k[1] in position)
                               and k[0] in kept and k[1] in kept)
                yield Record(document, spans, links=links, links_left_out=by_label,
                             links_hanging=len(every) - len(links) - by_label), row[9]

    def stats(self) -> dict[str, Any]:
        """The project's figures, as the database keeps them (migrations 0005 and 0007): read, not counted."""
        conn = self.conn
        by_answer = {name.split(":", 1)[1]: n for name, n in conn.execute(
            "SELECT name, n FROM counts WHERE name LIKE 'answer:%'")}
        spans: dict[str, dict[str, int]] = {}
        editors: dict[str, dict[str, int]] = {}
        preannotated: dict[str, int] = {}
        for what, a, b, n in conn.execute("SELECT what, a, b, n FROM tallies WHERE n != 0 ORDER BY what, a, b"):
            if what == "span":
                spans.setdefault(a, {})[b] = n
            elif what == "answered":
                editors.setdefault(a or "(unknown)", {})[b] = n
            elif what == "changes":
                editors.setdefault(a or "(unknown)", {})["changes"] = n
            elif what == "preannotated":
                preannotated[a] = n
        return {
            "documents": sum(by_answer.values()),
            "by_answer": {a.value: by_answer.get(a.value, 0) for a in Answer},
            "spans": spans,
            "editors": editors,
            "preannotated": preannotated,
        }
