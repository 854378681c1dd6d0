"""brat standoff: `.txt` files with `.ann` files beside them (a folder of pairs, or one pair).

`T` lines (`T1<TAB>Type start end[;start end...]<TAB>text`) become accepted spans; a discontinuous span
becomes the stretch from its first to its last character. Each `T` line's text is checked against the
article, so offsets counted in bytes rather than characters are caught. `E`, `R`, `A`, `M`, `N`, `*` and `#`
lines are kept as they are in the document's meta (`brat`), with the spans their `T` ids name (`brat_ids`),
until the project has events with arguments. A `.txt` without `.ann` (or with an empty one) is an article
without annotations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.model import Document, ImportRecord, Source, Span, SpanState
from annotator.formats.base import Item, Reader, ReadOptions, register

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
OTHER_KINDS = ("E", "R", "A", "M", "N", "*", "#")


def pairs(path: Path) -> list[tuple[Path, Path | None]]:
    """(text file, annotation file or None) of a folder or of one file of a pair."""
    if path.is_dir():
        texts = sorted(p for p in path.rglob("*.txt") if not p.name.startswith("."))
        return [(t, t.with_suffix(".ann") if t.with_suffix(".ann").exists() else None) for t in texts]
    if path.suffix == ".ann":
        return [(path.with_suffix(".txt"), path)]
    ann = path.with_suffix(".ann")
    return [(path, ann if ann.exists() else None)]


def _read(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror or exc}", str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start + 1})", str(path),
                         raw[: exc.start].count(b"\n") + 1) from None


def read_pair(txt: Path, ann: Path | None, root: Path) -> ImportRecord:
    text = _read(txt, "text file")
    if not text.strip():
        raise InputError("the text file is empty", str(txt))
    spans: list[Span] = []
    ids: dict[str, list] = {}
    other: list[str] = []
    if ann is not None:
        # lines end at \n (or \r\n) only, as brat writes them: str.splitlines() would also break a T line at
        # a \x85 or \u2028 inside the span's text
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in _read(ann, "annotation file").split("\n")]
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if line.startswith("T"):
                m = _T_LINE.match(line)
                if not m:
                    raise InputError("a T line must be 'T<n> TAB type start end TAB text'", str(ann), lineno)
                tid, label, offsets, shown = m.groups()
                fragments = [tuple(map(int, part.split())) for part in offsets.split(";")]
                for a, b in fragments:
                    if not 0 <= a < b <= len(text):
                        raise InputError(f"{tid}: offsets {a}..{b} outside the text ({len(text)} characters)",
                                         str(ann), lineno)
                actual = " ".join(text[a:b] for a, b in fragments)
                if actual != shown and text[fragments[0][0]:fragments[-1][1]] != shown:
                    raise InputError(f"{tid}: the text at {offsets} is {actual!r}, the line says {shown!r} "
                                     f"(offsets must count characters, not bytes)", str(ann), lineno)
                start, end = fragments[0][0], fragments[-1][1]
                spans.append(Span(start, end, label, Source.EDITOR, SpanState.ACCEPTED))
                ids[tid] = [start, end, label]
            elif line.startswith(OTHER_KINDS):
                other.append(line)
            else:
                raise InputError(f"not a brat annotation line: {line[:60]!r}", str(ann), lineno)
    meta: dict = {"file": txt.name}
    if other:
        meta["brat"] = other
        meta["brat_ids"] = ids
    rel = txt.relative_to(root) if root.is_dir() else Path(txt.name)
    title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:200]
    rec = ImportRecord(Document(text=text, title=title, meta=meta, external_id=str(rel.with_suffix(""))), spans)
    rec.path = str(ann or txt)
    return rec


def read_brat(path: Path, options: ReadOptions) -> Iterator[Item]:
    found = pairs(path)
    if path.is_dir() and not found:
        yield InputError("the folder holds no .txt files for brat", str(path))
    if path.is_dir():
        for ann in sorted(path.rglob("*.ann")):
            if not ann.with_suffix(".txt").exists():
                yield InputError(f"no text file {ann.with_suffix('.txt').name} beside it", str(ann))
    for txt, ann in found:
        if not txt.exists():
            yield InputError(f"no text file {txt.name} beside it", str(ann))
            continue
        try:
            yield read_pair(txt, ann, path)
        except InputError as exc:
            yield exc


register(Reader("brat", "brat standoff: .txt/.ann pairs (a folder or one pair)", read_brat, extensions=(".ann",)))
