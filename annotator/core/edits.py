"""Edits are data: every change an editor makes to an article is a frozen command. `ArticleSession.apply` runs
one through the store under the article's revision check and records what it changed; its inverse, and its
redo, are `Restore` commands of the states before and after, so undo and redo are edits like any other.

A command names the store call it makes (`run`) and the stretch of the article it can change (`where`, so that
only the spans there are compared before and after); nothing here touches SQLite: `port` is the store.

The project's own changes (an import's batch, a pre-annotation's) are commands too (`Command`: AddDocuments,
AddSuggestions and their inverses), applied by `apply`, whose change log entries carry the command."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from annotator.core.model import Answer, Record, SpanState

SpanRow = tuple[int, str, str]  # id, label, state
LinkRow = tuple[int, str]  # id, state
BoundsRow = tuple[int, int, int]  # id, start, end


class AnnotationsPort(Protocol):
    """The store's annotations repository (annotator.store.annotations.Annotations), as far as edits need it."""

    def add_span(self, doc_id: int, start: int, end: int, label: str, who: str | None,
                 expected_revision: int | None = None) -> Any: ...

    def relabel_span(self, span_id: int, label: str, who: str | None, expected_revision: int | None = None) -> Any: ...

    def set_span_state(self, span_id: int, state: Any, who: str | None,
                       expected_revision: int | None = None) -> Any: ...

    def accept_all(self, doc_id: int, who: str | None, expected_revision: int | None = None) -> Any: ...

    def restore_spans(self, doc_id: int, rows: Any, who: str | None, expected_revision: int | None = None,
                      links: Any = (), bounds: Any = ()) -> None: ...

    def resize_span(self, span_id: int, start: int, end: int, who: str | None,
                    expected_revision: int | None = None) -> Any: ...


class Port(Protocol):
    """The store (annotator.store.Store), as far as commands need it: its repositories and its change log."""

    documents: Any
    annotations: Any
    links: Any
    suggestions: Any

    def recording(self, edit: dict[str, Any]) -> AbstractContextManager[None]: ...

    def write(self) -> AbstractContextManager[Any]: ...


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

    def moves(self) -> tuple[int, ...]:
        """The spans whose edges this edit can move (their offsets are recorded before and after)."""
        return ()


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
class Resize(Edit):
    """Moves a span's edges (snapped to tokens by the session): its label, state and links stay."""

    span_id: int
    start: int
    end: int

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        return port.annotations.resize_span(self.span_id, self.start, self.end, who, revision)

    def describe(self) -> str:
        return "resize span"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        now = spans.get(self.span_id)
        return (min(now[0], self.start), max(now[1], self.end)) if now else (self.start, self.end)

    def moves(self) -> tuple[int, ...]:
        return (self.span_id,)


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
        with port.write():  # one transaction: a link refused takes its new span back with it
            span = port.annotations.add_span(self.doc_id, self.start, self.end, self.label, who, revision)
            return port.links.add(self.doc_id, self.event_id, span.id, self.role, who, revision + 1)

    def describe(self) -> str:
        return f"mark {self.label} as {self.role}"

    def where(self, spans: dict[int, tuple[int, int]]) -> tuple[int, int] | None:
        event = spans.get(self.event_id)  # the link accepts the event span too
        return None if event is None else (min(self.start, event[0]), max(self.end, event[1]))


@dataclass(frozen=True)
class Restore(Edit):
    """Puts spans back as (id, label, state), their edges as (id, start, end) and links as (id, state): every
    edit's inverse and redo."""

    spans: tuple[SpanRow, ...] = ()
    links: tuple[LinkRow, ...] = ()
    bounds: tuple[BoundsRow, ...] = ()

    def run(self, port: Port, who: str | None, revision: int) -> Any:
        port.annotations.restore_spans(self.doc_id, list(self.spans), who, revision, links=list(self.links),
                                       bounds=list(self.bounds))
        return None

    def describe(self) -> str:
        return "restore"

    def moves(self) -> tuple[int, ...]:
        return tuple(b[0] for b in self.bounds)

    def record(self) -> dict[str, Any]:
        out = super().record()
        if not self.bounds:  # the log of an undo that moved no edge reads as it always did
            out.pop("bounds")
        return out

    def __bool__(self) -> bool:
        return bool(self.spans or self.links or self.bounds)


@dataclass(frozen=True)
class SetAnswer(Edit):
    """Answers the article; accepting it accepts the suggestions shown (spans and links) in the same
    transaction. `restore` (undo) puts spans and links back first."""

    answer: Answer = Answer.PENDING
    restore: Restore | None = None

    def describe(self) -> str:
        return f"answer {self.answer.value}"


# ---------------------------------------------------------------- the project's commands: import, suggestions


class Command:
    """A change to the project rather than to one open article (an import, a pre-annotation run): frozen, applied
    by `apply`, which records it in the change log and returns its inverse with its result."""

    def run(self, port: Port, who: str | None) -> Any:
        raise NotImplementedError

    def inverse(self, result: Any) -> Command:
        """The command that takes this one back, given what it returned."""
        raise NotImplementedError

    def record(self) -> dict[str, Any]:
        """What the change log keeps of it: its kind and a summary (an import's records are not copied)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Applied:
    result: Any
    inverse: Command


def apply(port: Port, command: Command, who: str | None) -> Applied:
    """The one way a project command is applied: through the store, its change log entries carrying the
    command; returns its result and its inverse."""
    with port.recording(command.record()):
        result = command.run(port, who)
    return Applied(result, command.inverse(result))


def _files(records: tuple[Record, ...]) -> list[str]:
    return sorted({r.path for r in records if r.path})[:20]


@dataclass(frozen=True)
class AddDocuments(Command):
    """Imports articles with their spans and links (a batch of an import). Its inverse removes the articles it
    added, as long as nobody has edited them since."""

    records: tuple[Record, ...]

    def run(self, port: Port, who: str | None) -> Any:
        return port.documents.add_records(list(self.records), who)

    def inverse(self, result: Any) -> Command:
        return RemoveDocuments(tuple(result.ids))

    def record(self) -> dict[str, Any]:
        return {"kind": "AddDocuments", "documents": len(self.records), "files": _files(self.records)}


@dataclass(frozen=True)
class RemoveDocuments(Command):
    """Removes articles nobody has edited since they came in (refused, removing nothing, otherwise); its
    inverse adds them back as they were."""

    doc_ids: tuple[int, ...]

    def run(self, port: Port, who: str | None) -> Any:
        return port.documents.remove(list(self.doc_ids), who)

    def inverse(self, result: Any) -> Command:
        return AddDocuments(tuple(result))

    def record(self) -> dict[str, Any]:
        return {"kind": "RemoveDocuments", "doc_ids": list(self.doc_ids)}


@dataclass(frozen=True)
class AddSuggestions(Command):
    """A pre-annotation batch: per article (doc id, its tokens or None, suggested Spans, suggested Links naming
    them by position), from pipeline `pipeline`. Its inverse removes the suggestions of that pipeline the
    editors have not touched, in those articles."""

    results: tuple[tuple, ...]
    pipeline: str

    def run(self, port: Port, who: str | None) -> Any:
        return port.suggestions.save_suggestions(list(self.results), self.pipeline, who)

    def inverse(self, result: Any) -> Command:
        return RemoveSuggestions(self.pipeline, tuple(r[0] for r in self.results))

    def record(self) -> dict[str, Any]:
        return {"kind": "AddSuggestions", "pipeline": self.pipeline, "documents": len(self.results)}


@dataclass(frozen=True)
class RemoveSuggestions(Command):
    """Removes what pipeline `pipeline` suggested in these articles and nobody has touched since (an accepted
    or removed suggestion is the editor's), and forgets that it ran there; its inverse suggests them again."""

    pipeline: str
    doc_ids: tuple[int, ...]

    def run(self, port: Port, who: str | None) -> Any:
        return port.suggestions.remove(self.pipeline, list(self.doc_ids), who)

    def inverse(self, result: Any) -> Command:
        return AddSuggestions(tuple(result), self.pipeline)

    def record(self) -> dict[str, Any]:
        return {"kind": "RemoveSuggestions", "pipeline": self.pipeline, "doc_ids": list(self.doc_ids)}
