"""View > Statistics: where the work goes, as charts (pyqtgraph, on the window's own Qt): articles answered per
day, time per article, spans per label, what became of each label's suggestions, each editor's pace, and the
work with and without suggestions. The figures are the tallies the database keeps (annotator.store.effort): read
at once, however large the project.

Every text from data (labels, editors, days) is drawn by pyqtgraph's axes with QPainter.drawText, as plain text;
titles and legends (which pyqtgraph renders as rich text) hold only this module's own words."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # the window's Qt, whatever else is installed

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.core.effort import TIME_BUCKETS, effort_lines  # noqa: E402
from annotator.core.errors import AnnotatorError  # noqa: E402
from annotator.store import Store  # noqa: E402

# Okabe and Ito's colours, told apart with any colour vision
KEPT, CHANGED, DELETED, DRAWN = "#009E73", "#E69F00", "#D55E00", "#56B4E9"
WITH, WITHOUT = "#0072B2", "#CC79A7"
DAYS_SHOWN = 21
MAX_ROWS = 24  # labels, editors or patterns a chart shows (the most frequent)


def _short(text: str, width: int = 18) -> str:
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class StatsView(QDialog):
    """The statistics of a project, as charts; `figures` holds what they show (the tests read it)."""

    def __init__(self, store: Store, parent: QWidget | None = None, who: str | None = None,
                 settable: bool = True) -> None:
        """`who`: the editor a change of the hidden share is logged under; `settable`: whether this project is
        where the share is set (not an editor's own layer of a team's project: the team's project sets it)."""
        super().__init__(parent)
        self.store, self.who = store, who
        self.setWindowTitle(f"Statistics — {store.path.name}")
        self.resize(1100, 820)
        pg.setConfigOptions(background="w", foreground="k", antialias=True)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        layout.addLayout(grid, 1)
        self.plots: dict[str, pg.PlotWidget] = {}
        for i, (key, title) in enumerate((
                ("days", "Articles answered per day (UTC)"), ("times", "Time per article (articles)"),
                ("labels", "Spans per label (accepted)"), ("outcomes", "Suggestions per label: what became of them"),
                ("pace", "Each editor's pace (per active hour)"), ("compare", "Per 100 words, with and without "
                                                                          "suggestions"))):
            plot = pg.PlotWidget(self)
            plot.setTitle(title, size="10pt")
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setMinimumHeight(200)
            self.plots[key] = plot
            grid.addWidget(plot, i // 2, i % 2)
        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)
        # the share of articles shown without suggestions, to measure what they save
        hide = QHBoxLayout()
        hide.addWidget(QLabel("Show suggestions on all articles but", self))
        self.share = QSpinBox(self, minimum=0, maximum=50, suffix=" %")
        self.seed = QLineEdit(self)
        self.seed.setMaximumWidth(90)
        self.apply_share = QPushButton("Apply", self)
        self.apply_share.clicked.connect(self.set_share)
        for w in (self.share, QLabel(", chosen by the seed", self), self.seed, self.apply_share):
            hide.addWidget(w)
        hide.addStretch(1)
        layout.addLayout(hide)
        share, seed = store.effort.hide_setting()
        self.share.setValue(round(share * 100))
        self.seed.setText(seed)
        if not settable:
            for w in (self.share, self.seed, self.apply_share):
                w.setEnabled(False)
                w.setToolTip("Set on the team's project: every editor's file hides the same articles")
        self.figures: dict[str, Any] = {}
        self.refresh()

    def refresh(self) -> None:
        """Reads the figures again and redraws."""
        try:
            self.figures = self.store.effort.figures()
            self.figures["spans"] = self.store.exports.stats()["spans"]
        except (AnnotatorError, sqlite3.Error) as exc:
            self.summary.setText(f"The statistics cannot be read: {exc}")
            return
        self._draw()

    def set_share(self) -> None:
        """The project hides the suggestions of this share of its articles from now on (what is open in a window
        follows at its next article)."""
        try:
            self.store.effort.set_hide(self.share.value() / 100, self.seed.text().strip() or "0", who=self.who)
        except (AnnotatorError, sqlite3.Error) as exc:
            self.summary.setText(f"The share was not changed: {exc}")
            return
        self.refresh()

    # ---------------------------------------------------------------- charts

    @staticmethod
    def _vertical(plot: pg.PlotWidget, names: list[str], series: list[tuple[list[float], str]],
                  legend: list[str] | None = None) -> None:
        """Bars side by side at each name (one colour a series); the legend at the top left."""
        plot.clear()
        n = max(1, len(series))
        width = 0.8 / n
        if legend:
            plot.addLegend(offset=(10, 10))
        for k, (values, colour) in enumerate(series):
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(names))]
            plot.addItem(pg.BarGraphItem(x=xs, height=values, width=width * 0.9, brush=colour, pen=colour,
                                         name=legend[k] if legend else None))
        plot.getAxis("bottom").setTicks([[(i, _short(name, 12)) for i, name in enumerate(names)]])
        plot.setXRange(-0.6, max(len(names), 1) - 0.4, padding=0)
        top = max((v for values, _ in series for v in values), default=0)
        plot.setYRange(0, max(top * 1.15, 1), padding=0)

    @staticmethod
    def _horizontal(plot: pg.PlotWidget, names: list[str], stacks: list[tuple[list[float], str]],
                    legend: list[str] | None = None) -> None:
        """One row a name (the first, the longest, at the top), its bars stacked left to right (one colour a
        part); the legend at the bottom right, beside the shortest rows."""
        plot.clear()
        if legend:
            plot.addLegend(offset=(-10, -10))
        ys = [len(names) - 1 - i for i in range(len(names))]
        left = [0.0] * len(names)
        for k, (values, colour) in enumerate(stacks):
            plot.addItem(pg.BarGraphItem(x0=list(left), y=ys, height=0.7, width=values, brush=colour, pen=colour,
                                         name=legend[k] if legend else None))
            left = [a + b for a, b in zip(left, values, strict=True)]
        plot.getAxis("left").setTicks([[(y, _short(name)) for y, name in zip(ys, names, strict=True)]])
        plot.setYRange(-0.6, max(len(names), 1) - 0.4, padding=0)
        plot.setXRange(0, max(max(left, default=0) * 1.1, 1), padding=0)

    def _draw(self) -> None:
        f = self.figures
        days = list(f["answered_per_day"].items())[-DAYS_SHOWN:]
        self._vertical(self.plots["days"], [d[5:] for d, _ in days], [([sum(v.values()) for _, v in days], WITH)])
        buckets = [name for _, name in TIME_BUCKETS]
        per_bucket = [sum(e["time_per_article"].get(b, 0) for e in f["editors"].values()) for b in buckets]
        self._vertical(self.plots["times"], buckets, [(per_bucket, WITH)])
        spans = sorted(((label, s.get("accepted", 0)) for label, s in f["spans"].items() if s.get("accepted")),
                       key=lambda x: -x[1])[:MAX_ROWS]
        self._horizontal(self.plots["labels"], [s[0] for s in spans], [([s[1] for s in spans], WITH)])
        outcomes = sorted(f["suggestions"]["by_label"].items(),
                          key=lambda kv: -(kv[1]["kept"] + kv[1]["changed"] + kv[1]["deleted"]))
        outcomes = [(k, v) for k, v in outcomes if v["kept"] + v["changed"] + v["deleted"]][:MAX_ROWS]
        self._horizontal(self.plots["outcomes"], [k for k, _ in outcomes],
                         [([v[part] for _, v in outcomes], colour) for part, colour in
                          (("kept", KEPT), ("changed", CHANGED), ("deleted", DELETED))],
                         legend=["kept as they were", "kept after a change", "deleted"])
        editors = [(name, e) for name, e in f["editors"].items() if e["articles_per_hour"] is not None][:MAX_ROWS]
        self._horizontal(self.plots["pace"], [name for name, _ in editors],
                         [([e["articles_per_hour"] for _, e in editors], WITH)])
        ww = f["with_and_without_suggestions"]
        self._vertical(self.plots["compare"], ["minutes", "actions"],
                       [([ww[side]["minutes_per_100_words"] or 0, ww[side]["actions_per_100_words"] or 0], colour)
                        for side, colour in (("with", WITH), ("without", WITHOUT))],
                       legend=["with suggestions", "without"])
        answered = sum(e["articles"] for e in f["editors"].values())
        hours = sum(e["active_hours"] for e in f["editors"].values())
        flagged = sum(sum(e["flagged"].values()) for e in f["editors"].values())
        self.summary.setText(
            f"{answered} article(s) answered in {hours:.1f} active hour(s) by {len(f['editors'])} editor(s); the "
            f"suggestions saved {f['suggestions']['actions_saved']:+} action(s); {flagged} article(s) flagged for a "
            f"look (the queue's filter \"Accepted in haste\"). Suggestions are hidden on "
            f"{ww.get('hidden_share', 0):.0%} of the articles.")
        lines = effort_lines(f)
        keep = [ln for ln in lines if ln.startswith(("rule patterns whose", "with and without", "  with ",
                                                     "  without ", "  actions per 100 words"))]
        self.details.setText("\n".join(keep))
