"""Export: the project's annotations as training data, in the format a trainer or another tool reads.

Every format is written to a temporary name beside the target and renamed at the end, so a failed export
never leaves half a file (or half a folder). With `split`, articles are divided into train and dev files that
never share one: each article's side comes from a hash of the seed and its own text, so the same seed gives
the same split and an article keeps its side when others are added. What a format cannot hold is counted, with
the reason, in the report."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from annotator.core.errors import ExportError
from annotator.core.formats import EFFORT_FORMAT, EXPORT_FORMATS
from annotator.core.model import Token
from annotator.core.tokens import pack_tokens
from annotator.formats import WRITERS
from annotator.formats.writers import BRAT_MARK, Writer
from annotator.store import Store
from annotator.workflows.files import check_replaceable, replace

DEFAULT_FOLDER = Path("exports")


@dataclass
class ExportReport:
    path: Path
    documents: int = 0
    spans: int = 0
    paths: list[Path] = field(default_factory=list)
    split: dict[str, int] = field(default_factory=dict)  # documents written per part (train, dev)
    dropped_spans: Counter[str] = field(default_factory=Counter)
    links: int = 0
    dropped_links: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)  # "article(s) answered reject (...)" -> how many
    notes: list[str] = field(default_factory=list)
    effort: bool = False  # the editors' work, not annotations: `documents` counts (article, editor) records

    def lines(self) -> list[str]:
        """What the user is told: what was written, and everything left out, with the reason."""
        if self.effort:
            return [f"wrote {self.documents} record(s) of the editors' work (one per article and editor: active "
                    f"time, actions by kind, answer, flag) to {self.path}"]
        out = []
        parts = f" ({', '.join(f'{k} {v}' for k, v in self.split.items())})" if self.split else ""
        where = ", ".join(str(p) for p in self.paths) or str(self.path)
        links = f" and {self.links} link(s)" if self.links else ""
        out.append(f"wrote {self.documents} document(s){parts} with {self.spans} span(s){links} to {where}")
        for reason, n in sorted(self.dropped_spans.items()):
            out.append(f"left out {n} span(s): {reason}")
        for reason, n in sorted(self.dropped_links.items()):
            out.append(f"left out {n} link(s): {reason}")
        for reason, n in sorted(self.left_out.items()):
            out.append(f"left out {n} {reason}")
        out += self.notes
        return out


def writer_class(fmt: str) -> type[Writer]:
    try:
        return WRITERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})") from None


def default_output(store: Store, fmt: str = "prodigy") -> Path:
    """exports/<project><suffix of the format>, or exports/<project>-<format>/ for a folder format. Formats that
    share an ending with the default one (JSONL) name themselves: exports/<project>.<format>.jsonl, so that two
    exports in turn never write the same file."""
    cls = writer_class(fmt)
    shared = fmt != "prodigy" and cls.suffix == writer_class("prodigy").suffix
    return DEFAULT_FOLDER / (store.path.stem + (f"-{fmt}" if cls.folder else "") + (f".{fmt}" if shared else "")
                             + cls.suffix)


def tokenizer_name() -> str:
    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:  # pragma: no cover
        spacy_version = "?"
    return (f'spaCy {spacy_version}, the English rules of spacy.blank("en") (articles imported with their '
            f"own tokens, e.g. from Prodigy or CoNLL, keep those)")


def split_ids(keys: list[tuple[int, str, str]], fraction: float, seed: int) -> set[int]:
    """The ids of the train part: each article goes by its own hash of the seed and its text (below
    `fraction` of the hash range: train), so it keeps its side whatever other articles are added or removed.
    With two or more articles, both parts hold at least one."""
    def position(key: tuple[int, str, str]) -> float:
        digest = hashlib.sha256(f"{seed}:{key[1]}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    placed = sorted((position(k), k[0]) for k in keys)
    train = {doc_id for p, doc_id in placed if p < fraction}
    if len(placed) >= 2 and not train:
        train = {placed[0][1]}
    if len(placed) >= 2 and len(train) == len(placed):
        train.discard(placed[-1][1])
    return train


def part_path(output: Path, part: str, suffix: str) -> Path:
    """exports/news.spacy -> exports/news.train.spacy (a folder: exports/news -> exports/news.train)."""
    if suffix and output.name.endswith(suffix):
        return output.with_name(output.name[: -len(suffix)] + f".{part}{suffix}")
    return output.with_name(output.name + f".{part}")


def _earlier_export(folder: Path) -> bool:
    conf = folder / "annotation.conf"
    try:
        return conf.read_text(encoding="utf-8").startswith(BRAT_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # pragma: no cover - Windows: os.kill would end the process; judged by age instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_leftovers(output: Path, max_age_s: float = 24 * 3600, unnamed_age_s: float = 3600) -> int:
    """Removes the temporary files and folders that earlier exports to `output` left when they were killed:
    `.NAME.PID.*.part` and `.NAME.old-PID` of processes that are gone (or, where that cannot be told, older
    than a day), and `.NAME.*.part` without a process id (written by earlier versions) an hour old. Returns
    how many were removed."""
    removed = 0
    # in one order everywhere; a folder that cannot be listed (missing, unreadable, a file) gives none
    for path in sorted(output.parent.glob(f".{glob.escape(output.name)}.*")):
        rest = path.name[len(output.name) + 2 :]
        if rest.endswith(".part"):
            first = rest.partition(".")[0]
            pid = int(first) if first.isdigit() and rest.count(".") >= 2 else None
        elif rest.startswith("old-") and rest[4:].isdigit():
            pid = int(rest[4:])
        else:
            continue
        try:
            age = time.time() - path.lstat().st_mtime
        except OSError:
            continue
        if pid is None:
            if age < unnamed_age_s:
                continue
        elif _alive(pid) and age < max_age_s:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed += 1
    return removed


def _temporary(output: Path, folder: bool) -> Path:
    """A new file or folder beside `output`, with the permissions a plain file or folder would get there
    (mkstemp's are private). Its name holds this process's id, so that a later export can tell a leftover."""
    output.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(output)
    prefix = f".{output.name}.{os.getpid()}."
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=output.parent))
        tmp.chmod(0o777 & ~_umask())
        return tmp
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=output.parent)
    os.close(fd)
    Path(name).chmod(0o666 & ~_umask())
    return Path(name)


def export(
    store: Store,
    output: str | Path | None = None,
    *,
    fmt: str = "prodigy",
    include_pending: bool = False,
    labels: Iterable[str] | None = None,
    tokenizer: Callable[[str], list[Token]],
    sentences: Callable | None = None,
    split: float | None = None,
    seed: int = 0,
    on_progress: Callable[[int], None] | None = None,
    editor: str | None = None,
    overwrite: bool = True,
) -> ExportReport:
    """Writes the project in format `fmt`; `tokenizer` tokenizes the documents that have no stored tokens
    yet, `sentences` splits sentences (CoNLL; annotator.formats.docbin.sentence_starts). With `editor`, that
    editor's layer of a team's project instead of the project's own annotations (its gold layer). An existing
    output is replaced only with `overwrite` (the command line's --force, the window's dialog), and never when it
    is not a regular file or is an SQLite database. Format "effort": the editors' work per article instead
    (annotator.store.effort), JSONL."""
    if fmt == EFFORT_FORMAT:
        if split is not None or labels or editor is not None or include_pending:
            raise ExportError("the effort export holds every editor's record of every article: --split, --labels, "
                              "--editor and --include-pending do not apply to it")
        return _export_effort(store, Path(output) if output is not None else
                              DEFAULT_FOLDER / f"{store.path.stem}.effort.jsonl", overwrite)
    cls = writer_class(fmt)
    target = Path(output) if output is not None else default_output(store, fmt=fmt)
    outputs = [target] if split is None else [part_path(target, p, cls.suffix) for p in ("train", "dev")]
    for path in outputs:
        for extra in ["", *cls.extra_suffixes]:
            if store.owns(f"{path}{extra}"):
                raise ExportError(f"{path}{extra}: is the project database itself (or one of SQLite's files "
                                  f"beside it); choose another output name")
    for path in outputs:
        check_replaceable(path, overwrite, cls.folder or False)
        for extra in cls.extra_suffixes:
            check_replaceable(Path(f"{path}{extra}"), overwrite)
    for path in ([target] if split is None else [part_path(target, p, cls.suffix) for p in ("train", "dev")]):
        if cls.folder and path.is_dir() and any(path.iterdir()) and not _earlier_export(path):
            raise ExportError(f"{path}: the folder holds other files; an export replaces its folder whole, so "
                              f"give a new or empty folder (or one an earlier {fmt} export wrote)")
    label_list = list(labels) if labels else None
    if label_list:
        unknown = set(label_list) - store.scheme.names
        if unknown:
            raise ExportError(f"unknown label(s) {', '.join(sorted(unknown))}; the project has "
                              f"{', '.join(sorted(store.scheme.names))}")
    if editor is not None and editor not in store.team.editors():
        raise ExportError(f"--editor: nobody called {editor!r} has work in {store.path} (its editors: "
                          f"{', '.join(store.team.editors()) or 'none; merge their files first'})")
    if split is not None and not 0 < split < 1:
        raise ExportError(f"--split must be between 0 and 1 (the train part), got {split}")
    if split is not None:
        keys = store.exports.export_keys(include_pending) if editor is None else \
            store.exports.layer_keys(editor, include_pending)
        if not cls.holds_answers:  # split what will be written: the rejected and skipped articles are not
            keys = [k for k in keys if k[2] in ("accept", "pending")]
        train_ids = split_ids(keys, split, seed)
        parts = {"train": part_path(target, "train", cls.suffix), "dev": part_path(target, "dev", cls.suffix)}
    else:
        train_ids = set()
        parts = {"all": target}
    if fmt == "conll" and sentences is None:
        from annotator.formats.docbin import sentence_starts as sentences
    report = ExportReport(path=target)
    temps: dict[str, Path] = {}
    writers: dict[str, Writer] = {}
    try:
        for name, path in parts.items():
            temps[name] = _temporary(path, cls.folder)
            writers[name] = cls(temps[name], store.scheme, tokenizer_name(), sentences)
        n = 0
        records = store.exports.iter_for_export(include_pending, label_list) if editor is None else \
            store.exports.iter_layer(editor, label_list, include_pending=include_pending)
        for record, stored in records:
            doc = record.document
            tokens = stored or pack_tokens(tokenizer(doc.text))
            part = "all" if split is None else ("train" if doc.id in train_ids else "dev")
            writers[part].add(record, tokens)
            n += 1
            if on_progress and n % 500 == 0:
                on_progress(500)
        if on_progress and n % 500:
            on_progress(n % 500)  # the progress bar ends at the number written
        for w in writers.values():
            w.close()
        extras = []
        for name, path in parts.items():
            replace(temps[name], path)
            for extra_suffix, content in writers[name].extras().items():
                extra = path.with_name(path.name + extra_suffix)
                extra_tmp = _temporary(extra, folder=False)
                extra_tmp.write_text(content, encoding="utf-8")
                replace(extra_tmp, extra)
                extras.append(extra)
            report.paths.append(path)
            w = writers[name]
            report.documents += w.documents
            report.spans += w.spans
            report.links += w.links
            report.dropped_spans.update(w.dropped_spans)
            report.dropped_links.update(w.dropped_links)
            report.left_out.update(w.left_out)
            report.notes += w.notes
            if split is not None:
                report.split[name] = w.documents
        report.paths += extras
    except BaseException as exc:
        for w in writers.values():
            fh = getattr(w, "fh", None)
            if fh is not None:
                fh.close()
        for tmp in temps.values():
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
    return report


def _export_effort(store: Store, target: Path, overwrite: bool) -> ExportReport:
    """Every editor's record of every article they worked on, one JSON object a line, written whole or not at
    all."""
    if store.owns(target):
        raise ExportError(f"{target}: is the project database itself (or one of SQLite's files beside it); choose "
                          "another output name")
    check_replaceable(target, overwrite, False)
    report = ExportReport(path=target, effort=True)
    tmp = _temporary(target, folder=False)
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for row in store.effort.rows():
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                report.documents += 1
        replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
    report.paths.append(target)
    return report
