"""Pre-training: the token vectors of the span categoriser (its tok2vec) learned from the project's own articles,
labelled or not, before `annotator train` learns spans from the accepted ones.

A newsroom imports far more articles than its editors annotate. spaCy's `pretrain` (its "characters" objective:
guess the first and last letters of each word from the words around it) teaches the tok2vec of the very
architecture `annotator train` builds what news words look like in context, from every article in the database.
`annotator train --init-tok2vec FILE` then starts from those weights instead of random ones. Measured by 5-fold
cross-validation on the 40 hand-annotated Wikinews articles, pre-trained on the 150 Wikinews articles (82,000
words): the model alone F1 0.528 from random weights, 0.540 after 21 epochs, 0.565 after 60 (`bench/bench_train.py`)
and 0.598 after 120, still rising. So by default it reads about ten million words however large the project
(122 epochs of those 150 articles, 5 of two million words): half an hour on one core."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import AnnotatorError

if TYPE_CHECKING:  # the command line reads WORDS_READ at start: this module stays light to import
    from annotator.store import Store

WORDS_READ = 10_000_000  # by default, as many epochs as read about this many words
MAX_EPOCHS = 1000
MIN_WORDS = 1000  # below this there is nothing to learn that training on the annotated articles would not


class PretrainingError(AnnotatorError):
    pass


class PretrainingCancelled(PretrainingError):
    pass


# about 20 s an epoch per 100,000 words from the command line on one core of this 2-core machine, 25 s in the
# window (41 minutes for 122 passes over the 150 Wikinews articles' 82,000 words): the window's estimate
SECONDS_PER_EPOCH_WORD = 25 / 100_000


def _texts(store: Store) -> Iterator[str]:
    """The text of every article pre-training reads (those with any), one at a time."""
    for (text,) in store.conn.execute("SELECT text FROM documents ORDER BY id"):
        if text.strip():
            yield text


def project_size(store: Store) -> tuple[int, int]:
    """(articles, words) pre-training reads from `store`, as `pretrain` counts them (the window's question)."""
    articles = words = 0
    for text in _texts(store):
        articles += 1
        words += len(text.split())
    return articles, words


def models_folder(project: Path) -> Path:
    """The models/ folder beside a project, in full: where the window saves trained models and pre-trained weights,
    and looks for them first."""
    return project.resolve().parent / "models"


def weights_beside(project: Path) -> list[Path]:
    """The pre-trained weights in the models/ folder beside a project (where the window writes them), newest
    first."""
    folder = models_folder(project)
    try:
        found = [p for p in folder.glob("*.bin") if p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: (-p.stat().st_mtime, p.name))


_WATCH: dict[str, Callable[[], None]] = {}


def _register_reader() -> None:
    """spaCy's JSONL corpus of raw text, calling the pre-training's hook at each article it reads: how far it got,
    for the window's progress bar, and its Cancel (raised out of spaCy's loop). It reads the same articles in the
    same order, so the weights are those spaCy's own reader gives."""
    from spacy.util import registry

    if "annotator_watched_jsonl.v1" in registry.readers:
        return

    @registry.readers("annotator_watched_jsonl.v1")
    def make_reader(path: Path, min_length: int = 0, max_length: int = 0, limit: int = 0,
                    watch: str = "") -> Callable[[Any], Any]:
        from spacy.training.corpus import JsonlCorpus

        inner = JsonlCorpus(path, min_length=min_length, max_length=max_length, limit=limit)

        def read(nlp: Any) -> Any:
            for example in inner(nlp):
                hook = _WATCH.get(watch)
                if hook is not None:
                    hook()
                yield example

        return read


@dataclass
class PretrainReport:
    output: Path
    articles: int = 0
    words: int = 0
    epochs: int = 0
    seconds: float = 0.0


def base_config(pretraining: bool) -> Any:
    """spaCy's generated config for a span categoriser on a small CPU tok2vec: the one `annotator train` starts
    from, with its [pretraining] block when `pretraining` (the two must build the same tok2vec, or the weights
    one writes would not load into the other)."""
    from spacy.cli.init_config import init_config

    return init_config(lang="en", pipeline=["spancat"], optimize="efficiency", gpu=False, pretraining=pretraining,
                       silent=True)


def use_weights(config: Any, weights: Path) -> None:
    """Makes a training `config` start its tok2vec from `weights` (written by `pretrain`), after checking that
    they are such weights: a file that is not, or was written for another architecture, is refused by name
    before any training starts."""
    from spacy.util import registry

    try:
        data = weights.read_bytes()
    except OSError as exc:
        raise PretrainingError(f"{weights}: cannot read the pre-trained weights ({exc.strerror or exc})") from None
    try:
        model = registry.resolve({"model": config.interpolate()["components"]["tok2vec"]["model"]})["model"]
        model.from_bytes(data)
    except Exception as exc:  # msgpack's and thinc's errors for bytes that are not these weights vary
        raise PretrainingError(f"{weights}: not tok2vec weights written by `annotator pretrain` for this "
                               f"model ({type(exc).__name__}: {str(exc)[:120]})") from None
    config["pretraining"] = base_config(pretraining=True)["pretraining"]
    config["paths"]["init_tok2vec"] = str(weights)


def default_epochs(words: int) -> int:
    """The epochs that read about WORDS_READ words of a project of `words` words (1 to MAX_EPOCHS)."""
    return max(1, min(MAX_EPOCHS, round(WORDS_READ / max(1, words))))


def pretrain(store: Store, output: str | Path, *, epochs: int | None = None, seed: int = 0, force: bool = False,
             log: Callable[[str], None] = print, show_table: bool = False,
             on_progress: Callable[[int, int], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> PretrainReport:
    """Pre-trains the tok2vec on the text of every article in `store` for `epochs` epochs (None: `default_epochs`)
    and writes its weights to `output` (one file, in place at the end only: a killed, interrupted or cancelled run
    leaves what was there before). `show_table`: print spaCy's table of the loss as it goes. `on_progress(done,
    total)` is told as each article is read (total: the articles times the epochs); `should_stop()`, asked as
    often, cancels the run when it says so (PretrainingCancelled: nothing is written)."""
    from spacy.training.pretrain import pretrain as spacy_pretrain

    from annotator.workflows.exporting import clean_leftovers
    from annotator.workflows.files import check_replaceable, replace

    output = Path(output)
    check_replaceable(output, force, what="pre-training")
    removed = clean_leftovers(output)
    if removed:
        log(f"removed {removed} folder(s) a killed pre-training of {output.name} left beside it")
    work = output.with_name(f".{output.name}.{os.getpid()}.pretrain.part")
    shutil.rmtree(work, ignore_errors=True)
    fresh = not output.parent.exists()  # a folder made for the weights goes again if none are written
    try:
        work.mkdir(parents=True)
    except OSError as exc:
        raise PretrainingError(f"{output.parent}: cannot write there ({exc.strerror or exc})") from None
    report = PretrainReport(output=output)
    watch = f"{os.getpid()}.{id(report)}"  # this run's hook, for the reader spaCy builds from the config
    started = time.perf_counter()
    try:
        raw = work / "articles.jsonl"
        with raw.open("w", encoding="utf-8") as fh:  # streamed: a project's articles need not fit in memory
            for text in _texts(store):
                fh.write(json.dumps({"text": text}) + "\n")
                report.articles += 1
                report.words += len(text.split())
        if report.words < MIN_WORDS:
            raise PretrainingError(f"{store.path}: {report.articles} article(s), {report.words} word(s); "
                                   f"pre-training needs at least {MIN_WORDS:,} words (it is worth it with "
                                   f"thousands of articles: import them first, annotated or not)")
        epochs = report.epochs = epochs or default_epochs(report.words)
        config = base_config(pretraining=True)
        config["paths"]["raw_text"] = str(raw)
        config["system"]["seed"] = seed
        config["corpora"]["pretrain"]["max_length"] = 0  # whole articles: spaCy's default skips any over 500 words
        config["corpora"]["pretrain"]["@readers"] = "annotator_watched_jsonl.v1"
        config["corpora"]["pretrain"]["watch"] = watch
        total, done = report.articles * epochs, [0]

        def hook() -> None:
            if should_stop is not None and should_stop():
                raise PretrainingCancelled("pre-training cancelled: nothing was saved")
            done[0] += 1
            if on_progress is not None:
                on_progress(min(done[0], total), total)

        _register_reader()
        _WATCH[watch] = hook
        config["pretraining"]["max_epochs"] = epochs
        config["pretraining"]["n_save_epoch"] = epochs  # no weights kept along the way: only the last are used
        log(f"pre-training the tok2vec on {report.articles:,} article(s), {report.words:,} words, for {epochs} "
            f"epochs")
        (work / "out").mkdir()
        spacy_pretrain(config.interpolate(), work / "out", silent=not show_table)
        replace(work / "out" / "model-last.bin", output)
        if on_progress is not None:
            on_progress(total, total)
    finally:
        _WATCH.pop(watch, None)
        shutil.rmtree(work, ignore_errors=True)
        if fresh and not output.exists():
            with contextlib.suppress(OSError):  # not empty: something else is in it now
                output.parent.rmdir()
    report.seconds = time.perf_counter() - started
    return report
