"""What every reader shares: streaming a JSON-lines file record by record, the registry, format detection.

A reader yields `Record`s, and `InputError`s for the records it cannot use, so that one bad line never
stops the rest of the file. Readers never raise for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from annotator.core.errors import InputError
from annotator.core.model import Record

Item = Record | InputError

WHOLE_FILE_JSON_LIMIT = 200 * 1024 * 1024


@dataclass
class ReadOptions:
    text_column: str = "text"
    label_column: str = "label"
    id_column: str = "id"
    title_column: str = "title"
    # files a folder walk must never open: the project database (reading it outside SQLite would drop this
    # process's locks on it); set by the import
    skip: Callable[[Path], bool] = field(default=lambda p: False, repr=False)


@dataclass
class Reader:
    name: str
    description: str
    read: Callable[[Path, ReadOptions], Iterator[Item]]
    # given one parsed JSON record: does it look like this format?
    claims: Callable[[dict[str, Any]], bool] | None = None
    extensions: tuple[str, ...] = field(default_factory=tuple)
    # given a file whose ending says nothing (.txt, .tsv, none): is it this format, from its first lines?
    sniff: Callable[[Path], bool] | None = None


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    READERS[reader.name] = reader
    return reader


TOO_DEEP = "nested too deeply to read (lists or objects inside each other over a thousand levels)"


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
                value = loads(line)
            except RecursionError:
                yield InputError(TOO_DEEP, spath, lineno)
                first = False
                continue
            except json.JSONDecodeError as exc:
                if first and line[:1] in "[{" and exc.pos >= len(line) - 1:
                    # the value goes on past the first line: one pretty-printed value, read whole
                    whole = _whole_file(path)
                    if whole is not None:
                        yield from whole
                    else:
                        yield InputError(
                            f"one JSON value spread over many lines, larger than "
                            f"{WHOLE_FILE_JSON_LIMIT // 2**20} MB: too large to read whole; write it as JSON "
                            f"lines (one record a line), e.g. with `jq -c '.[]'`", spath)
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
        value = loads(path.read_bytes().decode("utf-8-sig"))
    except RecursionError:
        return [InputError(TOO_DEEP, str(path))]
    except UnicodeDecodeError as exc:
        return [InputError(f"not UTF-8 text (byte {exc.start + 1})", str(path))]
    except json.JSONDecodeError as exc:
        return [InputError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", str(path))]
    items = value if isinstance(value, list) else [value]
    out: list[tuple[int | None, Any] | InputError] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, dict):
            out.append((None, {"__record__": i, **item}))
        else:
            out.append(InputError(f"record {i}: expected a JSON object, got {type(item).__name__}", str(path)))
    return out


def json_reader(convert: Callable[[dict[str, Any], ReadOptions], Record]) -> Callable[
    [Path, ReadOptions], Iterator[Item]
]:
    """Turns a function of one JSON object into a reader of a whole JSON-lines file."""
    return partial(read_json, convert=convert)


def read_json(path: Path, options: ReadOptions,
              convert: Callable[[dict[str, Any], ReadOptions], Record]) -> Iterator[Item]:
    """Each record of a JSON-lines (or pretty-printed JSON) file through `convert`, or the error that says why
    it cannot be used, naming the file and its line (or record number)."""
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
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:  # malformed
            reason = TOO_DEEP if isinstance(exc, RecursionError) else (
                f"malformed record ({type(exc).__name__}: {exc})")
            if record_no is not None:
                yield InputError(f"record {record_no}: {reason}", spath)
            else:
                yield InputError(reason, spath, lineno)
            continue
        rec.path = spath
        rec.line = lineno if lineno is not None else record_no
        rec.record = record_no if lineno is None else None
        yield rec


def require_text(value: dict[str, Any], key: str) -> str:
    if key not in value:
        raise InputError(f"record has no {key!r} field")
    text = value[key]
    if not isinstance(text, str):
        raise InputError(f"{key!r} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InputError(f"{key!r} is empty")
    return text


def _not_a_number(constant: str) -> None:
    """NaN and Infinity are not JSON (Python's json reads and writes them): they become null."""
    return None


def loads(text: str | bytes) -> Any:
    """json.loads for input files and stored meta: NaN and Infinity become null, so exports stay JSON."""
    return json.loads(text, parse_constant=_not_a_number)


def as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise InputError(f"{what} must be a whole number, got {value!r}")
    return value


def json_records(path: Path, limit: int = 200) -> list[dict[str, Any]]:
    """The first JSON objects of a file (at most `limit` records looked at), for format detection."""
    out = []
    for n, item in enumerate(iter_json_records(path)):
        if n >= limit:
            break
        if isinstance(item, tuple) and isinstance(item[1], dict):
            value = dict(item[1])
            value.pop("__record__", None)
            out.append(value)
    return out


def claimed_by(record: dict[str, Any]) -> str | None:
    """The format whose fields this record carries (spans in its own form), if any. Prodigy's claim is asked
    last, whatever order the readers were registered in: its own keys (`answer`, `tokens`) appear in the other
    tools' records too (doccano's and the events JSONL, as this project writes them)."""
    for reader in sorted(READERS.values(), key=lambda r: r.name == "prodigy"):
        if reader.claims is not None and reader.claims(record):
            return reader.name
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
        for reader in READERS.values():
            if reader.sniff is not None and reader.sniff(path):
                return reader.name
    if suffix in (".txt", ".text"):
        return "text"
    if suffix in (".csv", ".tsv"):
        return "csv"
    # a format is told by the first records that show it: doccano writes an unlabelled document with
    # `"label": []`, which looks like any JSON line
    records = json_records(path)
    for record in records:
        name = claimed_by(record)
        if name is not None:
            return name
    if records:
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
