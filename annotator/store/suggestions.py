"""The pre-annotation work queue: which articles a pipeline has not seen, and storing what it suggests
(spans and links) without touching the editors' work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from annotator.core.model import Link, Source, Span, SpanState
from annotator.core.tokens import pack_tokens
from annotator.store.sql import Repository, execute_in, now, rows_in, span_of


def origin(span: Span, pipeline: str) -> str:
    """A suggestion's maker as the effort figures name it: its rule pattern's id, or the model of the pipeline."""
    if span.source is Source.MODEL:
        return f"model:{pipeline}"
    return span.origin or span.source.value


class Suggestions(Repository):
    """`store.suggestions`: the pre-annotation work queue and its results, on the store's connection and inside
    its transactions."""

    def iter_unannotated_ids(self, pipeline: str, batch_size: int = 256, doc_ids: Sequence[int] | None = None,
                             only_pending: bool = True) -> Iterator[list[int]]:
        """Batches of the ids of documents this pipeline has not pre-annotated yet (of `doc_ids` when given, answered
        or not). Reads by id ranges, so that it can be interrupted and resumed, and so memory stays flat."""
        not_done = "NOT EXISTS (SELECT 1 FROM preannotated p WHERE p.doc_id = d.id AND p.pipeline = ?)"
        if doc_ids is not None:
            wanted = sorted(set(doc_ids))
            for i in range(0, len(wanted), batch_size):
                ids = [r[0] for r in rows_in(
                    self.conn, "SELECT d.id FROM documents d WHERE d.id IN ({in}) AND " + not_done + " ORDER BY d.id",
                    wanted[i : i + batch_size], after=[pipeline], chunk=batch_size)]
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
        return list(rows_in(self.conn, "SELECT d.id, d.text, (SELECT data FROM tokens t WHERE t.doc_id = d.id) "
                                       "FROM documents d WHERE d.id IN ({in}) ORDER BY d.id", ids))

    def count_unannotated(self, pipeline: str, only_pending: bool = True) -> int:
        extra = " AND d.answer = 'pending'" if only_pending else ""
        return self.conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM preannotated p WHERE "
            "p.doc_id = d.id AND p.pipeline = ?)" + extra,
            (pipeline,),
        ).fetchone()[0]

    def save_suggestions(self, results: Sequence[tuple], pipeline: str, who: str | None = None) -> int:
        """Stores a batch of pre-annotation results (doc id, tokens, spans[, links[, usefulness]]) in one
        transaction: spans are `Span`s, links `Link`s naming them by position in the spans, usefulness (when not
        None) a trained model's judgement of how useful the article is to correct next (the queue's "most useful
        first"). Tokens are kept for documents that have none yet. A suggestion never replaces or repeats a span
        or link already there, whatever its state, and no link is suggested for a span the editor removed.
        Returns the number of spans added."""
        stamp = now()
        token_rows = [(t if isinstance(t, bytes) else pack_tokens(t), r[0]) for r in results if (t := r[1])]
        insert = (
            'INSERT OR IGNORE INTO spans(doc_id, start, "end", label, source, state, score, created_by, '
            "updated_at, origin, first_label, first_at) VALUES (?, ?, ?, ?, ?, 'suggested', ?, ?, ?, ?, ?, ?)"
        )
        # where each came from (its rule pattern, or the model) and what it was: `annotator stats --effort`
        rows = [(r[0], s.start, s.end, s.label, s.source.value, s.score, pipeline, stamp, origin(s, pipeline), s.label,
                 f"{s.start}:{s.end}") for r in results for s in r[2]]
        with self.store.write() as conn:
            if token_rows:
                conn.executemany("INSERT OR IGNORE INTO tokens(data, doc_id) VALUES (?, ?)", token_rows)
            added = conn.executemany(insert, rows).rowcount  # rows it inserted (not what triggers changed)
            for r in results:
                if len(r) > 3 and r[3]:
                    self._suggest_links(r[0], r[2], r[3], pipeline, stamp)
            conn.executemany(
                "INSERT OR REPLACE INTO preannotated(doc_id, pipeline, at, suggestions) VALUES (?, ?, ?, ?)",
                [(r[0], pipeline, stamp, len(r[2])) for r in results],
            )
            ranks = [(r[0], -float(r[4]), pipeline, stamp) for r in results if len(r) > 4 and r[4] is not None]
            if ranks:  # a trained model's judgement of each article, for the queue's "most useful first"
                conn.executemany("INSERT OR REPLACE INTO priorities(doc_id, rank, pipeline, at) VALUES (?, ?, ?, ?)",
                                 ranks)
            if results:
                self.store._log("preannotate", who, None, None, pipeline=pipeline, documents=len(results),
                          suggestions=added)
        return added

    def _suggest_links(self, doc_id: int, spans: Sequence[Span], links: Sequence[Link], pipeline: str,
                       stamp: str) -> None:
        """Stores suggested links between these spans, never one over a span the editor removed."""
        ids = {(r[1], r[2], r[3]): (r[0], r[4]) for r in self.conn.execute(
            'SELECT id, start, "end", label, state FROM spans WHERE doc_id = ?', (doc_id,))}
        found = []
        for lk in links:  # every span of the batch is stored by now, suggested or as it was before
            e, a = ids[spans[lk.event].key], ids[spans[lk.argument].key]
            if SpanState.REJECTED.value not in (e[1], a[1]):
                found.append(Link(e[0], a[0], lk.role, lk.source, SpanState.SUGGESTED))
        self.store.links.insert(doc_id, found, pipeline, stamp)

    def remove(self, pipeline: str, doc_ids: Sequence[int], who: str | None) -> list[tuple]:
        """Takes back a pre-annotation run in these articles: removes the spans `pipeline` suggested that are
        still suggestions (and no editor's decision on a link holds on to), with their suggested links, and
        forgets that it ran there. Returns them as `save_suggestions` takes them, to suggest them again."""
        out, removed = [], 0
        with self.store.write() as conn:
            for doc_id in sorted(set(doc_ids)):
                spans = [span_of(r) for r in conn.execute(
                    'SELECT id, start, "end", label, source, state, score FROM spans s WHERE doc_id = ? AND '
                    "created_by = ? AND state = 'suggested' AND NOT EXISTS (SELECT 1 FROM links l WHERE "
                    "(l.event_id = s.id OR l.arg_id = s.id) AND l.state != 'suggested') AND NOT EXISTS (SELECT 1 "
                    "FROM notes n WHERE n.doc_id = s.doc_id AND n.span_id = s.id AND (n.text != '' OR n.flagged)) "
                    "ORDER BY start, \"end\", label", (doc_id, pipeline))]  # one with the editor's note stays
                ids = [sp.id for sp in spans]
                removed += len(ids)
                gone = set(ids)
                links = [lk for lk in self.store.links.of_document(doc_id, [SpanState.SUGGESTED])
                         if lk.event in gone or lk.argument in gone]
                # a link to a span that stays (one the editor accepted) goes too; its span is named with the
                # others, so that suggesting them again links it again (its span is left as it is)
                spans += [sp for sp in self.store.annotations.spans(doc_id)
                          if sp.id not in gone and any(sp.id in (lk.event, lk.argument) for lk in links)]
                position = {sp.id: i for i, sp in enumerate(spans)}
                execute_in(conn, "DELETE FROM links WHERE event_id IN ({in})", ids)
                execute_in(conn, "DELETE FROM links WHERE arg_id IN ({in})", ids)
                execute_in(conn, "DELETE FROM spans WHERE id IN ({in})", ids)
                conn.execute("DELETE FROM preannotated WHERE doc_id = ? AND pipeline = ?", (doc_id, pipeline))
                out.append((doc_id, None, [replace(sp, id=None) for sp in spans],
                            [replace(lk, event=position[lk.event], argument=position[lk.argument], id=None)
                             for lk in links]))
            self.store._log("remove_suggestions", who, None, None, pipeline=pipeline, documents=len(out),
                            suggestions=removed)
        return out
