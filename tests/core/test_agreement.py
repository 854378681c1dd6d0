"""Agreement figures checked against values worked out by hand on a small case, and Krippendorff's α against the
`krippendorff` package given every token on a larger one."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from annotator.core.agreement import Agreement, ArticleWork, agreement

LABELS = ["ACTOR", "ATTACK", "PLACE"]


def tokens(n: int) -> tuple[list[int], list[int]]:
    """Token i is the character at 2i ("A B C ...")."""
    return [2 * i for i in range(n)], [2 * i + 1 for i in range(n)]


def small_case() -> list[ArticleWork]:
    first = ArticleWork(1, "first", *tokens(10), answers={"ana": "accept", "ben": "accept"})
    first.spans = {"ana": {(0, 1, "ACTOR"), (4, 7, "ATTACK"), (12, 13, "PLACE")},
                   "ben": {(0, 1, "ACTOR"), (6, 7, "ATTACK"), (16, 17, "PLACE")}}
    first.links = {"ana": {((4, 7, "ATTACK"), (0, 1, "ACTOR"), "Attacker")},
                   "ben": {((6, 7, "ATTACK"), (0, 1, "ACTOR"), "Attacker")}}
    second = ArticleWork(2, "second", *tokens(4), answers={"ana": "accept", "ben": "reject"})
    second.spans = {"ana": {(0, 1, "PLACE")}}
    return [first, second]


def test_figures_match_those_worked_out_by_hand():
    result = agreement(small_case(), LABELS)
    (pair,) = result["pairs"]
    assert pair["editors"] == ["ana", "ben"] and pair["articles"] == 1
    # answers: accept/accept and accept/reject; chance agreement (2*1)/4 = 0.5 = observed
    assert pair["answers"] == {"both_answered": 2, "agree": 1, "cohen_kappa": 0.0}
    total = pair["labels"]["total"]
    assert total["spans"] == [3, 3]
    assert total["exact_f1"] == pytest.approx(2 / 6, abs=1e-4)  # only ACTOR matches exactly
    assert total["overlap_f1"] == pytest.approx(2 / 3, abs=1e-4)  # the ATTACK spans overlap
    # tokens agree on 7 of 10; marginals A {O:6, ACTOR:1, ATTACK:2, PLACE:1}, B {O:7, 1, 1, 1}: pe = 46/100
    assert total["cohen_kappa"] == pytest.approx((0.7 - 0.46) / 0.54, abs=1e-4)
    # alpha, nominal, in total over the 30 (token, label) decisions: 60 values, 7 yes and 53 no; 3 units
    # disagree, 6 disagreeing pairs: 1 - 59*6 / (60² - 7² - 53²)
    assert total["krippendorff_alpha"] == pytest.approx(1 - 59 * 6 / (3600 - 49 - 2809), abs=1e-4)
    # ATTACK alone: 20 values, 3 yes, one unit disagrees: 1 - 19*2 / (20² - 3² - 17²)
    assert pair["labels"]["ATTACK"]["krippendorff_alpha"] == pytest.approx(1 - 19 * 2 / (400 - 9 - 289), abs=1e-4)
    assert pair["labels"]["ACTOR"]["cohen_kappa"] == 1.0
    # ATTACK: tokens 2-3 against 3: agree 9/10, pe = .2*.1 + .8*.9
    assert pair["labels"]["ATTACK"]["cohen_kappa"] == pytest.approx((0.9 - 0.74) / 0.26, abs=1e-4)
    assert pair["labels"]["PLACE"]["exact_f1"] == 0.0
    assert pair["links"] == {"triples": [1, 1], "f1": 0.0}
    overall = result["overall"]["labels"]["total"]
    # Fleiss' kappa with two editors is Scott's pi: pooled pe = (13² + 2² + 3² + 2²) / 20²
    assert overall["fleiss_kappa"] == pytest.approx((0.7 - 0.465) / 0.535, abs=1e-4)
    assert overall["krippendorff_alpha"] == total["krippendorff_alpha"]
    assert result["articles"] == [{"doc_id": 1, "title": "first", "editors": ["ana", "ben"],
                                   "span_f1": pytest.approx(1 / 3), "token_kappa": overall["fleiss_kappa"]}]


def test_labels_left_out_are_not_compared():
    result = agreement(small_case(), ["ACTOR"])
    assert set(result["pairs"][0]["labels"]) == {"ACTOR", "total"}
    assert result["pairs"][0]["labels"]["total"]["exact_f1"] == 1.0
    assert result["pairs"][0]["links"]["triples"] == [0, 0]  # links need both their spans' labels


def random_case(seed: int) -> tuple[list[ArticleWork], list[str]]:
    rng = random.Random(seed)
    editors = ["ana", "ben", "chen"]
    works = []
    for doc in range(40):
        n = rng.randint(5, 60)
        work = ArticleWork(doc, f"a{doc}", *tokens(n))
        for e in rng.sample(editors, rng.choice([2, 2, 3])):
            work.answers[e] = rng.choice(["accept"] * 5 + ["reject"])
            spans = set()
            for _ in range(rng.randint(0, n // 4)):
                i = rng.randrange(n)
                j = min(n, i + rng.randint(1, 3))
                spans.add((2 * i, 2 * j - 1, rng.choice(LABELS)))
            work.spans[e] = spans
        works.append(work)
    return works, editors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_is_the_packages_on_every_token(seed):
    works, editors = random_case(seed)
    acc = Agreement(LABELS)
    for w in works:
        acc.add(w)
    result = acc.result()
    # every token a unit, each editor who accepted the article a coder; the value: the set of labels over it
    columns = []
    for w in works:
        accepted = [e for e in editors if w.answers.get(e) == "accept"]
        if len(accepted) < 2:
            continue
        for s, e in zip(w.starts, w.ends):
            columns.append([
                float(sum(1 << LABELS.index(lb) for lb in {lb for (a, b, lb) in w.spans[ed] if a < e and s < b}))
                if ed in accepted else np.nan for ed in editors])
    data = np.array(columns).T

    def binary(values, label):
        bit = 1 << LABELS.index(label)
        return np.where(np.isnan(values), np.nan, (np.nan_to_num(values).astype(int) & bit) > 0)

    def alpha(values):
        return krippendorff.alpha(reliability_data=values, level_of_measurement="nominal")

    overall = result["overall"]["labels"]
    for label in LABELS:
        assert overall[label]["krippendorff_alpha"] == pytest.approx(alpha(binary(data, label)), abs=1e-4)
    # in total: every (token, label) decision a unit
    pooled = np.concatenate([binary(data, label) for label in LABELS], axis=1)
    assert overall["total"]["krippendorff_alpha"] == pytest.approx(alpha(pooled), abs=1e-4)
    # a pair's: the same, only their two rows, on the tokens both gave a value
    (ab,) = [p for p in result["pairs"] if p["editors"] == ["ana", "ben"]]
    both = data[:2, ~np.isnan(data[0]) & ~np.isnan(data[1])]
    for label in LABELS:
        assert ab["labels"][label]["krippendorff_alpha"] == pytest.approx(alpha(binary(both, label)), abs=1e-4)
    pooled = np.concatenate([binary(both, label) for label in LABELS], axis=1)
    assert ab["labels"]["total"]["krippendorff_alpha"] == pytest.approx(alpha(pooled), abs=1e-4)
    # the worst article first
    scores = [a["span_f1"] for a in result["articles"]]
    assert scores == sorted(scores) and len(scores) == sum(
        sum(w.answers.get(e) == "accept" for e in editors) >= 2 for w in works)
