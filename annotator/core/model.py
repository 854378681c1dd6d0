"""The records the whole project passes around: documents, spans, answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import InputError


class Answer(str, enum.Enum):
    """The editor's verdict on a whole article. Prodigy's words: accept, reject, ignore (shown as 'skipped')."""

    PENDING = "pending"
    ACCEPT = "accept"
    REJECT = "reject"
    IGNORE = "ignore"

    @classmethod
    def parse(cls, value: Any) -> Answer:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(a.value for a in cls)
            raise InputError(f"unknown answer {value!r} (expected one of {allowed})") from None


class SpanState(str, enum.Enum):
    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Source(str, enum.Enum):
    """Where a span came from."""

    RULE = "rule"
    MODEL = "model"
    EDITOR = "editor"


@dataclass(slots=True)
class Token:
    start: int
    end: int
    ws: bool


@dataclass(slots=True)
class Span:
    """A labelled stretch of an article's text. Offsets are characters, end exclusive."""

    start: int
    end: int
    label: str
    source: Source = Source.EDITOR
    state: SpanState = SpanState.ACCEPTED
    score: float | None = None
    id: int | None = None
    # a suggestion's maker: its rule pattern's id, or the model (what `annotator stats --effort` tells apart)
    origin: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(slots=True)
class Link:
    """An argument span filling a role of an event span: "Russia" as the attacker of "launched". In an
    `Record`, `event` and `argument` are positions in the record's `spans`; read from a project they are
    span ids. It has a source and a state like a span: a rejected link is one the editor removed (kept, so that
    pre-annotation never suggests it again)."""

    event: int
    argument: int
    role: str
    source: Source = Source.EDITOR
    state: SpanState = SpanState.ACCEPTED
    score: float | None = None
    id: int | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.event, self.argument, self.role)


@dataclass(slots=True)
class Document:
    text: str
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    input_hash: str = ""
    id: int | None = None
    answer: Answer = Answer.PENDING
    answered_by: str | None = None
    answered_at: str | None = None
    tokens: list[Token] | None = None

    def __post_init__(self) -> None:
        if not self.input_hash:
            from annotator.core.hashing import text_hash

            self.input_hash = text_hash(self.text)


@dataclass(slots=True)
class Record:
    """An article with its spans and links: the one shape from reader to writer. A reader makes one per
    article of its file (with where it came from), the store takes and gives them (`store.documents.add_records`,
    `store.exports.iter_for_export`), a writer writes them. Its links name its spans by position in `spans`."""

    document: Document
    spans: list[Span] = field(default_factory=list)
    path: str | None = None
    line: int | None = None
    links: list[Link] = field(default_factory=list)
    record: int | None = None  # its number in a file read whole (one pretty-printed JSON value), which has no lines
    # read out of a project: its links that could not go with it (a span of theirs was left out, by label)
    links_left_out: int = 0
    # read out of a project: its accepted links whose spans are not both accepted (left out, never written)
    links_hanging: int = 0

    def error(self, reason: str) -> InputError:
        """The error that says why this record cannot be used, naming its file and its line (or record)."""
        if self.record is not None:
            return InputError(f"record {self.record}: {reason}", self.path)
        return InputError(reason, self.path, self.line)
