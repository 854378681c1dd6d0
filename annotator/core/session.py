"""The open article, without any Qt: its text, spans, links and answer; the editor's edits applied to it through
the store (each a transaction that checks nobody else changed the article meanwhile); and events that say what
changed, for the widgets to follow.

Edits are commands (annotator.core.edits). `apply` runs one and returns the `Change` it made: the spans'
(id, label, state) and the links' (id, state) before and after, whose `inverse()` and `redo()` are `Restore`
commands: undo and redo are edits like any other. Events: `opened(doc)`, `spans_changed(doc_id, changed ids,
span in focus)`, `links_changed(doc_id)`, `answer_changed(doc_id, answer)`, `selection_changed(doc_id, span id)`,
`changed_elsewhere(doc_id)`. The span in focus is the session's (`selected`): widgets show it and ask `select`."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from annotator.core.edits import (
    AcceptAll,
    AddArgument,
    AddLink,
    AddSpan,
    AnnotationsPort,
    BoundsRow,
    Edit,
    LinkRow,
    Relabel,
    Resize,
    Restore,
    SetAnswer,
    SetLinkState,
    SetSpanState,
    SpanRow,
)
from annotator.core.effort import ActivityClock, words
from annotator.core.errors import AnnotatorError, EditError, LinkError
from annotator.core.events import Events
from annotator.core.labels import LabelScheme, Role
from annotator.core.model import Answer, Document, Link, Span, SpanState, Token
from annotator.core.spans import TokenIndex


class DocumentsPort(Protocol):
    """The store's documents repository (annotator.store.documents.Documents), as the session reads it."""

    def document(self, doc_id: int, with_tokens: bool = True) -> Document: ...

    def revision(self, doc_id: int) -> int: ...

    def version(self, doc_id: int) -> tuple[int, int]: ...

    def tokens(self, doc_id: int) -> list[Token] | None: ...

    def set_tokens(self, doc_id: int, tokens: Any) -> None: ...


class AnnotationsReader(AnnotationsPort, Protocol):
    """The store's annotations repository, as the session reads and writes it."""

    def spans(self, doc_id: int, states: Any = None) -> list[Span]: ...

    def span(self, span_id: int) -> tuple[int, Span]: ...

    def span_states(self, doc_id: int, where: tuple[int, int] | None = None) -> dict[int, tuple[str, str]]: ...

    def set_answer(self, doc_id: int, answer: Any, who: str | None, expected_revision: int | None = None, *,
                   accept_suggested: bool = False, restore: Any = (), restore_links: Any = ()) -> list: ...


class Store(Protocol):
    """The project database as the session uses it (annotator.store.Store): its repositories."""

    documents: DocumentsPort
    annotations: AnnotationsReader
    links: Any
    notes: Any
    effort: Any
    readonly: bool

    @property
    def scheme(self) -> LabelScheme: ...

    def recording(self, edit: dict[str, Any], work: dict[str, Any] | None = None) -> AbstractContextManager[None]: ...


@dataclass
class Change:
    """What an edit changed: the spans' (id, label, state) before and after, the links' (id, state)."""

    doc_id: int
    before: list[SpanRow] = field(default_factory=list)
    after: list[SpanRow] = field(default_factory=list)
    result: Any = None
    links_before: list[LinkRow] = field(default_factory=list)
    links_after: list[LinkRow] = field(default_factory=list)
    edit: Edit | None = None
    bounds_before: list[BoundsRow] = field(default_factory=list)  # the edges of the spans it moved
    bounds_after: list[BoundsRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.after or self.links_after or self.bounds_after)

    def inverse(self) -> Restore:
        return Restore(self.doc_id, tuple(self.before), tuple(self.links_before), tuple(self.bounds_before))

    def redo(self) -> Restore:
        return Restore(self.doc_id, tuple(self.after), tuple(self.links_after), tuple(self.bounds_after))


class ArticleSession:
    def __init__(self, store: Store, who: str, tokenizer: Callable[[str], list[Token]] | None = None) -> None:
        self.store = store
        self.who = who
        self.tokenizer = tokenizer
        self.doc: Document | None = None
        self.spans: list[Span] = []
        self._links: list[Link] | None = []
        self.links_version = 0  # changes whenever the links do (the view redraws its arcs then)
        self.revision = -1
        self.version: tuple[int, int] = (-1, -1)
        self._index: TokenIndex | None = None
        self.selected: int | None = None  # the span in focus (the text, the span list and the Event panel follow)
        self.seen: set[int] = set()  # the spans put in focus since the article was opened here
        # the editor's active time (annotator.core.effort), recorded with each edit; None: not recorded
        self.clock: ActivityClock | None = None
        self.visiting: int | None = None  # the article the editor last opened (`visit`), whose time runs
        self.hidden = False  # the open article shows no suggestions (the project's share without them)
        self._unwritten: list[tuple[Document, bool, tuple[int, int] | None]] = []  # `visit`'s deferred entries
        self.events = Events("opened", "spans_changed", "links_changed", "answer_changed", "selection_changed",
                             "changed_elsewhere", "notes_changed")

    # ---------------------------------------------------------------- reading

    def open(self, doc_id: int) -> Document:
        self.doc = self.store.documents.document(doc_id, with_tokens=False)  # tokens are read when a selection snaps
        self.hidden = self.store.effort.is_hidden(doc_id)
        self._index = None
        self.selected = None
        self.seen = set()
        self._load()
        self.events.opened.emit(self.doc)
        return self.doc

    def visit(self, doc_id: int, defer: bool = False) -> Document:
        """The editor opens an article: `open`, and, when the time is recorded, an "opened" entry in the change
        log with the active time left on the article opened before. Opening the same article again records
        nothing. `defer`: the entries wait for `flush_visit` (the window calls it once the editor stays on an
        article: browsing never waits for a write) or for the next edit, whichever comes first."""
        doc = self.open(doc_id)
        if self.clock is not None and doc_id != self.visiting and not self.store.readonly:
            left = self.clock.take()
            self._unwritten.append((doc, self.hidden, (self.visiting, left) if self.visiting is not None else None))
            if not defer:
                self.flush_visit()
        self.visiting = doc_id
        return doc

    def flush_visit(self) -> None:
        """Writes the "opened" entries `visit` deferred, if any (one transaction)."""
        if self._unwritten:
            pending, self._unwritten = self._unwritten, []
            self.store.effort.opened([(doc.id, words(doc.text), hidden, left) for doc, hidden, left in pending],
                                     self.who)

    def leave(self) -> None:
        """The editor closes the article (or the window): the active time left on it is recorded."""
        self.flush_visit()
        if self.clock is not None and self.visiting is not None and not self.store.readonly:
            self.store.effort.left(self.visiting, self.who, self.clock.take())
        self.visiting = None

    def _work(self, edit: Edit) -> dict[str, Any]:
        """What an edit is as the editor's work (annotator.core.effort): its kind of action, the span label it
        acts on, and the active time since the last record (when the time is recorded)."""
        label = None
        if isinstance(edit, AddSpan):
            label = edit.label
            kind = "accept" if any(s.key == (edit.start, edit.end, edit.label) and s.state is SpanState.SUGGESTED
                                   for s in self.spans) else "draw"
        elif isinstance(edit, AddArgument):
            kind, label = "draw", edit.label
        elif isinstance(edit, Relabel):
            kind, label = "relabel", edit.label
        elif isinstance(edit, Resize):
            kind = "resize"
        elif isinstance(edit, SetSpanState):
            kind = {SpanState.ACCEPTED.value: "accept", SpanState.REJECTED.value: "delete"}.get(edit.state, "undo")
        elif isinstance(edit, AcceptAll):
            kind = "accept"
        elif isinstance(edit, AddLink):
            kind = "link"
        elif isinstance(edit, SetLinkState):
            kind = "accept" if edit.state == SpanState.ACCEPTED.value else "unlink"
        else:
            kind = "undo"
        span_id = getattr(edit, "span_id", None)
        if label is None and span_id is not None:
            label = next((s.label for s in self.spans if s.id == span_id), None)
        work: dict[str, Any] = {"kind": kind, "ms": self.clock.take() if self.clock is not None else 0}
        if label is not None:
            work["label"] = label
        return work

    @contextmanager
    def _recording(self, edit: Edit, work: dict[str, Any]) -> Iterator[None]:
        """The store's change log entries meanwhile carry the edit and its work record; an edit that fails gives
        its time back to the clock (it counts with the next one)."""
        try:
            with self.store.recording(edit.record(), work):
                yield
        except BaseException:
            if self.clock is not None:
                self.clock.give_back(work["ms"])
            raise

    def _load(self) -> None:
        assert self.doc is not None and self.doc.id is not None
        shown = [SpanState.ACCEPTED] if self.hidden else [SpanState.SUGGESTED, SpanState.ACCEPTED]
        self.spans = self.store.annotations.spans(self.doc.id, states=shown)
        self._links = None  # read when first asked for
        self.links_version += 1
        self.version = self.store.documents.version(self.doc.id)
        self.revision = self.version[0]

    def reload_spans(self) -> None:
        """Reads the article's spans and links again (another program changed them); the span in focus stays
        in focus if it is still there."""
        self._load()
        assert self.doc is not None
        self._keep_selection()
        self.events.spans_changed.emit(self.doc.id, None, self.selected)
        self.events.links_changed.emit(self.doc.id)

    def reload_if_changed_elsewhere(self) -> bool:
        """Reloads the article if another window or program changed it since it was loaded here, and says so
        (`changed_elsewhere`)."""
        if not self.changed_elsewhere():
            return False
        self.reload_spans()
        assert self.doc is not None
        self.events.changed_elsewhere.emit(self.doc.id)
        return True

    def select(self, span_id: int | None) -> None:
        """Puts a span of the article in focus (None: none); `selection_changed` tells the widgets."""
        if span_id is not None and not any(s.id == span_id for s in self.spans):
            span_id = None
        if span_id is not None:
            self.seen.add(span_id)
        if span_id != self.selected:
            self.selected = span_id
            self.events.selection_changed.emit(self.doc_id, span_id)

    def _keep_selection(self) -> None:
        if self.selected is not None and not any(s.id == self.selected for s in self.spans):
            self.selected = None

    def unseen(self) -> tuple[int, int]:
        """How many suggested spans, and suggested links, were never in focus since the article was opened here:
        what accepting the article would accept unlooked-at. A link counts as looked at when its event or its
        argument was in focus (the Event panel and the events overview show an event's links)."""
        suggested = SpanState.SUGGESTED
        spans = sum(s.state is suggested and s.id not in self.seen for s in self.spans)
        links = sum(lk.state is suggested and lk.event not in self.seen and lk.argument not in self.seen
                    for lk in self.links)
        return spans, links

    @property
    def links(self) -> list[Link]:
        """The open article's links, suggested and accepted."""
        if self._links is None:
            shown = [SpanState.ACCEPTED] if self.hidden else None
            self._links = (self.store.links.of_document(self.doc.id, shown) if self.doc and self.doc.id is not None
                           else [])
        return self._links

    @property
    def doc_id(self) -> int | None:
        return self.doc.id if self.doc else None

    def changed_elsewhere(self) -> bool:
        """True when another window or program changed this article since it was loaded here."""
        doc = self.doc
        return doc is not None and doc.id is not None and self.store.documents.version(doc.id) != self.version

    def token_index(self) -> TokenIndex:
        """The article's tokens (stored, or made now with the tokenizer and kept)."""
        if self._index is None:
            assert self.doc is not None and self.doc.id is not None
            tokens = self.doc.tokens or self.store.documents.tokens(self.doc.id)
            if tokens is None and self.tokenizer is not None:
                tokens = self.tokenizer(self.doc.text)
                self.store.documents.set_tokens(self.doc.id, tokens)
                self.doc.tokens = tokens
            self._index = TokenIndex(tokens or [])
        return self._index

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """A selection widened to whole tokens (None if it holds only whitespace)."""
        return self.token_index().snap(start, end)

    def spans_at(self, pos: int) -> list[Span]:
        """The visible spans covering a character position, shortest first."""
        return sorted((s for s in self.spans if s.start <= pos < s.end), key=lambda s: (s.end - s.start, s.start))

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

    # ---------------------------------------------------------------- applying edits

    def apply(self, edit: Edit) -> Change:
        """Runs an edit (opening its article if another one is open) and returns what it changed. Raises
        ConflictError, changing nothing, if the article was changed elsewhere since it was loaded."""
        if isinstance(edit, SetAnswer):
            raise TypeError("answers go through set_answer (it returns the answer before)")
        if self.doc_id != edit.doc_id:
            self.open(edit.doc_id)
        doc_id = edit.doc_id
        if self.hidden and isinstance(edit, AcceptAll):
            raise EditError("this article shows no suggestions (the project measures the work without them here)")
        where = edit.where({s.id: (s.start, s.end) for s in self.spans})
        before = self.store.annotations.span_states(doc_id, where)
        links_before = self.store.links.states(doc_id)
        self.flush_visit()
        moved = edit.moves()
        edges_before = self._edges(moved)
        with self._recording(edit, self._work(edit)):
            result = edit.run(self.store, self.who, self.revision)
        after = self.store.annotations.span_states(doc_id, where)
        change = Change(doc_id, result=result, edit=edit)
        edges_after = self._edges(moved)
        for span_id in moved:
            if edges_before.get(span_id) != edges_after.get(span_id) and span_id in edges_after:
                change.bounds_before.append((span_id, *edges_before[span_id]))
                change.bounds_after.append((span_id, *edges_after[span_id]))
        self._move_spans(change.bounds_after)
        for span_id, now in after.items():
            old = before.get(span_id)
            if old != now:
                change.before.append((span_id, *(old or (now[0], SpanState.REJECTED.value))))
                change.after.append((span_id, *now))
        self._link_changes(change, links_before)
        self._update_spans(change.after)
        self._update_links(change.links_after)
        self._announce(change, self._focus(edit, result))
        return change

    def _link_changes(self, change: Change, before: dict[int, str]) -> None:
        """Adds to `change` the links whose state is no longer what `before` read; a link `before` did not know
        was made by the edit (rejected before)."""
        for link_id, state in self.store.links.states(change.doc_id).items():
            old = before.get(link_id, SpanState.REJECTED.value)
            if old != state:
                change.links_before.append((link_id, old))
                change.links_after.append((link_id, state))

    def _focus(self, edit: Edit, result: Any) -> int | None:
        """The span to select after an edit: the span it made or changed, the event of a link."""
        if isinstance(result, Span):
            return result.id  # a span it removed is no longer listed: `_announce` puts nothing in focus
        if isinstance(result, Link):
            return result.event
        if isinstance(edit, Restore):  # the first span it puts back that still stands
            return next((row[0] for row in edit.spans if row[2] != SpanState.REJECTED.value), None)
        return None

    def _announce(self, change: Change, focus: int | None) -> None:
        """After an edit: the span it made or changed is in focus, and the widgets are told what changed."""
        self.selected = focus if focus is None or any(s.id == focus for s in self.spans) else None
        changed = {r[0] for r in change.after} | {b[0] for b in change.bounds_after}
        self.events.spans_changed.emit(change.doc_id, changed, self.selected)
        if change.links_after:
            self.events.links_changed.emit(change.doc_id)

    def _edges(self, span_ids: tuple[int, ...]) -> dict[int, tuple[int, int]]:
        """(start, end) of these spans as the store has them."""
        out = {}
        for span_id in span_ids:
            try:
                _, span = self.store.annotations.span(span_id)
            except AnnotatorError:
                continue
            out[span_id] = (span.start, span.end)
        return out

    def _move_spans(self, rows: list[BoundsRow]) -> None:
        """The in-memory spans whose edges an edit moved: new objects, so that a view holding the old ones can
        still tell where they were (and repaint there)."""
        moved = {span_id: (start, end) for span_id, start, end in rows}
        if moved:
            self.spans = [dataclasses.replace(s, start=moved[s.id][0], end=moved[s.id][1]) if s.id in moved else s
                          for s in self.spans]

    def _update_spans(self, rows: list[SpanRow]) -> None:
        """Brings the in-memory span list up to date with the rows an edit changed (no full reload)."""
        assert self.doc is not None and self.doc.id is not None
        by_id = {s.id: s for s in self.spans}
        for span_id, label, state in rows:
            span = by_id.get(span_id)
            if state == SpanState.REJECTED.value or (self.hidden and state == SpanState.SUGGESTED.value):
                if span is not None:
                    self.spans.remove(span)
                continue
            if span is None:
                _, span = self.store.annotations.span(span_id)
                self.spans.append(span)
            span.label, span.state = label, SpanState(state)
        self.spans.sort(key=lambda s: (s.start, -s.end, s.label))
        self.version = self.store.documents.version(self.doc.id)
        self.revision = self.version[0]

    def _update_links(self, rows: list[LinkRow]) -> None:
        """Brings the in-memory links up to date with the rows an edit changed: an article's thousand links are
        not read again after each edit."""
        if self._links is None or not rows:
            return
        by_id = {lk.id: lk for lk in self._links}
        for link_id, state in rows:
            link = by_id.get(link_id)
            if state == SpanState.REJECTED.value or (self.hidden and state == SpanState.SUGGESTED.value):
                if link is not None:
                    self._links.remove(link)
                continue
            if link is None:
                _, link = self.store.links.get(link_id)
                self._links.append(link)
            link.state = SpanState(state)
        self._links.sort(key=lambda lk: lk.id or 0)
        self.links_version += 1

    # ---------------------------------------------------------------- the editor's actions

    def restore(self, doc_id: int, rows: list[SpanRow], links: list[LinkRow] | None = None) -> Change:
        """Puts spans and links back (undo or redo), opening their article if another one is open."""
        return self.apply(Restore(doc_id, tuple(rows), tuple(links or ())))

    def _open_id(self) -> int:
        assert self.doc_id is not None
        return self.doc_id

    def add_span(self, start: int, end: int, label: str) -> Change:
        snapped = self.snap(start, end)
        if snapped is None:
            raise EditError("the selection holds no word")
        return self.apply(AddSpan(self._open_id(), snapped[0], snapped[1], label))

    def resize(self, span_id: int, start: int, end: int) -> Change:
        """Moves a span's edges to the tokens of [start, end) (snapped): one edit, undone as one."""
        snapped = self.snap(start, end)
        if snapped is None:
            raise EditError("the new edges hold no word")
        return self.apply(Resize(self._open_id(), span_id, snapped[0], snapped[1]))

    def move_edge(self, span_id: int, edge: str, step: int) -> Change:
        """Moves a span's start or end (`edge`) by `step` tokens (-1: one token left, 1: one right), never past
        its other edge: the keys that widen "bridge" to "Russian highway bridge" or cut "strike on" to "strike"."""
        span = next((s for s in self.spans if s.id == span_id), None)
        if span is None:
            raise EditError("no span selected")
        index = self.token_index()
        first = bisect.bisect_right(index.ends, span.start)  # the span's first token
        last = bisect.bisect_left(index.starts, span.end) - 1  # and its last
        if first >= len(index) or last < first:
            raise EditError("the span holds no token")
        if edge == "start":
            first = min(max(first + step, 0), last)
        else:
            last = max(min(last + step, len(index) - 1), first)
        start, end = index.starts[first], index.ends[last]
        if (start, end) == (span.start, span.end):
            raise EditError("the span cannot move that way (it would hold no word, or the article ends there)")
        return self.apply(Resize(self._open_id(), span_id, start, end))

    def notes(self) -> dict[int, Any]:
        """The open article's notes: span id (0: the article) -> Note (annotator.store.notes), those not taken
        back."""
        return self.store.notes.of_document(self._open_id()) if self.doc_id is not None else {}

    def set_note(self, span_id: int, text: str, flagged: bool, doc_id: int | None = None) -> tuple[str, bool]:
        """Sets the note of the open article (span_id 0) or of one of its spans (`doc_id`: of that article,
        opened if another one is open, as undo needs): an edit under the article's revision check, logged; an
        empty text without a flag takes it back. Returns the note before (undo sets it back)."""
        if doc_id is not None and doc_id != self.doc_id:
            self.open(doc_id)
        doc_id = self._open_id()
        before = self.store.notes.set(doc_id, span_id, text, flagged, self.who, expected_revision=self.revision)
        self.version = self.store.documents.version(doc_id)
        self.revision = self.version[0]
        self.events.notes_changed.emit(doc_id)
        return before.text, before.flagged

    def relabel(self, span_id: int, label: str) -> Change:
        return self.apply(Relabel(self._open_id(), span_id, label))

    def accept(self, span_id: int) -> Change:
        return self.apply(SetSpanState(self._open_id(), span_id, SpanState.ACCEPTED.value))

    def delete(self, span_id: int) -> Change:
        return self.apply(SetSpanState(self._open_id(), span_id, SpanState.REJECTED.value))

    def accept_all(self) -> Change:
        return self.apply(AcceptAll(self._open_id()))

    def add_link(self, event_id: int, arg_id: int, role: str) -> Change:
        """Links an argument span to an event span in a role."""
        return self.apply(AddLink(self._open_id(), event_id, arg_id, role))

    def add_argument(self, start: int, end: int, label: str, event_id: int, role: str) -> Change:
        """Marks new text as a span and links it to the event in a role: one edit. Refused, changing nothing, if
        the role does not take that label."""
        snapped = self.snap(start, end)
        if snapped is None:
            raise EditError("the selection holds no word")
        event = next((s for s in self.spans if s.id == event_id), None)
        if event is None:
            raise LinkError(f"no event span {event_id} in this article")
        problem = self.store.scheme.link_problem(event.label, role, label)
        if problem:
            raise LinkError(problem)
        return self.apply(AddArgument(self._open_id(), snapped[0], snapped[1], label, event_id, role))

    def _link_edit(self, link_id: int, state: SpanState) -> Change:
        link = next((lk for lk in self.links if lk.id == link_id), None)
        if link is None:
            _, link = self.store.links.get(link_id)
        return self.apply(SetLinkState(self._open_id(), link_id, state.value, link.event, link.argument))

    def accept_link(self, link_id: int) -> Change:
        return self._link_edit(link_id, SpanState.ACCEPTED)

    def remove_link(self, link_id: int) -> Change:
        return self._link_edit(link_id, SpanState.REJECTED)

    def set_answer(self, answer: Answer, doc_id: int | None = None,
                   restore: Change | None = None) -> tuple[Answer, Change]:
        """Answers an article; accepting it accepts the suggestions still shown, spans and links (one
        transaction). Returns its previous answer and what it changed (the spans accepting accepted, the links
        whose state changed), which undo hands back as `restore`."""
        doc_id = doc_id if doc_id is not None else self.doc_id
        assert doc_id is not None
        if self.doc_id != doc_id:
            self.open(doc_id)
        edit = SetAnswer(doc_id, answer, restore.inverse() if restore else None)
        before = self.store.documents.document(doc_id, with_tokens=False).answer
        links_before = self.store.links.states(doc_id)
        back = edit.restore or Restore(doc_id)
        self.flush_visit()
        work = {"kind": "undo" if restore is not None else "answer",
                "ms": self.clock.take() if self.clock is not None else 0, "answer": answer.value}
        with self._recording(edit, work):
            accepted = self.store.annotations.set_answer(  # what an article without suggestions hides stays
                doc_id, answer, self.who, expected_revision=self.revision, accept_suggested=not self.hidden,
                restore=list(back.spans), restore_links=list(back.links))
        change = Change(doc_id, before=accepted, after=[(i, lb, SpanState.ACCEPTED.value) for i, lb, _ in accepted],
                        edit=edit)
        self._link_changes(change, links_before)
        changed = change.after + list(back.spans)
        self._update_spans(changed)
        self._update_links(change.links_after)
        if self.doc is not None:
            self.doc.answer = answer
        if changed or change.links_after or back:
            self._keep_selection()
            self.events.spans_changed.emit(doc_id, {r[0] for r in changed}, self.selected)
            self.events.links_changed.emit(doc_id)
        self.events.answer_changed.emit(doc_id, answer)
        return before, change
