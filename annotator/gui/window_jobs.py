"""Long work off the window's thread: pre-annotation and export, with progress and Cancel (training's own dialogs
are in window_training.py); the model used."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QFileDialog, QMessageBox

from annotator.core.labels import lost_everywhere, model_choice
from annotator.gui.plaintext import plain
from annotator.gui.workers import ExportWorker, PreannotateWorker, Worker
from annotator.workflows.pretraining import models_folder


class JobsMixin:
    """Long work off the window's thread, with progress and Cancel: pre-annotation, export, and the jobs of
    window_training.py; the model used.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def _busy(self) -> bool:
        """Is a job running? If so the status bar says to wait for it or cancel it (one job at a time)."""
        if self._thread is None:
            return False
        self.statusBar().showMessage("Another job is running; wait for it or cancel it", 4000)
        return True

    def _start(self, worker: Worker, busy: str) -> None:
        if self._busy():
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
        self._training = self._pretraining = None
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
        what = f"{Path(model).name} ({self.model_choice(model)})" if model else "the rules"
        anyway = bool(model) and self.settings.value(self._anyway_key(), False, type=bool)
        self._start(PreannotateWorker(self.store.path, self.editor, ids, model=model, model_anyway=anyway),
                    f"Pre-annotating with {what}…")

    def _model_key(self) -> str:
        assert self.store is not None
        return f"models/{self.store.path.resolve()}"

    def _anyway_key(self) -> str:
        assert self.store is not None
        return f"models-anyway/{self.store.path.resolve()}"

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
            self.settings.remove(self._anyway_key())
            self.update_status()
            self.statusBar().showMessage("Pre-annotation uses the rule patterns only", 5000)
            return True
        folder = Path(path)
        if not (folder / "meta.json").is_file() or not (folder / "config.cfg").is_file():
            QMessageBox.warning(self, "Choose model", plain(
                f"{folder} is not a spaCy pipeline folder (no meta.json and config.cfg); choose the folder "
                f"`annotator train --output` wrote."))
            return False
        anyway = False
        if lost_everywhere(self._model_sources(folder)):
            # not used unless the editor insists
            answer = QMessageBox.question(self, "Choose model", plain(
                f"{folder.name} scored below the rules on every label of the articles its training kept aside, "
                f"so pre-annotation would keep to the rules. Use the model anyway, beside the rules, for every "
                f"label?"))
            if answer != QMessageBox.StandardButton.Yes:
                self.statusBar().showMessage(f"{folder.name} not chosen: the rules did better", 5000)
                return False
            anyway = True
        self.settings.setValue(self._model_key(), str(folder))
        self.settings.setValue(self._anyway_key(), anyway)
        self.update_status()
        self.statusBar().showMessage(f"Pre-annotation with {folder.name}: {self.model_choice(folder)}", 10000)
        return True

    @staticmethod
    def _model_sources(folder: str | Path) -> dict[str, str]:
        """What a model's training chose per label (rules, model or both), from its meta.json (the window does
        not load the model for that); empty for a model annotator did not train."""
        try:
            meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
            sources = (meta.get("annotator") or {}).get("sources") or {}
        except (OSError, ValueError, AttributeError):
            return {}
        return sources if isinstance(sources, dict) else {}

    def model_choice(self, folder: str | Path) -> str:
        """What pre-annotation with this model suggests, per label, as its training chose on its dev articles."""
        assert self.store is not None
        if self.settings.value(self._anyway_key(), False, type=bool) and str(folder) == self.model():
            return "the model and the rules for every label, chosen although the rules did better"
        return model_choice([lb.name for lb in self.store.scheme.labels], self._model_sources(folder))

    def choose_model_dialog(self) -> None:
        if self.store is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Choose a trained model",
                                                  self.model() or str(models_folder(self.store.path)))
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
