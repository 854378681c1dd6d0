"""The rules' suggestions as a feature of the span categoriser (issue 30, "what you find"): a stacked model that
sees, for each token, the label of the shortest rule suggestion over it ("B-ATTACK", "I-ACTOR", "O") as a fifth
embedded attribute (TAG) beside NORM, PREFIX, SUFFIX and SHAPE, so that it can learn where the team keeps, drops or
adds to what the rules find. Measured only, not shipped: `with rule_features():` makes `annotator train` build
such a pipeline (a component that runs the default rules on each doc before the tok2vec, and annotates the
training docs too); the models it trains load only where this module is imported.
Used by bench_train.py (the option "sentences, the rules' spans as a feature") and bench_quality.py
(--rule-features)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

_RULES: dict[str, Any] = {}
_SPANS: dict[str, list[tuple[int, int, str]]] = {}  # text -> the rules' suggestions: each training sentence is
# annotated again at every epoch


def rule_spans(text: str) -> list[tuple[int, int, str]]:
    if text not in _SPANS:
        if "annotator" not in _RULES:
            from annotator.core.labels import load_scheme
            from annotator.nlp import build_annotator

            _RULES["annotator"] = build_annotator(load_scheme())
        rules = _RULES["annotator"]
        _SPANS[text] = [(s.start, s.end, s.label) for s in rules.suggestions(rules.nlp(text))]
    return _SPANS[text]


@Language.component("annotator_rule_tags")
def rule_tags(doc: Doc) -> Doc:
    """Each token's tag: B- or I- and the label of the shortest rule suggestion over it, else O."""
    tags = ["O"] * len(doc)
    width = [len(doc) + 1] * len(doc)
    for start, end, label in rule_spans(doc.text):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        for i in range(span.start, span.end):
            if len(span) < width[i]:
                width[i] = len(span)
                tags[i] = ("B-" if i == span.start else "I-") + label
    for token, tag in zip(doc, tags):
        token.tag_ = tag
    return doc


@contextmanager
def rule_features() -> Iterator[None]:
    """`annotator train` builds the stacked pipeline inside the block."""
    import annotator.workflows.training as training

    original = training.make_config

    def make_config(*args: Any, **kwargs: Any) -> Any:
        config = original(*args, **kwargs)
        config["nlp"]["pipeline"] = ["rule_tags", *config["nlp"]["pipeline"]]
        config["components"]["rule_tags"] = {"factory": "annotator_rule_tags"}
        config["training"]["annotating_components"] = ["rule_tags"]
        embed = config["components"]["tok2vec"]["model"]["embed"]
        embed["attrs"] = [*embed["attrs"], "TAG"]
        embed["rows"] = [*embed["rows"], 500]
        return config

    training.make_config = make_config
    try:
        yield
    finally:
        training.make_config = original
