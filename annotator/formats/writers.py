"""Writers: the project's documents in the formats other tools and trainers read.

A writer gets the articles one at a time (a `Record` of `store.exports.iter_for_export`: the document, its
spans, its links by the spans' positions; and its packed tokens) and writes them to a path it is given (a
temporary name the export renames at the end). Where a format cannot hold something (overlapping spans in
IOB2, a rejected article in a format without answers), the writer counts it under a reason in `dropped_spans`
or `left_out`; nothing is left out silently."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TextIO

from annotator.core.labels import LabelScheme
from annotator.core.model import Answer, Document, Record, Span
from annotator.core.spans import TokenIndex
from annotator.core.tokens import token_columns
from annotator.formats.events import export_line as events_line
from annotator.formats.prodigy import export_line

# which tokens start a sentence, given the text and the tokens' (starts, ends): from annotator.nlp
SentenceSplitter = Callable[[str, Sequence[int], Sequence[int]], Sequence[bool]]


class Writer:
    """One export file (or folder). Subclasses set `name`, `suffix` and whether the format holds answers."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    description: ClassVar[str]
    folder: ClassVar[bool] = False
    # a format without a notion of answer gets only accepted articles (and pending ones on request)
    holds_answers: ClassVar[bool] = True
    no_answers: ClassVar[str] = "{name} has no way to say so"  # why, when it does not
    extra_suffixes: ClassVar[tuple[str, ...]] = ()  # the files `extras` writes beside the export
    # whether the format holds links (an argument span in a role of an event span); those of a format that does
    # not are counted as left out
    holds_links: ClassVar[bool] = False

    def __init__(self, path: Path, scheme: LabelScheme, tokenizer_name: str,
                 sentences: SentenceSplitter | None = None) -> None:
        self.path = path
        self.scheme = scheme
        self.tokenizer_name = tokenizer_name
        self.sentences = sentences
        self.documents = 0
        self.spans = 0
        self.links = 0
        self.dropped_links: Counter[str] = Counter()
        self.dropped_spans: Counter[str] = Counter()
        self.left_out: Counter[str] = Counter()
        self.notes: list[str] = []

    def accepts(self, doc: Document) -> bool:
        if self.holds_answers or doc.answer in (Answer.ACCEPT, Answer.PENDING):
            return True
        self.left_out[f"article(s) answered {doc.answer.value} ({self.no_answers.format(name=self.name)})"] += 1
        return False

    def add(self, record: Record, tokens: bytes) -> None:
        if not self.accepts(record.document):
            return
        dropped_before = self.dropped_links.total()
        kept = self.write(record, tokens)
        self.documents += 1
        self.spans += kept
        links = len(record.links)
        if self.holds_links:  # less those the writer could not place (counted under a reason)
            self.links += links - (self.dropped_links.total() - dropped_before)
        elif links:
            self.dropped_links[f"{self.name} has no way to hold links between spans"] += links
        if record.links_left_out:
            self.dropped_links["a span of the link is not in the export (its label left out)"] += \
                record.links_left_out
        if record.links_hanging:
            self.dropped_links["a span of the link is not an accepted span of its article"] += record.links_hanging

    def write(self, record: Record, tokens: bytes) -> int:
        """Writes one document; returns the number of spans written."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def extras(self) -> dict[str, str]:
        """Files written beside the export: the suffix added to its name, and their text."""
        return {}


class TextWriter(Writer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fh: TextIO = open(self.path, "w", encoding="utf-8", newline="\n")

    def close(self) -> None:
        self.fh.close()


class ProdigyWriter(TextWriter):
    name, suffix = "prodigy", ".jsonl"
    description = "Prodigy JSONL: text, tokens, spans (token_end inclusive), relations, answer"
    holds_links = True

    def write(self, record: Record, tokens: bytes) -> int:
        self.fh.write(export_line(record, tokens))
        self.fh.write("\n")
        return len(record.spans)


def _head(doc: Document) -> dict[str, Any]:
    """The document's own fields other tools can keep: its id in the source, title, meta."""
    out: dict[str, Any] = {}
    if doc.external_id is not None:
        out["id"] = doc.external_id
    if doc.title:
        out["title"] = doc.title
    return out


class DoccanoWriter(TextWriter):
    name, suffix = "doccano", ".jsonl"
    description = "doccano sequence labelling JSONL: text, label [[start, end, label]], answer, meta"

    def write(self, record: Record, tokens: bytes) -> int:
        doc = record.document
        line = {"text": doc.text, "label": [[sp.start, sp.end, sp.label] for sp in record.spans], **_head(doc)}
        self._line(doc, line, doc.meta)
        return len(record.spans)

    def _line(self, doc: Document, record: dict[str, Any], meta: dict[str, Any]) -> None:
        """Writes a record with the article's answer (doccano keeps unknown fields) and meta."""
        if doc.answer is not Answer.PENDING:
            record["answer"] = doc.answer.value
        if meta:
            record["meta"] = meta
        self.fh.write(json.dumps(record, ensure_ascii=False, allow_nan=False))
        self.fh.write("\n")


class DoccanoRelationsWriter(DoccanoWriter):
    name, suffix = "doccano-relations", ".jsonl"
    description = "doccano relation JSONL: text, entities (id, start_offset, end_offset, label), relations"
    holds_links = True

    def write(self, record: Record, tokens: bytes) -> int:
        doc = record.document
        meta = dict(doc.meta)
        meta.pop("doccano_relations", None)  # kept there by earlier versions; now they are links
        meta.pop("doccano_entity_ids", None)
        entities = [{"id": i, "start_offset": sp.start, "end_offset": sp.end, "label": sp.label}
                    for i, sp in enumerate(record.spans, start=1)]
        relations = [{"id": n, "from_id": lk.event + 1, "to_id": lk.argument + 1, "type": lk.role}
                     for n, lk in enumerate(record.links, start=1)]
        line: dict[str, Any] = {"text": doc.text, "entities": entities, "relations": relations, **_head(doc)}
        self._line(doc, line, meta)
        return len(record.spans)


class LabelStudioWriter(TextWriter):
    """A JSON array of tasks. An answered article's accepted spans are its annotation (a skipped or rejected
    one is a cancelled annotation); suggestions are predictions. A labelling config for the project's labels is
    written beside it (`<name>.label_config.xml`) so that Label Studio shows the same labels and colours."""

    name, suffix = "label-studio", ".json"
    description = "Label Studio JSON: an array of tasks with annotations and predictions"
    holds_links = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fh.write("[")
        self.first = True

    @staticmethod
    def _result(record: Record) -> list[dict[str, Any]]:
        doc_id, text = record.document.id, record.document.text
        result: list[dict[str, Any]] = [
            {"id": f"s{doc_id}-{i}", "from_name": "label", "to_name": "text", "type": "labels",
             "origin": "manual", "value": {"start": sp.start, "end": sp.end, "text": text[sp.start:sp.end],
                                           "labels": [sp.label]}}
            for i, sp in enumerate(record.spans)]
        result += [{"from_id": f"s{doc_id}-{lk.event}", "to_id": f"s{doc_id}-{lk.argument}", "type": "relation",
                    "direction": "right", "labels": [lk.role]} for lk in record.links]
        return result

    def write(self, record: Record, tokens: bytes) -> int:
        doc = record.document
        data: dict[str, Any] = {"text": doc.text}
        if doc.title:
            data["title"] = doc.title
        if doc.external_id is not None:
            data["external_id"] = doc.external_id
        task: dict[str, Any] = {"id": doc.id, "data": data}
        if doc.meta:
            task["meta"] = doc.meta
        if doc.answer is not Answer.PENDING:
            # an answered article carries its accepted spans (store.exports.iter_for_export): the annotation
            annotation: dict[str, Any] = {"result": self._result(record),
                                          "was_cancelled": doc.answer is not Answer.ACCEPT}
            if doc.answer is Answer.REJECT:
                annotation["annotator_answer"] = "reject"
            if doc.answered_by:
                annotation["completed_by"] = {"email": doc.answered_by}
            if doc.answered_at:
                annotation["created_at"] = doc.answered_at
            task["annotations"] = [annotation]
        else:
            # not answered yet: everything the article holds is a suggestion for Label Studio
            task["annotations"] = []
            if record.spans:
                task["predictions"] = [{"model_version": "annotator", "result": self._result(record)}]
        self.fh.write(("\n" if self.first else ",\n") + json.dumps(task, ensure_ascii=False, allow_nan=False))
        self.first = False
        return len(record.spans)

    def close(self) -> None:
        self.fh.write("\n]\n")
        super().close()

    extra_suffixes = (".label_config.xml",)

    def extras(self) -> dict[str, str]:
        return {".label_config.xml": self.label_config()}

    def label_config(self) -> str:
        from xml.sax.saxutils import quoteattr  # only here: 20 ms at every start of the command line

        labels = "\n".join(f"    <Label value={quoteattr(lb.name)} background={quoteattr(lb.colour)}/>"
                           for lb in self.scheme.labels)
        roles = sorted({r.name for lb in self.scheme.labels for r in lb.roles})
        relations = "".join(f"    <Relation value={quoteattr(r)}/>\n" for r in roles)
        return (f'<View>\n  <Labels name="label" toName="text">\n{labels}\n  </Labels>\n'
                + (f"  <Relations>\n{relations}  </Relations>\n" if roles else "")
                + '  <Text name="text" value="$text"/>\n</View>\n')


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
BRAT_MARK = "# made by annotator"  # the first line of our annotation.conf: the folder may be replaced


class BratWriter(Writer):
    """A folder of `.txt`/`.ann` pairs (one per article, named by its id in the source where it has one),
    with `annotation.conf` and `visual.conf` made from the scheme. Spans are `T` lines; a span that runs over
    a line break is written in fragments, as brat requires."""

    name, suffix = "brat", ""
    description = "brat standoff: a folder of .txt/.ann pairs with annotation.conf and visual.conf"
    holds_links = True
    folder = True
    holds_answers = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path.mkdir(parents=True, exist_ok=True)
        self.names: set[str] = set()

    def _name(self, doc: Document) -> str:
        ext = str(doc.external_id) if doc.external_id is not None else ""
        if ext.lower().endswith((".txt", ".text")):
            ext = ext.rsplit(".", 1)[0]
        base = _SAFE.sub("_", ext)[:80].strip("._")
        if base.split(".")[0].upper() in _RESERVED:  # names Windows cannot create
            base = f"_{base}"
        base = base or f"doc-{doc.id:06d}"
        # unique whatever the file system's case rules: ids "A" and "a" on macOS and Windows name one file
        name, n = base, 1
        while name.lower() in self.names:
            name = f"{base}-{doc.id}" + (f"-{n}" if n > 1 else "")
            n += 1
        self.names.add(name.lower())
        return name

    def write(self, record: Record, tokens: bytes) -> int:
        name = self._name(record.document)
        text = record.document.text
        lines = []
        for i, sp in enumerate(record.spans, start=1):
            s = sp.start
            fragments = [(s + m.start(), s + m.end()) for m in re.finditer(r"[^\n]+", text[s:sp.end])]
            offsets = ";".join(f"{a} {b}" for a, b in fragments)
            shown = " ".join(text[a:b] for a, b in fragments)
            lines.append(f"T{i}\t{sp.label} {offsets}\t{shown}\n")
        lines += self._events(record)
        (self.path / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
        (self.path / f"{name}.ann").write_text("".join(lines), encoding="utf-8", newline="")
        return len(record.spans)

    def _events(self, record: Record) -> list[str]:
        """An `E` line for each event span (its trigger is its `T` line) with its arguments by role; a role's
        second filler is numbered (`target2`), as brat writes them."""
        lines = []
        by_event: dict[int, list[tuple[str, int]]] = {}
        for lk in record.links:
            by_event.setdefault(lk.event, []).append((lk.role, lk.argument))
        number = 0
        for i, sp in enumerate(record.spans):
            lb = sp.label
            label = self.scheme.get(lb)
            mine = by_event.get(i, [])
            if not mine and (label is None or label.kind != "event"):
                continue
            number += 1
            seen: Counter[str] = Counter()
            args = []
            for role, a in mine:
                seen[role] += 1
                args.append(f" {role}{seen[role] if seen[role] > 1 else ''}:T{a + 1}")
            lines.append(f"E{number}\t{lb}:T{i + 1}{''.join(args)}\n")
        return lines

    def close(self) -> None:
        events = [lb for lb in self.scheme.labels if lb.kind == "event"]
        entities = [lb.name for lb in self.scheme.labels if lb.kind != "event"]
        declared = []
        for lb in events:  # brat's syntax: role*:LABEL|LABEL (any number of fillers, each of these labels)
            roles = ", ".join(f"{r.name}*:{'|'.join(r.fillers)}" for r in lb.roles)
            declared.append(f"{lb.name}\t{roles}" if roles else lb.name)
        (self.path / "annotation.conf").write_text(
            f"{BRAT_MARK} from the label scheme '{self.scheme.name}'\n[entities]\n" +
            "\n".join(entities) + "\n\n[relations]\n\n[events]\n" + "\n".join(declared) +
            "\n\n[attributes]\n", encoding="utf-8")
        drawing = "\n".join(f"{lb.name}\tbgColor:{lb.colour}" for lb in self.scheme.labels)
        (self.path / "visual.conf").write_text(
            "[labels]\n" + "\n".join(f"{lb.name} | {lb.name}" for lb in self.scheme.labels) +
            "\n\n[drawing]\n" + drawing + "\n", encoding="utf-8")


DOCSTART = "-DOCSTART- -X- O O"  # what spaCy's converter and CoNLL-2003 readers split documents on


def iob_tags(n_tokens: int, starts: Sequence[int], ends: Sequence[int],
             spans: Sequence[Span]) -> tuple[list[str], Counter[str]]:
    """IOB2 tags for the tokens, and the spans that could not be tagged, by reason. A token holds one tag, so
    of overlapping spans the longest is kept (then the earliest)."""
    index = TokenIndex.from_bounds(starts, ends)
    dropped: Counter[str] = Counter()
    aligned = []
    for sp in spans:
        found = index.token_range(sp.start, sp.end)
        if found is None:
            dropped["does not line up with the tokens"] += 1
        else:
            aligned.append((*found, sp.label))
    tags = ["O"] * n_tokens
    for a, b, lb in sorted(aligned, key=lambda x: (-(x[1] - x[0]), x[0])):
        if any(t != "O" for t in tags[a : b + 1]):
            dropped["overlaps a span kept instead (IOB2 gives a token one tag; the longest is kept)"] += 1
            continue
        tags[a] = f"B-{lb}"
        for k in range(a + 1, b + 1):
            tags[k] = f"I-{lb}"
    return tags, dropped


class ConllWriter(TextWriter):
    """CoNLL IOB2: a token and its tag per line (tab between), a blank line between sentences, a
    `-DOCSTART- -X- O O` line before each article. Whitespace tokens (paragraph breaks) are not written. The
    tokenizer is named in `<name>.tokenizer.txt` beside the file (a comment line would break spaCy's reader)."""

    name, suffix = "conll", ".conll"
    description = "CoNLL IOB2: token TAB tag, blank line between sentences, -DOCSTART- between articles"
    holds_answers = False

    def write(self, record: Record, tokens: bytes) -> int:
        text = record.document.text
        starts, ends, _ = token_columns(tokens)
        tags, dropped = iob_tags(len(starts), starts, ends, record.spans)
        self.dropped_spans.update(dropped)
        sent_start = self.sentences(text, starts, ends) if self.sentences else [False] * len(starts)
        out = [DOCSTART, "\n\n"]
        written = False  # a token since the last break
        brk = False  # a sentence ends before the next token written (never inside a span)
        for i, (s, e) in enumerate(zip(starts, ends)):
            word = text[s:e]
            if sent_start[i] and written and not tags[i].startswith("I-"):
                brk = True
            if not word.strip():
                continue
            if brk:
                out.append("\n")
                brk = written = False
            out.append(f"{_WHITESPACE.sub('_', word)}\t{tags[i]}\n")
            written = True
        self.fh.write(("\n" if self.documents else "") + "".join(out))
        return len(record.spans) - sum(dropped.values())

    extra_suffixes = (".tokenizer.txt",)

    def extras(self) -> dict[str, str]:
        return {".tokenizer.txt": f"The tokens of this CoNLL file were made by: {self.tokenizer_name}\n"}


class EventsWriter(TextWriter):
    name, suffix = "events", ".jsonl"
    description = "events JSONL: text, events (trigger and arguments by role), free spans, answer"
    holds_links = True

    def write(self, record: Record, tokens: bytes) -> int:
        event_labels = {lb.name for lb in self.scheme.labels if lb.kind == "event"}
        self.fh.write(events_line(record, event_labels))
        self.fh.write("\n")
        return len(record.spans)


_WHITESPACE = re.compile(r"\s")

WRITERS: dict[str, type[Writer]] = {w.name: w for w in (
    ProdigyWriter, DoccanoWriter, DoccanoRelationsWriter, LabelStudioWriter, BratWriter, ConllWriter, EventsWriter)}


def register_writer(writer: type[Writer]) -> type[Writer]:
    """Adds a writer kept in a module of its own (annotator.formats.docbin) to `WRITERS`."""
    WRITERS[writer.name] = writer
    return writer
