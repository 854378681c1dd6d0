"""Import: read files in any supported format, check every record, store the good ones in batches.

A bad record never stops the import: it is reported with its file, line and reason, and the rest goes in.
With `strict`, the whole import is one transaction that is rolled back if anything was rejected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.edits import AddDocuments, apply
from annotator.core.errors import AnnotatorError, InputError
from annotator.core.labels import Label, LabelScheme, label_problem, role_problem
from annotator.core.model import Answer, Record, Span, SpanState, Token
from annotator.core.spans import TokenIndex, check_span, dedupe_spans
from annotator.formats import READERS, ReadOptions, detect
from annotator.formats.text import TEXT_SUFFIXES
from annotator.store import Store

KNOWN_SUFFIXES = {".txt", ".text", ".jsonl", ".json", ".ndjson", ".csv", ".tsv", ".spacy", ".conll", ".iob",
                  ".iob2", ".bio"}


PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#008080",
           "#9a6324", "#800000", "#808000", "#000075", "#808080"]


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    spans: int = 0
    links: int = 0
    files: int = 0
    errors: list[InputError] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)
    new_roles: list[str] = field(default_factory=list)
    rolled_back: bool = False
    snapped: int = 0
    trimmed: int = 0
    kept_aside: Counter[str] = field(default_factory=Counter)  # what records kept in meta, not as annotations

    @property
    def ok(self) -> bool:
        return self.rejected == 0


class _StrictAbort(Exception):
    pass


def _expand(paths: Sequence[Path], fmt: str | None,
            is_project: Callable[[Path], bool]) -> Iterator[tuple[Path, str] | InputError]:
    """(file or folder, format) pairs to read. A folder's text files are read together by the text reader; its
    other files by their own format (named, or detected from files with a known ending). The project database
    itself is never read as input (reading it outside SQLite would drop this process's locks on it)."""
    for path in paths:
        if not path.exists():
            yield InputError("no such file or folder", str(path))
            continue
        if is_project(path):
            yield InputError("is the project database itself (or one of SQLite's files beside it), not an "
                             "input file", str(path))
            continue
        if not path.is_dir() and not path.is_file():
            yield InputError("not a regular file or folder (a pipe, device or socket): give a file", str(path))
            continue
        if not path.is_dir():
            if fmt is not None:
                yield path, fmt
                continue
            try:
                yield path, detect(path)
            except InputError as exc:
                yield exc
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                       and not is_project(p))
        # a pipe, device or socket among the articles is named, never read (a pipe would wait forever)
        for p in sorted(path.rglob("*")):
            if not p.name.startswith(".") and not p.is_dir() and not p.is_file() and \
                    (fmt is not None or p.suffix.lower() in KNOWN_SUFFIXES):
                yield InputError("not a regular file (a pipe, device or socket); skipped", str(p))
        if fmt == "brat" or (fmt is None and any(p.suffix == ".ann" for p in files)):
            yield path, "brat"  # .txt/.ann pairs, read together
            continue
        if fmt in (None, "text"):  # the text files together, then each other file by the format it shows
            texts = [p for p in files if p.suffix.lower() in TEXT_SUFFIXES]
            others = [p for p in files if p.suffix.lower() in KNOWN_SUFFIXES - TEXT_SUFFIXES] if fmt is None else []
            if not texts and not others:
                yield InputError("the folder holds no articles (.txt, .jsonl, .json, .csv or .tsv files)",
                                 str(path))
                continue
            if texts:
                yield path, "text"
        else:  # the files of the format named, by their endings (import_paths refuses a format without a reader)
            endings = READERS[fmt].extensions
            named = [p for p in files if p.suffix.lower() in endings]
            if not named:
                yield InputError(f"the folder holds no {fmt} files ({', '.join(sorted(endings))})", str(path))
            yield from ((p, fmt) for p in named)
            continue
        for p in others:
            try:
                yield p, detect(p)
            except InputError as exc:
                yield exc


class Checker:
    """Checks one record against the project: labels, offsets, token boundaries, links and their roles. With
    `add_labels`, a record's unknown labels and roles are added to `scheme` instead (a label that triggers an
    event becomes an event label, the others argument labels, and each role is allowed for the labels that
    fill it); `changed` says the project's scheme must be written."""

    def __init__(self, scheme: LabelScheme, tokenizer: Callable[[str], list[Token]] | None,
                 add_labels: bool, answer: Answer | None, snap: bool = False) -> None:
        self.scheme = scheme
        self.tokenizer = tokenizer
        self.add_labels = add_labels
        self.answer = answer
        self.snap = snap
        self.new_labels: list[str] = []
        self.new_roles: list[str] = []
        self.changed = False
        self.snapped = 0
        self.trimmed = 0
        self.kept_aside: Counter[str] = Counter()

    def check(self, rec: Record) -> InputError | None:
        doc = rec.document
        if self.answer is not None:
            doc.answer = self.answer
            if self.answer is Answer.ACCEPT:
                for sp in rec.spans:
                    sp.state = SpanState.ACCEPTED
                for link in rec.links:
                    link.state = SpanState.ACCEPTED
        if not rec.spans:
            self._note_kept_aside(rec)
            return None
        # every bad span of the record is named, not only the first
        reasons = []
        usable = []
        trimmed = snapped = 0  # counted once the record is taken
        for sp in rec.spans:
            reason = check_span(sp, doc.text, None, None)
            if reason:
                reasons.append(reason)
                continue
            trimmed += _trim(sp, doc.text)
            if sp.start >= sp.end:
                reasons.append(f"span {sp.start}..{sp.end} ({sp.label}) holds only whitespace")
                continue
            usable.append(sp)
        if doc.tokens is None and self.tokenizer is not None:
            doc.tokens = self.tokenizer(doc.text)
        cuts = False
        if doc.tokens is not None:
            index = TokenIndex(doc.tokens)
            for sp in usable:
                if index.token_range(sp.start, sp.end) is not None:
                    continue
                widened = index.snap(sp.start, sp.end) if self.snap else None
                if widened is None:
                    reasons.append(f"span {sp.start}..{sp.end} {doc.text[sp.start:sp.end]!r} ({sp.label}) cuts "
                                   f"through a token")
                    cuts = True
                    continue
                sp.start, sp.end = widened
                snapped += 1
        if reasons:
            hint = " (import with --snap-to-tokens to widen it)" if cuts and not self.snap else ""
            return rec.error("; ".join(reasons) + hint)
        bad = sorted({problem for sp in rec.spans if (problem := label_problem(sp.label))})
        if bad:
            return rec.error("; ".join(bad))
        unknown = sorted({sp.label for sp in rec.spans} - self.scheme.names)
        if unknown and not self.add_labels:
            return rec.error(
                f"unknown label{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                f"(not in the project's scheme; import with --add-labels to add them)")
        learnt = self._learn(rec, unknown)
        if isinstance(learnt, InputError):
            return learnt
        scheme, roles = learnt
        ends = [(rec.spans[lk.event], rec.spans[lk.argument]) for lk in rec.links]
        rec.spans = dedupe_spans(rec.spans)
        if rec.links:  # links name spans by position: find them again after repeats were dropped
            position = {}
            for i, sp in enumerate(rec.spans):
                position.setdefault(sp.key, i)
            for lk, (event, argument) in zip(rec.links, ends):
                lk.event, lk.argument = position[event.key], position[argument.key]
        if scheme is not self.scheme:
            self.new_labels.extend(unknown)
            self.new_roles.extend(roles)
            self.scheme = scheme
            self.changed = True
        self.trimmed += trimmed
        self.snapped += snapped
        self._note_kept_aside(rec)
        return None

    def _note_kept_aside(self, rec: Record) -> None:
        """Counts what a taken record keeps in its meta rather than as spans or links, to say so."""
        results = rec.document.meta.get("label_studio_results") if isinstance(rec.document.meta, dict) else None
        if isinstance(results, list):
            n = sum(1 for r in results if isinstance(r, dict) and r.get("type") == "relation")
            if n:
                self.kept_aside["Label Studio relation(s) without a label: kept in each article's meta "
                                "(label_studio_results), not made links"] += n

    def _learn(self, rec: Record, unknown: list[str]) -> tuple[LabelScheme, list[str]] | InputError:
        """The scheme with what this record adds (the same scheme when it adds nothing) and the roles it added,
        or why its links cannot be taken."""
        scheme = self.scheme
        roles: list[str] = []
        triggers = {rec.spans[lk.event].label for lk in rec.links if 0 <= lk.event < len(rec.spans)}
        # a label this import added as an argument label, seen triggering an event now, becomes an event label
        promote = {name for name in triggers if name in self.new_labels and scheme.get(name).kind != "event"} \
            if self.add_labels else set()
        if unknown or promote:
            labels = [replace(lb, kind="event") if lb.name in promote else lb for lb in scheme.labels]
            for name in unknown:
                kind = "event" if name in triggers else "argument"
                labels.append(Label(name, kind, PALETTE[len(labels) % len(PALETTE)], "", "added on import"))
            scheme = LabelScheme(scheme.name, labels, scheme.description, dict(scheme.entity_map),
                                 scheme.guidelines, scheme.rule_link_roles)
        for i, lk in enumerate(rec.links):
            if not (0 <= lk.event < len(rec.spans) and 0 <= lk.argument < len(rec.spans)):
                return rec.error(f"link {i + 1} names a span the record does not have")
            event, argument = rec.spans[lk.event].label, rec.spans[lk.argument].label
            if lk.event == lk.argument or rec.spans[lk.event].key == rec.spans[lk.argument].key:
                sp = rec.spans[lk.event]
                return rec.error(f"link {i + 1} ({event} {lk.role}) links the span {sp.start}..{sp.end} "
                                 f"{rec.document.text[sp.start:sp.end]!r} to itself; a span cannot be an argument "
                                 "of its own event")
            bad_name = role_problem(lk.role)
            problem = bad_name or scheme.link_problem(event, lk.role, argument)
            if problem is None:
                continue
            is_event = scheme.get(event) is not None and scheme.get(event).kind == "event"
            if self.add_labels and not bad_name and is_event:  # learnt: the role is allowed for that pair
                scheme = scheme.with_link(event, lk.role, argument)
                roles.append(f"{event} {lk.role} ({argument})")
                continue
            if self.add_labels and not bad_name:
                problem = f"{event} is an argument label in this project, so it cannot trigger an event (its " \
                          f"{lk.role} link)"
            hint = " (import with --add-labels to add the role)" if not (self.add_labels or bad_name) and is_event \
                else ""
            return rec.error(f"link {i + 1} ({event} {lk.role} {argument}): {problem}{hint}")
        return scheme, roles


def _trim(span: Span, text: str) -> int:
    """Narrows a span that starts or ends on whitespace (a selection that took the space before a name, as Label
    Studio lets an editor make) to its words, as Label Studio's own converter does; 1 if it did."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if (start, end) == (span.start, span.end):
        return 0
    span.start, span.end = start, end
    return 1


def read_all(paths: Sequence[Path], fmt: str | None, options: ReadOptions,
             report: ImportReport) -> Iterator[Record | InputError]:
    for item in _expand(paths, fmt, options.skip):
        if isinstance(item, InputError):
            yield item
            continue
        path, name = item
        reader = READERS.get(name)
        if reader is None:
            yield InputError(f"unknown format {name!r} (known: {', '.join(sorted(READERS))})", str(path))
            continue
        report.files += 1
        empty = True
        for rec in reader.read(path, options):
            empty = False
            yield rec
        if empty and path.is_file():
            yield InputError("the file is empty (no records)", str(path))


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    fmt: str | None = None,
    options: ReadOptions | None = None,
    *,
    strict: bool = False,
    add_labels: bool = False,
    answer: Answer | None = None,
    snap_to_tokens: bool = False,
    who: str | None = None,
    tokenizer: Callable[[str], list[Token]] | None = None,
    batch_size: int = 500,
    on_error: Callable[[InputError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    max_errors_kept: int = 1000,
) -> ImportReport:
    """Imports files into the store; see the module's docstring. `tokenizer` splits texts whose spans must be
    checked against token boundaries (spaCy's, from `annotator.nlp`); records that bring tokens use theirs."""
    if fmt is not None and fmt not in READERS:
        raise AnnotatorError(f"unknown format {fmt!r} (known: {', '.join(sorted(READERS))})")
    options = replace(options or ReadOptions(), skip=store.owns)
    report = ImportReport()
    checker = Checker(store.scheme, tokenizer, add_labels, answer, snap_to_tokens)
    stream = read_all([Path(p) for p in paths], fmt, options, report)

    def flush(batch: list[Record]) -> None:
        if checker.changed:
            _write_scheme(store, checker, report)
        res = apply(store, AddDocuments(tuple(batch)), who).result
        report.added += res.added
        report.duplicates += res.duplicates
        report.spans += res.spans
        report.links += res.links
        if on_progress:
            on_progress(len(batch))

    def run() -> None:
        batch: list[Record] = []
        for item in stream:
            error = item if isinstance(item, InputError) else checker.check(item)
            if error is not None:
                report.rejected += 1
                if len(report.errors) < max_errors_kept:
                    report.errors.append(error)
                if on_error:
                    on_error(error)
                continue
            assert isinstance(item, Record)
            batch.append(item)
            if len(batch) >= batch_size:
                flush(batch)
                batch = []
        if batch:
            flush(batch)

    if strict:
        try:
            with store.write():
                run()
                if report.rejected:
                    raise _StrictAbort()
        except _StrictAbort:
            report.rolled_back = True
            report.added = report.duplicates = report.spans = report.links = 0
            report.new_labels = []
            report.new_roles = []
    else:
        run()
    report.snapped = checker.snapped
    report.trimmed = checker.trimmed
    report.kept_aside = checker.kept_aside
    return report


def _write_scheme(store: Store, checker: Checker, report: ImportReport) -> None:
    """Writes the labels and roles an import learned (--add-labels) to the project."""
    store.set_scheme(checker.scheme)
    report.new_labels.extend(checker.new_labels)
    report.new_roles.extend(checker.new_roles)
    checker.new_labels.clear()
    checker.new_roles.clear()
    checker.changed = False
