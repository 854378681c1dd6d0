"""Small helpers every repository of the store shares."""

from __future__ import annotations

from datetime import datetime, timezone

from annotator.core.model import Source, SpanState

# a row's source and state as enums, by dict lookup (an article may hold thousands of spans and links)
SOURCES = {s.value: s for s in Source}
STATES = {s.value: s for s in SpanState}


def now() -> str:
    """The time a change is stamped with: UTC, ISO 8601, milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
