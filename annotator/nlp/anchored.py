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

ATTRS = {"ORTH": 0, "TEXT": 0, "LOWER": 1, "SHAPE": 2, "LIKE_NUM": 3, "IS_TITLE": 4, "IS_DIGIT": 5, "IS_PUNCT": 6}
ATTR_NAMES = ["ORTH", "LOWER", "SHAPE", "LIKE_NUM", "IS_TITLE", "IS_DIGIT", "IS_PUNCT"]
FLAGS = {"LIKE_NUM", "IS_TITLE", "IS_DIGIT", "IS_PUNCT"}
WINDOW = 7  # the longest stretch a token pattern is expected to match (a title and a long name)


Test = tuple[int, "numpy.ndarray"]  # (column of ATTR_NAMES, allowed values)


class AnchoredMatcher:
    def __init__(self, nlp: Language, name: str, spans_key: str, window: int = WINDOW) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.window = window
        # patterns made only of built-in attributes: matched here, over numpy masks, from their anchors
        self.simple: list[tuple[str, str, list[tuple[list[Test], str]]]] = []
        # anything else: spaCy's Matcher on the windows after its anchors (or on the whole doc)
        self.general: list[tuple[Matcher, str, str, list[Test] | None]] = []

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        for p in patterns:
            matcher = Matcher(self.vocab, validate=True)
            matcher.add(p["label"], [p["pattern"]])  # validates the pattern, whichever way it is run
            steps = [self._compile(tok) for tok in p["pattern"]]
            first_op = p["pattern"][0].get("OP")
            if all(step is not None for step in steps) and first_op in (None, "+", "1"):
                self.simple.append((p["label"], str(p.get("id", "")),
                                    [(tests, tok.get("OP") or "1") for tests, tok in zip(steps, p["pattern"])]))
            else:
                anchor = steps[0] if first_op in (None, "+", "1") else None
                self.general.append((matcher, p["label"], str(p.get("id", "")), anchor))

    def _compile(self, token: dict[str, Any]) -> list[Test] | None:
        if token.get("OP") not in (None, "+", "?", "*", "1"):
            return None
        tests: list[Test] = []
        for attr, value in token.items():
            if attr == "OP":
                continue
            if attr not in ATTRS:
                return None
            col = ATTRS[attr]
            if isinstance(value, dict):
                if set(value) != {"IN"}:
                    return None
                values = value["IN"]
            else:
                values = [value]
            if attr in FLAGS:
                codes = {1 if v else 0 for v in values}
            else:
                codes = {self.vocab.strings.add(str(v)) for v in values}
            tests.append((col, numpy.array(sorted(codes), dtype="uint64")))
        return tests

    @staticmethod
    def _mask(arr: numpy.ndarray, tests: list[Test]) -> numpy.ndarray:
        """Tokens that pass every test. (numpy.isin costs ~35 µs a call on small arrays; a sorted search is
        a few µs.)"""
        mask = numpy.ones(len(arr), dtype=bool)
        for col, values in tests:
            column = arr[:, col]
            if len(values) == 1:
                mask &= column == values[0]
            else:
                idx = numpy.searchsorted(values, column)
                idx[idx == len(values)] = 0
                mask &= values[idx] == column
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

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        n = len(doc)
        if n and (self.simple or self.general):
            arr = doc.to_array(ATTR_NAMES)
            for label, pid, steps in self.simple:
                first = self._mask(arr, steps[0][0])
                anchors = numpy.nonzero(first)[0].tolist()
                if not anchors:
                    continue
                masks = [first.tolist()] + [self._mask(arr, tests).tolist() for tests, _ in steps[1:]]
                ops = [op for _, op in steps]
                for a in anchors:
                    for e in self._run(masks, ops, a, n):
                        spans.append((a, e, label, pid))
            for matcher, label, pid, anchor in self.general:
                stretches = [(0, n)] if anchor is None else self._stretches(
                    numpy.nonzero(self._mask(arr, anchor))[0].tolist(), n)
                for a, b in stretches:
                    for _, s, e in matcher(doc[a:b]):
                        spans.append((a + s, a + e, label, pid))
        found = []
        for s, e, label, pid in spans:
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
