"""Plain JSON lines: `text`, with optional `id`, `title` and `meta`; other fields go into meta."""

from __future__ import annotations

from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Document, Record
from annotator.formats.base import Reader, ReadOptions, claimed_by, json_reader, register, require_text


def meta_of(value: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    meta = value.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(f"'meta' must be an object, got {type(meta).__name__}")
    extra = {k: v for k, v in value.items() if k not in skip and k != "meta" and not k.startswith("_")}
    return {**extra, **meta}


def convert(value: dict[str, Any], options: ReadOptions) -> Record:
    text = require_text(value, options.text_column)
    other = claimed_by(value)
    if other is not None:  # its spans would silently end up in meta
        raise InputError(f"the record carries spans as {other} writes them, which plain JSON lines would keep "
                         f"only as meta; import the file with --format {other}")
    ext_id = value.get(options.id_column)
    title = value.get(options.title_column) or ""
    if not isinstance(title, str):
        raise InputError(f"'{options.title_column}' must be a string")
    meta = meta_of(value, {options.text_column, options.id_column, options.title_column})
    return Record(Document(text=text, title=title, meta=meta,
                                 external_id=None if ext_id is None else str(ext_id)))


register(Reader("jsonl", "JSON lines with 'text' and optional 'id', 'title', 'meta'", json_reader(convert),
                extensions=(".jsonl", ".json")))
