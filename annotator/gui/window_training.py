"""Tools > Pre-train on the articles… and Tools > Train model…: the model that learns from the project, trained in
the background with progress and Cancel; the per-label table at the end and the offer to re-suggest the pending
articles with it. Training starts from the weights pre-training wrote beside the project, when there are some."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.plaintext import plain
from annotator.gui.workers import PretrainWorker, TrainWorker
from annotator.workflows.pretraining import (
    MIN_WORDS,
    SECONDS_PER_EPOCH_WORD,
    default_epochs,
    models_folder,
    project_size,
    weights_beside,
)

OTHER = "other"  # the start-from list's entry that asks for a file


class TrainDialog(QDialog):
    """The new model's name (a folder under models/ beside the project), and what its tok2vec starts from: random
    weights, or pre-trained ones (the newest beside the project by default, or any file chosen)."""

    def __init__(self, parent: QWidget, project: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train model")
        self.project = project
        layout = QVBoxLayout(self)
        intro = QLabel(f"Train a span categoriser on the accepted articles of {project.name}, in the background. "
                       f"The model is saved in {models_folder(project)}.", self)
        intro.setTextFormat(Qt.TextFormat.PlainText)  # names from data shown as they are
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(f"{project.stem}-{datetime.now().strftime('%Y%m%d-%H%M')}", self)
        self.name.setObjectName("name")
        self.name.selectAll()
        form.addRow("&Name:", self.name)
        self.start = QComboBox(self)
        self.start.setObjectName("start")
        found = weights_beside(project)
        for path in found:
            when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            self.start.addItem(f"pre-trained weights {path.name} ({when})", str(path))
        self.start.addItem("random weights", "")
        self.start.addItem("pre-trained weights from another file…", OTHER)
        self.start.setCurrentIndex(0)  # the newest pre-trained weights if any: better on every fold measured
        self._last = 0
        self.start.activated.connect(self._started_from)
        form.addRow("&Start from:", self.start)
        layout.addLayout(form)
        hint = QLabel("Pre-trained weights (Tools > Pre-train on the articles…) are learned from every article of "
                      "the project, annotated or not; by cross-validation on 40 articles here they raised the "
                      "model's F1 from 0.53 to 0.57 (60 passes) and 0.60 (120 passes).", self)
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Train")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _started_from(self, index: int) -> None:
        if self.start.itemData(index) != OTHER:
            self._last = index
            return
        path, _ = QFileDialog.getOpenFileName(self, "Pre-trained weights", str(models_folder(self.project)),
                                              "Pre-trained weights (*.bin);;All files (*)")
        if not path:
            self.start.setCurrentIndex(self._last)
            return
        at = self.start.count() - 1  # before "another file…"
        self.start.insertItem(at, f"pre-trained weights {Path(path).name} ({Path(path).parent})", path)
        self.start.setCurrentIndex(at)
        self._last = at

    def weights(self) -> Path | None:
        """The pre-trained weights chosen, or None for random weights."""
        data = self.start.currentData()
        return Path(data) if data and data != OTHER else None


class TrainingMixin:
    """Pre-training and training from the window.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def pretrain_output(self) -> Path:
        assert self.store is not None
        return models_folder(self.store.path) / f"{self.store.path.stem}-tok2vec.bin"

    def pretrain_dialog(self) -> None:
        """Says what pre-training will read, for how long and where it writes, then runs it in the background."""
        if self.store is None or self._busy():
            return
        articles, words = project_size(self.store)
        if words < MIN_WORDS:
            QMessageBox.information(self, "Pre-train", plain(
                f"{self.store.path.name} holds {articles} article(s), {words} word(s); pre-training needs at least "
                f"{MIN_WORDS:,} words, and is worth it with thousands of articles: import them first, annotated "
                f"or not."))
            return
        epochs = default_epochs(words)
        minutes = max(1, math.ceil(epochs * words * SECONDS_PER_EPOCH_WORD / 60))
        output = self.pretrain_output()
        replacing = " (replacing the ones there)" if output.exists() else ""
        answer = QMessageBox.question(self, "Pre-train", plain(
            f"Learn the model's token vectors from all {articles:,} article(s) of {self.store.path.name} "
            f"({words:,} words), annotated or not: {epochs:,} pass(es), about {minutes} minute(s) in the background. "
            f"They are saved as {output}{replacing}, and Train model… starts from them.\n\nPre-train now?"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        worker = PretrainWorker(self.store.path, output, epochs)
        worker.progress.connect(self._pretraining_progress)
        worker.finished.connect(self._pretrained)
        self._pretraining = worker
        self._start(worker, f"Pre-training on {articles:,} article(s)… (Cancel stops it, nothing saved)")

    def _pretraining_progress(self, done: int, total: int) -> None:
        worker = self._pretraining
        if worker is not None and total:
            epoch = min(worker.epochs, max(0, done - 1) * worker.epochs // total + 1)  # the pass that read it
            self.statusBar().showMessage(f"Pre-training {worker.output.name}: pass {epoch} of {worker.epochs} "
                                         f"(Cancel stops it, nothing saved)")

    def _pretrained(self, message: str) -> None:
        """Told in a box that stays, not only in the status bar: pre-training takes half an hour, and the editor may
        be elsewhere when it ends; its button trains from the new weights."""
        worker, self._pretraining = self._pretraining, None
        if worker is None or worker.report is None:  # cancelled
            return
        box = QMessageBox(QMessageBox.Icon.Information, "Pre-train", plain(message), parent=self)
        train = box.addButton("Train model…", QMessageBox.ButtonRole.AcceptRole)
        train.setObjectName("train")
        box.addButton("Close", QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(self._after_pretraining)
        self.pretrain_result = box
        box.setModal(False)
        box.show()

    def _after_pretraining(self, button: QAbstractButton) -> None:
        if button.objectName() == "train":
            self.train_dialog()

    def train_dialog(self) -> None:
        """Asks for the new model's name and what it starts from, then trains it."""
        if self.store is None or self._busy():  # said before asking, not after
            return
        dialog = TrainDialog(self, self.store.path)
        self.train_form = dialog
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            name, weights = dialog.name.text().strip(), dialog.weights()
        finally:
            self.train_form = None
        if not name:
            return
        if any(c in name for c in '/\\:*?"<>|') or name.startswith("."):
            QMessageBox.warning(self, "Train model", plain(
                f"{name!r} cannot name the model's folder: use letters, digits, - and _ (no / \\ : * ? \" < > | "
                f"and no leading dot)"))
            return
        self.train_model(models_folder(self.store.path) / name, init_tok2vec=weights)

    def train_model(self, output: Path, epochs: int = 30, patience: int = 5,
                    init_tok2vec: Path | None = None) -> None:
        if self.store is None or self._busy():
            return
        worker = TrainWorker(self.store.path, output, epochs, patience, init_tok2vec=init_tok2vec)
        self._training = worker
        # bound methods of the window, so that Qt calls them in the window's thread (a lambda would run in the
        # worker's, and a widget touched there crashes)
        worker.progress.connect(self._training_progress)
        worker.finished.connect(self._trained)
        start = f" from {init_tok2vec.name}" if init_tok2vec is not None else ""
        self._start(worker, f"Training {output.name}{start} on the accepted articles… (Cancel stops it, nothing "
                            f"saved)")

    def _training_progress(self, done: int, total: int) -> None:
        if self._training is not None:
            self.statusBar().showMessage(f"Training {self._training.output.name}: epoch {done + 1} of at most "
                                         f"{total} (Cancel stops it, nothing saved)")

    def _trained(self, _message: str) -> None:
        """The per-label table of a finished training, and the offer to re-suggest the pending articles with it."""
        worker, self._training = self._training, None
        report = worker.report if worker is not None else None
        if report is None or self.store is None:  # cancelled
            return
        pending = self.store.documents.count_documents("pending")
        dialog = QDialog(self)
        dialog.setWindowTitle(f"Trained {report.output.name}")
        layout = QVBoxLayout(dialog)
        verdict = ("It scored below the rules on every label of its dev articles: pre-annotation with it keeps to "
                   "the rules." if report.worse_than_rules else
                   f"Pre-annotation with it suggests {self.model_choice(report.output)}.")
        if report.link_model is not None:  # the learned links are used whatever became of the spans
            verdict += (" Its links are suggested for the roles marked model: "
                        f"{', '.join(sorted(report.link_model.roles))}.")
        start = (f"from the pre-trained weights {Path(report.init_tok2vec['file']).name}"
                 if report.init_tok2vec else "from random weights")
        head = QLabel((  # plain text: the label shows it as it is
            f"{report.output} — {report.train_articles} training and {report.dev_articles} dev article(s), "
            f"{report.epochs} epoch(s) {start}, {report.seconds:.0f} s. F1 on the dev articles of the rules, the "
            f"model and both, per label (and of the nearest-span rule and the learned links, per role), and what "
            f"pre-annotation uses:"), dialog)
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        lines = report.choice_table()
        table = QPlainTextEdit("\n".join(lines), dialog)
        table.setReadOnly(True)
        table.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        metrics = table.fontMetrics()  # the whole table without scrolling, as far as the screen allows
        screen = self.screen().availableGeometry()
        table.setMinimumSize(
            min(metrics.horizontalAdvance("x" * (max(map(len, lines), default=0) + 4)), screen.width() * 3 // 4),
            min(metrics.lineSpacing() * (len(lines) + 1) + 12, screen.height() * 2 // 3))
        table.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        tail = QLabel(verdict + (f" Use it now and re-suggest the {pending} pending article(s) with it?"
                                 if pending else ""), dialog)
        tail.setWordWrap(True)
        tail.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(dialog)
        if pending:
            use = buttons.addButton(f"Use it and re-suggest {pending} article(s)",
                                    QDialogButtonBox.ButtonRole.AcceptRole)
            use.setObjectName("use")
        close = buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("close")
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        dialog.accepted.connect(lambda: self.set_model(report.output) and self.preannotate(current=False))
        for widget in (head, table, tail, buttons):
            layout.addWidget(widget)
        self.train_result = dialog
        dialog.setModal(False)
        dialog.show()
        # a window's own size ignores how tall its wrapped labels grow at its width: without this they are drawn
        # over the table
        layout.activate()
        height = max(dialog.height(), layout.totalHeightForWidth(dialog.width()))
        dialog.setMinimumSize(dialog.width(), height)
        dialog.resize(dialog.width(), height)
