"""The spans of the open article: label, text, source, state; selecting a row selects the span in the text.
A table model over the session's span list, so an article with thousands of spans shows at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from annotator.core.labels import LabelScheme
from annotator.core.model import Span
from annotator.gui.colours import fill, label_colour
from annotator.gui.plaintext import excerpt, plain

HEADERS = ["Label", "Text", "Source", "State"]
_ROLES = {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.UserRole,
          Qt.ItemDataRole.ToolTipRole}
Index = QModelIndex | QPersistentModelIndex


class SpanModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.spans: list[Span] = []
        self.text = ""
        self.brushes: dict[str, QBrush] = {}
        self.origins: dict[int, list[str]] = {}

    def set_spans(self, spans: Sequence[Span], text: str, scheme: LabelScheme,
                  origins: dict[int, list[str]] | None = None) -> None:
        self.beginResetModel()
        self.spans = list(spans)
        self.origins = origins or {}
        self.text = text
        self.brushes = {lb.name: QBrush(fill(label_colour(lb), 0.42)) for lb in scheme.labels}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.spans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:  # Qt asks for a dozen roles a cell: answer the others at once
            return None
        row = index.row()
        if row < 0 or row >= len(self.spans):
            return None
        s = self.spans[row]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return s.label
            if col == 1:
                return excerpt(self.text[s.start:s.end])
            if col == 2:  # in a team's review, whose layers it came from
                return ", ".join(self.origins[s.id]) if s.id in self.origins else s.source.value
            return "accepted" if s.state.value == "accepted" else "suggested"
        if role == Qt.ItemDataRole.BackgroundRole and col == 0:
            return self.brushes.get(s.label)
        if role == Qt.ItemDataRole.UserRole:
            return s.id
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and s.id in self.origins:
            return plain("In the work of " + ", ".join(self.origins[s.id]))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class SpanList(QTableView):
    spanSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = SpanModel(self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no size queries per row
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, width in ((0, 96), (2, 72), (3, 72)):
            self.setColumnWidth(col, width)
        self.setWordWrap(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._quiet = False
        self.selectionModel().selectionChanged.connect(self._selection_changed)

    def rowCount(self) -> int:
        return self.model_.rowCount()

    def set_spans(self, spans: Sequence[Span], text: str, scheme: LabelScheme, selected: int | None,
                  origins: dict[int, list[str]] | None = None) -> None:
        self._quiet = True
        another = text != self.model_.text  # another article: its list starts at its top, not where the last was
        self.model_.set_spans(spans, text, scheme, origins)
        if another:
            self.scrollToTop()
        self.select(selected)
        self._quiet = False

    def select(self, span_id: int | None) -> None:
        quiet, self._quiet = self._quiet, True
        row = next((i for i, s in enumerate(self.model_.spans) if s.id == span_id), None) if span_id else None
        if row is not None:
            index = self.model_.index(row, 0)
            self.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                         | QItemSelectionModel.SelectionFlag.Rows)
            self.scrollTo(index)
        else:
            self.clearSelection()
        self._quiet = quiet

    def selectRow(self, row: int) -> None:  # the mouse and tests pick rows this way
        super().selectRow(row)

    def _selection_changed(self, *_: Any) -> None:
        if self._quiet:
            return
        rows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        if rows:
            self.spanSelected.emit(self.model_.spans[rows[0]].id)
