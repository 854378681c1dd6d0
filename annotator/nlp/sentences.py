"""Sentence starts from a Doc's token columns, with numpy: spaCy's `sentencizer` rule (after a sentence-ending
mark, the next token that is no punctuation starts a sentence) and paragraph breaks, without its Python loop over
every token. Used by the rules (a role's words count only in a sentence that reports an event) and by the link
suggestions (an event's arguments are in its sentence)."""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, ORTH, SENT_START
from spacy.tokens import Doc

COLUMNS = [ORTH, IS_PUNCT, IDX, SENT_START, IS_SPACE]
_MARKS: list[Any] = []  # the hashes of the sentence-ending marks (the same in every vocabulary), made once


def columns(doc: Doc) -> Any:
    return doc.to_array(COLUMNS)


def start_tokens(doc: Doc, arr: Any = None) -> Any:
    """The tokens that start a sentence by the sentencizer's rule (token 0 always), as a numpy array."""
    from spacy.pipeline.sentencizer import Sentencizer

    if not len(doc):
        return np.zeros(0, dtype=np.int64)
    if not _MARKS:
        _MARKS.append(np.array(sorted(doc.vocab.strings.add(c) for c in Sentencizer.default_punct_chars),
                               dtype=np.uint64))
    arr = columns(doc) if arr is None else arr
    marks = _MARKS[0]  # sorted: a binary search per token, not np.isin (9 against 37 µs for an article of 180 tokens)
    orth = arr[:, 0]
    period = marks[np.minimum(np.searchsorted(marks, orth), len(marks) - 1)] == orth
    seen = np.concatenate(([0], np.cumsum(period)))  # marks before each token (seen[i]: among tokens < i)
    words = np.nonzero((arr[:, 1] == 0) & ~period)[0]  # the tokens that may start a sentence
    before = np.concatenate(([0], words[:-1] + 1))  # just after the previous such token (0 for the first)
    return np.concatenate(([0], words[seen[words] - seen[before] > 0]))


def sentence_ids(doc: Doc, arr: Any = None) -> Any:
    """Each token's sentence (0, 1, …): the pipeline's boundaries when a component set them, else the
    sentencizer's rule; a whitespace token holding a blank line (a paragraph break) starts a new one after it."""
    arr = columns(doc) if arr is None else arr
    n = len(doc)
    if n > 1 and arr[1:, 3].any():
        starts = np.nonzero(arr[:, 3] == 1)[0]
    else:
        starts = start_tokens(doc, arr)
    flags = np.zeros(n + 1, dtype=np.int64)
    flags[starts] = 1
    for i in np.nonzero(arr[:, 4])[0].tolist():  # whitespace tokens: few
        if doc[i].text.count("\n") >= 2:
            flags[i + 1] = 1
    return np.cumsum(flags[:n])
