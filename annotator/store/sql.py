"""Small helpers every repository of the store shares."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """The time a change is stamped with: UTC, ISO 8601, milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
