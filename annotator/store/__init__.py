"""The project database (SQLite through sqlite-utils)."""

import sys


def _sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas when it is installed (only to store pandas timestamps, which nothing here
    writes); with Ray's extra installed that took 0.6 s of the window's start-up. It is imported with pandas
    hidden, and pandas stays importable for whatever needs it later (Ray Data)."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` raises ImportError meanwhile
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]


_sqlite_utils_without_pandas()

from annotator.store.database import Store, is_database_file, open_for_reading, sqlite_error  # noqa: E402
from annotator.store.documents import AddResult, DocumentRow  # noqa: E402

__all__ = ["AddResult", "DocumentRow", "Store", "is_database_file", "open_for_reading", "sqlite_error"]
