"""The article queue on the left of the window: a search box, the filters by answer and by label, and the table
of articles (its model is `QueueModel`, set once a project opens)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QTableView, QVBoxLayout, QWidget

from annotator.store.documents import HASTY, NOTED, REVIEW, USEFUL

FILTERS = [("All", None), ("Pending", "pending"), ("Accepted", "accept"), ("Rejected", "reject"),
           ("Skipped", "ignore"), ("To review, worst first", REVIEW), ("Pending, most useful first", USEFUL),
           ("Flagged or commented", NOTED), ("Accepted in haste (for a look)", HASTY)]


class QueuePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search articles (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.filter_box = QComboBox(self)
        for name, _ in FILTERS:
            self.filter_box.addItem(name)
        self.label_filter = QComboBox(self)  # the project's labels: filled as a project opens
        self.label_filter.setToolTip("Only the articles showing a span of this label (rejected spans do not count)")
        self.label_filter.addItem("All labels", None)
        self.view = QTableView(self)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.search)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_box, 1)
        filters.addWidget(self.label_filter, 1)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
