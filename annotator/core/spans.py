"""Span arithmetic on character offsets: token alignment, snapping, overlap. No tokenizer here: the
tokens come in as offsets from whoever made them (spaCy in `annotator.nlp`, or the input file)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from annotator.core.model import Span, Token


class TokenIndex:
    """Token offsets of one text, for quick lookups of which tokens a character range covers: the one token
    alignment of the project (import checks, snapping a selection, Prodigy's token indices, CoNLL tags)."""

    __slots__ = ("starts", "ends", "_tokens")

    def __init__(self, tokens: Sequence[Token]) -> None:
        self._tokens: list[Token] | None = list(tokens)
        self.starts: Sequence[int] = [t.start for t in self._tokens]
        self.ends: Sequence[int] = [t.end for t in self._tokens]

    @classmethod
    def from_bounds(cls, starts: Sequence[int], ends: Sequence[int]) -> TokenIndex:
        """An index over tokens given as their start and end offsets (packed tokens, read without objects)."""
        index = cls.__new__(cls)
        index._tokens = None
        index.starts, index.ends = starts, ends
        return index

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = [Token(s, e, False) for s, e in zip(self.starts, self.ends)]
        return self._tokens

    def __len__(self) -> int:
        return len(self.starts)

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """(first token, last token inclusive) if [start, end) lines up with token boundaries, else None."""
        i = bisect_left(self.starts, start)
        if i == len(self.starts) or self.starts[i] != start:
            return None
        j = bisect_left(self.ends, end)
        if j == len(self.ends) or self.ends[j] != end or j < i:
            return None
        return i, j

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """Widen [start, end) to whole tokens. Whitespace-only tokens at the edges are dropped.
        None when the range touches no token."""
        if end < start:
            start, end = end, start
        if not len(self):
            return None
        # first token whose end is after start; last token whose start is before end
        i = bisect_right(self.ends, start)
        j = bisect_left(self.starts, end) - 1
        if end == start:  # a caret: the token it sits in
            j = i
        if i >= len(self) or j < i:
            return None
        return self.starts[i], self.ends[j]


def check_span(span: Span, text: str, index: TokenIndex | None, labels: set[str] | None) -> str | None:
    """The reason a span cannot be used on this text, or None when it is fine."""
    if not isinstance(span.start, int) or not isinstance(span.end, int) or isinstance(span.start, bool):
        return f"span offsets must be whole numbers, got {span.start!r}..{span.end!r}"
    if span.start < 0 or span.end > len(text) or span.start >= span.end:
        return f"span {span.start}..{span.end} ({span.label}) lies outside the text of {len(text)} characters"
    if labels is not None and span.label not in labels:
        return f"unknown label {span.label!r} (the scheme has {', '.join(sorted(labels))})"
    if index is not None and index.token_range(span.start, span.end) is None:
        snippet = text[span.start : span.end]
        return (
            f"span {span.start}..{span.end} {snippet!r} ({span.label}) does not line up with token boundaries"
        )
    return None


def dedupe_spans(spans: Sequence[Span]) -> list[Span]:
    """Drop exact repeats (same offsets and label), keeping the first."""
    seen: set[tuple[int, int, str]] = set()
    out = []
    for span in spans:
        if span.key not in seen:
            seen.add(span.key)
            out.append(span)
    return out
