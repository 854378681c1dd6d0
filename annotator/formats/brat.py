"""brat standoff: `.txt` files with `.ann` files beside them (a folder of pairs, or one pair).

`T` lines (`T1<TAB>Type start end[;start end...]<TAB>text`) become accepted spans; a discontinuous span
becomes the stretch from its first to its last character. Each `T` line's text is checked against the
article, so offsets counted in bytes rather than characters are caught. `E` lines
(`E1<TAB>ATTACK:T3 Attacker:T1 Target:T5 Target2:T6`) become links from the trigger span to each argument in
its role (brat numbers a role's repeated fillers: `Target2` is a second `Target`); an argument that is an
event (`Event-Arg:E1`) links to that event's trigger. `R` lines (`R1<TAB>Located Arg1:T1 Arg2:T2`) become a
link from the first span to the second in a role named by the relation. `A`, `M`, `N`, `*` and `#` lines are
kept as they are in the document's meta (`brat`), with the spans their ids name (`brat_ids`). A `.txt` without
`.ann` (or with an empty one) is an article without annotations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import InputError
from annotator.core.model import Document, Link, Record, Source, Span, SpanState
from annotator.formats.base import Item, Reader, ReadOptions, register

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_E_LINE = re.compile(r"^(E\d+)\t(\S+):(T\d+)((?: +\S+:[TE]\d+)*)\s*$")
_R_LINE = re.compile(r"^(R\d+)\t(\S+) +\S+:(T\d+) +\S+:(T\d+)\s*$")
OTHER_KINDS = ("A", "M", "N", "*", "#")


def role_name(numbered: str) -> str:
    """A brat role without the number it gives a repeated filler: `Org-Arg2` is `Org-Arg`."""
    return numbered.rstrip("0123456789") or numbered


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


def read_pair(txt: Path, ann: Path | None, root: Path) -> Record:
    text = _read(txt, "text file")
    if not text.strip():
        raise InputError("the text file is empty", str(txt))
    spans: list[Span] = []
    ids: dict[str, list] = {}
    other: list[str] = []
    events: dict[str, tuple[int, str, list[str]]] = {}  # E id: line, trigger T id, role:id arguments
    relations: list[tuple[int, str, str, str]] = []
    links: list[Link] = []
    if ann is not None:
        # lines end at \n (or \r\n) only, as brat writes them: str.splitlines() would also break a T line at
        # a \x85 or \u2028 inside the span's text
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in _read(ann, "annotation file").split("\n")]
        defined: dict[str, int] = {}  # an id of a T, E or R line -> the line that defined it
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            first = line.split("\t", 1)[0].strip()
            if line.startswith(("T", "E", "R")) and first:
                if first in defined:
                    raise InputError(f"{first} is defined twice (lines {defined[first]} and {lineno}); each "
                                     "annotation needs its own id", str(ann), lineno)
                defined[first] = lineno
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
            elif line.startswith("E"):
                m = _E_LINE.match(line)
                if not m:
                    raise InputError("an E line must be 'E<n> TAB type:T<n> role:T<n> ...'", str(ann), lineno)
                events[m.group(1)] = (lineno, m.group(3), m.group(4).split())  # its type is its trigger's
            elif line.startswith("R"):
                m = _R_LINE.match(line)
                if not m:
                    raise InputError("an R line must be 'R<n> TAB type Arg1:T<n> Arg2:T<n>'", str(ann), lineno)
                relations.append((lineno, m.group(2), m.group(3), m.group(4)))
            elif line.startswith(OTHER_KINDS):
                other.append(line)
            else:
                raise InputError(f"not a brat annotation line: {line[:60]!r}", str(ann), lineno)
        links = _links(events, relations, list(ids), str(ann))
    meta: dict = {"file": txt.name}
    if other:
        meta["brat"] = other
        # the spans the kept lines name: T ids, and E ids by their trigger
        meta["brat_ids"] = {**ids, **{eid: ids[e[1]] for eid, e in events.items() if e[1] in ids}}
    rel = txt.relative_to(root) if root.is_dir() else Path(txt.name)
    title = text.strip().splitlines()[0].strip()[:200]  # its first line that holds anything
    rec = Record(Document(text=text, title=title, meta=meta, external_id=str(rel.with_suffix(""))), spans,
                       links=links)
    rec.path = str(ann or txt)
    return rec


def _links(events: dict[str, tuple[int, str, list[str]]], relations: list[tuple[int, str, str, str]],
           t_ids: list[str], where: str) -> list[Link]:
    """The links of an .ann file's E and R lines; `t_ids` are the T ids in the order of the record's spans."""
    position = {tid: i for i, tid in enumerate(t_ids)}

    def span_of(ref: str, lineno: int) -> int:
        if ref.startswith("E"):
            if ref not in events:
                raise InputError(f"no event {ref} in this file", where, lineno)
            ref = events[ref][1]
        if ref not in position:
            raise InputError(f"no text-bound annotation {ref} in this file", where, lineno)
        return position[ref]

    links = []
    for lineno, trigger, arguments in events.values():
        event = span_of(trigger, lineno)
        for argument in arguments:
            role, ref = argument.rsplit(":", 1)  # the id follows the last colon (a role may hold one)
            target = span_of(ref, lineno)
            if target == event:
                raise InputError(f"{argument} links the event's trigger {trigger} to itself", where, lineno)
            links.append(Link(event, target, role_name(role)))
    for lineno, kind, head, tail in relations:
        if span_of(head, lineno) == span_of(tail, lineno):
            raise InputError(f"the {kind} relation links {head} to itself (Arg1 and Arg2 are the same span)", where,
                             lineno)
        links.append(Link(span_of(head, lineno), span_of(tail, lineno), kind))
    return links


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
