"""Long work off the GUI thread: loading spaCy, pre-annotating, exporting. Each worker opens its own database
connection (SQLite connections stay in their thread) and reports progress through signals."""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from annotator.core.errors import AnnotatorError


class Worker(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(str)  # a message for the status bar
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    @Slot()
    def run(self) -> None:  # pragma: no cover - runs before a tracer can be set in this thread
        # a QThread is not started by `threading`, so a tracer set for new threads (coverage in the tests) is
        # not set here by itself; with none set (a normal run) this does nothing. It takes effect for the
        # frames called from here on.
        tracer = threading.gettrace()
        if tracer is not None:
            sys.settrace(tracer)
        self._run()

    def _run(self) -> None:
        try:
            self.finished.emit(self.work())
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: say so rather than die silently in a thread
            traceback.print_exc()
            self.failed.emit(f"{type(exc).__name__}: {exc}")

    def work(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class PreannotateWorker(Worker):
    def __init__(self, db_path: Path, who: str, doc_ids: list[int] | None, model: str | None = None,
                 model_anyway: bool = False) -> None:
        super().__init__()
        self.db_path = db_path
        self.who = who
        self.doc_ids = doc_ids
        self.model = model
        self.model_anyway = model_anyway

    def work(self) -> str:
        from annotator.nlp import build_annotator
        from annotator.store import Store
        from annotator.workflows.preannotating import preannotate

        with Store(self.db_path, create=False) as store:
            annotator = build_annotator(store.scheme, model=self.model, model_anyway=self.model_anyway)
            total = (len(self.doc_ids) if self.doc_ids is not None
                     else store.suggestions.count_unannotated(annotator.key))
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                self.progress.emit(done, total)

            self.progress.emit(0, total)
            report = preannotate(store, annotator, doc_ids=self.doc_ids, only_pending=self.doc_ids is None,
                                 who=self.who, commit_every=32, on_progress=step,
                                 should_stop=lambda: self.cancelled)
        verb = "stopped after" if report.cancelled else "pre-annotated"
        message = f"{verb} {report.documents} article(s): {report.suggestions} new suggestion(s)"
        if report.failed:
            message += f"\ncould not pre-annotate {len(report.failed)} article(s); the others went on:\n" + \
                "\n".join(f"document {doc_id}: {reason}" for doc_id, reason in report.failed[:10])
        return message


class ExportWorker(Worker):
    def __init__(self, db_path: Path, output: Path, include_pending: bool, fmt: str = "prodigy") -> None:
        super().__init__()
        self.db_path = db_path
        self.output = output
        self.include_pending = include_pending
        self.fmt = fmt

    def work(self) -> str:
        from annotator.nlp.pipeline import tokenize
        from annotator.store import Store
        from annotator.workflows.exporting import export

        with Store(self.db_path, create=False) as store:
            total = store.documents.count_documents() if self.include_pending else store.documents.progress()[0]
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                self.progress.emit(min(done, total), total)

            report = export(store, self.output, fmt=self.fmt, include_pending=self.include_pending,
                            tokenizer=tokenize, on_progress=step)
        self.progress.emit(total, total)
        # the first line for the status bar; anything left out follows, for a message box
        return "\n".join(report.lines())


class TrainWorker(Worker):
    """`annotator train` on the project's accepted articles, into `output`: progress by epoch, Cancel stops it
    (nothing saved). `report` holds the result once it is done."""

    def __init__(self, db_path: Path, output: Path, epochs: int = 30, patience: int = 5,
                 init_tok2vec: Path | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.output = output
        self.epochs = epochs
        self.patience = patience
        self.init_tok2vec = init_tok2vec
        self.report = None

    def work(self) -> str:
        from annotator.nlp.pipeline import tokenize
        from annotator.store import Store
        from annotator.workflows.training import TrainingCancelled, train

        self.progress.emit(0, self.epochs)
        try:
            with Store(self.db_path, create=False) as store:
                self.report = train(store, self.output, tokenizer=tokenize, epochs=self.epochs,
                                    patience=self.patience, log=lambda line: None,
                                    on_progress=lambda epoch, epochs: self.progress.emit(epoch - 1, epochs),
                                    should_stop=lambda: self.cancelled, init_tok2vec=self.init_tok2vec)
        except TrainingCancelled:
            return "Training cancelled: nothing was saved"
        return training_summary(self.report)


class PretrainWorker(Worker):
    """`annotator pretrain` on every article of the project, into the file `output`: progress by article read,
    Cancel stops it (the earlier weights stay). It only reads the project."""

    def __init__(self, db_path: Path, output: Path, epochs: int) -> None:
        super().__init__()
        self.db_path = db_path
        self.output = output
        self.epochs = epochs
        self.report = None

    def work(self) -> str:
        from annotator.store import Store
        from annotator.workflows.pretraining import PretrainingCancelled, pretrain

        self.progress.emit(0, 0)
        try:
            with Store(self.db_path, readonly=True) as store:
                self.report = pretrain(store, self.output, epochs=self.epochs, force=True, log=lambda line: None,
                                       on_progress=self.progress.emit, should_stop=lambda: self.cancelled)
        except PretrainingCancelled:
            return "Pre-training cancelled: nothing was saved"
        r = self.report
        took = f"{r.seconds:.0f} s" if r.seconds < 90 else f"{r.seconds / 60:.0f} min"
        return (f"Pre-trained {r.output.name} on {r.articles:,} article(s), {r.words:,} words, {r.epochs} pass(es), "
                f"in {took}: Train model… starts from it")


def training_summary(r: Any) -> str:
    """The status bar's line after training: each F1 on the dev articles named by whose it is (the rules', the
    model's alone, and what pre-annotation will use: the better of them per label)."""
    from annotator.workflows.training import ALL

    figures = r.compare.get(ALL, {})

    def f(way: str) -> str:
        return f"{figures.get(way, {}).get('f', 0.0):.2f}"

    start = f" from {Path(r.init_tok2vec['file']).name}" if r.init_tok2vec else ""
    return (f"Trained {r.output.name}{start} in {r.seconds:.0f} s on {r.train_articles} article(s), {r.epochs} "
            f"epoch(s). F1 on {r.dev_articles} dev article(s): the model alone {f('model')}, the rules "
            f"{f('rules')}, what pre-annotation will use (the better per label) {f('chosen')}")


class WarmUpWorker(Worker):
    """Imports spaCy and builds the tokenizer in the background once the window shows."""

    def work(self) -> str:
        from annotator.nlp.pipeline import tokenize

        tokenize("warm up")
        return ""
