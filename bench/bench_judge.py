"""The span model as a judge of the rules' matches (issue 30): keep a rule match only where the span categoriser
`annotator train` made scores it at or above a threshold per label, chosen on other articles. Judged by 5-fold
cross-validation on the 40 hand-annotated Wikinews articles: each fold's model (bench_quality.cross_validate, the
default options) scores the rules' suggestions on its held-out articles; each label's threshold is the one that
scored best on the other folds' held-out articles (0 keeps every match: the rules alone), so no article is
judged with a threshold chosen on it. Beside it, in the same run, the rules alone on the same articles.
Run: python bench/bench_judge.py [--reuse]   (--reuse: the fold models bench_quality --cv 5 left in bench/out)"""

from __future__ import annotations

import sys
from collections import Counter

import rule_features  # noqa: F401 - fold models bench_train's stacked option left load too (--reuse)
from bench_quality import OUT, cross_validate, load_gold, prf

from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator

THRESHOLDS = (0.0, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
FOLDS = 5


def judged_rows(scheme, texts: dict, gold: dict, ids: list) -> list[tuple[int, str, float | None, bool]]:
    """(fold, label, the fold model's score of the rule match or None where it cannot score it, is gold)"""
    from thinc.types import Ragged

    rules = build_annotator(scheme)
    rows = []
    for fold in range(FOLDS):
        judge = build_annotator(scheme, model=str(OUT / f"cv-model{fold}"), use_rules=False)
        spancat = judge.nlp.get_pipe("spancat")
        labels, ops = list(spancat.labels), spancat.model.ops
        for doc_id in ids[fold::FOLDS]:
            doc = judge.nlp(texts[doc_id])  # its tok2vec output is what the span categoriser reads
            found = [sp.key for sp in rules.suggestions(rules.nlp(texts[doc_id]))]
            spans, scored = [], []
            for key in found:
                span = doc.char_span(key[0], key[1], alignment_mode="expand")
                if span is None or key[2] not in labels:
                    rows.append((fold, key[2], None, key in gold[doc_id]))
                else:
                    spans.append([span.start, span.end])
                    scored.append(key)
            if spans:
                scores = ops.to_numpy(spancat.model.predict(
                    ([doc], Ragged(ops.asarray2i(spans), ops.asarray1i([len(spans)])))))
                rows.extend((fold, key[2], float(row[labels.index(key[2])]), key in gold[doc_id])
                            for key, row in zip(scored, scores))
    return rows


def main() -> int:
    scheme = load_scheme()
    texts, gold = load_gold()
    ids = list(texts)  # as cross_validate splits them
    if "--reuse" not in sys.argv:
        cross_validate(FOLDS, log=lambda line: print(f"  {line}", flush=True))
    rows = judged_rows(scheme, texts, gold, ids)
    reference = Counter(label for doc_id in ids for *_, label in gold[doc_id])

    def kept(fold_rows, threshold_of) -> tuple[int, int]:
        chosen = [r for r in fold_rows if r[2] is None or r[2] >= threshold_of(r[0], r[1])]
        return sum(r[3] for r in chosen), len(chosen)

    def best_threshold(fold: int, label: str) -> float:
        other = [r for r in rows if r[0] != fold and r[1] == label]
        ref = sum(reference_of(f, label) for f in range(FOLDS) if f != fold)
        return max(THRESHOLDS, key=lambda t: (round(prf(*kept(other, lambda *_, t=t: t), ref)[2], 6), -t))

    def reference_of(fold: int, label: str) -> int:
        return sum(1 for doc_id in ids[fold::FOLDS] for *_, lb in gold[doc_id] if lb == label)

    chosen = {(f, lb): best_threshold(f, lb) for f in range(FOLDS) for lb in scheme.names}
    total = sum(reference.values())
    print(f"{len(ids)} articles, {FOLDS}-fold; the rules' matches judged by each fold's span categoriser")
    print(f"{'':<44}{'P':>7}{'R':>7}{'F1':>7}")
    print(f"{'rules alone':<44}" + "".join(f"{x:>7.3f}" for x in prf(*kept(rows, lambda *_: 0.0), total)))
    print(f"{'judged, threshold per label from other folds':<44}"
          + "".join(f"{x:>7.3f}" for x in prf(*kept(rows, lambda f, lb: chosen[(f, lb)]), total)))
    for t in THRESHOLDS[1:]:
        scores = prf(*kept(rows, lambda *_, t=t: t), total)
        print(f"{f'judged, every label at {t:g}':<44}" + "".join(f"{x:>7.3f}" for x in scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
