"""Quality of the default pre-annotator (spacy.blank("en") + resources/patterns) on real news: precision, recall
and F1 per label against hand annotations of Wikinews articles (tests/fixtures/wikinews-gold.jsonl, made from
scripts/gold_spec.txt), exact matches of offsets and label. Beside it, in the same run, a baseline: the same
pipeline with its phrase patterns only (no token patterns). Run: python bench/bench_quality.py"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from common import ROOT, WIKINEWS

from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import DEFAULT_PATTERNS

GOLD = ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl"


def load_gold() -> tuple[dict[str, str], dict[str, set[tuple[int, int, str]]]]:
    texts = {a["id"]: a["text"] for a in map(json.loads, WIKINEWS.open(encoding="utf-8"))}
    gold = {}
    for line in GOLD.open(encoding="utf-8"):
        d = json.loads(line)
        gold[d["id"]] = {(s["start"], s["end"], s["label"]) for s in d["spans"]}
    return {k: texts[k] for k in gold}, gold


def evaluate(annotator, texts, gold) -> dict[str, tuple[int, int, int]]:
    """label -> (true positives, predicted, gold)"""
    tp: Counter = Counter()
    pred: Counter = Counter()
    ref: Counter = Counter()
    for doc_id, text in texts.items():
        found = {(s.start, s.end, s.label) for s in annotator.suggestions(annotator.nlp(text))}
        for span in found:
            pred[span[2]] += 1
            if span in gold[doc_id]:
                tp[span[2]] += 1
        for span in gold[doc_id]:
            ref[span[2]] += 1
    return {label: (tp[label], pred[label], ref[label]) for label in set(pred) | set(ref)}


def prf(tp: int, pred: int, ref: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / ref if ref else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def phrase_only_patterns(tmp: Path) -> Path:
    lines = [ln for ln in DEFAULT_PATTERNS.read_text(encoding="utf-8").splitlines()
             if isinstance(json.loads(ln)["pattern"], str)]
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp


# The rules' recurring errors found on the 150 Wikinews articles (issue 11): each a label and a test on the
# suggested words, the word before and the word after.
RECURRING = {
    '"us" as PLACE': ("PLACE", lambda w, before, after: w == "us"),
    'the month "March" as PROTEST': ("PROTEST", lambda w, before, after: w == "March"),
    '"Hong" or "Kong" alone as PLACE': ("PLACE", lambda w, before, after: w in ("Hong", "Kong")),
    '"May" of a name as TIME': ("TIME", lambda w, before, after: w == "May" and before[:1].isupper()
                                and before.lower() not in ("in", "on", "since", "until", "by", "of", "from")),
    '"body temperature" as DEATH': ("DEATH", lambda w, before, after: w.lower() == "body" and after == "temperature"),
    'a lone "s" as an event': (None, lambda w, before, after: w == "s"),
    '"deal with" (the verb) as AGREEMENT': ("AGREEMENT", lambda w, before, after: w.lower() == "deal"
                                            and after == "with" and before.lower() in ("to", "will", "must",
                                                                                        "can", "could", "would")),
    '"keep fighting" as ATTACK': ("ATTACK", lambda w, before, after: w.lower() == "fighting"
                                  and before.lower() in ("keep", "kept", "keeps", "keeping")),
    '"Lord" as ACTOR': ("ACTOR", lambda w, before, after: w == "Lord"),
}


def recurring_errors(annotator) -> tuple[dict[str, int], int, int, int]:
    """How often each recurring error is made on the 150 Wikinews articles; the suggestions made; and how many
    stretches of "protesters" are suggested as both ACTOR and TARGET, out of those suggested as either."""
    import re

    counts = dict.fromkeys(RECURRING, 0)
    total = both = either = 0
    for line in WIKINEWS.open(encoding="utf-8"):
        text = json.loads(line)["text"]
        spans = annotator.suggestions(annotator.nlp(text))
        total += len(spans)
        for sp in spans:
            w = text[sp.start:sp.end]
            before = (re.findall(r"[\w']+", text[max(0, sp.start - 30):sp.start]) or [""])[-1]
            after = (re.findall(r"[\w']+", text[sp.end:sp.end + 30]) or [""])[0]
            for name, (label, test) in RECURRING.items():
                if (label is None or sp.label == label) and test(w, before, after):
                    counts[name] += 1
        crowd = {}
        for sp in spans:
            if text[sp.start:sp.end].lower() in ("protesters", "protestors", "demonstrators"):
                crowd.setdefault((sp.start, sp.end), set()).add(sp.label)
        either += sum(1 for labels in crowd.values() if labels & {"ACTOR", "TARGET"})
        both += sum(1 for labels in crowd.values() if {"ACTOR", "TARGET"} <= labels)
    return counts, total, both, either


def main() -> int:
    scheme = load_scheme()
    texts, gold = load_gold()
    ours = evaluate(build_annotator(scheme), texts, gold)
    base_path = phrase_only_patterns(ROOT / "bench" / "out" / "phrase-only.jsonl") \
        if (ROOT / "bench" / "out").exists() else None
    if base_path is None:
        (ROOT / "bench" / "out").mkdir(parents=True)
        base_path = phrase_only_patterns(ROOT / "bench" / "out" / "phrase-only.jsonl")
    base = evaluate(build_annotator(scheme, patterns=base_path), texts, gold)
    n_spans = sum(len(s) for s in gold.values())
    print(f"{len(texts)} Wikinews articles, {n_spans} hand-annotated spans; exact offsets and label")
    print(f"{'label':<12}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F1':>7}   baseline (phrases only) F1")
    totals = [0, 0, 0]
    btotals = [0, 0, 0]
    for label in [lb.name for lb in scheme.labels]:
        tp, pred, ref = ours.get(label, (0, 0, 0))
        btp, bpred, bref = base.get(label, (0, 0, 0))
        for i, v in enumerate((tp, pred, ref)):
            totals[i] += v
        for i, v in enumerate((btp, bpred, bref)):
            btotals[i] += v
        p, r, f = prf(tp, pred, ref)
        print(f"{label:<12}{ref:>6}{pred:>6}{p:>7.2f}{r:>7.2f}{f:>7.2f}   {prf(btp, bpred, bref)[2]:.2f}")
    p, r, f = prf(*totals)
    bp, br, bf = prf(*btotals)
    print(f"{'all':<12}{totals[2]:>6}{totals[1]:>6}{p:>7.2f}{r:>7.2f}{f:>7.2f}   {bf:.2f} "
          f"(P {bp:.2f}, R {br:.2f})")
    counts, total, both, either = recurring_errors(build_annotator(scheme))
    print(f"\nrecurring errors on the 150 Wikinews articles ({total:,} suggestions, {total / 150:.1f} an article):")
    for name, n in counts.items():
        print(f"  {name}: {n}")
    print(f"  \"protesters\" as both ACTOR and TARGET: {both} of the {either} times suggested")
    return 0


if __name__ == "__main__":
    sys.exit(main())
