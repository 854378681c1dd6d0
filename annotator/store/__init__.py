"""The project database (SQLite through sqlite-utils)."""

from annotator.store.database import AddResult, DocumentRow, Store, tokens_from_json, tokens_to_json

__all__ = ["AddResult", "DocumentRow", "Store", "tokens_from_json", "tokens_to_json"]
