"""The editors' work on an article: spans and answers, each change one transaction under the article's
revision check, logged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from annotator.core.errors import DatabaseError, EditError
from annotator.core.model import Answer, Span, SpanState
from annotator.store.sql import Repository, marks, now, rows_in, span_of


class Annotations(Repository):
    """The editors' work on an article: spans and answers, each change one transaction under the article's
    revision check, logged.

    `store.annotations`: it works on the store's connection and inside its transactions."""

    def spans(self, doc_id: int, states: Iterable[SpanState] | None = None) -> list[Span]:
        sql = 'SELECT id, start, "end", label, source, state, score FROM spans WHERE doc_id = ?'
        params: list[Any] = [doc_id]
        if states is not None:
            st = [SpanState(s).value for s in states]
            sql += f" AND state IN ({marks(len(st))})"
            params += st
        sql += ' ORDER BY start, "end" DESC, label'
        return [span_of(r) for r in self.conn.execute(sql, params)]

    def span_states(self, doc_id: int, where: tuple[int, int] | None = None) -> dict[int, tuple[str, str]]:
        """id -> (label, state) of the spans of a document (only those within `where`, a (start, end) stretch,
        if given), rejected ones too. Cheap: no records built."""
        sql, params = "SELECT id, label, state FROM spans WHERE doc_id = ?", [doc_id]
        if where is not None:
            sql += ' AND start >= ? AND "end" <= ?'
            params += list(where)
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(sql, params)}

    def span(self, span_id: int) -> tuple[int, Span]:
        r = self.conn.execute(
            'SELECT id, start, "end", label, source, state, score, doc_id FROM spans WHERE id = ?', (span_id,)
        ).fetchone()
        if r is None:
            raise DatabaseError(f"no span {span_id} in {self.store.path}")
        return r[7], span_of(r)

    def add_span(self, doc_id: int, start: int, end: int, label: str, who: str | None,
                 expected_revision: int | None = None) -> Span:
        """The editor marks text as a span. Marking a suggestion (or a removed span) again accepts it."""
        with self.store.write() as conn:
            self.store.check_label(label)
            text_len = conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if text_len is None:
                raise DatabaseError(f"no document {doc_id}")
            if not (0 <= start < end <= text_len[0]):
                raise DatabaseError(f"span {start}..{end} lies outside document {doc_id}")
            self.store.bump(doc_id, expected_revision)
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
            self.store._log("add_span", who, doc_id, span_id, start=start, end=end, label=label, before=before)
        return self.span(span_id)[1]

    def set_span_state(self, span_id: int, state: SpanState | str, who: str | None,
                       expected_revision: int | None = None) -> Span:
        state = SpanState(state)
        with self.store.write() as conn:
            doc_id, span = self.span(span_id)
            self.store.bump(doc_id, expected_revision)
            stamp = now()
            conn.execute("UPDATE spans SET state = ?, updated_at = ? WHERE id = ?", (state.value, stamp, span_id))
            detail: dict[str, Any] = {"before": span.state.value, "after": state.value}
            if state is SpanState.REJECTED:
                gone = self.store.links.reject_hanging(span_id, stamp)  # a removed span takes its links with it
                if gone:
                    detail["links_rejected"] = gone
            self.store._log("set_state", who, doc_id, span_id, **detail)
        return self.span(span_id)[1]

    def relabel_span(self, span_id: int, label: str, who: str | None,
                     expected_revision: int | None = None) -> Span:
        """Gives a span another label; it becomes an accepted span. If the same stretch already carries that
        label, that span is accepted and this one removed (rejected) instead, so nothing is duplicated."""
        with self.store.write() as conn:
            self.store.check_label(label)
            doc_id, span = self.span(span_id)
            self.store.bump(doc_id, expected_revision)
            other = conn.execute(
                'SELECT id FROM spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ? AND id != ?',
                (doc_id, span.start, span.end, label, span_id),
            ).fetchone()
            stamp = now()
            if other:
                conn.execute("UPDATE spans SET state = 'rejected', updated_at = ? WHERE id = ?", (stamp, span_id))
                conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE id = ?", (stamp, other[0]))
                gone = self.store.links.reject_hanging(span_id, stamp)
                self.store._log("relabel", who, doc_id, span_id, before=span.label, after=label, merged_into=other[0],
                          **({"links_rejected": gone} if gone else {}))
                result_id = other[0]
            else:
                conn.execute(
                    "UPDATE spans SET label = ?, state = 'accepted', updated_at = ? WHERE id = ?",
                    (label, stamp, span_id),
                )
                self._restamp_links([span_id], stamp)
                unfit = self.store.links.reject_unfit(span_id, stamp)  # roles the new label does not have
                self.store._log("relabel", who, doc_id, span_id, before=span.label, after=label,
                          state_before=span.state.value, **({"links_rejected": unfit} if unfit else {}))
                result_id = span_id
        return self.span(result_id)[1]

    def resize_span(self, span_id: int, start: int, end: int, who: str | None,
                    expected_revision: int | None = None) -> Span:
        """Moves a span's edges to [start, end): its label, state and links stay (the links carry the change's
        time, as a relabel's do). Refused, changing nothing, where another span of that label already has those
        edges, or the edges lie outside the article."""
        with self.store.write() as conn:
            doc_id, span = self.span(span_id)
            text_len = conn.execute("SELECT length(text) FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
            if not (0 <= start < end <= text_len):
                raise EditError(f"span {start}..{end} lies outside the article")
            self.store.bump(doc_id, expected_revision)
            if (start, end) == (span.start, span.end):
                return span
            other = conn.execute('SELECT state FROM spans WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ? '
                                 "AND id != ?", (doc_id, start, end, span.label, span_id)).fetchone()
            if other is not None:
                said = "a suggestion" if other[0] == "suggested" else ("a removed span" if other[0] == "rejected"
                                                                      else "a span")
                raise EditError(f"{said} labelled {span.label} already has those edges; accept or relabel it "
                                "instead")
            stamp = now()
            conn.execute('UPDATE spans SET start = ?, "end" = ?, updated_at = ? WHERE id = ?',
                         (start, end, stamp, span_id))
            self._restamp_links([span_id], stamp)
            self.store._log("resize", who, doc_id, span_id, before=[span.start, span.end], after=[start, end])
        return self.span(span_id)[1]

    def delete_span(self, span_id: int, who: str | None, expected_revision: int | None = None) -> Span:
        """Removes a span from the article. It is kept as 'rejected', so pre-annotation never suggests it again."""
        return self.set_span_state(span_id, SpanState.REJECTED, who, expected_revision)

    def accept_all(self, doc_id: int, who: str | None, expected_revision: int | None = None) -> list[int]:
        """Accepts every remaining suggestion of the article; returns the ids of the spans it accepted."""
        with self.store.write():
            self.store.bump(doc_id, expected_revision)
            spans, links = self._accept_suggested(doc_id, now())
            ids = [r[0] for r in spans]
            self.store._log("accept_all", who, doc_id, None, spans=ids, **({"links": links} if links else {}))
        return ids

    def _accept_suggested(self, doc_id: int, stamp: str) -> tuple[list[tuple[int, str, str]], list[int]]:
        """Inside the caller's transaction: accepts the article's suggested spans and then its suggested links
        (those whose spans both stand). Returns the spans as they were, (id, label, 'suggested') each, and the
        links' ids."""
        spans = [(r[0], r[1], SpanState.SUGGESTED.value) for r in self.conn.execute(
            "SELECT id, label FROM spans WHERE doc_id = ? AND state = 'suggested' ORDER BY id", (doc_id,))]
        self.conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE doc_id = ? AND "
                          "state = 'suggested'", (stamp, doc_id))
        return spans, self.store.links.accept_suggested(doc_id, stamp)

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
        with self.store.write() as conn:
            before = conn.execute("SELECT answer FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if before is None:
                raise DatabaseError(f"no document {doc_id}")
            self.store.bump(doc_id, expected_revision)
            stamp = now()
            self._put_back(doc_id, restore, stamp)
            self.store.links.put_back(doc_id, restore_links, stamp)
            accepted: list[tuple[int, str, str]] = []
            accepted_links: list[int] = []
            if accept_suggested and answer is Answer.ACCEPT:
                accepted, accepted_links = self._accept_suggested(doc_id, stamp)
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
            self.store._log("answer", who, doc_id, None, **detail)
        return accepted

    def restore_spans(self, doc_id: int, rows: Sequence[tuple[int, str, str]], who: str | None,
                      expected_revision: int | None = None, links: Sequence[tuple[int, str]] = (),
                      bounds: Sequence[tuple[int, int, int]] = ()) -> None:
        """Puts spans back as they were, (id, label, state) each, their edges, (id, start, end) each, and links,
        (id, state) each: how the window undoes and redoes. One transaction, logged as 'restore'."""
        with self.store.write():
            self.store.bump(doc_id, expected_revision)
            stamp = now()
            if bounds:
                self.conn.executemany('UPDATE spans SET start = ?, "end" = ?, updated_at = ? WHERE id = ? AND '
                                      "doc_id = ?", [(s, e, stamp, i, doc_id) for i, s, e in bounds])
                self._restamp_links([b[0] for b in bounds], stamp)
            self._put_back(doc_id, rows, stamp)
            self.store.links.put_back(doc_id, links, stamp)
            detail: dict[str, Any] = {"spans": [list(r) for r in rows]}
            if links:
                detail["links"] = [list(r) for r in links]
            if bounds:
                detail["bounds"] = [list(b) for b in bounds]
            self.store._log("restore", who, doc_id, None, **detail)

    def _put_back(self, doc_id: int, rows: Sequence[tuple[int, str, str]], stamp: str) -> None:
        """Sets spans of the document to (id, label, state) each, inside the caller's transaction."""
        ids = [r[0] for r in rows]
        labels = dict(rows_in(self.conn, "SELECT id, label FROM spans WHERE id IN ({in})", ids)) if ids else {}
        self.conn.executemany(
            "UPDATE spans SET label = ?, state = ?, updated_at = ? WHERE id = ? AND doc_id = ?",
            [(label, SpanState(state).value, stamp, span_id, doc_id) for span_id, label, state in rows])
        self._restamp_links([i for i, label, _ in rows if labels.get(i, label) != label], stamp)

    def _restamp_links(self, span_ids: Sequence[int], stamp: str) -> None:
        """Inside the caller's transaction: the links of spans whose label changed carry the change's time, as
        the spans do. A link is known elsewhere (an editor's layer of a team's project) by its spans' labels:
        relabelling a span changes what its links are, which must never look like an old change."""
        for end in ("event_id", "arg_id"):
            for _ in rows_in(self.conn, f"UPDATE links SET updated_at = ? WHERE {end} IN ({{in}})", span_ids,
                             before=[stamp]):
                pass
