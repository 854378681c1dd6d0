"""The project database (SQLite through sqlite-utils)."""

from annotator.store.database import Store, is_database_file, open_for_reading, sqlite_error
from annotator.store.documents import AddResult, DocumentRow

__all__ = ["AddResult", "DocumentRow", "Store", "is_database_file", "open_for_reading", "sqlite_error"]
