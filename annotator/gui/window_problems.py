"""When the project cannot be saved, or an edit is refused: the red banner, one message, edits blocked
until the file can be written again; a conflict with another program reloads the article."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QMessageBox,
)

from annotator.core.errors import AnnotatorError, ConflictError, NotAProjectError, UnavailableError
from annotator.store import sqlite_error


class ProblemsMixin:
    """When the project cannot be saved, or an edit is refused: the red banner, one message, edits blocked
    until the file can be written again; a conflict with another program reloads the article.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def on_edit_error(self, exc: BaseException, in_history: bool) -> None:
        """An edit was refused or could not be saved: a conflict reloads the article, a store failure blocks
        editing (and the undo history, which no longer matches what is saved, is cleared), a refusal is said in
        the status bar."""
        if isinstance(exc, ConflictError):
            self.reload_after_conflict()
        elif isinstance(exc, (UnavailableError, NotAProjectError, sqlite3.Error)):
            self.report_problem(exc)
            if in_history:
                QTimer.singleShot(0, self.undo_stack.clear)
        elif isinstance(exc, AnnotatorError):
            self.statusBar().showMessage(str(exc), 5000)
        else:
            self.unexpected(exc)

    def reload_after_conflict(self) -> None:
        assert self.session is not None
        doc_id = self.session.doc_id
        QMessageBox.information(
            self, "Changed elsewhere",
            "This article was changed in another window or program since you opened it. It has been reloaded "
            "with those changes; your last action was not applied.")
        # the undo history no longer matches the article; cleared once the current undo command returns
        QTimer.singleShot(0, self.undo_stack.clear)
        self.open_document(doc_id)

    def check_external_changes(self) -> None:
        """Every 1.5 s: reloads the article when another window or program changed it, and takes into the queue
        the articles another program added; while the project cannot be saved, tries again, and lifts the block
        once it can."""
        if self.session is None or self.store is None:
            return
        if self.problem is not None:
            try:
                self.store.probe_writable()
            except (AnnotatorError, sqlite3.Error):
                return  # still broken: told once already
            self._clear_problem()
            return
        try:
            if self.queue is not None and self.queue.take_new():  # articles imported meanwhile
                self.update_status()
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)
            return
        if self.session.doc_id is None:
            return
        try:
            self.session.reload_if_changed_elsewhere()  # the widgets follow through the session's events
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)

    def report_problem(self, exc: BaseException) -> None:
        """The project cannot be read or written: the editor is told once (a message box), a banner stays while
        it lasts, and every edit is blocked, so nothing is shown that is not saved."""
        if isinstance(exc, sqlite3.Error):
            exc = sqlite_error(self.store.path if self.store else Path("the project"), exc)
        message = str(exc)
        self.problem = message
        self.problem_banner.setText(f"Your changes cannot be saved: {message}. Editing is blocked until the "
                                    f"file can be written again; everything saved before is kept.")
        self.problem_banner.show()
        self._set_editing(False)
        box = self._tell_once(QMessageBox.Icon.Warning, "annotator: the project cannot be saved", message,
                              "Editing is blocked until the file can be written again; the window checks every "
                              "few seconds. Everything saved before is kept.")
        if box is not None:
            self.problem_box = box

    def _tell_once(self, icon: QMessageBox.Icon, title: str, message: str, detail: str) -> QMessageBox | None:
        """A message box (plain text, not modal) unless this message was told already."""
        if message in self._told:
            return None
        self._told.add(message)
        box = QMessageBox(icon, title, message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(detail)
        box.setModal(False)
        box.show()
        return box

    def _clear_problem(self) -> None:
        self.problem = None
        self._told.clear()
        self.problem_banner.hide()
        box = self.problem_box
        if box is not None and box.isVisible():  # what it said is no longer true
            box.close()
        self._set_editing(True)
        if self.session is not None and self.session.doc_id is not None:
            self.open_document(self.session.doc_id)
        self.update_status()
        self.statusBar().showMessage("The project can be saved again; editing is back on", 8000)

    def _set_editing(self, enabled: bool) -> None:
        for action in self.edit_actions + self.label_actions:
            action.setEnabled(enabled)
        self.label_bar.setEnabled(enabled)
        if enabled:  # undo and redo follow their stack again
            self.undo_action.setEnabled(self.undo_stack.canUndo())
            self.redo_action.setEnabled(self.undo_stack.canRedo())

    def unexpected(self, exc: BaseException) -> None:
        """A failure nobody planned for (a bug): the editor is told once in the window, not on a terminal
        at every poll; a store error among them blocks editing like any other."""
        if isinstance(exc, (UnavailableError, NotAProjectError, sqlite3.Error)):
            self.report_problem(exc)
            return
        if isinstance(exc, AnnotatorError):  # a refusal meant for the user
            self.statusBar().showMessage(str(exc), 8000)
            return
        box = self._tell_once(QMessageBox.Icon.Critical, "annotator: something went wrong",
                              f"{type(exc).__name__}: {exc}", "This is a bug in annotator; what you saved before is "
                              "kept. Please report it with the details printed on the terminal.")
        if box is not None:
            self.error_box = box

    def _blocked(self) -> bool:
        if self.problem is None:
            return False
        self.statusBar().showMessage("Editing is blocked: the project cannot be saved now (see the red banner)",
                                     4000)
        return True
