"""Reading a project out: the documents an export takes, streamed with their spans and links, and the statistics."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotator.core.model import Answer
from annotator.store.sql import Repository


class ExportStream(Repository):
    """Reading a project out: the documents an export takes, streamed with their spans and links, and the statistics.

    `store.exports`: it works on the store's connection."""

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
