"""What every reader shares: streaming a JSON-lines file record by record, the registry, format detection.

A reader yields `ImportRecord`s, and `InputError`s for the records it cannot use, so that one bad line never
stops the rest of the file. Readers never raise for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import ImportRecord

Item = ImportRecord | InputError

WHOLE_FILE_JSON_LIMIT = 200 * 1024 * 1024


@dataclass
class ReadOptions:
    text_column: str = "text"
    label_column: str = "label"
    id_column: str = "id"
    title_column: str = "title"


@dataclass
class Reader:
    name: str
    description: str
    read: Callable[[Path, ReadOptions], Iterator[Item]]
    # given one parsed JSON record: does it look like this format?
    claims: Callable[[dict[str, Any]], bool] | None = None
    extensions: tuple[str, ...] = field(default_factory=tuple)


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    READERS[reader.name] = reader
    return reader


def iter_json_records(path: Path) -> Iterator[tuple[int | None, Any] | InputError]:
    """(line number, parsed value) for each non-blank line of a JSON-lines file, or an InputError for a line
    that is not UTF-8 or not JSON. A file that holds one pretty-printed JSON value (an object or an array of
    objects) is read whole instead, and its records are numbered rather than lined."""
    spath = str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", spath)
        return
    with fh:
        first = True
        for lineno, raw in enumerate(fh, start=1):
            if first and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            stripped = raw.strip()
            if not stripped:
                continue
            try:
                line = stripped.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(f"not UTF-8 text (byte {exc.start + 1} of the line)", spath, lineno)
                first = False
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                if first and line[:1] in "[{":
                    whole = _whole_file(path)
                    if whole is not None:
                        yield from whole
                        return
                yield InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", spath, lineno)
                first = False
                continue
            first = False
            if isinstance(value, list) and lineno == 1 and all(isinstance(v, dict) for v in value):
                # a JSON array on one line: a list of records
                for i, item in enumerate(value, start=1):
                    yield (None, {"__record__": i, **item})
                continue
            yield (lineno, value)


def _whole_file(path: Path) -> list[tuple[int | None, Any] | InputError] | None:
    if path.stat().st_size > WHOLE_FILE_JSON_LIMIT:
        return None
    try:
        value = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    items = value if isinstance(value, list) else [value]
    out: list[tuple[int | None, Any] | InputError] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, dict):
            out.append((None, {"__record__": i, **item}))
        else:
            out.append(InputError(f"record {i}: expected a JSON object, got {type(item).__name__}", str(path)))
    return out


def json_reader(convert: Callable[[dict[str, Any], ReadOptions], ImportRecord]) -> Callable[
    [Path, ReadOptions], Iterator[Item]
]:
    """Turns a function of one JSON object into a reader of a whole JSON-lines file."""

    def read(path: Path, options: ReadOptions) -> Iterator[Item]:
        spath = str(path)
        for item in iter_json_records(path):
            if isinstance(item, InputError):
                yield item
                continue
            lineno, value = item
            record_no = None
            if isinstance(value, dict) and "__record__" in value:
                record_no = value.pop("__record__")
            try:
                if not isinstance(value, dict):
                    raise InputError(f"expected a JSON object, got {type(value).__name__}")
                rec = convert(value, options)
            except InputError as exc:
                if record_no is not None:
                    yield InputError(f"record {record_no}: {exc.reason}", spath)
                else:
                    yield exc.at(spath, lineno)
                continue
            except (TypeError, ValueError, KeyError, AttributeError) as exc:  # malformed structure
                reason = f"malformed record ({type(exc).__name__}: {exc})"
                if record_no is not None:
                    yield InputError(f"record {record_no}: {reason}", spath)
                else:
                    yield InputError(reason, spath, lineno)
                continue
            rec.path = spath
            rec.line = lineno if lineno is not None else record_no
            yield rec

    return read


def require_text(value: dict[str, Any], key: str) -> str:
    if key not in value:
        raise InputError(f"record has no {key!r} field")
    text = value[key]
    if not isinstance(text, str):
        raise InputError(f"{key!r} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{key!r} is empty")
    return text


def doc_meta(doc: dict[str, Any]) -> dict[str, Any]:
    """The meta of a row of `Store.iter_for_export` (stored as JSON text)."""
    raw = doc.get("meta")
    return json.loads(raw) if raw and raw != "{}" else {}


def as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise InputError(f"{what} must be a whole number, got {value!r}")
    return value


def first_json_record(path: Path, limit: int = 20) -> dict[str, Any] | None:
    for n, item in enumerate(iter_json_records(path)):
        if n >= limit:
            return None
        if isinstance(item, tuple) and isinstance(item[1], dict):
            value = dict(item[1])
            value.pop("__record__", None)
            return value
    return None


def detect(path: Path) -> str:
    """The format of a file or folder, from its extension and its first record."""
    suffix = path.suffix.lower()
    if path.is_dir():
        return "brat" if any(path.rglob("*.ann")) else "text"
    if suffix == ".ann" or (suffix == ".txt" and path.with_suffix(".ann").exists()):
        return "brat"
    if suffix == ".spacy":
        return "spacy"
    if "conll" in READERS and suffix in READERS["conll"].extensions:
        return "conll"
    if suffix in (".txt", ".text", ".tsv", ""):
        from annotator.formats.conll import looks_like_conll

        if looks_like_conll(path):
            return "conll"
    if suffix in (".txt", ".text"):
        return "text"
    if suffix in (".csv", ".tsv"):
        return "csv"
    record = first_json_record(path)
    if record is not None:
        for reader in READERS.values():
            if reader.claims is not None and reader.claims(record):
                return reader.name
        return "jsonl"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    raise InputError("cannot tell the format (name it with --format)", str(path))


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path
