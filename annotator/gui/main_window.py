"""The main window, a coordinator: the queue on the left, the article in the middle under the label bar, the span
list on the right. Every command is one QAction; every change goes to the database at once through the article
session (annotator.core.session), inside an undo command; the widgets follow the session's events."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThread, QTimer
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.errors import AnnotatorError, NotAProjectError, UnavailableError
from annotator.core.model import Answer, Document
from annotator.core.session import ArticleSession
from annotator.gui.article_view import ArticleView
from annotator.gui.commands import AnswerCommand
from annotator.gui.elided_label import ElidedLabel
from annotator.gui.events_overview import EventsOverview
from annotator.gui.frame_panel import FramePanel, LinkTool
from annotator.gui.guidelines_panel import GuidelinesPanel
from annotator.gui.label_bar import LabelBar
from annotator.gui.plaintext import plain
from annotator.gui.queue_model import QueueModel
from annotator.gui.queue_panel import FILTERS, QueuePanel
from annotator.gui.span_list import SpanList
from annotator.gui.stored import stored_bytes, stored_int
from annotator.gui.window_actions import ActionsMixin
from annotator.gui.window_edits import EditsMixin
from annotator.gui.window_effort import EffortMixin
from annotator.gui.window_jobs import JobsMixin
from annotator.gui.window_notes import NotesMixin
from annotator.gui.window_problems import ProblemsMixin
from annotator.gui.window_projects import LAYOUT_VERSION, ProjectsMixin
from annotator.gui.window_training import TrainDialog, TrainingMixin
from annotator.gui.workers import PretrainWorker, TrainWorker, Worker
from annotator.store import Store
from annotator.store.documents import USEFUL


class MainWindow(EditsMixin, NotesMixin, ActionsMixin, ProblemsMixin, JobsMixin, TrainingMixin, ProjectsMixin,
                 EffortMixin, QMainWindow):
    def __init__(self, settings: QSettings, editor: str) -> None:
        super().__init__()
        self.settings = settings
        self.editor = editor
        self.store: Store | None = None
        self.team_store: Store | None = None  # a team's project an assigned editor opened (they work in their layer)
        self.session: ArticleSession | None = None
        self.undo_stack = QUndoStack(self)
        self.session_started = time.monotonic()
        self.session_answers = 0  # the answers given in this session and not taken back (see `_stack_moved`)
        self._answers_at = 0  # the undo stack's index `session_answers` was counted to
        self.undo_stack.indexChanged.connect(self._stack_moved)
        self._thread: QThread | None = None
        self._worker: Worker | None = None
        self.train_result: QDialog | None = None  # the table of the last training, and its offer
        self._training: TrainWorker | None = None  # the training under way
        self._pretraining: PretrainWorker | None = None  # the pre-training under way
        self.train_form: TrainDialog | None = None  # Train model…'s questions, while asked
        self.pretrain_result: QMessageBox | None = None  # what the last pre-training wrote, and its Train button
        # why the project cannot be saved now (edits are blocked until it can), and what was told already
        self.problem: str | None = None
        self.problem_box: QMessageBox | None = None
        self._told: set[str] = set()
        self.edit_actions: list[QAction] = []  # blocked while the project cannot be saved
        self.command_actions: list[QAction] = []  # every command made by _action, for the cheat sheet
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
        geometry = stored_bytes(settings, "window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        # the panels as the editor left them (their widths and heights, the Events tab in front); at first the
        # articles and the spans take about a quarter of the window each, whatever its width
        state = stored_bytes(settings, "window/state")
        if state is None or not self.restoreState(state, LAYOUT_VERSION):
            width = self.width()
            self.resizeDocks(list(self._side_docks), [width * 26 // 100, width * 30 // 100], Qt.Orientation.Horizontal)
        self.guidelines_dock.hide()  # until asked for (F2 fills them at the label in focus)

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
        # the title on one line, cut with "…" to the width before its answer (" — accepted"), which stays in view
        self.title_label = ElidedLabel(central)
        self.title_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        # margins as the label's own, not as a style sheet's padding: the title is cut to the width inside them
        # (QLabel does not take a style sheet's padding off its contents rectangle)
        self.title_label.setContentsMargins(10, 6, 10, 0)
        # of fixed height: a new title never re-lays out the window (a full repaint)
        self.title_label.setFixedHeight(self.title_label.fontMetrics().height() * 2)
        self.view = ArticleView(central)
        self.view.spanClicked.connect(self.on_span_clicked)
        self.view.navigate.connect(self.select_next_span)
        self.view.edgeDragged.connect(self.drag_edge)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.title_label)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        queue_box = QueuePanel(self)
        self.search, self.filter_box, self.label_filter = queue_box.search, queue_box.filter_box, queue_box.label_filter
        self.queue_view = queue_box.view
        self._search_timer = QTimer(self, singleShot=True, interval=250, timeout=self.apply_filter)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.filter_box.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.label_filter.currentIndexChanged.connect(lambda _: self.apply_filter())
        self.queue_view.clicked.connect(lambda index: self.open_document(self.queue.doc_id(index.row())))
        dock = self._dock("Articles", "queue", queue_box, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.queue: QueueModel | None = None
        self.span_list = SpanList(self)
        self.span_list.spanSelected.connect(lambda span_id: self.select_span(span_id))
        sdock = self._dock("Spans", "spans", self.span_list, Qt.DockWidgetArea.RightDockWidgetArea)
        self.events_overview = EventsOverview(self)  # F3: every event and its roles, a tab beside the spans
        self.events_overview.spanChosen.connect(lambda span_id: self.select_span(span_id))
        self.events_overview.done.connect(lambda: self.view.setFocus())
        self.events_dock = self._dock("Events", "events", self.events_overview, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(sdock, self.events_dock)
        sdock.raise_()
        self._overview_timer = QTimer(self, singleShot=True, interval=0, timeout=self.refresh_overview)
        self.overview_shown = False  # a tab behind the span list stays "visible" to Qt: the dock's signal says
        self.events_dock.visibilityChanged.connect(self._overview_visibility)
        self.frame_panel = FramePanel(self)
        self._dock("Event", "event", self.frame_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.link_tool = LinkTool(self, self.frame_panel)
        self.guidelines = GuidelinesPanel(self)  # F2: shown beside the text, hidden until asked for
        self.guidelines_dock = self._dock("Guidelines", "guidelines", self.guidelines,
                                          Qt.DockWidgetArea.RightDockWidgetArea)
        self.guidelines_dock.hide()
        self._side_docks = (dock, sdock)

        bar = self.statusBar()
        self.progress_label = QLabel(self)
        self.editor_label = QLabel(self)
        self.review_label = QLabel(self)  # a team's review: the open article's agreement, what is left to decide
        for label in (self.progress_label, self.editor_label, self.review_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.job_bar = QProgressBar(self)
        self.job_bar.setMaximumWidth(220)
        self.job_cancel = QPushButton("Cancel", self)
        self.job_cancel.clicked.connect(self.cancel_job)
        self.job_bar.hide()
        self.job_cancel.hide()
        bar.addPermanentWidget(self.job_bar)
        bar.addPermanentWidget(self.job_cancel)
        bar.addPermanentWidget(self.review_label)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.editor_label)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(area, dock)
        return dock

    def _overview_visibility(self, shown: bool) -> None:
        self.overview_shown = shown
        if shown:
            self.refresh_overview()

    def overview_changed(self) -> None:
        """The article's spans or links changed: the overview is rebuilt once the edit is done (an answer changes
        both, and tells of each), and only if it is shown."""
        self.events_overview.stale = True
        if self.overview_shown:
            self._overview_timer.start()

    def refresh_overview(self, force: bool = False) -> None:
        """The events overview follows the article while it is shown; hidden, it is only marked out of date."""
        if self.session is None or self.session.doc is None or self.store is None:
            return
        if not self.overview_shown:
            self.events_overview.stale = True
            return
        if force or self.events_overview.stale:
            self.events_overview.show_article(self.session.doc.id, self.session.doc.text, self.session.spans,
                                              self.session.links, self.store.scheme, self.selected_span)

    def show_overview(self) -> None:
        """F3: the events overview, with the cursor in it (Enter or Escape go back to the text)."""
        self.events_dock.show()
        self.events_dock.raise_()
        self.overview_shown = True
        self.refresh_overview(force=True)
        self.events_overview.setFocus()
        if self.events_overview.currentItem() is None and self.events_overview.topLevelItemCount():
            self.events_overview.setCurrentItem(self.events_overview.topLevelItem(0))

    def toggle_guidelines(self) -> None:
        """F2: the scheme's guidelines beside the text, at the label of the span in focus; F2 again hides them."""
        if self.guidelines_dock.isVisible():
            self.guidelines_dock.hide()
            self.view.setFocus()
            return
        self.guidelines_dock.show()
        self.resizeDocks([self.guidelines_dock], [max(self.height() // 2, 300)], Qt.Orientation.Vertical)
        self._guidelines_at(self.selected_span, top=True)

    def _guidelines_at(self, span_id: int | None, top: bool = False) -> None:
        """The guidelines, of the project's scheme (built again for another project's, or after recolouring),
        at the section of the label of `span_id`; with none, at the top if `top`, else where they are."""
        if self.store is not None and self.guidelines.scheme is not self.store.scheme:
            self.guidelines.set_scheme(self.store.scheme)
        span = self.view.span(span_id) if span_id is not None else None
        if span is not None or top:
            self.guidelines.show_label(span.label if span is not None else None)

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
                self.session.visit(doc_id, defer=True)  # the view follows through the session's `opened` event
            except (UnavailableError, NotAProjectError, sqlite3.Error):
                raise
            except AnnotatorError:  # gone (deleted elsewhere): the first article instead
                doc_id = self.store.documents.next_document(0, answer=None) if self.store else None
                if doc_id is None:
                    return self.open_document(None)
                self.session.visit(doc_id, defer=True)
        except (AnnotatorError, sqlite3.Error) as exc:
            self.report_problem(exc)
            return
        self.visit_timer.start()  # the opening is recorded once the editor stays on the article
        self._pending_scroll = None
        if restore_scroll:
            value = stored_int(self.settings, self._key("top"))
            if value is not None:
                self._pending_scroll = value
                if self.isVisible():
                    QTimer.singleShot(0, self._apply_pending_scroll)

    def _on_opened(self, doc: Document) -> None:
        assert self.store is not None
        self.view.set_article(doc.text, self.store.scheme)
        self.link_tool.reset()
        self._show_title(doc)
        self.refresh_spans(None)
        self.refresh_overview(force=True)
        self._scroll_timer.start()  # the article and reading place are saved in a moment (and on closing)
        if self.queue is not None:
            row = self._queue_row(doc.id)
            if row is not None:
                self.queue_view.selectRow(row)
                self.queue_view.scrollTo(self.queue.index(row, 0))
        self.view.setFocus()

    def _show_title(self, doc: Document) -> None:
        answer = {"pending": "", "accept": " — accepted", "reject": " — rejected", "ignore": " — skipped"}
        marks, notes = self.note_marks()  # ⚑ flagged, ✎ commented; the notes in the tooltip
        self.title_label.set_parts(marks, doc.title or f"Document {doc.id}", answer[doc.answer.value])
        self.title_label.setToolTip(plain("\n".join([self.title_label.full_text(), *notes])))

    def _on_spans_changed(self, doc_id: int, changed: set[int] | None, focus: int | None) -> None:
        """An edit (or another program) changed the article's spans: the view, the span list and the queue
        follow; the span the edit made or changed is selected (a reload keeps the selection)."""
        self.refresh_spans(focus, changed)
        self.overview_changed()
        if self.queue is not None:
            self.queue.refresh(doc_id)

    def _on_answer_changed(self, doc_id: int, answer: Answer) -> None:
        self._merge_layer(doc_id)  # a team's project: the answered article joins the editor's layer there
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
        origins = self.view.origins = self.store.team.origins(self.session.doc.id)  # review: whose each span is
        self.view.show_spans(spans, selected, changed)
        self.span_list.set_spans(spans, self.session.doc.text, self.store.scheme, selected, origins)
        review = self.store.team.review_of(self.session.doc.id)
        if review is None:
            self.review_label.setText("")
        else:
            left = sum(s.state.value == "suggested" and s.id in origins for s in spans)
            self.review_label.setText(f"review: {review[0]} editors, agreement {review[1]:.2f}, {left} span(s) left "
                                      "to decide ·")
        self.link_tool.follow(selected)

    def go_to_article(self, step: int) -> None:
        if self.session is None or self.session.doc_id is None or self.queue is None:
            return
        row = self.queue.row_of(self.session.doc_id)
        if row is None:
            target = self.store.documents.next_document(self.session.doc_id, answer=None, backwards=step < 0)  # type: ignore
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
        answer = FILTERS[self.filter_box.currentIndex()][1]
        self.queue.set_filter(answer, self.search.text(), self.label_filter.currentData())
        if answer == USEFUL and self.store is not None and not self.store.documents.judged():
            self.statusBar().showMessage(
                "No pending article is judged yet, so they are in their order: pre-annotate them with a trained "
                "model (Tools > Choose model…, then Pre-annotate all pending articles) to put the most useful first",
                10000)
        if self.session and self.session.doc_id is not None:
            row = self._queue_row(self.session.doc_id)
            if row is not None:
                self.queue_view.selectRow(row)

    def _queue_row(self, doc_id: int) -> int | None:
        """The queue's row of an article, to select it. Under a search or a label, only among the rows read so far
        (reading every hit up to an article far down a million took seconds, after each answer too); otherwise the
        rows up to it are read at once."""
        assert self.queue is not None
        if self.queue.query or self.queue.label:  # the model keeps the query stripped, None when empty
            return self.queue.row_of(doc_id)
        return self.queue.fetch_all_until(doc_id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    @property
    def selected_span(self) -> int | None:
        return self.session.selected if self.session is not None else None

    def select_span(self, span_id: int | None) -> None:
        """Puts a span in focus: the session holds the focus, and the text, span list and Event panel follow."""
        if self.session is not None:
            self.session.select(span_id)

    def _on_selection_changed(self, doc_id: int | None, span_id: int | None) -> None:
        self.view.select_span(span_id)
        self.span_list.select(span_id)
        self.link_tool.follow(span_id)
        if self.guidelines_dock.isVisible():  # open, they follow the span in focus (none in focus: they stay)
            self._guidelines_at(span_id)

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

    def _stack_moved(self, index: int) -> None:
        """As the undo stack moves, the status bar stays true. `session_answers` follows the answers on the stack:
        one more for each answer pushed or redone, one less for each undone (answers the stack let go of, cleared
        with the project, stay counted). An undo says what it took back, in place of any message about the step
        it took back ("Accepted …, with 12 suggested spans you never selected" is no longer so); a redo says what it
        did again (`_redone`)."""
        step = 1 if index > self._answers_at else -1
        changed = False
        for i in range(min(index, self._answers_at), max(index, self._answers_at)):
            command = self.undo_stack.command(i)
            if isinstance(command, AnswerCommand) and command.after is not Answer.PENDING:
                self.session_answers += step
                changed = True
        undone = self.undo_stack.command(index) if index < self._answers_at else None
        self._answers_at = index
        if changed:
            self.update_status()
        if undone is not None:
            self.statusBar().showMessage(f"Undone: {undone.text()}", 5000)

    def _redone(self) -> None:
        """After the Redo action: says what it did again, in place of "Undone: …", which is no longer so."""
        index = self.undo_stack.index()
        if index:
            self.statusBar().showMessage(f"Redone: {self.undo_stack.command(index - 1).text()}", 5000)

    def update_status(self) -> None:
        if self.store is None:
            return
        try:
            answered, total = self.store.documents.progress()
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

    def zoom(self, steps: int) -> None:
        self.view.zoom(steps)
        self.settings.setValue("view/font_size", self.view.font().pointSize())
