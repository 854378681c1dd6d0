"""Agreement between editors, read in one pass over the articles: span F1 (exact and overlapping match), Cohen's
κ on tokens for each pair of editors (Fleiss' κ over all of them), Krippendorff's α (the `krippendorff`
package), link agreement (F1 of (event, argument, role) triples), and the same per article so the worst can be
reviewed first.

Spans are compared on the articles both editors accepted (an article rejected or skipped holds no annotation to
compare); answers on the articles both answered. On tokens, κ takes each token's value to be the set of labels of
the spans that cover it ("O" when none); per label, whether that label covers it. α per label is over the same
yes/no decisions, and α in total over every (token, label) decision of the labels in use: the package's cost
grows with the square of the number of values, which the sets of labels of overlapping spans would make large.
Only counts are kept while the articles stream past: a pair's table of token values, and over all editors how
often each combination of values occurred, so memory does not grow with the corpus."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

SpanKey = tuple[int, int, str]
LinkKey = tuple[SpanKey, SpanKey, str]


@dataclass
class ArticleWork:
    """One article and what each editor did with it: their answer, the spans and links they accepted."""

    doc_id: int
    title: str
    starts: Sequence[int]  # the tokens' offsets
    ends: Sequence[int]
    answers: dict[str, str] = field(default_factory=dict)
    spans: dict[str, set[SpanKey]] = field(default_factory=dict)
    links: dict[str, set[LinkKey]] = field(default_factory=dict)


def f1(tp: float, n_a: int, n_b: int) -> float | None:
    """2·tp / (|A| + |B|): symmetric, the same as F1 with either editor taken as the reference."""
    return None if n_a + n_b == 0 else 2 * tp / (n_a + n_b)


def cohen_kappa(table: Counter) -> float | None:
    """Cohen's κ from a table {(value of A, value of B): units}; None when chance agreement is total."""
    n = sum(table.values())
    if not n:
        return None
    a, b = Counter(), Counter()
    agree = 0
    for (x, y), k in table.items():
        a[x] += k
        b[y] += k
        agree += k if x == y else 0
    expected = sum(a[v] * b[v] for v in a) / (n * n)
    if expected >= 1:
        return None
    return (agree / n - expected) / (1 - expected)


def fleiss_kappa(patterns: Counter) -> float | None:
    """Fleiss' κ from {sorted values the editors gave one unit: units}; units may have different numbers of
    editors (each unit's agreement is over its own pairs), units with fewer than two are left out."""
    units = 0
    agreement = 0.0
    totals: Counter = Counter()
    for values, k in patterns.items():
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        agreement += k * (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
        units += k
        for v, c in counts.items():
            totals[v] += c * k
    if not units:
        return None
    ratings = sum(totals.values())
    expected = sum((c / ratings) ** 2 for c in totals.values())
    if expected >= 1:
        return None
    return (agreement / units - expected) / (1 - expected)


def krippendorff_alpha(patterns: Counter) -> float | None:
    """Krippendorff's α (nominal) by the `krippendorff` package, from {sorted values of one unit: units}.

    The package builds a V×V table per unit. Units on which every editor agrees add to the diagonal only, and
    m such units of one value add what a single unit does whose m·k ratings all have that value: they are
    handed over as one such unit per value, which gives the package's result exactly while the corpus's
    millions of agreeing tokens cost nothing."""
    import krippendorff
    import numpy as np

    values = sorted({v for p in patterns for v in p}, key=str)
    if len(values) < 2:
        return None
    col = {v: i for i, v in enumerate(values)}
    agreed = Counter()
    rows = []
    for pattern, k in patterns.items():
        if len(pattern) < 2:
            continue
        if len(set(pattern)) == 1:
            agreed[pattern[0]] += len(pattern) * k
            continue
        row = [0] * len(values)
        for v in pattern:
            row[col[v]] += 1
        rows.extend([row] * k)
    for v, m in agreed.items():
        row = [0] * len(values)
        row[col[v]] = m
        rows.append(row)
    if not rows:
        return None
    return float(krippendorff.alpha(value_counts=np.array(rows, dtype=np.int64), level_of_measurement="nominal"))


def _codes(work: ArticleWork, editor: str, bits: dict[str, int]) -> list[int]:
    """Each token's value for one editor: the labels covering it as bits of an int (0 for "O")."""
    from bisect import bisect_left, bisect_right

    codes = [0] * len(work.starts)
    for start, end, label in work.spans.get(editor, ()):
        bit = bits[label]
        for i in range(bisect_right(work.ends, start), bisect_left(work.starts, end)):
            codes[i] |= bit
    return codes


def _overlapping(mine: set[SpanKey], theirs: set[SpanKey]) -> Counter:
    """label -> how many of `mine` overlap a span of `theirs` with that label."""
    by_label: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, e, lb in theirs:
        by_label[lb].append((s, e))
    return Counter(lb for s, e, lb in mine if any(s < e2 and s2 < e for s2, e2 in by_label.get(lb, ())))


def _patterns(table: Counter) -> Counter:
    """A pair's table {(A's value, B's value): units} as {sorted values: units}."""
    out: Counter = Counter()
    for (x, y), k in table.items():
        out[(x, y) if x <= y else (y, x)] += k
    return out


@dataclass
class _Pair:
    articles: int = 0
    exact: Counter = field(default_factory=Counter)  # label -> tp, and (label, 'a'/'b') -> spans
    overlap: Counter = field(default_factory=Counter)  # (label, 'a'/'b') -> spans matched
    tokens: Counter = field(default_factory=Counter)  # (code of A, code of B) -> tokens
    links: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)


class Agreement:
    """Feed articles with `add`, then read `result()`."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.bits = {lb: 1 << i for i, lb in enumerate(self.labels)}
        self.pairs: dict[tuple[str, str], _Pair] = defaultdict(_Pair)
        self.patterns: Counter = Counter()  # sorted token codes of the editors who accepted -> tokens
        self.articles: list[dict[str, Any]] = []
        self.editors: set[str] = set()

    def add(self, work: ArticleWork) -> None:
        answered = sorted(e for e, a in work.answers.items() if a != "pending")
        self.editors.update(answered)
        for a, b in combinations(answered, 2):
            self.pairs[a, b].answers[work.answers[a], work.answers[b]] += 1
        accepted = [e for e in answered if work.answers[e] == "accept"]
        if len(accepted) < 2:
            return
        spans = {e: {s for s in work.spans.get(e, ()) if s[2] in self.bits} for e in accepted}
        links = {e: {lk for lk in work.links.get(e, ()) if lk[0][2] in self.bits and lk[1][2] in self.bits}
                 for e in accepted}
        work = ArticleWork(work.doc_id, work.title, work.starts, work.ends, work.answers, spans, links)
        codes = {e: _codes(work, e, self.bits) for e in accepted}
        here: Counter = Counter()
        f1s = []
        for a, b in combinations(accepted, 2):
            pair = self.pairs[a, b]
            pair.articles += 1
            sa, sb = spans[a], spans[b]
            for s in sa & sb:
                pair.exact[s[2]] += 1
            for s in sa:
                pair.exact[s[2], "a"] += 1
            for s in sb:
                pair.exact[s[2], "b"] += 1
            for lb, k in _overlapping(sa, sb).items():
                pair.overlap[lb, "a"] += k
            for lb, k in _overlapping(sb, sa).items():
                pair.overlap[lb, "b"] += k
            pair.tokens.update(zip(codes[a], codes[b]))
            la, lb_ = links[a], links[b]
            pair.links["tp"] += len(la & lb_)
            pair.links["a"] += len(la)
            pair.links["b"] += len(lb_)
            score = f1(len(sa & sb), len(sa), len(sb))
            f1s.append(1.0 if score is None else score)
        column = list(zip(*(codes[e] for e in accepted)))
        here.update(tuple(sorted(c)) for c in column)
        self.patterns.update(here)
        self.articles.append({"doc_id": work.doc_id, "title": work.title, "editors": accepted,
                              "span_f1": sum(f1s) / len(f1s), "token_kappa": _rounded(fleiss_kappa(here))})

    # ------------------------------------------------------------------ figures

    def _by_label(self, pair: _Pair) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        pooled: Counter = Counter()  # every (token, label in use) decision: the total's alpha
        for lb in self.labels:
            tp, na, nb = pair.exact[lb], pair.exact[lb, "a"], pair.exact[lb, "b"]
            if not (na or nb):
                continue
            bit = self.bits[lb]
            table: Counter = Counter()
            for (x, y), k in pair.tokens.items():
                table[bool(x & bit), bool(y & bit)] += k
            pooled.update(_patterns(table))
            out[lb] = self._pair_figures(tp, na, nb, pair.overlap[lb, "a"], pair.overlap[lb, "b"], table,
                                         _patterns(table))
        out["total"] = self._pair_figures(
            sum(pair.exact[x] for x in self.labels), sum(pair.exact[x, "a"] for x in self.labels),
            sum(pair.exact[x, "b"] for x in self.labels), sum(pair.overlap[x, "a"] for x in self.labels),
            sum(pair.overlap[x, "b"] for x in self.labels), pair.tokens, pooled)
        return out

    @staticmethod
    def _pair_figures(tp: int, na: int, nb: int, oa: int, ob: int, table: Counter, decisions: Counter
                      ) -> dict[str, Any]:
        return {"spans": [na, nb], "exact_f1": _rounded(f1(tp, na, nb)),
                "overlap_f1": _rounded(_harmonic(ob / nb if nb else None, oa / na if na else None)),
                "cohen_kappa": _rounded(cohen_kappa(table)),
                "krippendorff_alpha": _rounded(krippendorff_alpha(decisions))}

    def _overall_by_label(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        pooled: Counter = Counter()
        pairs = self.pairs.values()
        for lb in self.labels:
            n = sum(p.exact[lb, s] for p in pairs for s in "ab")
            if not n:
                continue
            bit = self.bits[lb]
            patterns: Counter = Counter()
            for values, k in self.patterns.items():
                patterns[tuple(sorted(bool(v & bit) for v in values))] += k
            pooled.update(patterns)
            out[lb] = {"exact_f1": _rounded(2 * sum(p.exact[lb] for p in pairs) / n),
                       "fleiss_kappa": _rounded(fleiss_kappa(patterns)),
                       "krippendorff_alpha": _rounded(krippendorff_alpha(patterns))}
        n = sum(p.exact[x, s] for p in pairs for x in self.labels for s in "ab")
        out["total"] = {"exact_f1": _rounded(None if not n else 2 * sum(p.exact[x] for p in pairs
                                                                        for x in self.labels) / n),
                        "fleiss_kappa": _rounded(fleiss_kappa(self.patterns)),
                        "krippendorff_alpha": _rounded(krippendorff_alpha(pooled))}
        return out

    def result(self) -> dict[str, Any]:
        pairs = []
        for (a, b), pair in sorted(self.pairs.items()):
            links = pair.links
            pairs.append({
                "editors": [a, b], "articles": pair.articles,
                "answers": {"both_answered": sum(pair.answers.values()),
                            "agree": sum(k for (x, y), k in pair.answers.items() if x == y),
                            "cohen_kappa": _rounded(cohen_kappa(pair.answers))},
                "labels": self._by_label(pair) if pair.articles else {},
                "links": {"triples": [links["a"], links["b"]],
                          "f1": _rounded(f1(links["tp"], links["a"], links["b"]))},
            })
        all_links = Counter()
        for pair in self.pairs.values():
            all_links.update(pair.links)
        return {
            "editors": sorted(self.editors),
            "articles_compared": len(self.articles),
            "pairs": pairs,
            "overall": {"labels": self._overall_by_label() if self.articles else {},
                        "links": {"f1": _rounded(f1(all_links["tp"], all_links["a"], all_links["b"]))}},
            "articles": sorted(self.articles, key=lambda r: (r["span_f1"], r["doc_id"])),
        }


def _harmonic(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def agreement(articles: Iterable[ArticleWork], labels: Sequence[str]) -> dict[str, Any]:
    acc = Agreement(labels)
    for work in articles:
        acc.add(work)
    return acc.result()
