"""Where the work goes, in the window: the editor's active time on each article (a clock that every key press,
click, scroll and mouse move keeps running, and that stops counting after two idle minutes), recorded with the
edits in the project file (annotator.core.effort); the notice that says so, once, with the way to turn it off;
and View > Statistics (annotator.gui.stats_view)."""

from __future__ import annotations

import contextlib
import sqlite3

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from annotator.core.effort import ActivityClock
from annotator.core.errors import AnnotatorError

RECORD_KEY, TOLD_KEY = "effort/record", "effort/told"
VISIT_DELAY_MS = 1500
NOTICE = ("Your active time on each article (idle minutes left out) and your actions are recorded in this project "
          "file, to show the team where the work goes. Nothing leaves your machine.")
INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
         QEvent.Type.MouseButtonDblClick}


class ActivityFilter(QObject):
    """Keeps the clock running while the editor uses the window: any key, click, scroll or mouse move."""

    def __init__(self, clock: ActivityClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in INPUT:
            self.clock.touch()
        return False


class EffortMixin:
    """A part of `MainWindow` (annotator/gui/main_window.py): the editor's time, recorded or not."""

    activity: ActivityClock | None = None

    def _build_effort(self, menu, view_menu) -> None:  # noqa: ANN001
        """The clock, its input filter, the notice and the commands (File > Record my working time,
        View > Statistics)."""
        self.activity = ActivityClock()
        # the openings are written once the editor stays on an article a moment (or with the next edit): moving
        # through articles never waits for a write
        self.visit_timer = QTimer(self, singleShot=True, interval=VISIT_DELAY_MS, timeout=self._flush_visit)
        self._activity_filter = ActivityFilter(self.activity, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity_filter)
        self.record_action = self._action(
            "Record my &working time", lambda: self.set_recording(self.record_action.isChecked()), None,
            "Record your active time on each article in the project file (it never leaves your machine)")
        menu.insertAction(menu.actions()[-2], self.record_action)  # above the separator before Quit
        self.record_action.setCheckable(True)
        self.record_action.setChecked(self.recording())
        self._action("S&tatistics…", self.show_statistics, "Ctrl+Shift+S",
                     "Where the work goes: articles per day, time per article, what the suggestions saved, each "
                     "editor's pace", view_menu)
        self.effort_notice = QWidget(self)
        row = QHBoxLayout(self.effort_notice)
        row.setContentsMargins(10, 4, 10, 4)
        text = QLabel(NOTICE, self.effort_notice)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        row.addWidget(text, 1)
        self.notice_ok = QPushButton("OK", self.effort_notice)
        self.notice_off = QPushButton("Turn it off", self.effort_notice)
        self.notice_ok.clicked.connect(self._notice_read)
        self.notice_off.clicked.connect(lambda: (self.set_recording(False), self._notice_read()))
        row.addWidget(self.notice_ok)
        row.addWidget(self.notice_off)
        self.effort_notice.setStyleSheet("background: #e8f0fe;")
        self.effort_notice.hide()
        layout = self.centralWidget().layout()
        layout.insertWidget(1, self.effort_notice)

    def recording(self) -> bool:
        return self.settings.value(RECORD_KEY, True, type=bool)

    def set_recording(self, on: bool) -> None:
        """Turns the recording of the editor's time on or off (a preference of this editor, on this machine)."""
        if self.session is not None and not on:
            self._leave_article()
        self.settings.setValue(RECORD_KEY, on)
        self.record_action.setChecked(on)
        self._follow_recording()
        self.statusBar().showMessage("Your working time is recorded" if on else
                                     "Your working time is no longer recorded", 5000)

    def _follow_recording(self) -> None:
        """The session records the time when the editor wants it (and the notice shows, once, when it does)."""
        if self.session is None:
            return
        on = self.recording()
        self.session.clock = self.activity if on else None
        if on and self.activity is not None:
            self.activity.take()  # what went before does not count
        if on and not self.settings.value(TOLD_KEY, False, type=bool):
            self.effort_notice.show()

    def _notice_read(self) -> None:
        self.settings.setValue(TOLD_KEY, True)
        self.effort_notice.hide()

    def _flush_visit(self) -> None:
        if self.session is not None:
            try:
                self.session.flush_visit()
            except (AnnotatorError, sqlite3.Error) as exc:
                self.report_problem(exc)

    def _leave_article(self) -> None:
        """The time left on the open article is recorded (as the window or the project closes). A project that
        cannot be written now loses only that."""
        if self.session is not None:
            with contextlib.suppress(AnnotatorError, sqlite3.Error):
                self.session.leave()

    def show_statistics(self) -> None:
        if self.store is None:
            return
        from annotator.gui.stats_view import StatsView

        self.stats_view = StatsView(self.store, self, who=self.editor, settable=self.team_store is None)
        self.stats_view.show()
