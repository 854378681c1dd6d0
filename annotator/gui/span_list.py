"""The spans of the open article: label, text, source, state; selecting a row selects the span in the text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Span

HEADERS = ["Label", "Text", "Source", "State"]


class SpanList(QTableWidget):
    spanSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._ids: list[int] = []
        self._quiet = False
        self.itemSelectionChanged.connect(self._selection_changed)

    def set_spans(self, spans: Sequence[Span], text: str, scheme: LabelScheme, selected: int | None) -> None:
        self._quiet = True
        self.setUpdatesEnabled(False)
        self.setRowCount(len(spans))
        self._ids = [s.id or -1 for s in spans]
        for row, s in enumerate(spans):
            lb = scheme.get(s.label)
            label_item = QTableWidgetItem(s.label)
            if lb:
                label_item.setBackground(QColor(lb.colour).lighter(130))
            snippet = text[s.start:s.end].replace("\n", " ")
            items = [label_item, QTableWidgetItem(snippet if len(snippet) < 80 else snippet[:77] + "…"),
                     QTableWidgetItem(s.source.value), QTableWidgetItem(
                         "accepted" if s.state.value == "accepted" else "suggested")]
            for col, item in enumerate(items):
                self.setItem(row, col, item)
        self.setUpdatesEnabled(True)
        self.select(selected)
        self._quiet = False

    def select(self, span_id: int | None) -> None:
        quiet, self._quiet = self._quiet, True
        if span_id in self._ids:
            row = self._ids.index(span_id)
            self.selectRow(row)
            self.scrollToItem(self.item(row, 0))
        else:
            self.clearSelection()
        self._quiet = quiet

    def _selection_changed(self) -> None:
        if self._quiet:
            return
        rows = {i.row() for i in self.selectedIndexes()}
        if rows:
            self.spanSelected.emit(self._ids[min(rows)])
