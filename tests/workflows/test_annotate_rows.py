"""The core of every pre-annotation engine (local, its workers, Ray): rows of articles in, tokens, suggestions
and links out. Articles go through spaCy together (the fast way) unless one breaks the batch; a long article
goes in pieces; an article that breaks the pipeline is named and never holds up the others; an article with
its own tokens keeps only the suggestions, and links, that fit them."""

from __future__ import annotations

import dataclasses

from annotator.core.model import Token
from annotator.core.tokens import pack_tokens
from annotator.nlp.pipeline import tokenize
from annotator.workflows.preannotating import annotate_rows

TEXTS = ["Rebels attacked Kidal on Monday.", "Police arrested two men in Gao.", "Talks began in Algiers."]


class Counting:
    """The pipeline, counting the articles it is given one at a time (the slow way)."""

    def __init__(self, nlp, fail_on: str | None = None, message: str = "the model broke") -> None:
        self.nlp, self.one_at_a_time, self.fail_on, self.message = nlp, 0, fail_on, message
        self.max_length = nlp.max_length

    def _check(self, text: str) -> None:
        if self.fail_on and self.fail_on in text:
            raise RuntimeError(self.message)

    def pipe(self, texts, batch_size: int = 64):
        for text in texts:
            self._check(text)
            yield self.nlp(text)

    def __call__(self, text: str):
        self.one_at_a_time += 1
        self._check(text)
        return self.nlp(text)

    def __getattr__(self, name: str):
        return getattr(self.nlp, name)


def _with(rules, **kw):
    counting = Counting(rules.nlp, **kw)
    return dataclasses.replace(rules, nlp=counting), counting


def _shown(result, text: str) -> tuple:
    doc_id, _, spans, links, _ = result
    return (doc_id, [(text[s.start:s.end], s.label) for s in spans],
            sorted((text[spans[k.event].start:spans[k.event].end], k.role,
                    text[spans[k.argument].start:spans[k.argument].end]) for k in links))


def test_articles_go_through_the_pipeline_together_with_the_results_of_one_at_a_time(rules) -> None:
    annotator, counting = _with(rules)
    rows = [(i + 1, t, None) for i, t in enumerate(TEXTS)]
    results = annotate_rows(annotator, rows, batch_size=2)
    assert counting.one_at_a_time == 0  # no article was taken the slow way
    alone = [annotate_rows(rules, [row])[0] for row in rows]
    assert [_shown(r, t) for r, t in zip(results, TEXTS)] == [_shown(r, t) for r, t in zip(alone, TEXTS)]
    assert [r[1] for r in results] == [pack_tokens(tokenize(t)) for t in TEXTS]
    assert _shown(results[0], TEXTS[0])[2] == [("attacked", "attacker", "Rebels"), ("attacked", "time", "Monday")]


def test_an_article_that_breaks_the_pipeline_is_named_and_the_others_come(rules) -> None:
    long_line = "x" * 300
    annotator, counting = _with(rules, fail_on="Police", message=f"line one {long_line}\nline two")
    rows = [(7, TEXTS[1], None), (8, TEXTS[0], None), (9, TEXTS[2], None)]  # the failing one first
    failed: list[tuple[int, str]] = []
    results = annotate_rows(annotator, rows, failed=failed)
    assert [r[0] for r in results] == [8, 9]
    assert failed == [(7, "RuntimeError: " + f"line one {long_line}"[:200])]
    assert counting.one_at_a_time == 3  # the batch broke: each article again on its own
    # without a list for the failures, they are left out all the same
    assert [r[0] for r in annotate_rows(annotator, rows)] == [8, 9]
    annotator, _ = _with(rules, fail_on="Police", message="")
    failed.clear()
    annotate_rows(annotator, rows, failed=failed)
    assert failed == [(7, "RuntimeError: ")]


def test_a_long_article_goes_in_pieces_and_the_short_ones_still_together(rules) -> None:
    annotator, counting = _with(rules)
    limit = len(TEXTS[0])
    counting.max_length = limit  # the first article is exactly as long as the pipeline takes
    long_text = (TEXTS[0] + "\n") * 3
    annotate_rows(annotator, [(2, long_text, None)])
    pieces, counting.one_at_a_time = counting.one_at_a_time, 0
    assert pieces >= 3
    rows = [(1, TEXTS[0], None), (2, long_text, None), (3, TEXTS[2][:limit], None)]
    results = annotate_rows(annotator, rows)
    assert [r[0] for r in results] == [1, 2, 3]
    assert [s for s in _shown(results[1], long_text)[1] if s[1] == "ATTACK"] == [("attacked", "ATTACK")] * 3
    assert counting.one_at_a_time == pieces  # only the long one's pieces go one at a time
    assert results[1][1] == pack_tokens(tokenize(long_text))


def test_an_article_with_its_own_tokens_keeps_every_link_whose_spans_fit(rules) -> None:
    text = TEXTS[0]
    whole = annotate_rows(rules, [(1, text, None)])[0]
    same = annotate_rows(rules, [(1, text, pack_tokens(tokenize(text)))])[0]
    assert same[1] is None  # its own tokens are kept, not replaced
    assert _shown(same, text) == _shown(whole, text)
    # tokens that join the event word to the next: the event cannot be kept, nor any of its links
    own = pack_tokens([Token(0, 6, True), Token(7, 21, True), Token(22, 24, True), Token(25, 31, False),
                       Token(31, 32, False)])
    cut = annotate_rows(rules, [(1, text, own)])[0]
    assert "attacked" not in [w for w, _ in _shown(cut, text)[1]] and cut[3] == []
    assert "Kidal" in [w for w, _ in _shown(whole, text)[1]]  # ... nor the place inside the same joined token
    assert [w for w, _ in _shown(cut, text)[1]] == [w for w, _ in _shown(whole, text)[1]
                                                    if w not in ("attacked", "Kidal")]
