"""Training: a spaCy span categoriser from the project's accepted articles, to pre-annotate the next ones.

The accepted articles are exported as DocBin train and dev files (`--split`, never sharing an article; the
training articles cut into their sentences, `examples`), a config is generated with `spacy init config` (span
categoriser on a small CPU tok2vec, no vectors) and adjusted to the data (the suggester covers the span lengths
the editors drew), and spaCy's own training loop runs it, printing its progress table. It stops after `epochs`,
or earlier when the dev score has not improved for `patience` epochs (evaluating twice an epoch), or when the
user presses Ctrl+C (the best model so far is kept). The best model is evaluated on the dev articles, its
precision, recall and F1 per label printed and written into its `meta.json`, and it is saved to `output` as a
normal spaCy pipeline (`annotator preannotate --model output`)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.labels import lost_everywhere
from annotator.core.model import Token
from annotator.store import Store
from annotator.workflows.exporting import clean_leftovers, export
from annotator.workflows.files import replace
from annotator.workflows.pretraining import use_weights

MAX_SUGGESTED_TOKENS = 10  # longest span the suggester proposes; longer ones cannot be learned


class TrainingError(AnnotatorError):
    pass


class TrainingCancelled(TrainingError):
    """The editor cancelled the training (the window's Cancel): nothing is saved."""


@dataclass
class TrainReport:
    output: Path
    train_articles: int = 0
    dev_articles: int = 0
    spans: int = 0
    epochs: int = 0
    stopped_by_user: bool = False
    scores: dict[str, float] = field(default_factory=dict)  # p, r, f over all labels
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    too_long: int = 0
    seconds: float = 0.0
    threshold: float = 0.5  # the span categoriser's, as calibrated on the dev articles
    # on the dev articles, per label and in all: the F1 (and P, R) of the rules, the model and both, exact spans
    compare: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # per label, what pre-annotation uses
    # the link model, learned from the accepted links of the training articles (None: no links to learn from),
    # and on the dev articles' spans, per role, [true positives, predicted, gold] of the rule, the model and the
    # per-role choice (`link_model.roles`)
    link_model: Any = None
    link_counts: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    link_note: str = ""  # why there is no link model
    # the pre-trained weights the tok2vec started from: {"file", "sha256"} (empty: random weights)
    init_tok2vec: dict[str, str] = field(default_factory=dict)

    def table(self) -> list[str]:
        rows = [f"{'label':<14}{'P':>7}{'R':>7}{'F1':>7}"]
        for label, s in sorted(self.per_label.items()):
            rows.append(f"{label:<14}{s['p']:>7.2f}{s['r']:>7.2f}{s['f']:>7.2f}")
        rows.append(f"{'all':<14}{self.scores.get('p', 0):>7.2f}{self.scores.get('r', 0):>7.2f}"
                    f"{self.scores.get('f', 0):>7.2f}")
        return rows

    def choice_table(self) -> list[str]:
        """F1 on the dev articles of the rules, the model and both, per label, and what pre-annotation uses."""
        rows = [f"{'label':<14}{'gold':>6}{'rules':>7}{'model':>7}{'both':>7}   used"]
        for label in sorted(self.compare):
            if label == ALL:
                continue
            c = self.compare[label]
            rows.append(f"{label:<14}{int(c['rules']['gold']):>6}{c['rules']['f']:>7.2f}{c['model']['f']:>7.2f}"
                        f"{c['both']['f']:>7.2f}   {self.sources.get(label, 'rules')}")
        if ALL in self.compare:
            c = self.compare[ALL]
            rows.append(f"{'all':<14}{int(c['rules']['gold']):>6}{c['rules']['f']:>7.2f}{c['model']['f']:>7.2f}"
                        f"{c['both']['f']:>7.2f}   {self.chosen_f():.2f} with the choice above")
            rows.append("(the model or both only where they beat the rules by more than one dev span)")
        return rows + self.link_table()

    def link_table(self) -> list[str]:
        """F1 on the dev articles' spans of the nearest-span rule and the link model, per role, and which one
        suggests the role's links."""
        if not self.link_counts:
            return [f"links: {self.link_note}"] if self.link_note else []
        from annotator.core.link_model import MIN_SUPPORT, f1

        model = self.link_model
        rows = ["", f"{'link role':<14}{'gold':>6}{'rules':>7}{'model':>7}   used"]
        counts = self.link_counts
        for role in sorted(counts["rules"]):
            r, m = counts["rules"][role], counts["model"].get(role, [0, 0, 0])
            rows.append(f"{role:<14}{r[2]:>6}{f1(*r):>7.2f}{f1(*m):>7.2f}   "
                        f"{'model' if model is not None and model.roles.get(role) == 'model' else 'rules'}"
                        f"{'*' if r[2] < MIN_SUPPORT else ''}")
        total = {way: [sum(v[n] for v in c.values()) for n in range(3)] for way, c in counts.items()}
        rows.append(f"{'all':<14}{total['rules'][2]:>6}{f1(*total['rules']):>7.2f}{f1(*total['model']):>7.2f}   "
                    f"{f1(*total['chosen']):.2f} with the choice above")
        if any(c[2] < MIN_SUPPORT for c in counts["rules"].values()):
            rows.append(f"* fewer than {MIN_SUPPORT} links on the dev articles, too few to judge the role alone: "
                        f"it follows all roles together")
        if self.link_note:
            rows.append(f"links: {self.link_note}")
        return rows

    def chosen_f(self) -> float:
        return self.compare.get(ALL, {}).get("chosen", {}).get("f", 0.0)

    @property
    def worse_than_rules(self) -> bool:
        """The model, with the rules or alone, scores below the rules alone on every label."""
        return lost_everywhere(self.sources)


ALL = "(all)"


_PROGRESS: dict[str, Any] = {}


def _register_progress_callback() -> None:
    """A `before_update` callback that remembers how far training got (spaCy's meta does not say), and a logger
    (spaCy's console one) that remembers the score of each evaluation and its step: which step model-best
    comes from, so that the barely trained model of step 0 is never kept as the best."""
    from spacy.util import registry

    if "annotator_progress.v1" in registry.callbacks:
        return

    @registry.loggers("annotator_console.v1")
    def make_logger(progress_bar: bool = False) -> Callable:
        console = registry.get("loggers", "spacy.ConsoleLogger.v1")(progress_bar=progress_bar)  # as before

        def setup(nlp: Any, stdout: Any = sys.stdout, stderr: Any = sys.stderr) -> tuple[Callable, Callable]:
            log_step, finalize = console(nlp, stdout, stderr)

            def step(info: dict[str, Any] | None) -> None:
                if info is not None:
                    _PROGRESS["checkpoints"] = [(float(score), int(at)) for score, at in info["checkpoints"]]
                log_step(info)

            return step, finalize

        return setup

    @registry.callbacks("annotator_progress.v1")
    def make_progress() -> Callable[[Any, dict[str, Any]], None]:
        def record(nlp: Any, info: dict[str, Any]) -> None:
            _PROGRESS["epoch"] = int(info.get("epoch", 0))
            _PROGRESS["step"] = int(info.get("step", 0))
            hook = _PROGRESS.get("hook")
            if hook is not None:  # the window's progress bar, and its Cancel (raised out of spaCy's loop)
                hook(_PROGRESS["epoch"], _PROGRESS["step"])

        return record


def make_config(train: Path, dev: Path, max_tokens: int, epochs: int, patience: int, doc_lengths: list[int],
                seed: int, progress_bar: bool) -> Any:
    """spaCy's config for a span categoriser. It is evaluated twice an epoch and stops after `patience` epochs
    without progress, the steps of an epoch counted by its batcher over the training docs (`doc_lengths`). A
    span categoriser on a few dozen long articles scores 0.00 for its first two or three epochs before it finds
    its first spans: counted in evaluations of a fixed number of steps, patience stopped it there (issue 11)."""
    from annotator.workflows.pretraining import base_config

    config = base_config(pretraining=False)
    config["paths"]["train"] = str(train)
    config["paths"]["dev"] = str(dev)
    config["system"]["seed"] = seed
    config["components"]["spancat"]["suggester"] = {
        "@misc": "spacy.ngram_range_suggester.v1", "min_size": 1, "max_size": max_tokens}
    training = config["training"]
    training["max_epochs"] = epochs
    training["max_steps"] = 0
    training["logger"] = {"@loggers": "annotator_console.v1", "progress_bar": progress_bar}
    training["before_update"] = {"@callbacks": "annotator_progress.v1"}
    steps = _steps_per_epoch(config, doc_lengths)
    training["eval_frequency"] = max(1, steps // 2)
    training["patience"] = patience * steps
    return config


def _corpus_stats(path: Path) -> tuple[list[int], list[int]]:
    """(the length in tokens of each doc, the length in tokens of each span) of a DocBin."""
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    return [len(d) for d in docs], [len(sp) for d in docs for sp in d.spans.get("sc", [])]


def _steps_per_epoch(config: Any, doc_lengths: list[int]) -> int:
    """How many updates the config's batcher makes of the training docs in an epoch (its first: batches grow)."""
    from spacy.util import registry

    batcher = registry.resolve({"batcher": config["training"]["batcher"]})["batcher"]
    return max(1, sum(1 for _ in batcher([range(n) for n in doc_lengths])))


def _split_into_sentences(path: Path) -> None:
    """Rewrites a DocBin of articles as one of their sentences (with the spans inside each; a span across a
    sentence boundary keeps the sentences it spans together)."""
    import spacy
    from spacy.tokens import Doc, DocBin, Span

    from annotator.formats.docbin import sentence_starts

    vocab = spacy.blank("en").vocab
    out = DocBin(store_user_data=False)
    for doc in DocBin().from_disk(path).get_docs(vocab):
        spans = list(doc.spans.get("sc", []))
        starts = sentence_starts(doc.text, [t.idx for t in doc], [t.idx + len(t) for t in doc])
        bounds = [i for i, first in enumerate(starts) if i == 0 or first] + [len(doc)]
        for sp in spans:  # no cut inside a span
            bounds = [b for b in bounds if not sp.start < b < sp.end]
        for a, b in zip(bounds, bounds[1:]):
            words = [t.text for t in doc[a:b]]
            spaces = [bool(t.whitespace_) for t in doc[a:b]]
            if not "".join(words).strip():
                continue
            part = Doc(vocab, words=words, spaces=spaces)
            part.spans["sc"] = [Span(part, sp.start - a, sp.end - a, sp.label_) for sp in spans
                                if a <= sp.start and sp.end <= b]
            out.add(part)
    out.to_disk(path)


def train(
    store: Store,
    output: str | Path,
    *,
    tokenizer: Callable[[str], list[Token]],
    epochs: int = 30,
    patience: int = 5,
    split: float = 0.8,
    seed: int = 0,
    labels: list[str] | None = None,
    progress_bar: bool = False,
    log: Callable[[str], None] = print,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    examples: str = "sentences",
    max_span_tokens: int = MAX_SUGGESTED_TOKENS,
    init_tok2vec: str | Path | None = None,
) -> TrainReport:
    """`on_progress(epoch, epochs)` is told as each epoch starts (epochs from 1); `should_stop()`, asked before
    every update, cancels the training when it says so (TrainingCancelled: nothing is saved). `examples`:
    "sentences" trains on each sentence of the articles (the dev articles stay whole), "articles" on whole
    articles. Sentences won the 5-fold cross-validation on 40 real articles (bench/bench_train.py): model F1
    0.50 against 0.48, five labels learned against three, the same F1 once chosen per label with the rules.
    `max_span_tokens`: the longest span the suggester proposes (fewer candidates, fewer negatives to learn).
    `init_tok2vec`: weights `annotator pretrain` wrote, to start the tok2vec from (checked before training)."""
    from spacy.cli.train import train as spacy_train

    output = Path(output)
    if output.exists() and not output.is_dir():
        raise TrainingError(f"{output}: is a file; the model is written as a folder")
    if output.is_dir() and any(output.iterdir()) and not _earlier_model(output):
        raise TrainingError(f"{output}: the folder holds other files; the model replaces its folder whole, so give "
                            f"a new or empty folder (or a model annotator trained before)")
    # what killed trainings of this model left (their working folders and unfinished models carry their process
    # id, so the export's own cleaning of leftovers tells them), and the unnamed folder of earlier versions
    legacy = output.with_name(f".{output.name}.training")
    cleaned = clean_leftovers(output) + legacy.is_dir()
    shutil.rmtree(legacy, ignore_errors=True)
    if cleaned:
        log(f"removed {cleaned} folder(s) a killed training of {output.name} left beside it")
    accepted = store.conn.execute("SELECT count(*) FROM documents WHERE answer = 'accept'").fetchone()[0]
    if accepted < 2:
        raise TrainingError(f"{store.path}: {accepted} accepted article(s); training needs at least 2 (one for "
                            f"the dev split), and a useful model a few hundred")
    work = output.with_name(f".{output.name}.{os.getpid()}.training.part")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    report = TrainReport(output=output)
    started = time.perf_counter()
    try:
        exported = export(store, work / "corpus.spacy", fmt="spacy", split=split, seed=seed, labels=labels,
                          tokenizer=tokenizer)
        train_path, dev_path = work / "corpus.train.spacy", work / "corpus.dev.spacy"
        report.train_articles = exported.split.get("train", 0)
        report.dev_articles = exported.split.get("dev", 0)
        report.spans = exported.spans
        if not exported.spans:
            raise TrainingError(f"{store.path}: the accepted articles hold no spans to learn from")
        _train_links(train_path, dev_path, store, report, seed, log)
        if examples == "sentences":
            _split_into_sentences(train_path)
        elif examples != "articles":
            raise TrainingError(f"examples: {examples!r} is not 'articles' or 'sentences'")
        doc_lengths, lengths = _corpus_stats(train_path)
        max_tokens = max(1, min(max_span_tokens, max(lengths, default=1)))
        report.too_long = sum(1 for n in lengths if n > max_tokens)
        config = make_config(train_path, dev_path, max_tokens, epochs, patience, doc_lengths, seed, progress_bar)
        if init_tok2vec is not None:
            use_weights(config, Path(init_tok2vec))
            report.init_tok2vec = _fingerprint(Path(init_tok2vec))
            log(f"the tok2vec starts from the pre-trained weights in {init_tok2vec}")
        config.to_disk(work / "config.cfg")
        log(f"training a span categoriser on {report.train_articles} article(s) ({report.spans} spans in all), "
            f"dev {report.dev_articles}; spans of 1 to {max_tokens} tokens; at most {epochs} epochs, stopping "
            f"after {patience} epochs without progress; Ctrl+C stops and keeps the best model so far")
        if report.too_long:
            log(f"note: {report.too_long} training span(s) are longer than {max_tokens} tokens; the model will "
                f"not suggest spans that long")
        _register_progress_callback()
        _PROGRESS.clear()
        seen_epoch = [-1]

        def hook(epoch: int, step: int) -> None:
            if should_stop is not None and should_stop():
                raise TrainingCancelled("training cancelled: nothing was saved")
            if on_progress is not None and epoch != seen_epoch[0]:
                seen_epoch[0] = epoch
                on_progress(epoch + 1, epochs)

        _PROGRESS["hook"] = hook
        try:
            spacy_train(work / "config.cfg", work / "out", use_gpu=-1)
        except KeyboardInterrupt:
            report.stopped_by_user = True
            log("stopped: keeping the best model so far")
        best = work / "out" / "model-best"
        if not (best / "meta.json").exists():
            raise TrainingError("training stopped before the first evaluation: no model to keep")
        report.epochs = _PROGRESS.get("epoch", 0) + 1  # spaCy counts epochs from 0
        nlp = _best_model(work / "out", dev_path, report)
        _compare_with_rules(nlp, dev_path, store, report)
        _finish(nlp, output, report, store, seed, split)
    except (OSError, ValueError) as exc:
        raise TrainingError(f"training failed: {exc}") from None
    finally:
        _PROGRESS.pop("hook", None)
        shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _earlier_model(folder: Path) -> bool:
    import json

    try:
        return "annotator" in json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def _evaluate(nlp: Any, dev: Path, report: TrainReport) -> None:
    from spacy.training import Corpus

    scores = nlp.evaluate(list(Corpus(str(dev))(nlp)))
    report.scores = {"p": float(scores.get("spans_sc_p") or 0.0), "r": float(scores.get("spans_sc_r") or 0.0),
                     "f": float(scores.get("spans_sc_f") or 0.0)}
    report.per_label = {label: {k: float(v) for k, v in s.items()}
                        for label, s in (scores.get("spans_sc_per_type") or {}).items()}


def _best_model(out: Path, dev: Path, report: TrainReport) -> Any:
    """Of spaCy's best model (by its score at threshold 0.5) and its last, the one with the better F1 on the dev
    articles once its threshold is calibrated; never the model of step 0 (one batch seen), which spaCy keeps as
    best when no later evaluation scores above it. None scoring above 0: an error, and nothing is saved."""
    import spacy

    checkpoints = _PROGRESS.get("checkpoints") or []
    top = max((score for score, _ in checkpoints), default=0.0)
    best_step = max((at for score, at in checkpoints if score == top), default=0)  # spaCy saves on a tie too
    candidates = ([out / "model-last"] if _PROGRESS.get("step", 0) > 0 else []) + (
        [out / "model-best"] if best_step > 0 else [])
    chosen: tuple[float, Any, TrainReport] | None = None
    for path in candidates:
        if not (path / "meta.json").exists():
            continue
        nlp = spacy.load(path)
        trial = TrainReport(output=report.output)
        _calibrate(nlp, dev, trial)
        _evaluate(nlp, dev, trial)
        if chosen is None or trial.scores["f"] > chosen[0]:
            chosen = (trial.scores["f"], nlp, trial)
    if chosen is None or chosen[0] <= 0:
        raise TrainingError(
            f"the model learned nothing: F1 0.00 on the {report.dev_articles} dev article(s) after training, at "
            f"every threshold; nothing was saved (more accepted articles, or --labels with the labels that have "
            f"many spans, may help)")
    _, nlp, trial = chosen
    report.threshold, report.scores, report.per_label = trial.threshold, trial.scores, trial.per_label
    return nlp


THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _calibrate(nlp: Any, dev: Path, report: TrainReport) -> None:
    """The span categoriser's threshold that gives the best F1 on the dev articles (of equal ones, the nearest
    to spaCy's default 0.5): a model trained on little data is often sure of nothing above 0.5."""
    from spacy.training import Corpus

    if "spancat" not in nlp.pipe_names:
        return
    spancat = nlp.get_pipe("spancat")
    examples = list(Corpus(str(dev))(nlp))
    scores = {}
    for threshold in THRESHOLDS:
        spancat.cfg["threshold"] = threshold
        scores[threshold] = float(nlp.evaluate(examples).get("spans_sc_f") or 0.0)
    report.threshold = max(THRESHOLDS, key=lambda t: (scores[t], -abs(t - 0.5)))
    spancat.cfg["threshold"] = report.threshold


def _prf(tp: int, pred: int, gold: int) -> dict[str, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0, "gold": float(gold),
            "predicted": float(pred)}


def choose_sources(compare: dict[str, dict[str, dict[str, float]]]) -> dict[str, str]:
    """For each label, whose suggestions score best on the dev articles: "rules", "both" or "model", the first
    of these on a tie; "rules" where the dev articles hold none of the label (nothing says the model helps), and
    where the best beats the rules by no more than one dev span's worth of F1 (`one_span`): on the few dev
    articles of a team, one span is chance, and a choice made on it lost on held-out articles (bench_quality.py
    --cv: PLACE by 0.006, CASUALTIES by one span)."""
    order = ("rules", "both", "model")
    chosen = {}
    for label, ways in compare.items():
        if label == ALL:
            continue
        best = max(order, key=lambda w: (ways[w]["f"], -order.index(w)))
        rules = ways["rules"]
        chosen[label] = best if rules["gold"] and ways[best]["f"] > rules["f"] + one_span(rules) else "rules"
    return chosen


def one_span(scores: dict[str, float]) -> float:
    """What one more right span would add to an F1 of these dev scores (`_prf`'s): 2 / (predicted + gold); 0
    without the counts."""
    gold, predicted = scores.get("gold") or 0.0, scores.get("predicted")
    return 2 / (predicted + gold) if gold and predicted is not None else 0.0


def _compare_with_rules(nlp: Any, dev: Path, store: Store, report: TrainReport) -> None:
    """On the dev articles: the rules alone, the model alone, and both, per label (exact spans), and for each
    label the one that scores best (the rules on a tie or a win by one span, and where the dev articles hold none
    of it; see `choose_sources`): so the model is never used where it made pre-annotation worse than the rules."""
    import spacy
    from spacy.tokens import DocBin

    from annotator.nlp import build_annotator

    rules = build_annotator(store.scheme)
    labels = store.scheme.names
    docs = list(DocBin().from_disk(dev).get_docs(spacy.blank("en").vocab))
    counts: dict[str, dict[str, list[int]]] = {}  # label -> way -> [tp, predicted, gold]
    chosen_counts: list[dict[str, set]] = []
    for doc in docs:
        gold = {(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get("sc", [])}
        by_rules = {(sp.start, sp.end, sp.label) for sp in rules.suggestions(rules.nlp(doc.text))}
        predicted = nlp(doc.text)
        by_model = {(sp.start_char, sp.end_char, sp.label_) for sp in predicted.spans.get("sc", [])
                    if sp.label_ in labels}
        found = {"rules": by_rules, "model": by_model, "both": by_rules | by_model}
        chosen_counts.append({"gold": gold, **found})
        for way, spans in found.items():
            for label in labels:
                mine = {s for s in spans if s[2] == label}
                theirs = {s for s in gold if s[2] == label}
                c = counts.setdefault(label, {}).setdefault(way, [0, 0, 0])
                c[0] += len(mine & theirs)
                c[1] += len(mine)
                c[2] += len(theirs)
    report.compare = {label: {way: _prf(*c) for way, c in ways.items()} for label, ways in counts.items()}
    report.sources = choose_sources(report.compare)
    totals: dict[str, list[int]] = {w: [0, 0, 0] for w in ("rules", "model", "both", "chosen")}
    for item in chosen_counts:
        gold = item["gold"]
        chosen = {s for s in item["both"] if s in item[report.sources.get(s[2], "rules")]}
        for way, spans in (("rules", item["rules"]), ("model", item["model"]), ("both", item["both"]),
                           ("chosen", chosen)):
            totals[way][0] += len(spans & gold)
            totals[way][1] += len(spans)
            totals[way][2] += len(gold)
    report.compare[ALL] = {way: _prf(*c) for way, c in totals.items()}


def _link_examples(path: Path) -> list[Any]:
    """The articles of an exported DocBin as link examples: their spans, sentence starts and links."""
    import spacy
    from spacy.tokens import DocBin

    from annotator.core.link_model import Example
    from annotator.formats.docbin import USER_KEY
    from annotator.nlp.pipeline import sentence_starts

    out = []
    for doc in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab):
        spans = [(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get("sc", [])]
        info = doc.user_data.get(USER_KEY) or {}
        links = {(int(e), int(a), str(role)) for e, a, role in info.get("links") or ()
                 if 0 <= int(e) < len(spans) and 0 <= int(a) < len(spans)}
        out.append(Example(doc.text, spans, sentence_starts(doc), links))
    return out


MIN_LINKS = 5  # accepted links in the training articles below which no link model is learned


def _train_links(train_path: Path, dev_path: Path, store: Store, report: TrainReport, seed: int,
                 log: Callable[[str], None]) -> None:
    """A link model from the training articles' accepted links, its threshold and its roles chosen on the dev
    articles' (`link_model.choose_roles`: never worse there than the rule); kept only where it suggests some
    role's links."""
    from annotator.core.link_model import choose_roles, fit

    if not any(label.roles for label in store.scheme.labels):
        return
    train_examples, dev_examples = _link_examples(train_path), _link_examples(dev_path)
    learned = sum(len(ex.links) for ex in train_examples)
    tested = sum(len(ex.links) for ex in dev_examples)
    if learned < MIN_LINKS or not tested:
        report.link_note = (f"{learned} accepted link(s) in the training articles and {tested} in the dev articles: "
                            f"no link model (it needs {MIN_LINKS} to learn from and one to test on); the rule "
                            f"suggests every link")
        return
    model = fit(train_examples, store.scheme, seed=seed)
    report.link_counts = choose_roles(model, dev_examples, store.scheme)
    if not model.roles:
        report.link_note = "the link model scored no better than the rule on the dev articles: the rule suggests " \
                           "every link"
        return
    report.link_model = model
    log(f"link model: learned from {learned} accepted link(s), used for "
        f"{', '.join(sorted(model.roles))} (better than the rule on the dev articles' {tested} link(s))")


def _finish(nlp: Any, output: Path, report: TrainReport, store: Store, seed: int, split: float) -> None:
    """The best model, with its scores in meta.json, moved into place whole."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    nlp.meta["name"] = "".join(c if c.isalnum() else "_" for c in output.name) or "model"
    nlp.meta["description"] = f"Span categoriser trained by annotator on {store.path.name}"
    nlp.meta.setdefault("performance", {})
    nlp.meta["performance"].update({"spans_sc_p": report.scores["p"], "spans_sc_r": report.scores["r"],
                                    "spans_sc_f": report.scores["f"], "spans_sc_per_type": report.per_label})
    nlp.meta["annotator"] = {
        "trained_at": stamp, "database": str(store.path), "train_articles": report.train_articles,
        "dev_articles": report.dev_articles, "spans": report.spans, "split": split, "seed": seed,
        "epochs": report.epochs,
        "stopped_by_user": report.stopped_by_user, "per_label": report.per_label, "scores": report.scores,
        "threshold": report.threshold, "compare": report.compare, "sources": report.sources,
    }
    if report.init_tok2vec:
        nlp.meta["annotator"]["init_tok2vec"] = report.init_tok2vec
    if report.link_model is not None:
        nlp.meta["annotator"]["links"] = {"roles": report.link_model.roles, "threshold": report.link_model.threshold,
                                          "compare": report.link_counts}
    tmp = output.with_name(f".{output.name}.{os.getpid()}.model.part")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    if report.link_model is not None:
        import json

        from annotator.nlp.pipeline import LINK_MODEL_FILE

        (tmp / LINK_MODEL_FILE).write_text(json.dumps(report.link_model.to_dict(), indent=0), encoding="utf-8")
    replace(tmp, output)


def _fingerprint(path: Path) -> dict[str, str]:
    import hashlib

    return {"file": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def progress_wanted() -> bool:
    return sys.stderr.isatty()
