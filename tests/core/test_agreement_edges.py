"""Agreement at its edges, where a dataset goes wrong quietly: the same offsets with another label, spans that
only touch, one editor missing, and every figure bounded whatever the editors did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.agreement import ArticleWork, agreement
from tests.core.test_agreement import LABELS, tokens


def pair_of(ana: set, ben: set, n: int = 10, ana_links: set | None = None, ben_links: set | None = None
            ) -> dict:
    work = ArticleWork(1, "t", *tokens(n), answers={"ana": "accept", "ben": "accept"})
    work.spans = {"ana": ana, "ben": ben}
    work.links = {"ana": ana_links or set(), "ben": ben_links or set()}
    (pair,) = agreement([work], LABELS)["pairs"]
    return pair


def test_the_same_offsets_with_another_label_is_no_match():
    pair = pair_of({(0, 3, "ACTOR")}, {(0, 3, "PLACE")})
    assert pair["labels"]["total"]["exact_f1"] == 0.0
    assert pair["labels"]["total"]["overlap_f1"] == 0.0
    assert pair["labels"]["ACTOR"]["exact_f1"] == 0.0 and pair["labels"]["PLACE"]["exact_f1"] == 0.0
    same = pair_of({(0, 3, "ACTOR")}, {(0, 3, "ACTOR")})
    assert same["labels"]["total"]["exact_f1"] == 1.0 and same["labels"]["ACTOR"]["cohen_kappa"] == 1.0


def test_spans_that_only_touch_do_not_overlap():
    # tokens 0-1 (chars 0..3) and tokens 2-3 (chars 4..7): apart; chars 0..4 and 4..7 touch at 4
    pair = pair_of({(0, 4, "ATTACK")}, {(4, 7, "ATTACK")})
    assert pair["labels"]["ATTACK"]["overlap_f1"] == 0.0
    overlapping = pair_of({(0, 5, "ATTACK")}, {(4, 7, "ATTACK")})
    assert overlapping["labels"]["ATTACK"]["overlap_f1"] == 1.0 and overlapping["labels"]["ATTACK"]["exact_f1"] == 0


def test_a_link_with_another_role_or_argument_label_is_no_match():
    ev, arg = (4, 7, "ATTACK"), (0, 1, "ACTOR")
    spans = {ev, arg}
    pair = pair_of(spans, spans, ana_links={(ev, arg, "attacker")}, ben_links={(ev, arg, "target")})
    assert pair["links"] == {"triples": [1, 1], "f1": 0.0}
    again = pair_of(spans, spans, ana_links={(ev, arg, "attacker")}, ben_links={(ev, arg, "attacker")})
    assert again["links"]["f1"] == 1.0


def test_an_editor_who_did_not_accept_the_article_is_not_compared():
    work = ArticleWork(1, "t", *tokens(6), answers={"ana": "accept", "ben": "pending", "chen": "reject"})
    work.spans = {"ana": {(0, 1, "ACTOR")}, "ben": {(0, 1, "ACTOR")}, "chen": {(0, 1, "ACTOR")}}
    result = agreement([work], LABELS)
    assert result["articles_compared"] == 0
    assert [p["editors"] for p in result["pairs"]] == [["ana", "chen"]]  # ben never answered
    assert result["pairs"][0]["labels"] == {} and result["pairs"][0]["answers"]["agree"] == 0


spans = st.sets(st.builds(lambda s, n, lb: (2 * s, 2 * (s + n) - 1, lb), st.integers(0, 7), st.integers(1, 3),
                          st.sampled_from(LABELS)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(spans, spans, spans), min_size=1, max_size=4))
def test_every_figure_is_bounded_and_overlap_never_below_exact(articles):
    works = []
    for i, (a, b, c) in enumerate(articles):
        work = ArticleWork(i + 1, "t", *tokens(12), answers={"ana": "accept", "ben": "accept", "chen": "accept"})
        work.spans = {"ana": a, "ben": b, "chen": c}
        works.append(work)
    result = agreement(works, LABELS)
    for pair in result["pairs"]:
        for label, f in pair["labels"].items():
            for key in ("exact_f1", "overlap_f1"):
                assert f[key] is None or 0.0 <= f[key] <= 1.0, (label, key, f)
            if f["exact_f1"] is not None and f["overlap_f1"] is not None:
                assert f["overlap_f1"] >= f["exact_f1"] - 1e-9
            for key in ("cohen_kappa", "krippendorff_alpha"):
                assert f[key] is None or -1.0 - 1e-9 <= f[key] <= 1.0 + 1e-9
    for f in result["overall"]["labels"].values():
        assert f["exact_f1"] is None or 0.0 <= f["exact_f1"] <= 1.0
        assert f["fleiss_kappa"] is None or f["fleiss_kappa"] <= 1.0 + 1e-9
    for art in result["articles"]:
        assert 0.0 <= art["span_f1"] <= 1.0
    # symmetric: the same figures whichever editor is called first
    swapped = []
    for w in works:
        s = ArticleWork(w.doc_id, "t", w.starts, w.ends, dict(w.answers),
                        {"ana": w.spans["ben"], "ben": w.spans["ana"], "chen": w.spans["chen"]})
        swapped.append(s)
    other = agreement(swapped, LABELS)
    assert result["overall"] == other["overall"]
