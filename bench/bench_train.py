"""Training: the time `annotator train` takes on 200 annotated articles, and the trained model's F1 on held-out
articles next to the rule patterns' F1 on the same articles (and the model with the rules).

The hand annotations are 8 Wikinews articles (tests/fixtures/wikinews-gold.jsonl). Two folds: each trains on the
sentences of 4 articles, drawn into 200 articles of 15 sentences (about 75,000 words, so the time is that of 200
real articles; the model sees those sentences many times over) and is scored on the other 4 real articles, which
it never saw. Beside the training time, the same run's bare spaCy tokenizer over the same words, as a
reference for the machine's speed. Run: python bench/bench_train.py [--epochs N]"""

from __future__ import annotations

import random
import sys
import time

from bench_quality import evaluate, load_gold, prf
from common import OUT

from annotator.core.labels import load_scheme
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.training import train

ARTICLES, SENTENCES_EACH, FOLDS = 200, 15, 2


def sentences_with_spans(text: str, spans: set[tuple[int, int, str]]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    out = []
    for sent in nlp(text).sents:
        a, b = sent.start_char, sent.end_char
        inside = [(s - a, e - a, lb) for s, e, lb in spans if a <= s and e <= b]
        if sent.text.strip():
            out.append((sent.text, inside))
    return out


def synthetic_articles(pool, n: int, each: int, seed: int) -> list[Record]:
    rng = random.Random(seed)
    records = []
    for _ in range(n):
        parts, spans, pos = [], [], 0
        for text, inside in rng.sample(pool, min(each, len(pool))):
            spans += [Span(pos + s, pos + e, lb, Source.EDITOR, SpanState.ACCEPTED) for s, e, lb in inside]
            parts.append(text)
            pos += len(text) + 1
        records.append(Record(Document(text=" ".join(parts), answer=Answer.ACCEPT), spans))
    return records


def add(totals: dict, found: dict) -> None:
    for label, counts in found.items():
        old = totals.get(label, (0, 0, 0))
        totals[label] = tuple(x + y for x, y in zip(old, counts))


def main() -> int:
    epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 30
    scheme = load_scheme()
    texts, gold = load_gold()
    ids = sorted(texts)
    results = {"model": {}, "rules": {}, "model + rules": {}}
    train_seconds, tok_seconds, words_total = [], [], 0
    for fold in range(FOLDS):
        held_out = [i for k, i in enumerate(ids) if k % FOLDS == fold]
        pool = [s for i in ids if i not in held_out for s in sentences_with_spans(texts[i], gold[i])]
        records = synthetic_articles(pool, ARTICLES, SENTENCES_EACH, seed=fold)
        db = OUT / f"train-fold{fold}.db"
        for suffix in ("", "-wal", "-shm"):
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        store = Store(db)
        store.documents.add_records(records)
        words = sum(len(r.document.text.split()) for r in records)
        words_total += words
        print(f"fold {fold + 1}: {len(records)} articles ({words:,} words, "
              f"{sum(len(r.spans) for r in records):,} spans) from the sentences of {len(ids) - len(held_out)} "
              f"articles; held out: {', '.join(held_out)}", flush=True)
        started = time.perf_counter()
        report = train(store, OUT / f"model-fold{fold}", tokenizer=tokenize, epochs=epochs, patience=5,
                       log=lambda line: None)
        train_seconds.append(time.perf_counter() - started)
        store.close()
        import spacy

        tok = spacy.blank("en").tokenizer
        t = time.perf_counter()
        for _ in range(max(report.epochs, 1)):
            for r in records:
                tok(r.document.text)
        tok_seconds.append(time.perf_counter() - t)
        print(f"  trained in {train_seconds[-1]:.0f} s ({report.epochs} epochs, stopped by --patience or --epochs; "
              f"dev F1 on the drawn articles "
              f"{report.scores['f']:.2f}); the bare tokenizer over the same words {max(report.epochs, 1)} times: "
              f"{tok_seconds[-1]:.1f} s", flush=True)
        model = str(OUT / f"model-fold{fold}")
        held_texts = {i: texts[i] for i in held_out}
        held_gold = {i: gold[i] for i in held_out}
        add(results["model"], evaluate(build_annotator(scheme, model=model, use_rules=False), held_texts, held_gold))
        add(results["rules"], evaluate(build_annotator(scheme), held_texts, held_gold))
        add(results["model + rules"], evaluate(build_annotator(scheme, model=model), held_texts, held_gold))
    print(f"\ntraining on {ARTICLES} articles: {sum(train_seconds) / FOLDS:.0f} s on average "
          f"(bare tokenizer over the same words and epochs: {sum(tok_seconds) / FOLDS:.1f} s)")
    print(f"\nheld-out Wikinews articles ({len(ids)} in all, each scored once), exact offsets and label:")
    print(f"{'label':<12}" + "".join(f"{name + ' F1':>18}" for name in results))
    for label in [lb.name for lb in scheme.labels] + ["all"]:
        row = f"{label:<12}"
        for counts in results.values():
            if label == "all":
                tp, pred, ref = (sum(c[k] for c in counts.values()) for k in range(3))
            else:
                tp, pred, ref = counts.get(label, (0, 0, 0))
            p, r, f = prf(tp, pred, ref)
            row += f"{f:>10.2f} (P{p:.2f})" if label == "all" else f"{f:>18.2f}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
