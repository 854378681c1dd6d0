"""The main window: a coordinator. The queue on the left, the article in the middle with the label bar above it,
the span list on the right, the status bar below. Every command is one QAction (menu, shortcut, toolbar);
every change goes to the database at once through the article session (annotator.core.session), inside an
undo command; the widgets follow the session's events."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThread, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError, ConflictError, NotAProjectError, UnavailableError
from annotator.core.model import Answer, Document
from annotator.core.session import ArticleSession, Change
from annotator.gui.article_view import ArticleView
from annotator.gui.commands import AnswerCommand, EditCommand
from annotator.gui.frame_panel import FramePanel, LinkTool
from annotator.gui.label_bar import LabelBar
from annotator.gui.plaintext import esc, no_mnemonic, plain
from annotator.gui.queue_model import QueueModel
from annotator.gui.span_list import SpanList
from annotator.gui.workers import ExportWorker, PreannotateWorker, Worker
from annotator.store import Store, sqlite_error

FILTERS = [("All", None), ("Pending", "pending"), ("Accepted", "accept"), ("Rejected", "reject"),
           ("Skipped", "ignore")]
MAX_RECENT = 8


def lazy_tokenize(text: str):
    from annotator.nlp.pipeline import tokenize

    return tokenize(text)


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, editor: str) -> None:
        super().__init__()
        self.settings = settings
        self.editor = editor
        self.store: Store | None = None
        self.session: ArticleSession | None = None
        self.undo_stack = QUndoStack(self)
        self.session_started = time.monotonic()
        self.session_answers = 0
        self._thread: QThread | None = None
        self._worker: Worker | None = None
        # why the project cannot be saved now (edits are blocked until it can), and what was told already
        self.problem: str | None = None
        self.problem_box: QMessageBox | None = None
        self._told: set[str] = set()
        self.edit_actions: list[QAction] = []  # blocked while the project cannot be saved
        self.setWindowTitle("annotator")
        self.resize(1280, 800)
        self._build_widgets()
        self._build_actions()
        self._scroll_timer = QTimer(self, singleShot=True, interval=400, timeout=self._save_position)
        self.view.verticalScrollBar().valueChanged.connect(lambda _: self._scroll_timer.start())
        # the reading position (the character at the top of the view) is restored once the window shows
        self._pending_scroll: int | None = None
        # notices changes made by another window or program to the open article
        self._watch = QTimer(self, interval=1500, timeout=self.check_external_changes)
        self._watch.start()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # ================================================================ building

    def _build_widgets(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.problem_banner = QLabel(central)
        self.problem_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_banner.setWordWrap(True)
        self.problem_banner.setStyleSheet("background: #b3261e; color: white; padding: 8px 10px; font-weight: 600;")
        self.problem_banner.hide()
        layout.addWidget(self.problem_banner)
        self.label_bar = LabelBar(central)
        self.label_bar.labelChosen.connect(self.apply_label)
        self.title_label = QLabel(central)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setStyleSheet("font-size: 15px; font-weight: 600; padding: 6px 10px 0 10px;")
        # one line of fixed height: a new title never re-lays out the window (a full repaint)
        self.title_label.setWordWrap(False)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.title_label.setFixedHeight(self.title_label.fontMetrics().height() * 2)
        self.view = ArticleView(central)
        self.view.spanClicked.connect(self.on_span_clicked)
        self.view.navigate.connect(self.select_next_span)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.title_label)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        queue_box = QWidget(self)
        qlayout = QVBoxLayout(queue_box)
        qlayout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(queue_box)
        self.search.setPlaceholderText("Search articles (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250, timeout=self.apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.filter_box = QComboBox(queue_box)
        for name, _ in FILTERS:
            self.filter_box.addItem(name)
        self.filter_box.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.queue_view = QTableView(queue_box)
        self.queue_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.queue_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.queue_view.verticalHeader().setVisible(False)
        self.queue_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.queue_view.clicked.connect(lambda index: self.open_document(self.queue.doc_id(index.row())))
        qlayout.addWidget(self.search)
        qlayout.addWidget(self.filter_box)
        qlayout.addWidget(self.queue_view, 1)
        dock = QDockWidget("Articles", self)
        dock.setObjectName("queue")
        dock.setWidget(queue_box)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.queue: QueueModel | None = None

        self.span_list = SpanList(self)
        self.span_list.spanSelected.connect(lambda span_id: self.select_span(span_id))
        sdock = QDockWidget("Spans", self)
        sdock.setObjectName("spans")
        sdock.setWidget(self.span_list)
        sdock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, sdock)
        self.frame_panel = FramePanel(self)
        fdock = QDockWidget("Event", self)
        fdock.setObjectName("event")
        fdock.setWidget(self.frame_panel)
        fdock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, fdock)
        self.link_tool = LinkTool(self, self.frame_panel)
        self.resizeDocks([dock, sdock], [330, 380], Qt.Orientation.Horizontal)

        bar = self.statusBar()
        self.progress_label = QLabel(self)
        self.editor_label = QLabel(self)
        self.job_bar = QProgressBar(self)
        self.job_bar.setMaximumWidth(220)
        self.job_cancel = QPushButton("Cancel", self)
        self.job_cancel.clicked.connect(self.cancel_job)
        self.job_bar.hide()
        self.job_cancel.hide()
        bar.addPermanentWidget(self.job_bar)
        bar.addPermanentWidget(self.job_cancel)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.editor_label)

    def _action(self, text: str, slot: Callable, shortcut: str | QKeySequence.StandardKey | list | None = None,
                tip: str = "", menu=None, toolbar=None, edits: bool = False) -> QAction:
        action = QAction(text, self)
        if edits:
            self.edit_actions.append(action)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{text.replace('&', '')} ({action.shortcut().toString()})" if shortcut else text)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        tools = self.addToolBar("Tools")
        tools.setObjectName("tools")
        file_menu = menu.addMenu("&File")
        self._action("&New project…", self.new_project, QKeySequence.StandardKey.New, "Create a project database",
                     file_menu)
        self._action("&Open project…", self.open_project_dialog, QKeySequence.StandardKey.Open,
                     "Open a project database", file_menu)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        self._action("&Export…", self.export_dialog, "Ctrl+E",
                     "Export the answered articles (Prodigy, doccano, Label Studio, brat, CoNLL or spaCy)", file_menu,
                     tools)
        self._action("Your &name…", self.change_editor_dialog, None,
                     "Change the name your changes are recorded under", file_menu)
        file_menu.addSeparator()
        self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Close the window (everything is saved)",
                     file_menu)

        edit = menu.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            self.edit_actions.append(a)
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
            edit.addAction(a)
            tools.addAction(a)
        edit.addSeparator()
        self._action("&Accept suggestion", self.accept_selected, ["Return", "Enter"],
                     "Accept the selected suggestion", edit, edits=True)
        self._action("&Delete span", self.delete_selected, ["Delete", "Backspace"], "Remove the selected span", edit,
                     edits=True)
        self._action("Accept a&ll suggestions", self.accept_all, "Ctrl+Shift+A",
                     "Accept every remaining suggestion of the article", edit, tools, edits=True)
        self._action("Cancel &linking", lambda: self.link_tool.cancel(), "Escape",
                     "Leave link mode without linking", edit)
        self._action("&Next span", lambda: self.select_next_span(1), None, "Select the next span (Tab)", edit)
        self._action("&Previous span", lambda: self.select_next_span(-1), None,
                     "Select the previous span (Shift+Tab)", edit)
        edit.addSeparator()
        self._action("&Find articles", self.focus_search, QKeySequence.StandardKey.Find, "Search the articles", edit)

        article = menu.addMenu("&Article")
        tools.addSeparator()
        self._action("&Accept article", lambda: self.answer(Answer.ACCEPT), ["Ctrl+Return", "Ctrl+Enter"],
                     "Mark the article done and go to the next pending one", article, tools, edits=True)
        self._action("&Reject article", lambda: self.answer(Answer.REJECT), "Ctrl+Backspace",
                     "Reject the article (not usable) and go to the next pending one", article, tools, edits=True)
        self._action("&Skip article", lambda: self.answer(Answer.IGNORE), "Ctrl+K",
                     "Skip the article for now and go to the next pending one", article, tools, edits=True)
        article.addSeparator()
        self._action("&Next article", lambda: self.go_to_article(1), ["Alt+Right", "Ctrl+PgDown"],
                     "The next article, without answering", article, tools)
        self._action("&Previous article", lambda: self.go_to_article(-1), ["Alt+Left", "Ctrl+PgUp"],
                     "The previous article, without answering", article, tools)

        self.labels_menu = menu.addMenu("&Labels")
        tools_menu = menu.addMenu("&Tools")
        self._action("Pre-annotate &this article", lambda: self.preannotate(current=True), "Ctrl+Shift+P",
                     "Suggest spans for the open article with spaCy", tools_menu, edits=True)
        self._action("Pre-annotate all &pending articles", lambda: self.preannotate(current=False), None,
                     "Suggest spans for every pending article, in the background", tools_menu, edits=True)
        tools_menu.addSeparator()
        self._action("Choose &model…", self.choose_model_dialog, None,
                     "Pre-annotate with a trained spaCy pipeline (annotator train) as well as the rules", tools_menu)
        self._action("Use the &rules only", lambda: self.set_model(None), None,
                     "Pre-annotate with the rule patterns alone", tools_menu)

        view = menu.addMenu("&View")
        self._action("&Larger text", lambda: self.zoom(1), ["Ctrl++", "Ctrl+="], "Larger text", view)
        self._action("&Smaller text", lambda: self.zoom(-1), "Ctrl+-", "Smaller text", view)

        help_menu = menu.addMenu("&Help")
        self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", "The keyboard cheat sheet", help_menu)
        self._action("&About", self.show_about, None, "About annotator", help_menu)
        self.label_actions: list[QAction] = []

    def _build_label_actions(self) -> None:
        for a in self.label_actions:
            self.removeAction(a)
        self.label_actions = []
        self.labels_menu.clear()
        assert self.store is not None
        scheme = self.store.scheme
        self.label_bar.set_scheme(scheme)
        for kind in ("event", "argument"):
            for lb in scheme.of_kind(kind):
                action = QAction(no_mnemonic(lb.name), self)
                action.setStatusTip(lb.description)
                if lb.hotkey:
                    action.setShortcut(QKeySequence(lb.hotkey.upper() if lb.hotkey.isalpha() else lb.hotkey))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.triggered.connect(lambda checked=False, name=lb.name: self.apply_label(name))
                self.addAction(action)
                self.labels_menu.addAction(action)
                self.label_actions.append(action)
                action.setEnabled(self.problem is None)
            self.labels_menu.addSeparator()
        # Shift and a role's key links (or marks and links) in that role of the event in focus
        for key in sorted({r.hotkey for lb in scheme.labels for r in lb.roles if r.hotkey}):
            action = QAction(f"Link role {key.upper()}", self)
            action.setShortcut(QKeySequence(f"Shift+{key.upper()}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda checked=False, k=key: self.link_tool.start_by_key(k))
            action.setEnabled(self.problem is None)
            self.addAction(action)
            self.label_actions.append(action)


    # ================================================================ projects

    def open_project(self, path: str | Path, create: bool = False) -> bool:
        path = Path(path)
        try:
            store = Store(path, create=create)
        except AnnotatorError as exc:
            QMessageBox.critical(self, "Cannot open the project", plain(str(exc)))
            return False
        if self.store is not None:
            self._save_position()
            self.store.close()
        self.store = store
        self.session = ArticleSession(store, self.editor, tokenizer=lazy_tokenize)
        events = self.session.events
        events.opened.connect(self._on_opened)
        events.spans_changed.connect(self._on_spans_changed)
        events.links_changed.connect(lambda doc_id: self.link_tool.refresh())
        events.answer_changed.connect(self._on_answer_changed)
        self.undo_stack.clear()
        self._build_label_actions()
        if self.queue is None:
            self.queue = QueueModel(store, self)
            self.queue_view.setModel(self.queue)
            header = self.queue_view.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        else:
            self.queue.set_store(store)
        self.setWindowTitle(f"annotator — {path.name}")
        self._remember_recent(path)
        last = self.settings.value(self._key("doc"))
        doc_id = int(last) if last is not None else None
        if doc_id is None or not store.count_documents():
            doc_id = store.next_document(0) or store.next_document(0, answer=None)
        self.open_document(doc_id, restore_scroll=True)
        self.update_status()
        return True

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

    # ================================================================ articles

    def open_document(self, doc_id: int | None, restore_scroll: bool = False) -> None:
        if self.session is None or self.store is None:
            return
        if doc_id is None:
            self.view.set_article("", self.store.scheme)
            self.title_label.setText("No articles here yet: import some with `annotator import`.")
            self.span_list.set_spans([], "", self.store.scheme, None)
            return
        try:
            try:
                self.session.open(doc_id)  # the view follows through the session's `opened` event
            except (UnavailableError, NotAProjectError, sqlite3.Error):
                raise
            except AnnotatorError:  # gone (deleted elsewhere): the first article instead
                doc_id = self.store.next_document(0, answer=None) if self.store else None
                if doc_id is None:
                    return self.open_document(None)
                self.session.open(doc_id)
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)
            return
        self._pending_scroll = None
        if restore_scroll:
            value = self.settings.value(self._key("top"))
            if value is not None:
                self._pending_scroll = int(value)
                if self.isVisible():
                    QTimer.singleShot(0, self._apply_pending_scroll)

    def _on_opened(self, doc: Document) -> None:
        assert self.store is not None
        self.view.set_article(doc.text, self.store.scheme)
        self.link_tool.reset()
        self._show_title(doc)
        self.refresh_spans(None)
        self.settings.setValue(self._key("doc"), doc.id)
        if self.queue is not None:
            row = self.queue.fetch_all_until(doc.id)
            if row is not None:
                self.queue_view.selectRow(row)
                self.queue_view.scrollTo(self.queue.index(row, 0))
        self.view.setFocus()

    def _show_title(self, doc: Document) -> None:
        answer = {"pending": "", "accept": " — accepted", "reject": " — rejected", "ignore": " — skipped"}
        title = f"{doc.title or f'Document {doc.id}'}{answer[doc.answer.value]}"
        self.title_label.setText(title)
        self.title_label.setToolTip(plain(title))

    def _on_spans_changed(self, doc_id: int, changed: set[int] | None, focus: int | None) -> None:
        """An edit (or another program) changed the article's spans: the view, the span list and the queue
        follow; the span the edit made or changed is selected (a reload keeps the selection)."""
        self.refresh_spans(self.selected_span if changed is None else focus, changed)
        if self.queue is not None:
            self.queue.refresh(doc_id)

    def _on_answer_changed(self, doc_id: int, answer: Answer) -> None:
        if self.queue is not None:
            self.queue.refresh(doc_id)
        if self.session is not None and self.session.doc is not None and self.session.doc_id == doc_id:
            self._show_title(self.session.doc)
        self.update_status()

    def refresh_spans(self, selected: int | None, changed: set[int] | None = None) -> None:
        assert self.session is not None and self.store is not None and self.session.doc is not None
        spans = self.session.spans
        if selected is not None and not any(s.id == selected for s in spans):
            selected = None
        self.view.show_spans(spans, selected, changed)
        self.span_list.set_spans(spans, self.session.doc.text, self.store.scheme, selected)
        self.link_tool.follow(selected)

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

    def _save_position(self) -> None:
        if self._pending_scroll is not None:
            return  # not restored yet: keep what was saved
        if self.store is not None and self.session is not None and self.session.doc_id is not None:
            self.settings.setValue(self._key("doc"), self.session.doc_id)
            self.settings.setValue(self._key("top"), self.view.top_position())

    def go_to_article(self, step: int) -> None:
        if self.session is None or self.session.doc_id is None or self.queue is None:
            return
        row = self.queue.row_of(self.session.doc_id)
        if row is None:
            target = self.store.next_document(self.session.doc_id, answer=None, backwards=step < 0)  # type: ignore
        else:
            if step > 0 and row + 1 >= self.queue.rowCount() and self.queue.canFetchMore():
                self.queue.fetchMore()
            target = self.queue.doc_id(row + step)
        if target is not None:
            self.open_document(target)
        else:
            self.statusBar().showMessage("No more articles this way", 3000)

    def apply_filter(self) -> None:
        if self.queue is None:
            return
        self.queue.set_filter(FILTERS[self.filter_box.currentIndex()][1], self.search.text())
        if self.session and self.session.doc_id is not None:
            row = self.queue.fetch_all_until(self.session.doc_id)
            if row is not None:
                self.queue_view.selectRow(row)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ================================================================ spans

    @property
    def selected_span(self) -> int | None:
        return self.view.selected

    def select_span(self, span_id: int | None) -> None:
        self.view.select_span(span_id)
        self.span_list.select(span_id)
        self.link_tool.follow(span_id)

    def on_span_clicked(self, span_id: int) -> None:
        if self.link_tool.active and span_id >= 0:
            self.link_tool.click(span_id)
            return
        self.select_span(span_id if span_id >= 0 else None)

    def select_next_span(self, step: int) -> None:
        if self.link_tool.active:
            self.link_tool.step(step)
            return
        spans = self.view.spans
        if not spans:
            return
        ids = [s.id for s in spans]
        if self.selected_span in ids:
            i = (ids.index(self.selected_span) + step) % len(ids)
        else:
            i = 0 if step > 0 else len(ids) - 1
        self.view.clear_selection()
        self.select_span(ids[i])

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

    def push_edit(self, text: str, action: Callable[[], Change]) -> None:
        """Runs an editor's action as an undo step."""
        assert self.session is not None
        self.undo_stack.push(EditCommand(self.session, text, action, self.on_edit_error))

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
        """Every 1.5 s: reloads the article when another window or program changed it; while the project cannot
        be saved, tries again, and lifts the block once it can."""
        if self.session is None or self.store is None:
            return
        if self.problem is not None:
            try:
                self.store.probe_writable()
            except (AnnotatorError, sqlite3.Error):
                return  # still broken: told once already
            self._clear_problem()
            return
        if self.session.doc_id is None:
            return
        try:
            changed = self.session.changed_elsewhere()
            if changed:
                self.session.reload_spans()  # the view follows through the session's events
                self.statusBar().showMessage("This article was changed elsewhere and has been reloaded", 5000)
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)

    # ================================================================ when the project cannot be saved

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

    def apply_label(self, label: str) -> None:
        if self.session is None or self.session.doc is None or self._blocked():
            return
        selection = self.view.selection_range()
        if selection is not None:
            start, end = selection
            if self.session.snap(start, end) is None:
                self.statusBar().showMessage("The selection holds no word", 3000)
                return
            self.push_edit(f"mark {label}", lambda: self.session.add_span(start, end, label))
            self.view.clear_selection()
        elif self.selected_span is not None:
            span_id = self.selected_span
            self.push_edit(f"relabel as {label}", lambda: self.session.relabel(span_id, label))
        else:
            self.statusBar().showMessage("Select some text or a span first", 3000)

    def accept_selected(self) -> None:
        if self.link_tool.active:
            self.link_tool.commit()
            return
        if self.session is None or self.selected_span is None:
            return
        span_id = self.selected_span
        span = self.view.span(span_id)
        if span is not None and span.state.value == "accepted":
            self.select_next_span(1)
            return
        self.push_edit("accept suggestion", lambda: self.session.accept(span_id))
        self.select_next_span(1)

    def delete_selected(self) -> None:
        if self.link_tool.active:
            self.link_tool.remove_current()
            return
        if self.session is None or self.selected_span is None:
            return
        span_id = self.selected_span
        ids = [s.id for s in self.view.spans]
        following = ids[ids.index(span_id) + 1] if span_id in ids and ids.index(span_id) + 1 < len(ids) else None
        self.push_edit("delete span", lambda: self.session.delete(span_id))
        if following is not None:
            self.select_span(following)

    def accept_all(self) -> None:
        if self.session is None or self.session.doc is None:
            return
        self.push_edit("accept all suggestions", self.session.accept_all)

    # ================================================================ answers

    def answer(self, answer: Answer) -> None:
        """Answers the open article (accepting accepts the suggestions shown) and goes to the next pending one."""
        if self.session is None or self.session.doc_id is None or self.store is None or self._blocked():
            return
        doc_id = self.session.doc_id
        command = AnswerCommand(self.session, doc_id, answer, self.on_edit_error)
        self.undo_stack.push(command)
        if not command.done:
            return
        if answer is not Answer.PENDING:
            self.session_answers += 1
            self.update_status()
        target = self.store.next_document(doc_id) or self.store.next_document(0)
        if target is None:
            self.statusBar().showMessage("Every article is answered.", 5000)
        else:
            self.open_document(target)

    def update_status(self) -> None:
        if self.store is None:
            return
        try:
            answered, total = self.store.progress()
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)
            return
        minutes = (time.monotonic() - self.session_started) / 60
        # a pace means something after a few answers over a few minutes, not from the first one
        pace = (f", {self.session_answers / minutes * 60:.0f} an hour" if self.session_answers >= 3 and minutes >= 2
                else "")
        self.progress_label.setText(f"answered {answered} / {total} · this session {self.session_answers}{pace}")
        model = self.model()
        self.editor_label.setText(f"editor: {self.editor}" + (f" · model: {Path(model).name}" if model else ""))

    # ================================================================ background jobs

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

    # ================================================================ the rest

    def zoom(self, steps: int) -> None:
        self.view.zoom(steps)
        self.settings.setValue("view/font_size", self.view.font().pointSize())

    def show_shortcuts(self) -> None:
        rows = [("Select text, then a label key", "mark the words as a span (snaps to whole words)")]
        if self.store is not None:
            for lb in self.store.scheme.labels:
                rows.append((lb.hotkey.upper(), f"{lb.name} — {lb.description}"))
        rows += [
            ("Click / Tab / Shift+Tab", "select a span"), ("Label key on a selected span", "relabel it"),
            ("Enter", "accept the selected suggestion"), ("Delete", "remove the selected span"),
            ("Shift+role key, with an event selected", "link in that role: Tab / Shift+Tab go through the spans "
             "that fit, nearest first; Enter links, Delete unlinks, Escape cancels; a click links the span "
             "clicked (the Event panel lists the roles and their keys)"),
            ("Select text, then Shift+role key", "mark it with the role's label and link it to the event"),
            ("Ctrl+Shift+A", "accept every suggestion of the article"),
            ("Ctrl+Enter", "accept the article with the suggestions shown (one undo step), go to the next pending one"),
            ("Ctrl+Backspace", "reject the article"), ("Ctrl+K", "skip the article"),
            ("Alt+Right / Alt+Left", "next / previous article without answering"),
            ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo"), ("Ctrl+F", "search the articles"),
            ("Ctrl+E", "export"), ("Ctrl+Shift+P", "pre-annotate this article"),
            ("Ctrl+plus / Ctrl+minus", "larger / smaller text"),
        ]
        html = "<table cellpadding=3>" + "".join(
            f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in rows) + "</table>"
        # a dialog that scrolls: with a scheme of many labels the table is taller than a small screen
        box = QDialog(self)
        box.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(box)
        browser = QTextBrowser(box)
        browser.setOpenLinks(False)
        browser.setHtml(html)
        layout.addWidget(browser)
        close = QPushButton("Close", box)
        close.clicked.connect(box.close)
        layout.addWidget(close)
        screen = (self.screen() or box.screen()).availableGeometry()
        width = min(760, int(screen.width() * 0.9))
        browser.document().setTextWidth(width - 60)  # laid out at the dialog's width, to know its height
        wanted = int(browser.document().size().height()) + close.sizeHint().height() + 70
        box.resize(width, min(wanted, int(screen.height() * 0.85)))
        box.show()
        self.shortcuts_box = box

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

    def closeEvent(self, event: QCloseEvent) -> None:
        self._watch.stop()
        self._scroll_timer.stop()
        self._save_position()
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self._worker is not None:
            self._worker.cancel()
            self._finish_job()
        self.settings.sync()
        if self.store is not None:
            self.store.close()
            self.store = None
            self.session = None
        super().closeEvent(event)
