"""Stable hashes. Documents are deduplicated by a strong hash of their text; Prodigy's 32-bit
`_input_hash` and `_task_hash` are derived from it, so the same article always gets the same numbers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable


def text_hash(text: str) -> str:
    """The input hash used for deduplication: hex SHA-256 of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _signed32(digest: bytes) -> int:
    return int.from_bytes(digest[:4], "little", signed=True)


def prodigy_input_hash(input_hash: str) -> int:
    """A signed 32-bit integer, as Prodigy writes `_input_hash`."""
    return _signed32(bytes.fromhex(input_hash[:8]))


def prodigy_task_hash(input_hash: str, spans: Iterable[tuple[int, int, str]]) -> int:
    """A signed 32-bit integer over the input and its (sorted) spans, as Prodigy writes `_task_hash`."""
    payload = json.dumps([input_hash, sorted(spans)], separators=(",", ":"))
    return _signed32(hashlib.sha256(payload.encode("utf-8")).digest())
