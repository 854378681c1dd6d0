"""CSV (or TSV): one article a row; the text column is chosen by name (`text` by default)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.model import Document, Record
from annotator.formats.base import Item, Reader, ReadOptions, register

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_csv(path: Path, options: ReadOptions) -> Iterator[Item]:
    spath = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        fh = open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", spath)
        return
    with fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            yield InputError("the file is empty", spath)
            return
        except csv.Error as exc:
            yield InputError(f"not a valid CSV header: {exc}", spath, 1)
            return
        header = [h.strip() for h in header]
        if options.text_column not in header:
            yield InputError(
                f"no column {options.text_column!r} (columns: {', '.join(header)}); choose one with --text-column",
                spath, 1,
            )
            return
        ti = header.index(options.text_column)
        ii = header.index(options.id_column) if options.id_column in header else None
        hi = header.index(options.title_column) if options.title_column in header else None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputError(f"not valid CSV: {exc}", spath, reader.line_num)
                continue
            lineno = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if any(_has_surrogates(cell) for cell in row):
                yield InputError("not UTF-8 text", spath, lineno)
                continue
            if len(row) != len(header):
                yield InputError(f"has {len(row)} columns, the header has {len(header)}", spath, lineno)
                continue
            text = row[ti]
            if not text.strip():
                yield InputError(f"column {options.text_column!r} is empty", spath, lineno)
                continue
            meta = {h: v for j, (h, v) in enumerate(zip(header, row)) if j not in (ti, ii, hi) and h}
            yield Record(
                Document(text=text.replace("\r\n", "\n"), title=row[hi] if hi is not None else "",
                         external_id=row[ii] if ii is not None else None, meta=meta),
                path=spath, line=lineno,
            )


def _has_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


register(Reader("csv", "CSV or TSV with a header row; the text column chosen by name", read_csv,
                extensions=(".csv", ".tsv")))
