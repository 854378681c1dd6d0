"""What an editor does to one article, without any Qt: open it, snap a selection to tokens, change spans and the
answer through the store (each a transaction that checks nobody else changed the article meanwhile), and undo.

The window's undo commands wrap `EditSession.apply` and `EditSession.restore`: an action is recorded as the
states of the spans it changed, before and after, so undo and redo are plain restores whatever the action was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import ConflictError, LinkError
from annotator.core.labels import Role
from annotator.core.model import Answer, Document, Link, Span, SpanState, Token
from annotator.core.spans import TokenIndex
from annotator.store import Store

SpanRow = tuple[int, str, str]  # id, label, state
LinkRow = tuple[int, str]  # id, state


@dataclass
class Change:
    """The spans an action changed, their (id, label, state) before and after, and the links, (id, state)."""

    doc_id: int
    before: list[SpanRow] = field(default_factory=list)
    after: list[SpanRow] = field(default_factory=list)
    result: Any = None
    links_before: list[LinkRow] = field(default_factory=list)
    links_after: list[LinkRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.after or self.links_after)


class EditSession:
    def __init__(self, store: Store, who: str, tokenizer: Callable[[str], list[Token]] | None = None) -> None:
        self.store = store
        self.who = who
        self.tokenizer = tokenizer
        self.doc: Document | None = None
        self.spans: list[Span] = []
        self._links: list[Link] | None = []
        self.revision = -1
        self.version: tuple[int, int] = (-1, -1)
        self._index: TokenIndex | None = None

    # ---------------------------------------------------------------- reading

    def open(self, doc_id: int) -> Document:
        self.doc = self.store.document(doc_id, with_tokens=False)  # tokens are read when a selection snaps
        self.revision = self.store.revision(doc_id)
        self._index = None
        self.reload_spans()
        return self.doc

    def reload_spans(self) -> None:
        assert self.doc is not None and self.doc.id is not None
        self.spans = self.store.spans(self.doc.id, states=[SpanState.SUGGESTED, SpanState.ACCEPTED])
        self._links = None  # read when first asked for (most articles are opened without an event in focus)
        self.version = self.store.version(self.doc.id)
        self.revision = self.version[0]

    @property
    def links(self) -> list[Link]:
        """The open article's links, suggested and accepted."""
        if self._links is None:
            self._links = self.store.links.of_document(self.doc.id) if self.doc and self.doc.id is not None else []
        return self._links

    @property
    def doc_id(self) -> int | None:
        return self.doc.id if self.doc else None

    def changed_elsewhere(self) -> bool:
        """True when another window or program changed this article since it was loaded here."""
        return self.doc is not None and self.doc.id is not None and self.store.version(self.doc.id) != self.version

    def token_index(self) -> TokenIndex:
        """The article's tokens (stored, or made now with the tokenizer and kept)."""
        if self._index is None:
            assert self.doc is not None and self.doc.id is not None
            tokens = self.doc.tokens or self.store.tokens(self.doc.id)
            if tokens is None and self.tokenizer is not None:
                tokens = self.tokenizer(self.doc.text)
                self.store.set_tokens(self.doc.id, tokens)
                self.doc.tokens = tokens
            self._index = TokenIndex(tokens or [])
        return self._index

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """A selection widened to whole tokens (None if it holds only whitespace)."""
        return self.token_index().snap(start, end)

    def spans_at(self, pos: int) -> list[Span]:
        """The visible spans covering a character position, shortest first."""
        return sorted((s for s in self.spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.start))

    # ---------------------------------------------------------------- writing

    def _snapshot(self, doc_id: int, where: tuple[int, int] | None) -> dict[int, tuple[str, str]]:
        return self.store.span_states(doc_id, where)

    def _update_spans(self, rows: list[SpanRow]) -> None:
        """Brings the in-memory span list up to date with the rows an action changed (no full reload)."""
        assert self.doc is not None and self.doc.id is not None
        by_id = {s.id: s for s in self.spans}
        for span_id, label, state in rows:
            span = by_id.get(span_id)
            if state == SpanState.REJECTED.value:
                if span is not None:
                    self.spans.remove(span)
                continue
            if span is None:
                _, span = self.store.span(span_id)
                self.spans.append(span)
            span.label, span.state = label, SpanState(state)
        self.spans.sort(key=lambda s: (s.start, -s.end, s.label))
        self._links = None  # read when first asked for (most articles are opened without an event in focus)
        self.version = self.store.version(self.doc.id)
        self.revision = self.version[0]

    def apply(self, action: Callable[[int], Any], where: tuple[int, int] | None = None) -> Change:
        """Runs `action(expected_revision)` (a store call) on the open article and records what it changed
        (among the spans at `where`, a (start, end) stretch, when the action cannot touch others). Raises
        ConflictError, changing nothing, if the article was changed elsewhere since it was loaded."""
        assert self.doc is not None and self.doc.id is not None
        doc_id = self.doc.id
        before = self._snapshot(doc_id, where)
        links_before = self.store.links.states(doc_id)
        result = action(self.revision)
        after = self._snapshot(doc_id, where)
        change = Change(doc_id, result=result)
        for span_id, now in after.items():
            old = before.get(span_id)
            if old != now:
                change.before.append((span_id, *(old or (now[0], SpanState.REJECTED.value))))
                change.after.append((span_id, *now))
        for link_id, state in self.store.links.states(doc_id).items():
            old_state = links_before.get(link_id, SpanState.REJECTED.value)
            if old_state != state:
                change.links_before.append((link_id, old_state))
                change.links_after.append((link_id, state))
        self._update_spans(change.after)
        return change

    def restore(self, doc_id: int, rows: list[SpanRow], links: list[LinkRow] | None = None) -> None:
        """Puts spans and links back (undo or redo), opening their article if another one is open."""
        if self.doc_id != doc_id:
            self.open(doc_id)
        self.store.restore_spans(doc_id, rows, self.who, expected_revision=self.revision, links=links or ())
        self._update_spans(rows)

    def add_span(self, start: int, end: int, label: str) -> Change:
        snapped = self.snap(start, end)
        if snapped is None:
            raise ValueError("the selection holds no word")
        assert self.doc_id is not None
        doc_id = self.doc_id
        return self.apply(lambda rev: self.store.add_span(doc_id, snapped[0], snapped[1], label, self.who, rev),
                          where=snapped)

    def _where(self, span_id: int) -> tuple[int, int] | None:
        span = next((s for s in self.spans if s.id == span_id), None)
        return (span.start, span.end) if span else None

    def relabel(self, span_id: int, label: str) -> Change:
        return self.apply(lambda rev: self.store.relabel_span(span_id, label, self.who, rev), self._where(span_id))

    def accept(self, span_id: int) -> Change:
        return self.apply(lambda rev: self.store.set_span_state(span_id, SpanState.ACCEPTED, self.who, rev),
                          self._where(span_id))

    def delete(self, span_id: int) -> Change:
        return self.apply(lambda rev: self.store.delete_span(span_id, self.who, rev), self._where(span_id))

    def accept_all(self) -> Change:
        doc_id = self.doc_id
        assert doc_id is not None
        return self.apply(lambda rev: self.store.accept_all(doc_id, self.who, rev))

    def set_answer(self, answer: Answer, doc_id: int | None = None,
                   restore: Change | None = None) -> tuple[Answer, Change]:
        """Answers an article; accepting it accepts the suggestions still shown, spans and links (one
        transaction). Returns its previous answer and what accepting changed, whose `before` states undo hands
        back as `restore`."""
        doc_id = doc_id if doc_id is not None else self.doc_id
        assert doc_id is not None
        if self.doc_id != doc_id:
            self.open(doc_id)
        before = self.store.document(doc_id, with_tokens=False).answer
        links_before = self.store.links.states(doc_id)
        accepted = self.store.set_answer(doc_id, answer, self.who, expected_revision=self.revision,
                                         accept_suggested=True, restore=restore.before if restore else (),
                                         restore_links=restore.links_before if restore else ())
        change = Change(doc_id, before=accepted, after=[(i, lb, SpanState.ACCEPTED.value) for i, lb, _ in accepted])
        for link_id, state in self.store.links.states(doc_id).items():
            old = links_before.get(link_id)
            if old != state and state == SpanState.ACCEPTED.value:
                change.links_before.append((link_id, old or SpanState.REJECTED.value))
                change.links_after.append((link_id, state))
        changed = change.after + (restore.before if restore else [])
        if changed or change.links_after or restore:
            self._update_spans(changed)
        self.version = self.store.version(doc_id)
        self.revision = self.version[0]
        if self.doc is not None:
            self.doc.answer = answer
        return before, change

    # ---------------------------------------------------------------- links

    def add_link(self, event_id: int, arg_id: int, role: str) -> Change:
        """Links an argument span to an event span in a role."""
        doc_id = self.doc_id
        assert doc_id is not None
        return self.apply(lambda rev: self.store.links.add(doc_id, event_id, arg_id, role, self.who, rev),
                          self._around(event_id, arg_id))

    def add_argument(self, start: int, end: int, label: str, event_id: int, role: str) -> Change:
        """Marks new text as a span and links it to the event in a role: one step (undone as one). Refused,
        changing nothing, if the role does not take that label."""
        snapped = self.snap(start, end)
        if snapped is None:
            raise ValueError("the selection holds no word")
        doc_id = self.doc_id
        assert doc_id is not None
        event = next((s for s in self.spans if s.id == event_id), None)
        if event is None:
            raise LinkError(f"no event span {event_id} in this article")
        problem = self.store.scheme.link_problem(event.label, role, label)
        if problem:
            raise LinkError(problem)

        def both(rev: int) -> Link:
            span = self.store.add_span(doc_id, snapped[0], snapped[1], label, self.who, rev)
            assert span.id is not None
            return self.store.links.add(doc_id, event_id, span.id, role, self.who, rev + 1)

        return self.apply(both)

    def accept_link(self, link_id: int) -> Change:
        return self.apply(lambda rev: self.store.links.set_state(link_id, SpanState.ACCEPTED, self.who, rev),
                          self._around(*self._ends(link_id)))

    def remove_link(self, link_id: int) -> Change:
        return self.apply(lambda rev: self.store.links.remove(link_id, self.who, rev),
                          self._around(*self._ends(link_id)))

    def _ends(self, link_id: int) -> tuple[int, int]:
        link = next((lk for lk in self.links if lk.id == link_id), None)
        if link is None:
            _, link = self.store.links.get(link_id)
        return link.event, link.argument

    def _around(self, *span_ids: int) -> tuple[int, int] | None:
        """The stretch holding these spans: the only spans a link edit can change (it accepts its two spans)."""
        found = [s for s in self.spans if s.id in span_ids]
        if len(found) < len(span_ids):
            return None  # one is not shown: look at the whole article
        return min(s.start for s in found), max(s.end for s in found)

    def frame(self, event_id: int) -> list[tuple[Role, list[Link]]]:
        """Every role of an event span, filled or not, with the links that fill it (suggested and accepted)."""
        event = next((s for s in self.spans if s.id == event_id), None)
        if event is None:
            return []
        mine = [lk for lk in self.links if lk.event == event_id]
        return [(role, [lk for lk in mine if lk.role == role.name]) for role in self.store.scheme.roles(event.label)]

    def candidates(self, event_id: int, role: str) -> list[Span]:
        """The spans that may fill a role of an event, nearest first (by distance from the event's text)."""
        event = next((s for s in self.spans if s.id == event_id), None)
        if event is None:
            return []
        found = next((r for r in self.store.scheme.roles(event.label) if r.name == role), None)
        if found is None:
            return []

        def distance(span: Span) -> int:
            return max(span.start - event.end, event.start - span.end, 0)

        return sorted((s for s in self.spans if s.label in found.fillers and s.id != event_id),
                      key=lambda s: (distance(s), s.start))


__all__ = ["Change", "ConflictError", "EditSession"]
