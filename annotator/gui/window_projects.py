"""Projects: opening one (the session and its events), new and recent projects, the editor's name, the
reading position kept between runs, closing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QMessageBox,
)

from annotator.core.errors import AnnotatorError
from annotator.core.session import ArticleSession
from annotator.gui.plaintext import no_mnemonic, plain
from annotator.gui.queue_model import ANSWER_NAMES, COLUMNS, QueueModel
from annotator.gui.stored import stored_int
from annotator.store import Store

MAX_RECENT = 8


def lazy_tokenize(text: str):
    from annotator.nlp.pipeline import tokenize

    return tokenize(text)


# the version of the panels' layout saved with the window (QMainWindow.saveState): raised when the docks change,
# so that a layout saved by an older version is not restored onto other panels
LAYOUT_VERSION = 1


class ProjectsMixin:
    """Projects: opening one (the session and its events), new and recent projects, the editor's name, the
    reading position kept between runs, closing.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def open_project(self, path: str | Path, create: bool = False) -> bool:
        path = Path(path)
        try:
            store = Store(path, create=create)
            team, store = self._own_layer(store)
        except AnnotatorError as exc:
            QMessageBox.critical(self, "Cannot open the project", plain(str(exc)))
            return False
        if self.store is not None:
            self._save_position()
            self._leave_article()
            self._merge_layer()
            self.store.close()
        if self.team_store is not None:
            self.team_store.close()
        self.team_store = team
        self.store = store
        self.session = ArticleSession(store, self.editor, tokenizer=lazy_tokenize)
        self._follow_recording()
        events = self.session.events
        events.opened.connect(self._on_opened)
        events.opened.connect(lambda _doc: self.show_notes(title=False))
        events.notes_changed.connect(lambda _doc_id: self.show_notes())
        events.changed_elsewhere.connect(lambda _doc_id: self.show_notes())
        events.spans_changed.connect(self._on_spans_changed)
        events.links_changed.connect(lambda doc_id: (self.link_tool.refresh(), self.overview_changed()))
        events.answer_changed.connect(self._on_answer_changed)
        events.selection_changed.connect(self._on_selection_changed)
        events.changed_elsewhere.connect(lambda doc_id: self.statusBar().showMessage(
            "This article was changed elsewhere and has been reloaded", 5000))
        self.undo_stack.clear()
        self._build_label_actions()
        self._build_review_actions()
        if self.queue is None:
            self.queue = QueueModel(store, self)
            self.queue_view.setModel(self.queue)
            header = self.queue_view.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            # widths measured once from what the columns can hold: ResizeToContents would read every row
            # fetched (up to a thousand) after each answer, to size two columns whose width never changes
            metrics = self.queue_view.fontMetrics()
            pad = 3 * metrics.averageCharWidth()
            for column, texts in ((1, [*ANSWER_NAMES.values(), COLUMNS[1]]), (2, ["99999", COLUMNS[2]])):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, max(metrics.horizontalAdvance(t) for t in texts) + pad)
            self.queue_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        else:
            self.queue.set_store(store)
        self.setWindowTitle(f"annotator — {path.name}" + (f" (your layer: {store.path.name})" if team else ""))
        if team is not None:
            self.statusBar().showMessage(f"A team's project: your work is kept apart in your own layer "
                                         f"({store.path.name}) and merged into {path.name} as you answer", 10000)
        self._remember_recent(path)
        doc_id = stored_int(self.settings, self._key("doc"))
        if doc_id is None or not store.documents.count_documents():
            doc_id = store.documents.next_document(0) or store.documents.next_document(0, answer=None)
        self.open_document(doc_id, restore_scroll=True)
        self.update_status()
        return True

    def _own_layer(self, store: Store) -> tuple[Store | None, Store]:
        """A team's project opened by one of its assigned editors: their work goes to their own layer, kept in a
        project file beside it (packed on first use, like `annotator pack`) and merged into the team's project
        as they answer and when they leave, so that several windows on one shared project keep each editor's
        work apart. (team's store, the store to work in); (None, store) for any other project or a reviewer."""
        from annotator.workflows.team import pack

        if store.get_meta("editor") is not None or self.editor not in store.team.assignments():
            return None, store
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.editor)
        layer = store.path.with_name(f"{store.path.stem}.{safe}.layer.db")
        try:
            if not layer.exists():
                pack(store, self.editor, layer, self.editor)
            mine = Store(layer)
            if mine.get_meta("editor") != self.editor:
                mine.close()
                raise AnnotatorError(f"{layer}: holds another editor's work ({mine.get_meta('editor')}), not "
                                     f"{self.editor}'s")
        except BaseException:
            store.close()
            raise
        return store, mine

    def _merge_layer(self, doc_id: int | None = None) -> None:
        """Brings the editor's layer (one article, or all of it) into the team's project they opened."""
        if self.team_store is None or self.store is None:
            return
        try:
            self.team_store.team.merge(self.store, who=self.editor, only=None if doc_id is None else {doc_id})
        except AnnotatorError as exc:  # kept in the layer's file: the next answer or leaving merges it
            self.statusBar().showMessage(f"Not merged into the team's project yet: {exc}", 10000)

    def _key(self, name: str) -> str:
        return f"projects/{str(self.store.path.resolve()) if self.store else ''}/{name}".replace("\\", "/")

    def recent_projects(self) -> list[str]:
        """The recent projects. QSettings gives back a list of one as a plain string (and an INI file may hold
        any type): read as a list always, never iterated character by character."""
        value = self.settings.value("recent")
        if value is None:
            return []
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value if v]

    def _remember_recent(self, path: Path) -> None:
        path_s = str(path.resolve())
        recent = [p for p in self.recent_projects() if p != path_s]
        recent.insert(0, path_s)
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.settings.setValue("last_project", path_s)
        self.recent_menu.clear()
        for p in recent[:MAX_RECENT]:
            action = self.recent_menu.addAction(no_mnemonic(p))
            action.triggered.connect(lambda checked=False, p=p: self.open_project(p))

    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "project.db", "Project databases (*.db)")
        if path:
            if Path(path).exists():
                QMessageBox.warning(self, "New project", plain(f"{path} exists already; open it instead."))
                return
            self.open_project(path, create=True)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Project databases (*.db);;All files (*)")
        if path:
            self.open_project(path)

    def change_editor_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Your name", "Your name (every change you make is recorded under "
                                        "it):", text=self.editor)
        if ok:
            self.set_editor(name)

    def set_editor(self, name: str) -> bool:
        """From now on, changes are recorded under `name` (earlier ones keep the name they were made under)."""
        name = name.strip()
        if not name:
            self.statusBar().showMessage("A name cannot be empty; it was not changed", 5000)
            return False
        self.editor = name
        self.settings.setValue("editor", name)
        if self.session is not None:
            self.session.who = name
        self.update_status()
        self.statusBar().showMessage(f"Your changes are now recorded as {name}", 5000)
        return True

    def show_about(self) -> None:
        from annotator import __version__

        QMessageBox.about(self, "annotator", f"annotator {__version__}: event annotation for news editors.")

    def _save_position(self) -> None:
        if self._pending_scroll is not None:
            return  # not restored yet: keep what was saved
        if self.store is not None and self.session is not None and self.session.doc_id is not None:
            self.settings.setValue(self._key("doc"), self.session.doc_id)
            self.settings.setValue(self._key("top"), self.view.top_position())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._watch.stop()
        self._scroll_timer.stop()
        self._save_position()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        if self._worker is not None:
            self._worker.cancel()
            self._finish_job()
        self.settings.sync()
        if self.store is not None:
            self._leave_article()
            self._merge_layer()
            self.store.close()
            self.store = None
            self.session = None
        if self.team_store is not None:
            self.team_store.close()
            self.team_store = None
        super().closeEvent(event)

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        if self._pending_scroll is not None:
            QTimer.singleShot(0, self._apply_pending_scroll)

    def _apply_pending_scroll(self) -> None:
        """Brings the saved reading position to the top of the view."""
        if self._pending_scroll is None:
            return
        position, self._pending_scroll = self._pending_scroll, None
        self.view.scroll_to_top(position)

    def top_position(self) -> int:
        return self.view.top_position()
