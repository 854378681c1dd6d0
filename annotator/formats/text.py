"""Plain text: one article a file; a folder is read recursively. The first line becomes the title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.model import Document, Record
from annotator.formats.base import Item, Reader, ReadOptions, register

TEXT_SUFFIXES = {".txt", ".text", ""}


def read_text(path: Path, options: ReadOptions) -> Iterator[Item]:
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                   and not p.name.startswith(".") and not options.skip(p)) if path.is_dir() else [path]
    if path.is_dir() and not files:
        yield InputError("the folder holds no .txt files", str(path))
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            yield InputError(f"cannot read: {exc.strerror or exc}", str(file))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            yield InputError(f"not UTF-8 text (byte {exc.start + 1} of the file)", str(file), line)
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            yield InputError("the file is empty", str(file))
            continue
        title = text.strip().splitlines()[0].strip()[:200]  # its first line that holds anything
        ext_id = str(file.relative_to(path)) if path.is_dir() else file.name
        yield Record(Document(text=text, title=title, external_id=ext_id, meta={"file": file.name}), path=str(file))


register(Reader("text", "plain .txt files, or a folder of them (one article a file)", read_text,
                extensions=(".txt",)))
