"""The document queue: a table model over the database that loads rows page by page.

It keeps only the ids of the rows fetched so far (8 bytes each) and reads titles, answers and span counts for
the rows the view shows, a page at a time, so a project of a million articles opens as fast as one of ten."""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from annotator.gui.plaintext import plain
from annotator.store import DocumentRow, Store
from annotator.store.documents import REVIEW, USEFUL

ANSWER_NAMES = {"pending": "pending", "accept": "accepted", "reject": "rejected", "ignore": "skipped"}
COLUMNS = ["Title", "Answer", "Spans"]
FETCH = 500
PAGE = 200
PAGES_KEPT = 20

Index = QModelIndex | QPersistentModelIndex


class QueueModel(QAbstractTableModel):
    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.answer: str | None = None
        self.query: str | None = None
        self.label: str | None = None
        self._ids = array("q")
        self._exhausted = False
        self._pages: OrderedDict[int, dict[int, DocumentRow]] = OrderedDict()
        self._last_seen = store.documents.last_id()
        self._fetch_into_ids()

    # ---------------------------------------------------------------- filtering

    def set_filter(self, answer: str | None = None, query: str | None = None, label: str | None = None) -> None:
        self.beginResetModel()
        self.answer = answer or None
        self.query = (query or "").strip() or None
        self.label = label or None
        self._ids = array("q")
        self._exhausted = False
        self._pages.clear()
        self._last_seen = self.store.documents.last_id()
        self._fetch_into_ids()  # the first page comes with the reset, so views need no fetch while it is on
        self.endResetModel()

    def take_new(self) -> bool:
        """Articles another program added (an import from the command line) join the end of the queue, the rows
        and the selection above them left as they are. True when there were any."""
        last = self.store.documents.last_id()
        if last == self._last_seen:
            return False
        self._last_seen = last
        self._pages.clear()  # the last page read holds no row for them
        if self._exhausted:  # the rows shown reach the end: fetch what came after it
            self._exhausted = False
            self.fetchMore()
        return True

    def set_store(self, store: Store) -> None:
        self.store = store
        self.set_filter(self.answer, self.query, self.label)

    # ---------------------------------------------------------------- paging

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        ids = self._next_ids()
        if ids:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(ids) - 1)
            self._ids.extend(ids)
            self.endInsertRows()

    def _next_ids(self) -> list[int]:
        after = self._ids[-1] if self._ids else 0
        ids = self.store.documents.document_ids(after, FETCH, self.answer, self.query, label=self.label)
        if len(ids) < FETCH:
            self._exhausted = True
        return ids

    def _fetch_into_ids(self) -> None:
        self._ids.extend(self._next_ids())

    @property
    def by_id(self) -> bool:
        """Rows in the order of their ids (all filters but the review's, which puts the worst agreement first, and
        the order of usefulness)."""
        return self.answer not in (REVIEW, USEFUL)

    def fetch_all_until(self, doc_id: int) -> int | None:
        """Fetches the rows up to `doc_id` in one read (not page by page: an article far down a million would
        take thousands of pages); its row, or None if the filter hides it."""
        row = self.row_of(doc_id)
        if row is not None or self._exhausted or (self.by_id and self._ids and self._ids[-1] > doc_id):
            return row
        after = self._ids[-1] if self._ids else 0
        ids = self.store.documents.document_ids(after, None, self.answer, self.query, until=doc_id,
                                                 label=self.label)
        if ids:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(ids) - 1)
            self._ids.extend(ids)
            self.endInsertRows()
        return self.row_of(doc_id)

    def row_of(self, doc_id: int) -> int | None:
        if not self.by_id:  # the review's rows, in order of agreement, or the order of usefulness
            try:
                return self._ids.index(doc_id)
            except ValueError:
                return None
        # ids are in ascending order: binary search
        lo, hi = 0, len(self._ids)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._ids[mid] < doc_id:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self._ids) and self._ids[lo] == doc_id else None

    def doc_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _row(self, row: int) -> DocumentRow | None:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            ids = self._ids[page_no * PAGE : (page_no + 1) * PAGE]
            page = self.store.documents.document_rows(list(ids))
            self._pages[page_no] = page
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page.get(self._ids[row])

    def refresh(self, doc_id: int) -> None:
        """Re-reads one document's row (after an edit)."""
        row = self.row_of(doc_id)
        if row is None:
            return
        page = self._pages.get(row // PAGE)
        if page is not None:
            page.update(self.store.documents.document_rows([doc_id]))
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # ---------------------------------------------------------------- the model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        row = self._row(index.row())
        if row is None:
            return None
        col = index.column()
        if col == 0:
            marks = ("⚑ " if row.flagged else "") + ("✎ " if row.commented else "")  # flagged, commented
            title = marks + (row.title or f"Document {row.id}")
            return title if role == Qt.ItemDataRole.DisplayRole else plain(f"#{row.id}: {title}")
        if col == 1:
            return ANSWER_NAMES.get(row.answer, row.answer)
        return row.n_spans

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None
