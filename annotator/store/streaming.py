"""Reading a project out: the documents an export takes, streamed with their spans and links, and the statistics."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
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
            for row in docs:
                document = _document(row)
                answer = document.answer
                answered = answer is not Answer.PENDING
                spans = [span_of(r) for r in by_doc.get(row[0], ())
                         if (r[5] == "accepted" or not answered) and (label_set is None or r[3] in label_set)]
                position = {sp.id: i for i, sp in enumerate(spans)}
                links = [Link(position[r[0]], position[r[1]], r[2], SOURCES[r[3]], STATES[r[4]], r[5], r[6])
                         for r in links_of.get(row[0], ())
                         if (r[4] == "accepted" or not answered) and r[0] in position and r[1] in position]
                yield Record(document, spans, links=links,
                             links_left_out=len(links_of.get(row[0], ())) - len(links)), row[9]

    def layer_keys(self, editor: str) -> list[tuple[int, str, str]]:
        """(id, input hash, answer) of the articles an editor answered in their layer, in id order."""
        return self.conn.execute(
            "SELECT d.id, d.input_hash, a.answer FROM layer_answers a JOIN documents d ON d.id = a.doc_id "
            "WHERE a.editor = ? AND a.answer != 'pending' ORDER BY d.id", (editor,)).fetchall()

    def iter_layer(self, editor: str, labels: Iterable[str] | None = None, batch_size: int = 500
                   ) -> Iterator[tuple[Record, bytes | None]]:
        """One editor's layer as `iter_for_export` gives the project's own: the articles they answered, with
        their answer and the spans and links they accepted."""
        label_set = set(labels) if labels else None
        last = -1
        while True:
            docs = self.conn.execute(
                "SELECT d.id, d.external_id, d.title, d.text, d.meta, d.input_hash, a.answer, a.editor, a.at, "
                "(SELECT data FROM tokens t WHERE t.doc_id = d.id) FROM layer_answers a JOIN documents d ON "
                "d.id = a.doc_id WHERE a.editor = ? AND a.answer != 'pending' AND d.id > ? ORDER BY d.id LIMIT ?",
                (editor, last, batch_size)).fetchall()
            if not docs:
                return
            first, last = docs[0][0], docs[-1][0]
            spans_of: dict[int, list[tuple]] = {}
            for row in self.conn.execute(
                    'SELECT doc_id, start, "end", label, source FROM layer_spans WHERE editor = ? AND doc_id BETWEEN '
                    "? AND ? AND state = 'accepted' ORDER BY doc_id, start, \"end\" DESC, label",
                    (editor, first, last)):
                spans_of.setdefault(row[0], []).append(row[1:])
            links_of: dict[int, list[tuple]] = {}
            for row in self.conn.execute(
                    "SELECT doc_id, event_start, event_end, event_label, arg_start, arg_end, arg_label, role FROM "
                    "layer_links WHERE editor = ? AND doc_id BETWEEN ? AND ? AND state = 'accepted' ORDER BY doc_id",
                    (editor, first, last)):
                links_of.setdefault(row[0], []).append(row[1:])
            for row in docs:
                document = _document(row)
                answer = document.answer
                spans = [Span(s, e, lb, SOURCES[src], SpanState.ACCEPTED) for s, e, lb, src in
                         spans_of.get(row[0], ()) if answer is Answer.ACCEPT and (label_set is None or lb in label_set)]
                position = {sp.key: i for i, sp in enumerate(spans)}
                every = links_of.get(row[0], ()) if answer is Answer.ACCEPT else ()
                links = [Link(position[r[0:3]], position[r[3:6]], r[6], Source.EDITOR, SpanState.ACCEPTED)
                         for r in every if r[0:3] in position and r[3:6] in position]
                yield Record(document, spans, links=links, links_left_out=len(every) - len(links)), row[9]

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
