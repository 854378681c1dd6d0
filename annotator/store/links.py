"""The links of a project: an argument span filling a role of an event span ("Russia" as the attacker of
"launched"). `store.links` is this repository, on the store's connection and inside its transactions: every
change checks the article's revision, is checked against the label scheme and goes to the change log.

Links are never deleted, like spans: removing one sets it 'rejected', so pre-annotation never suggests it
again, and rejecting a span rejects the links that hang on it (undo puts both back)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from annotator.core.edits import LinkRow
from annotator.core.errors import DatabaseError, LinkError
from annotator.core.model import Link, Source, SpanState
from annotator.store.sql import SOURCES, STATES, Repository, marks, now

_COLUMNS = "id, event_id, arg_id, role, source, state, score"


def _link(row: Sequence) -> Link:
    """A Link from a row (id, event, argument, role, source, state, score): dict lookups, as an article may hold
    a thousand links."""
    return Link(row[1], row[2], row[3], SOURCES[row[4]], STATES[row[5]], row[6], row[0])


class Links(Repository):
    """`store.links`."""

    # ------------------------------------------------------------------ reading

    def of_document(self, doc_id: int, states: Iterable[SpanState] | None = None) -> list[Link]:
        """The links of an article, in the order they were made; by default those not rejected."""
        wanted = [SpanState(s).value for s in (states or (SpanState.SUGGESTED, SpanState.ACCEPTED))]
        rows = self.store.conn.execute(
            f"SELECT {_COLUMNS} FROM links WHERE doc_id = ? AND state IN ({marks(len(wanted))}) ORDER BY id",
            (doc_id, *wanted)).fetchall()
        return [_link(r) for r in rows]

    def get(self, link_id: int) -> tuple[int, Link]:
        row = self.store.conn.execute(f"SELECT {_COLUMNS}, doc_id FROM links WHERE id = ?", (link_id,)).fetchone()
        if row is None:
            raise DatabaseError(f"no link {link_id}")
        return row[7], _link(row)

    def states(self, doc_id: int) -> dict[int, str]:
        """id -> state of every link of an article (what undo records)."""
        return dict(self.store.conn.execute("SELECT id, state FROM links WHERE doc_id = ?", (doc_id,)))

    # ------------------------------------------------------------------ writing (one transaction each)

    def _check(self, doc_id: int, event_id: int, arg_id: int, role: str) -> None:
        rows = {r[0]: r[1:] for r in self.store.conn.execute(
            "SELECT id, doc_id, label, state FROM spans WHERE id IN (?, ?)", (event_id, arg_id))}
        for span_id in (event_id, arg_id):
            if span_id not in rows:
                raise LinkError(f"no span {span_id}")
            if rows[span_id][0] != doc_id:
                raise LinkError(f"span {span_id} is not in document {doc_id}")
            if rows[span_id][2] == SpanState.REJECTED.value:
                raise LinkError(f"span {span_id} was removed; a removed span cannot be linked")
        if event_id == arg_id:
            raise LinkError("a span cannot fill a role of itself")
        problem = self.store.scheme.link_problem(rows[event_id][1], role, rows[arg_id][1])
        if problem:
            raise LinkError(problem)

    def add(self, doc_id: int, event_id: int, arg_id: int, role: str, who: str | None,
            expected_revision: int | None = None) -> Link:
        """The editor links an argument span to an event span in a role (both become accepted spans, since
        the editor used them). Linking a suggested or removed link again accepts it."""
        with self.store.write() as conn:
            self._check(doc_id, event_id, arg_id, role)
            self.store.bump(doc_id, expected_revision)
            stamp = now()
            self._accept_spans(event_id, arg_id, stamp)
            row = conn.execute("SELECT id, state FROM links WHERE event_id = ? AND arg_id = ? AND role = ?",
                               (event_id, arg_id, role)).fetchone()
            if row:
                conn.execute("UPDATE links SET state = 'accepted', updated_at = ? WHERE id = ?", (stamp, row[0]))
                link_id, before = row[0], row[1]
            else:
                link_id = conn.execute(
                    "INSERT INTO links(doc_id, event_id, arg_id, role, source, state, created_by, updated_at) "
                    "VALUES (?, ?, ?, ?, 'editor', 'accepted', ?, ?)",
                    (doc_id, event_id, arg_id, role, who, stamp)).lastrowid
                before = None
            self.store._log("add_link", who, doc_id, event_id, link=link_id, argument=arg_id, role=role,
                            before=before)
        return self.get(link_id)[1]

    def set_state(self, link_id: int, state: SpanState | str, who: str | None,
                  expected_revision: int | None = None) -> Link:
        """Accepts a suggested link, or removes one (rejected). Accepting a link whose span was removed is
        refused."""
        state = SpanState(state)
        with self.store.write():
            doc_id, link = self.get(link_id)
            if state is not SpanState.REJECTED:
                self._check(doc_id, link.event, link.argument, link.role)
            self.store.bump(doc_id, expected_revision)
            stamp = now()
            if state is SpanState.ACCEPTED:  # an accepted link is one the editor used: its spans too
                self._accept_spans(link.event, link.argument, stamp)
            self._mark([link_id], state, stamp)
            self.store._log("set_link_state", who, doc_id, link.event, link=link_id, before=link.state.value,
                            after=state.value)
        return self.get(link_id)[1]

    def _accept_spans(self, event_id: int, arg_id: int, stamp: str) -> None:
        self.store.conn.execute("UPDATE spans SET state = 'accepted', updated_at = ? WHERE id IN (?, ?) AND "
                                "state = 'suggested'", (stamp, event_id, arg_id))

    def _mark(self, ids: Sequence[int], state: SpanState, stamp: str, dropped: bool = False) -> list[int]:
        """Inside the caller's transaction: sets these links to a state; returns their ids. `dropped`: removed
        with one of their spans (or by its relabel), not by the editor's own hand (the effort figures tell
        them apart)."""
        self.store.conn.executemany("UPDATE links SET state = ?, updated_at = ?, dropped = ? WHERE id = ?",
                                    [(state.value, stamp, int(dropped), i) for i in ids])
        return list(ids)

    def reject_hanging(self, span_id: int, stamp: str) -> list[int]:
        """Inside the caller's transaction, after `span_id` was removed: rejects the links that hang on it;
        returns their ids."""
        ids = [r[0] for r in self.store.conn.execute(
            "SELECT id FROM links WHERE (event_id = ? OR arg_id = ?) AND state != 'rejected'", (span_id, span_id))]
        return self._mark(ids, SpanState.REJECTED, stamp, dropped=True)

    def reject_unfit(self, span_id: int, stamp: str) -> list[int]:
        """Inside the caller's transaction, after `span_id` was relabelled: rejects its links that the scheme no
        longer allows (a role its new label does not have, a label that may not fill the role)."""
        conn = self.store.conn
        scheme = self.store.scheme
        rows = conn.execute(
            "SELECT l.id, e.label, l.role, a.label FROM links l JOIN spans e ON e.id = l.event_id "
            "JOIN spans a ON a.id = l.arg_id WHERE (l.event_id = ? OR l.arg_id = ?) AND l.state != 'rejected'",
            (span_id, span_id)).fetchall()
        return self._mark([r[0] for r in rows if scheme.link_problem(r[1], r[2], r[3])], SpanState.REJECTED, stamp,
                          dropped=True)

    def accept_suggested(self, doc_id: int, stamp: str) -> list[int]:
        """Inside the caller's transaction: accepts the article's suggested links whose spans are both shown
        (not rejected); returns their ids."""
        conn = self.store.conn
        ids = [r[0] for r in conn.execute(
            "SELECT l.id FROM links l JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id "
            "WHERE l.doc_id = ? AND l.state = 'suggested' AND e.state != 'rejected' AND a.state != 'rejected' "
            "ORDER BY l.id", (doc_id,))]
        return self._mark(ids, SpanState.ACCEPTED, stamp)

    def put_back(self, doc_id: int, rows: Sequence[LinkRow], stamp: str) -> None:
        """Inside the caller's transaction: sets links of the article to (id, state) each (undo, redo)."""
        self.store.conn.executemany(
            "UPDATE links SET state = ?, updated_at = ? WHERE id = ? AND doc_id = ?",
            [(SpanState(state).value, stamp, link_id, doc_id) for link_id, state in rows])

    def insert(self, doc_id: int, links: Iterable[Link], who: str | None, stamp: str) -> int:
        """Inside the caller's transaction: stores imported or suggested links, whose `event` and `argument`
        are span ids. A link already there, whatever its state, is left as it is (the editor's decision on it
        stands). Returns how many were added."""
        return self.store.conn.executemany(
            "INSERT OR IGNORE INTO links(doc_id, event_id, arg_id, role, source, state, score, created_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, lk.event, lk.argument, lk.role, Source(lk.source).value, SpanState(lk.state).value,
              lk.score, who, stamp) for lk in links]).rowcount  # rows it inserted (not what triggers changed)
