"""The rule component of the default pipeline: the project's pattern file, matched fast.

Phrase patterns (`"pattern": "air strike"`) go to spaCy's PhraseMatcher on lower-cased text; token patterns
(`"pattern": [{...}, ...]`) to `annotator.nlp.anchored`. It does the job of spaCy's span_ruler but records its
matches as plain (start char, end char, label, pattern id) tuples in `doc.user_data["annotator_rules"]`:
building a spaCy Span for each of the ~30 matches an article gets, and again when reading `doc.spans`, cost
more than all the matching. A pattern id ending in "@a:b" keeps tokens a to b of the match (a Python slice):
the other tokens are context ("casualties-after-verb@1:" on "killed twelve" gives "twelve")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

import numpy

from annotator.nlp.anchored import WINDOW, AnchoredMatcher

USER_DATA_KEY = "annotator_rules"
TOKENS_KEY = "annotator_tokens"  # the tokens packed as annotator.core.tokens stores them, while we have them


def token_slice(start: int, end: int, pattern_id: str) -> tuple[int, int]:
    """The part of a match [start, end) that a pattern id ending in "@a:b" keeps."""
    if "@" not in pattern_id:
        return start, end
    try:
        a, b = pattern_id.rsplit("@", 1)[1].split(":")
        kept = range(start, end)[slice(int(a) if a else None, int(b) if b else None)]
    except ValueError:
        return start, end
    return (kept.start, kept.stop) if len(kept) else (start, start)


class RuleMatcher:
    def __init__(self, nlp: Language, name: str, window: int = WINDOW) -> None:
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = AnchoredMatcher(nlp, name, spans_key=name, window=window)
        self.keys: dict[int, tuple[str, str]] = {}

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        phrases: dict[tuple[str, str], list[str]] = {}
        token_patterns = []
        for p in patterns:
            if isinstance(p["pattern"], str):
                phrases.setdefault((p["label"], str(p.get("id", ""))), []).append(p["pattern"])
            else:
                token_patterns.append(p)
        for (label, pid), texts in phrases.items():
            key = f"{label}\x1f{pid}"
            self.phrases.add(key, list(self.nlp.tokenizer.pipe(texts)))
            self.keys[self.nlp.vocab.strings[key]] = (label, pid)
        self.tokens.add_patterns(token_patterns)

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, str, str]] = []
        if len(doc):
            arr = doc.to_array(self.tokens.attr_names)  # the tested columns, then IDX, LENGTH, SPACY
            idx, length, spacy_ = arr[:, -3], arr[:, -2], arr[:, -1]
            starts = idx.tolist()
            lengths = length.tolist()
            matches = [(s, e, *self.keys[m]) for m, s, e in self.phrases(doc)] + self.tokens.find(doc, arr)
            for s, e, label, pid in matches:
                s, e = token_slice(s, e, pid)
                if s < e:
                    found.append((starts[s], starts[e - 1] + lengths[e - 1], label, pid))
            packed = numpy.empty((len(doc), 3), dtype="<i4")
            packed[:, 0] = idx
            packed[:, 1] = idx + length
            packed[:, 2] = spacy_
            doc.user_data[TOKENS_KEY] = packed.tobytes()
        doc.user_data[USER_DATA_KEY] = found
        return doc


@Language.factory("annotator_rules", default_config={"window": WINDOW})
def make_rules(nlp: Language, name: str, window: int) -> RuleMatcher:
    return RuleMatcher(nlp, name, window)
