"""Edits are data: every change an editor makes to an article is a frozen command. `ArticleSession.apply` runs
one through the store under the article's revision check and records what it changed; its inverse, and its
redo, are `Restore` commands of the states before and after, so undo and redo are edits like any other.

A command names the store call it makes (`run`) and the stretch of the article it can change (`where`, so that
only the spans there are compared before and after); nothing here touches SQLite: `port` is the store."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from annotator.core.model import Answer, SpanState

SpanRow = tuple[int, str, str]  # id, label, state
LinkRow = tuple[int, str]  # id, state


class AnnotationsPort(Protocol):
    """The store's annotations repository (annotator.store.annotations.Annotations), as far as edits need it."""

    def add_span(self, doc_id: int, start: int, end: int, label: str, who: str | None,
                 expected_revision: int | None = None) -> Any: ...

    def relabel_span(self, span_id: int, label: str, who: str | None, expected_revision: int | None = None) -> Any: ...

    def set_span_state(self, span_id: int, state: Any, who: str | None,
                       expected_revision: int | None = None) -> Any: ...

    def accept_all(self, doc_id: int, who: str | None, expected_revision: int | None = None) -> Any: ...

    def restore_spans(self, doc_id: int, rows: Any, who: str | None, expected_revision: int | None = None,
                      links: Any = ()) -> None: ...


class Port(Protocol):
    """The store (annotator.store.Store), as far as edits need it: its annotations and links repositories."""

    annotations: Any
    links: Any


@dataclass(frozen=True)
class Edit:
    doc_id: int

    def record(self) -> dict[str, Any]:
        """The command as the change log keeps it: its kind and its fields, as JSON values."""
        fields = {k: (v.value if isinstance(v, Answer) else v) for k, v in asdict(self).items()}
        return {"kind": type(self).__name__, **fields}

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        """What the undo menu calls it."""
        raise NotImplementedError

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        """The stretch (start, end) of the article whose spans this edit can change, given the shown spans'
        (start, end) by id; None: anywhere."""
        return None


@dataclass(frozen=True)
class AddSpan(Edit):
    start: int
    end: int
    label: str

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.annotations.add_span(self.doc_id, self.start, self.end, self.label, who, revision)

    def describe(self) -> str:
        return f"mark {self.label}"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        return (self.start, self.end)


@dataclass(frozen=True)
class Relabel(Edit):
    span_id: int
    label: str

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.annotations.relabel_span(self.span_id, self.label, who, revision)

    def describe(self) -> str:
        return f"relabel as {self.label}"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        return spans.get(self.span_id)


@dataclass(frozen=True)
class SetSpanState(Edit):
    """Accept a suggestion (accepted) or remove a span (rejected: its links go with it)."""

    span_id: int
    state: str

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.annotations.set_span_state(self.span_id, SpanState(self.state), who, revision)

    def describe(self) -> str:
        return "delete span" if self.state == SpanState.REJECTED.value else "accept suggestion"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        return spans.get(self.span_id)


@dataclass(frozen=True)
class AcceptAll(Edit):
    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.annotations.accept_all(self.doc_id, who, revision)

    def describe(self) -> str:
        return "accept all suggestions"


def _around(spans: dict[int, tuple[int, int]], *ids: int) -> tuple[int, int] | None:
    found = [spans[i] for i in ids if i in spans]
    if len(found) < len(ids):
        return None
    return min(s for s, _ in found), max(e for _, e in found)


@dataclass(frozen=True)
class AddLink(Edit):
    event_id: int
    arg_id: int
    role: str

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.links.add(self.doc_id, self.event_id, self.arg_id, self.role, who, revision)

    def describe(self) -> str:
        return f"link as {self.role}"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        return _around(spans, self.event_id, self.arg_id)  # it accepts its two spans, nothing else


@dataclass(frozen=True)
class SetLinkState(Edit):
    link_id: int
    state: str
    event_id: int | None = None  # its spans, when known: only they can change
    arg_id: int | None = None

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.links.set_state(self.link_id, SpanState(self.state), who, revision)

    def describe(self) -> str:
        return "remove link" if self.state == SpanState.REJECTED.value else "accept link"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        if self.event_id is None or self.arg_id is None:
            return None
        return _around(spans, self.event_id, self.arg_id)


@dataclass(frozen=True)
class AddArgument(Edit):
    """Marks new text and links it to an event in a role: one edit, undone as one."""

    start: int
    end: int
    label: str
    event_id: int
    role: str

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        span = port.annotations.add_span(self.doc_id, self.start, self.end, self.label, who, revision)
        return port.links.add(self.doc_id, self.event_id, span.id, self.role, who, revision + 1)

    def describe(self) -> str:
        return f"mark {self.label} as {self.role}"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        event = spans.get(self.event_id)  # the link accepts the event span too
        return None if event is None else (min(self.start, event[0]), max(self.end, event[1]))


@dataclass(frozen=True)
class Restore(Edit):
    """Puts spans back as (id, label, state) and links as (id, state): every edit's inverse and redo."""

    spans: tuple[SpanRow, ...] = ()
    links: tuple[LinkRow, ...] = ()

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        port.annotations.restore_spans(self.doc_id, list(self.spans), who, revision, links=list(self.links))
        return None

    def describe(self) -> str:
        return "restore"

    def __bool__(self) -> bool:
        return bool(self.spans or self.links)


@dataclass(frozen=True)
class SetAnswer(Edit):
    """Answers the article; accepting it accepts the suggestions shown (spans and links) in the same
    transaction. `restore` (undo) puts spans and links back first."""

    answer: Answer = Answer.PENDING
    restore: Restore | None = None

    def describe(self) -> str:
        return f"answer {self.answer.value}"
