"""The project database (SQLite through sqlite-utils)."""

from annotator.store.database import AddResult, DocumentRow, Store

__all__ = ["AddResult", "DocumentRow", "Store"]
