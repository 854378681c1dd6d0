"""Export: the project's annotations as training data. Written to a temporary file beside the target and
renamed at the end, so a failed export never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from annotator.core.errors import ExportError
from annotator.core.model import Token
from annotator.formats.prodigy import export_line
from annotator.core.tokens import pack_tokens
from annotator.store import Store

DEFAULT_FOLDER = Path("exports")


@dataclass
class ExportReport:
    path: Path
    documents: int = 0
    spans: int = 0


def default_output(store: Store, suffix: str = ".jsonl") -> Path:
    return DEFAULT_FOLDER / (store.path.stem + suffix)


def atomic_writer(output: Path):
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n"), Path(tmp)


def export_prodigy(
    store: Store,
    output: str | Path,
    *,
    include_pending: bool = False,
    labels: Iterable[str] | None = None,
    tokenizer: Callable[[str], list[Token]],
    on_progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Writes Prodigy JSONL. `tokenizer` tokenizes the documents that have no stored tokens yet."""
    output = Path(output)
    if output.is_dir():
        raise ExportError(f"{output}: is a folder; give a file name")
    if labels:
        unknown = set(labels) - store.scheme.names
        if unknown:
            raise ExportError(f"unknown label(s) {', '.join(sorted(unknown))}; the project has "
                              f"{', '.join(sorted(store.scheme.names))}")
    report = ExportReport(path=output)
    try:
        fh, tmp = atomic_writer(output)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write: {exc.strerror or exc}") from None
    try:
        with fh:
            write = fh.write
            for n, (doc, spans) in enumerate(store.iter_for_export(include_pending, labels), start=1):
                tokens = doc["tokens"] or pack_tokens(tokenizer(doc["text"]))
                try:
                    line = export_line(doc, spans, tokens)
                except ValueError as exc:
                    raise ExportError(str(exc)) from None
                write(line)
                write("\n")
                report.documents += 1
                report.spans += len(spans)
                if on_progress and n % 500 == 0:
                    on_progress(500)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write: {exc.strerror or exc}") from None
        raise
    return report
