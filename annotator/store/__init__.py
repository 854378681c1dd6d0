"""The project database (SQLite through sqlite-utils)."""

from annotator.store.database import (
    AddResult,
    DocumentRow,
    Store,
    is_database_file,
    open_for_reading,
    sqlite_error,
)

__all__ = ["AddResult", "DocumentRow", "Store", "is_database_file", "open_for_reading", "sqlite_error"]
