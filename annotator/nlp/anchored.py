"""Token patterns run on short windows only.

spaCy's Matcher visits every token of a document and builds a Python `Token` for each (about 1.6 µs a token
here), whatever the patterns. Most of our token patterns can only start at a rare token: a number, a month, a
title. This component finds those tokens with numpy over `doc.to_array` and runs the same Matcher, with the same
patterns, on a window after each of them. Patterns made only of built-in attributes and `IN` sets are matched
here directly, over numpy masks, from those tokens; any other pattern goes to spaCy's Matcher, on the windows
after its anchors, or on the whole document when its first token cannot be tested (a regular expression, an
optional first token). A test checks that the results equal the Matcher's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, SpanGroup

# the token attributes a pattern may test here (TEXT is ORTH); the others send it to spaCy's Matcher
ATTRS = {"ORTH", "TEXT", "LOWER", "SHAPE", "LIKE_NUM", "IS_TITLE", "IS_DIGIT", "IS_PUNCT", "IS_STOP", "IS_ALPHA",
         "IS_UPPER", "IS_LOWER"}
# after the tested columns come these three: character offsets and spacing, without spaCy Token objects
TAIL = ["IDX", "LENGTH", "SPACY"]
FLAGS = {"LIKE_NUM", "IS_TITLE", "IS_DIGIT", "IS_PUNCT", "IS_STOP", "IS_ALPHA", "IS_UPPER", "IS_LOWER"}
WINDOW = 7  # the longest stretch a token pattern is expected to match (a title and a long name)


Test = tuple[int, "numpy.ndarray", bool]  # (column of ATTR_NAMES, sorted allowed values, negated)
Step = tuple[tuple[Test, ...], str]  # (tests, operator)


class AnchoredMatcher:
    def __init__(self, nlp: Language, name: str, spans_key: str, window: int = WINDOW) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.window = window
        # patterns of built-in attributes and sets: fixed-length ones matched by shifting numpy masks, the
        # others by a small NFA from each token where they can start
        self.fixed: list[tuple[str, str, list[tuple[Test, ...]]]] = []
        self.simple: list[tuple[str, str, list[Step]]] = []
        # anything else: spaCy's Matcher on the windows after its anchors (or on the whole doc)
        self.general: list[tuple[Matcher, str, str, tuple[Test, ...] | None]] = []
        # equal tests share one object, so that a document computes each distinct mask once
        self._interned: dict[tuple, tuple[Test, ...]] = {}
        # the columns of doc.to_array that the tests read, in order, then TAIL
        self.columns: list[str] = []

    @property
    def attr_names(self) -> list[str]:
        return self.columns + TAIL

    def _column(self, attr: str) -> int:
        attr = "ORTH" if attr == "TEXT" else attr
        if attr not in self.columns:
            self.columns.append(attr)
        return self.columns.index(attr)

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        for p in patterns:
            matcher = Matcher(self.vocab, validate=True)
            matcher.add(p["label"], [p["pattern"]])  # validates the pattern, whichever way it is run
            steps = [self._compile(tok) for tok in p["pattern"]]
            ops = [tok.get("OP") or "1" for tok in p["pattern"]]
            label, pid = p["label"], str(p.get("id", ""))
            if all(step is not None for step in steps) and ops[0] in ("1", "+"):
                if all(op == "1" for op in ops):
                    self.fixed.append((label, pid, steps))  # type: ignore[arg-type]
                else:
                    self.simple.append((label, pid, list(zip(steps, ops))))  # type: ignore[arg-type]
            else:
                anchor = steps[0] if ops[0] in ("1", "+") else None
                self.general.append((matcher, label, pid, anchor))

    def _compile(self, token: dict[str, Any]) -> tuple[Test, ...] | None:
        if token.get("OP") not in (None, "+", "?", "*", "1"):
            return None
        tests: list[Test] = []
        for attr, value in token.items():
            if attr == "OP":
                continue
            if attr not in ATTRS:
                return None
            col = self._column(attr)
            negate = False
            if isinstance(value, dict):
                if set(value) == {"IN"}:
                    values = value["IN"]
                elif set(value) == {"NOT_IN"}:
                    values, negate = value["NOT_IN"], True
                else:
                    return None
            else:
                values = [value]
            if attr in FLAGS:
                codes = {1 if v else 0 for v in values}
            else:
                codes = {self.vocab.strings.add(str(v)) for v in values}
            tests.append((col, numpy.array(sorted(codes), dtype="uint64"), negate))
        key = tuple(sorted((col, values.tobytes(), negate) for col, values, negate in tests))
        return self._interned.setdefault(key, tuple(tests))

    @staticmethod
    def _mask(arr: numpy.ndarray, tests: tuple[Test, ...], cache: dict) -> numpy.ndarray:
        """Tokens that pass every test, computed once per document for each distinct set of tests. (numpy.isin
        costs ~35 µs a call on small arrays; a sorted search is a few µs.)"""
        key = id(tests)
        mask = cache.get(key)
        if mask is not None:
            return mask
        mask = numpy.ones(len(arr), dtype=bool)
        for col, values, negate in tests:
            column = arr[:, col]
            if len(values) == 1:
                hit = column == values[0]
            else:
                idx = numpy.searchsorted(values, column)
                idx[idx == len(values)] = 0
                hit = values[idx] == column
            mask &= ~hit if negate else hit
        cache[key] = mask
        return mask

    def _stretches(self, positions: list[int], length: int) -> list[tuple[int, int]]:
        """The windows after each position, merged where they overlap."""
        out: list[tuple[int, int]] = []
        for i in positions:
            end = min(length, i + self.window)
            if out and i <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((i, end))
        return out

    @staticmethod
    def _run(masks: list[list[bool]], ops: list[str], start: int, n: int) -> list[int]:
        """Every end of a match starting at `start`: an NFA over the pattern's steps, as spaCy's Matcher
        reports all of them (a "+" step gives one match per length)."""
        last = len(ops)

        def closure(states: set[int]) -> set[int]:
            todo = list(states)
            while todo:
                k = todo.pop()
                if k < last and ops[k] in ("?", "*") and k + 1 not in states:
                    states.add(k + 1)
                    todo.append(k + 1)
            return states

        ends = []
        states = closure({0})
        i = start
        while states and i < n:
            nxt: set[int] = set()
            for k in states:
                if k < last and masks[k][i]:
                    nxt.add(k + 1)
                    if ops[k] in ("+", "*"):
                        nxt.add(k)
            states = closure(nxt)
            i += 1
            if last in states:
                ends.append(i)
        return ends

    def find(self, doc: Doc, arr: numpy.ndarray) -> list[tuple[int, int, str, str]]:
        """(start token, end token, label, pattern id) of every match; `arr` is `doc.to_array(self.attr_names)`."""
        n = len(doc)
        if not n:
            return []
        found = self.find_in(arr, numpy.full(n, n))
        found += self.find_general(doc, arr)
        return found

    def find_in(self, arr: numpy.ndarray, limit: numpy.ndarray) -> list[tuple[int, int, str, str]]:
        """Matches of the fixed and simple patterns over the rows of `arr`, which may hold several documents one
        after the other: `limit[i]` is the end (exclusive) of the document of row i, and no match crosses it."""
        spans: list[tuple[int, int, str, str]] = []
        n = len(arr)
        if not n:
            return spans
        cache: dict = {}
        for label, pid, steps in self.fixed:
            length = len(steps)
            if length > n:
                continue
            hits = self._mask(arr, steps[0], cache)[: n - length + 1].copy()
            for k in range(1, length):
                if not hits.any():
                    break
                hits &= self._mask(arr, steps[k], cache)[k : n - length + 1 + k]
            starts = numpy.nonzero(hits)[0]
            if length > 1 and len(starts):
                starts = starts[limit[starts] >= starts + length]
            for a in starts.tolist():
                spans.append((a, a + length, label, pid))
        for label, pid, steps in self.simple:
            first = self._mask(arr, steps[0][0], cache)
            anchors = numpy.nonzero(first)[0]
            if not len(anchors):
                continue
            # keep the anchors followed, within a window, by a token for the pattern's last required step
            last_required = next(tests for tests, op in reversed(steps) if op in ("1", "+"))
            counts = numpy.concatenate(([0], numpy.cumsum(self._mask(arr, last_required, cache))))
            reach = numpy.minimum(anchors + self.window, limit[anchors])
            keep = counts[reach] > counts[anchors]
            anchors, ends = anchors[keep].tolist(), limit[anchors[keep]].tolist()
            if not anchors:
                continue
            masks = [first.tolist()] + [self._mask(arr, tests, cache).tolist() for tests, _ in steps[1:]]
            ops = [op for _, op in steps]
            for a, stop in zip(anchors, ends):
                for e in self._run(masks, ops, a, stop):
                    spans.append((a, e, label, pid))
        return spans

    def find_general(self, doc: Doc, arr: numpy.ndarray) -> list[tuple[int, int, str, str]]:
        """Matches of the patterns that need spaCy's Matcher, on one document."""
        spans: list[tuple[int, int, str, str]] = []
        n = len(doc)
        cache: dict = {}
        for matcher, label, pid, anchor in self.general:
            stretches = [(0, n)] if anchor is None else self._stretches(
                numpy.nonzero(self._mask(arr, anchor, cache))[0].tolist(), n)
            for a, b in stretches:
                for _, s, e in matcher(doc[a:b]):
                    spans.append((a + s, a + e, label, pid))
        return spans

    def __call__(self, doc: Doc) -> Doc:
        arr = doc.to_array(self.attr_names) if len(doc) else None
        found = []
        if arr is not None:
            for s, e, label, pid in self.find(doc, arr):
                span = doc[s:e]
                span.label_ = label
                span.id_ = pid
                found.append(span)
        group = doc.spans.get(self.spans_key)
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=list(group or []) + found)
        return doc


@Language.factory("annotator_token_patterns", default_config={"spans_key": "sc", "window": WINDOW})
def make_anchored(nlp: Language, name: str, spans_key: str, window: int) -> AnchoredMatcher:
    return AnchoredMatcher(nlp, name, spans_key, window)
