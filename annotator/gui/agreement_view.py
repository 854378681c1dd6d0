"""Review > Agreement…: the editors' agreement per label and their progress, drawn as bar charts (the figures of
`annotator agreement`). The figures are worked out in a thread of their own, on a connection of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, QThread, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.core.errors import AnnotatorError
from annotator.store import Store

ROW = 22
NAME_WIDTH = 130
FIGURE_COLOURS = {"exact_f1": QColor("#4c78a8"), "fleiss_kappa": QColor("#f58518"),
                  "krippendorff_alpha": QColor("#54a24b")}
FIGURE_NAMES = {"exact_f1": "span F1 (exact)", "fleiss_kappa": "Fleiss' κ (tokens)",
                "krippendorff_alpha": "Krippendorff's α"}


class _Figures(QObject):
    done = Signal(object, object)  # the agreement figures, each editor's (assigned, answered)
    failed = Signal(str)

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    @Slot()
    def run(self) -> None:
        from annotator.store import open_for_reading
        from annotator.workflows.team import agreement

        try:
            with open_for_reading(self.path) as store:
                figures = agreement(store)
                assigned = store.team.assignments()
                answered = dict(store.conn.execute(
                    "SELECT editor, count(*) FROM layer_answers WHERE answer != 'pending' GROUP BY editor"))
            progress = {e: (assigned.get(e, 0), answered.get(e, 0)) for e in sorted(set(assigned) | set(answered))}
            self.done.emit(figures, progress)
        except AnnotatorError as exc:
            self.failed.emit(str(exc))


class BarChart(QWidget):
    """Rows of thin horizontal bars between 0 and 1 (a figure at or below 0 draws none), each row a name and its
    bars stacked, their figures written after them; a legend of the bars' colours on top."""

    def __init__(self, legend: dict[str, QColor] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.legend = legend or {}
        self.rows: list[tuple[str, list[tuple[str, float | None, QColor]]]] = []

    def _top(self) -> int:
        return ROW if self.legend else 0

    def set_rows(self, rows: list[tuple[str, list[tuple[str, float | None, QColor]]]]) -> None:
        self.rows = rows
        self.setMinimumHeight(self._top() + len(rows) * ROW + 4)
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        text = QPen(self.palette().text().color())
        painter.setPen(text)
        x = NAME_WIDTH
        for name, colour in self.legend.items():  # drawText shows plain text, never markup
            painter.fillRect(QRectF(x, 5, 12, 12), colour)
            painter.drawText(QRectF(x + 16, 0, 170, ROW), Qt.AlignmentFlag.AlignVCenter, name)
            x += 20 + painter.fontMetrics().horizontalAdvance(name) + 16
        width = max(60, self.width() - NAME_WIDTH - 130)
        y = self._top()
        for name, bars in self.rows:
            painter.drawText(QRectF(0, y, NAME_WIDTH - 8, ROW), Qt.AlignmentFlag.AlignRight |
                             Qt.AlignmentFlag.AlignVCenter, name)
            height = (ROW - 6) / max(1, len(bars))
            for i, (_label, value, colour) in enumerate(bars):
                if value is not None and value > 0:
                    painter.fillRect(QRectF(NAME_WIDTH, y + 3 + i * height, width * min(value, 1.0), height - 1),
                                     colour)
            figures = "  ".join("–" if v is None else f"{v:.2f}" for _, v, _ in bars)
            painter.drawText(QRectF(NAME_WIDTH + width + 6, y, 124, ROW), Qt.AlignmentFlag.AlignVCenter, figures)
            y += ROW
        painter.end()


class AgreementDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement")
        self.resize(720, 620)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Working out the figures…", self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        charts = QWidget(self)
        inner = QVBoxLayout(charts)
        self.labels_chart = BarChart({FIGURE_NAMES[k]: c for k, c in FIGURE_COLOURS.items()}, charts)
        inner.addWidget(self.labels_chart)
        progress_title = QLabel("Each editor's articles answered, of those assigned to them", charts)
        inner.addWidget(progress_title)
        self.progress_chart = BarChart(None, charts)
        inner.addWidget(self.progress_chart)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(charts)
        layout.addWidget(scroll, 1)
        self.figures: dict[str, Any] | None = None
        self._thread = QThread(self)
        self._worker = _Figures(store.path)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.done.connect(self.show_figures)
        self._worker.failed.connect(self.summary.setText)
        self._worker.done.connect(self._thread.quit)
        self._worker.failed.connect(self._thread.quit)
        self._thread.start()

    def show_figures(self, figures: dict[str, Any], progress: dict[str, tuple[int, int]]) -> None:
        self.figures = figures
        overall = figures["overall"]["labels"]
        if not figures["articles_compared"]:
            self.summary.setText("No article was accepted by two editors yet: nothing to compare. Merge the "
                                 "editors' files first (annotator merge).")
        else:
            total = overall["total"]
            self.summary.setText(
                f"{figures['articles_compared']} article(s) accepted by two editors or more "
                f"({', '.join(figures['editors'])}). In total: span F1 {total['exact_f1']}, Fleiss' κ "
                f"{total['fleiss_kappa']}, Krippendorff's α {total['krippendorff_alpha']}.")
        self.labels_chart.set_rows([(name, [(k, f.get(k), colour) for k, colour in FIGURE_COLOURS.items()])
                                    for name, f in overall.items()])
        self.progress_chart.set_rows([(name, [("answered", done / total if total else None, QColor("#72b7b2"))])
                                      for name, (total, done) in progress.items()])

    def done(self, result: int) -> None:  # noqa: A003 - Qt's name
        self._thread.quit()
        self._thread.wait()
        super().done(result)
