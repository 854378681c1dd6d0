"""Long work off the window's thread: pre-annotation and export, with progress and Cancel; the model used."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from annotator.gui.plaintext import plain
from annotator.gui.workers import ExportWorker, PreannotateWorker, Worker


class JobsMixin:
    """Long work off the window's thread: pre-annotation and export, with progress and Cancel; the model used.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def _start(self, worker: Worker, busy: str) -> None:
        if self._thread is not None:
            self.statusBar().showMessage("Another job is running; wait for it or cancel it", 4000)
            return
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._job_progress)
        worker.finished.connect(self._job_done)
        worker.failed.connect(self._job_failed)
        self._thread, self._worker = thread, worker
        self.job_bar.setRange(0, 0)
        self.job_bar.show()
        self.job_cancel.show()
        self.statusBar().showMessage(busy)
        thread.start()

    def _job_progress(self, done: int, total: int) -> None:
        self.job_bar.setRange(0, max(total, 1))
        self.job_bar.setValue(done)

    def _finish_job(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        self._thread, self._worker = None, None
        self.job_bar.hide()
        self.job_cancel.hide()

    def _job_done(self, message: str) -> None:
        self._finish_job()
        if message:
            first, _, rest = message.partition("\n")
            self.statusBar().showMessage(first, 8000)
            if rest:  # what an export had to leave out: told, not only flashed in the status bar
                self.report_box = QMessageBox(QMessageBox.Icon.Information, "annotator", plain(first), parent=self)
                self.report_box.setInformativeText(plain(rest))
                self.report_box.setModal(False)
                self.report_box.show()
        if self.session is not None and self.session.doc_id is not None:
            self.session.reload_spans()
            self.refresh_spans(self.selected_span)
        if self.queue is not None:
            self.apply_filter()
        self.update_status()

    def _job_failed(self, message: str) -> None:
        self._finish_job()
        QMessageBox.warning(self, "annotator", plain(message))

    def cancel_job(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.statusBar().showMessage("Stopping…")

    def preannotate(self, current: bool) -> None:
        if self.store is None or self.session is None:
            return
        ids = [self.session.doc_id] if current and self.session.doc_id is not None else None
        model = self.model()
        what = f"the rules and {Path(model).name}" if model else "the rules"
        self._start(PreannotateWorker(self.store.path, self.editor, ids, model=model), f"Pre-annotating with {what}…")

    def _model_key(self) -> str:
        assert self.store is not None
        return f"models/{self.store.path.resolve()}"

    def model(self) -> str | None:
        """The trained pipeline this project pre-annotates with (besides the rules), if one was chosen."""
        if self.store is None:
            return None
        return self.settings.value(self._model_key()) or None

    def set_model(self, path: str | Path | None) -> bool:
        """Chooses a spaCy pipeline folder for pre-annotation (None: the rules alone); remembered per project."""
        if self.store is None:
            return False
        if path is None:
            self.settings.remove(self._model_key())
            self.update_status()
            self.statusBar().showMessage("Pre-annotation uses the rule patterns only", 5000)
            return True
        folder = Path(path)
        if not (folder / "meta.json").is_file() or not (folder / "config.cfg").is_file():
            QMessageBox.warning(self, "Choose model", plain(
                f"{folder} is not a spaCy pipeline folder (no meta.json and config.cfg); choose the folder "
                f"`annotator train --output` wrote."))
            return False
        self.settings.setValue(self._model_key(), str(folder))
        self.update_status()
        self.statusBar().showMessage(f"Pre-annotation uses the rules and the model {folder.name}", 5000)
        return True

    def choose_model_dialog(self) -> None:
        if self.store is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Choose a trained model", self.model() or "models")
        if folder:
            self.set_model(folder)

    # the export dialog's file types, and the format each stands for
    EXPORT_FILTERS = {
        "Prodigy JSONL (*.jsonl)": "prodigy", "doccano JSONL (*.jsonl)": "doccano",
        "Label Studio JSON (*.json)": "label-studio", "CoNLL IOB2 (*.conll)": "conll",
        "spaCy DocBin (*.spacy)": "spacy", "brat standoff folder (*)": "brat",
        "doccano relations JSONL (*.jsonl)": "doccano-relations", "events JSONL (*.jsonl)": "events",
    }

    def export_dialog(self) -> None:
        if self.store is None:
            return
        default = Path("exports") / f"{self.store.path.stem}.jsonl"
        path, chosen = QFileDialog.getSaveFileName(self, "Export", str(default), ";;".join(self.EXPORT_FILTERS))
        if path:
            self.export(Path(path), fmt=self.EXPORT_FILTERS.get(chosen, "prodigy"))

    def export(self, path: Path, include_pending: bool = False, fmt: str = "prodigy") -> None:
        if self.store is not None:
            self._start(ExportWorker(self.store.path, path, include_pending, fmt), f"Exporting to {path}…")
