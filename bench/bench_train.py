"""Training options side by side, judged by k-fold cross-validation on the 40 hand-annotated Wikinews articles
(bench_quality.cross_validate: each fold trains `annotator train` on the other articles and is scored on its own,
never seen): the F1 of the model alone and of what pre-annotation uses with it (per label the better of rules,
model and both on the model's dev articles), beside the rules' F1 on the same held-out articles, and the time a
fold's training took. The options: whole articles or their sentences as examples; the longest span the
span categoriser's suggester proposes (10 tokens, the longest drawn here being 7; or 3, which leaves out 6% of
the spans and half the candidates); the tok2vec pre-trained by `annotator pretrain` on the 150 Wikinews articles
(issue 30: a newsroom has far more articles than annotations; the 40 are among them, as a project's are: their text
is read, never their spans), built once into bench/out (60 epochs, about 20 minutes; the command's default reads
twice as many words, 122 epochs here); the rules' suggestions as a feature of the model (bench/rule_features.py: the
model learns where the team keeps, drops or adds to what the rules find).
Run: python bench/bench_train.py [--folds K] [--only WORDS]   (about an hour for 5 folds; --only runs the
options whose name holds WORDS, the rules' column always beside them)"""

from __future__ import annotations

import sys
from contextlib import nullcontext

from bench_quality import OUT, cross_validate, totals
from common import WIKINEWS
from rule_features import rule_features

from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.importing import import_paths
from annotator.workflows.pretraining import pretrain

PRETRAINED = OUT / "wikinews-tok2vec.bin"
OPTIONS = {
    "whole articles, spans up to 10 tokens": {"examples": "articles", "max_span_tokens": 10},
    "sentences, spans up to 10 tokens": {"examples": "sentences", "max_span_tokens": 10},
    "whole articles, spans up to 3 tokens": {"examples": "articles", "max_span_tokens": 3},
    "sentences, pre-trained tok2vec": {"examples": "sentences", "max_span_tokens": 10, "init_tok2vec": PRETRAINED},
    "sentences, the rules' spans as a feature": {"examples": "sentences", "max_span_tokens": 10, "stacked": True},
}


def pretrained() -> None:
    """The weights `annotator pretrain` learns from the 150 Wikinews articles, made once."""
    if PRETRAINED.exists():
        return
    db = OUT / "wikinews-150.db"
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    with Store(db) as store:
        import_paths(store, [WIKINEWS], tokenizer=tokenize)
        report = pretrain(store, PRETRAINED, epochs=60, log=lambda line: print(f"  {line}", flush=True))
    print(f"  pre-trained in {report.seconds:.0f} s", flush=True)


def main() -> int:
    folds = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else 5
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    rows = []
    for name, options in OPTIONS.items():
        if only not in name:
            continue
        if "init_tok2vec" in options:
            pretrained()
        print(f"{name}: {folds}-fold cross-validation", flush=True)
        options = dict(options)
        with rule_features() if options.pop("stacked", False) else nullcontext():
            result = cross_validate(folds, log=lambda line: print(f"  {line}", flush=True), **options)
        scores, seconds = result["scores"], result["seconds"]
        rows.append((name, totals(scores["rules"])[2], totals(scores["model"])[2], totals(scores["chosen"])[2],
                     sum(seconds) / len(seconds)))
    print(f"\n{'option':<44}{'rules F1':>10}{'model F1':>10}{'used F1':>10}{'s a fold':>10}")
    for name, rules, model, chosen, secs in rows:
        print(f"{name:<44}{rules:>10.2f}{model:>10.2f}{chosen:>10.2f}{secs:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
