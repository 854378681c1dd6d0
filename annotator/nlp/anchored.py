"""Token patterns, matched fast.

spaCy's Matcher visits every token of a document and builds a Python `Token` for each (about 1.6 µs a token
here), whatever the patterns. Patterns made only of tests on the word itself (ORTH, LOWER, SHAPE, LIKE_NUM,
IS_TITLE..., with `IN` and `NOT_IN` sets) are matched here instead: each distinct word gets a bitmask of the tests
it passes, worked out once (64 tests to a uint64 column, as many columns as the tests need), and a batch of
documents is matched with a few numpy operations on those bits, from the tokens where a pattern can start. Any
other pattern goes to spaCy's Matcher, on the windows after its anchors, or on the whole document when its first
token cannot be tested that way (an optional first token). A test checks that the results equal the Matcher's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, SpanGroup

# the token attributes a pattern may test here (TEXT is ORTH), as Lexeme properties
LEXEME_ATTRS = {"ORTH": "orth_", "TEXT": "orth_", "LOWER": "lower_", "SHAPE": "shape_", "NORM": "norm_",
                "PREFIX": "prefix_", "SUFFIX": "suffix_", "LENGTH": "length", "LIKE_NUM": "like_num",
                "IS_TITLE": "is_title", "IS_DIGIT": "is_digit", "IS_PUNCT": "is_punct", "IS_STOP": "is_stop",
                "IS_ALPHA": "is_alpha", "IS_UPPER": "is_upper", "IS_LOWER": "is_lower", "IS_SPACE": "is_space",
                "LIKE_URL": "like_url", "LIKE_EMAIL": "like_email", "IS_CURRENCY": "is_currency"}
# doc.to_array columns: the word, then character offsets and spacing (no spaCy Token objects needed)
COLUMNS = ["ORTH", "IDX", "LENGTH", "SPACY"]
WINDOW = 7  # the longest stretch a token pattern is expected to match (a title and a long name)

Step = tuple[int, str]  # (bits the token must have, operator)
WORD = 64  # tests to a column of the bitmask
FULL = (1 << WORD) - 1


def columns_of(required: int) -> list[tuple[int, numpy.uint64]]:
    """The columns a token pattern's required bits fall in, with the bits required in each."""
    out = []
    column = 0
    while required:
        part = required & FULL
        if part:
            out.append((column, numpy.uint64(part)))
        required >>= WORD
        column += 1
    return out


class AnchoredMatcher:
    def __init__(self, nlp: Language, name: str, spans_key: str, window: int = WINDOW) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.window = window
        # each distinct test (attribute, values, negated) is one bit of a per-word bitmask
        self._tests: dict[tuple, int] = {}
        # the tests by the word's property they read: (bit, values, negated), so that a word's property is read
        # once for all its tests
        self._by_prop: dict[str, list[tuple[int, frozenset, bool]]] = {}
        # the words seen so far (sorted ORTH hashes) and the bitmask of the tests each passes (a row per column
        # of 64 tests, a word per column)
        self._known = numpy.zeros(0, dtype="uint64")
        self._known_bits = numpy.zeros((1, 0), dtype="uint64")
        # patterns made only of word tests: fixed-length ones matched by shifting masks, the others by a small
        # NFA from each token where they can start
        self.fixed: list[tuple[str, str, list[int]]] = []
        self.simple: list[tuple[str, str, list[Step]]] = []
        # anything else: spaCy's Matcher on the windows after its anchors (or on the whole doc)
        self.general: list[tuple[Matcher, str, str, int | None]] = []

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

    def _compile(self, token: dict[str, Any]) -> int | None:
        """The bits a token must have to pass this token pattern; None if bits cannot express it."""
        if token.get("OP") not in (None, "+", "?", "*", "1"):
            return None
        required = 0
        for attr, value in token.items():
            if attr == "OP":
                continue
            if attr not in LEXEME_ATTRS:
                return None
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
            bit = self._bit(LEXEME_ATTRS[attr], values, negate)
            if bit is None:
                return None
            required |= 1 << bit
        return required

    def _bit(self, prop: str, values: list[Any], negate: bool) -> int | None:
        key = (prop, frozenset(values), negate)
        if key not in self._tests:
            self._tests[key] = len(self._tests)
            self._by_prop.setdefault(prop, []).append((self._tests[key], frozenset(values), negate))
            self._known = numpy.zeros(0, dtype="uint64")  # every word is worked out again
            self._known_bits = numpy.zeros((self.width, 0), dtype="uint64")
        return self._tests[key]

    @property
    def width(self) -> int:
        """Columns of 64 tests the bitmask has."""
        return max(1, -(-len(self._tests) // WORD))

    def _word_bits(self, orth: int) -> list[int]:
        lex = self.vocab[orth]
        bits = 0
        for prop, tests in self._by_prop.items():
            value = getattr(lex, prop)
            for bit, wanted, negate in tests:
                if (value in wanted) != negate:
                    bits |= 1 << bit
        return [(bits >> (WORD * c)) & FULL for c in range(self.width)]

    def _lookup(self, uniq: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        pos = numpy.searchsorted(self._known, uniq)
        pos[pos == len(self._known)] = 0
        found = self._known[pos] == uniq if len(self._known) else numpy.zeros(len(uniq), dtype=bool)
        return pos, found

    def bits(self, orths: numpy.ndarray) -> numpy.ndarray:
        """The test bits of each token, from its word (a row per column of 64 tests, a column per token):
        worked out once per distinct word and remembered (a sorted array of the words seen, so that a batch is
        looked up in one search)."""
        uniq, inverse = numpy.unique(orths, return_inverse=True)
        pos, found = self._lookup(uniq)
        if not found.all():
            new = uniq[~found]
            new_bits = numpy.array([self._word_bits(h) for h in new.tolist()], dtype="uint64").reshape(
                len(new), self.width).T
            known = numpy.concatenate((self._known, new))
            order = numpy.argsort(known, kind="stable")
            self._known = known[order]
            self._known_bits = numpy.concatenate((self._known_bits, new_bits), axis=1)[:, order]
            pos, found = self._lookup(uniq)
        return numpy.ascontiguousarray(self._known_bits[:, pos[inverse.ravel()]])

    @staticmethod
    def _mask(bits: numpy.ndarray, required: int, cache: dict) -> numpy.ndarray:
        mask = cache.get(required)
        if mask is None:
            for column, part in columns_of(required):
                passed = (bits[column] & part) == part
                mask = passed if mask is None else mask & passed
            if mask is None:  # a token pattern that tests nothing: every token
                mask = numpy.ones(bits.shape[1], dtype=bool)
            cache[required] = mask
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
    def _run(masks: list[Any], ops: list[str], start: int, n: int) -> list[int]:
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
        """(start token, end token, label, pattern id) of every match; `arr` is `doc.to_array(COLUMNS)`."""
        n = len(doc)
        if not n:
            return []
        bits = self.bits(arr[:, 0])
        return self.find_in(bits, numpy.full(n, n)) + self.find_general(doc, bits)

    def find_in(self, bits: numpy.ndarray, limit: numpy.ndarray) -> list[tuple[int, int, str, str]]:
        """Matches of the fixed and simple patterns over tokens with these test bits, which may be several
        documents one after the other: `limit[i]` is the end (exclusive) of the document of token i, and no
        match crosses it."""
        spans: list[tuple[int, int, str, str]] = []
        n = bits.shape[1]
        if not n:
            return spans
        cache: dict = {}
        for label, pid, steps in self.fixed:
            length = len(steps)
            if length > n:
                continue
            hits = self._mask(bits, steps[0], cache)[: n - length + 1].copy()
            for k in range(1, length):
                if not hits.any():
                    break
                hits &= self._mask(bits, steps[k], cache)[k : n - length + 1 + k]
            starts = numpy.nonzero(hits)[0]
            if length > 1 and len(starts):
                starts = starts[limit[starts] >= starts + length]
            for a in starts.tolist():
                spans.append((a, a + length, label, pid))
        for label, pid, steps in self.simple:
            first = self._mask(bits, steps[0][0], cache)
            anchors = numpy.nonzero(first)[0]
            if not len(anchors):
                continue
            # keep the anchors followed, within a window, by a token for the pattern's last required step
            last_required = next(req for req, op in reversed(steps) if op in ("1", "+"))
            counts = numpy.concatenate(([0], numpy.cumsum(self._mask(bits, last_required, cache))))
            reach = numpy.minimum(anchors + self.window, limit[anchors])
            keep = counts[reach] > counts[anchors]
            anchors, ends = anchors[keep].tolist(), limit[anchors[keep]].tolist()
            if not anchors:
                continue
            # the NFA reads a few positions after each anchor: index the arrays (converting whole masks of a
            # batch to lists cost more than all the matching)
            masks = [first] + [self._mask(bits, req, cache) for req, _ in steps[1:]]
            ops = [op for _, op in steps]
            for a, stop in zip(anchors, ends):
                for e in self._run(masks, ops, a, stop):
                    spans.append((a, e, label, pid))
        return spans

    def find_general(self, doc: Doc, bits: numpy.ndarray) -> list[tuple[int, int, str, str]]:
        """Matches of the patterns that need spaCy's Matcher, on one document."""
        spans: list[tuple[int, int, str, str]] = []
        n = len(doc)
        cache: dict = {}
        for matcher, label, pid, anchor in self.general:
            stretches = [(0, n)] if anchor is None else self._stretches(
                numpy.nonzero(self._mask(bits, anchor, cache))[0].tolist(), n)
            for a, b in stretches:
                for _, s, e in matcher(doc[a:b]):
                    spans.append((a + s, a + e, label, pid))
        return spans

    def __call__(self, doc: Doc) -> Doc:
        found = []
        if len(doc):
            for s, e, label, pid in self.find(doc, doc.to_array(COLUMNS)):
                span = doc[s:e]
                span.label_ = label
                span.id_ = pid
                found.append(span)
        group = doc.spans.get(self.spans_key)
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=list(group or []) + found)
        return doc
