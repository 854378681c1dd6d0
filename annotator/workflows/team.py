"""The team's recipes, shared by the command line and the window: pack an editor's project file, merge editors'
files back into the team's project."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.agreement import Agreement
from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import Token
from annotator.store import Store, open_for_reading
from annotator.store.team import MergeReport, check_editor_name
from annotator.workflows.files import replace


def pack(team: Store, editor: str, output: Path, who: str | None = None) -> int:
    """Writes `output`, a project file holding the articles assigned to `editor` (with the team's labels, roles,
    tokens and open suggestions), for the editor to carry to their desktop. It is made under a temporary name
    and put in place when complete: an interrupted pack leaves nothing. Returns the number of articles."""
    editor = check_editor_name(editor, "--editor")
    output = Path(output)
    if output.exists():
        raise InputError(f"{output}: already exists; an editor's file is never packed over another (merge it first, "
                         "then remove it, or choose another --output)")
    if team.owns(output):
        raise InputError(f"{output}: is the team's project itself")
    if not output.parent.is_dir():
        raise InputError(f"{output}: no such folder {output.parent}")
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()  # SQLite makes the file itself
        with Store(tmp, scheme=team.scheme) as out:
            n = out.team.fill_from(team.path, editor, who)
        for side in ("-wal", "-shm"):  # closed cleanly: SQLite checkpointed its log; nothing must be left
            Path(f"{tmp}{side}").unlink(missing_ok=True)
        replace(tmp, output)
    except BaseException as exc:
        for side in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{side}").unlink(missing_ok=True)
        if isinstance(exc, AnnotatorError) and str(tmp) in str(exc):  # name the file the user asked for
            raise type(exc)(str(exc).replace(str(tmp), str(output)) + "; nothing was packed") from None
        if isinstance(exc, OSError):
            raise InputError(f"{output}: cannot be written: {exc.strerror or exc}; nothing was packed") from None
        raise
    return n


def merge(team: Store, paths: list[Path], editor: str | None = None, who: str | None = None, *,
          tokenizer: Callable[[str], Sequence[Token]] | None = None, add_labels: bool = False,
          on_report: Callable[[MergeReport], None] | None = None) -> list[MergeReport]:
    """Merges each editor's project file into the team's project, one transaction a file: a file either comes in
    whole or not at all. Each file is checked for damage before anything of it is read; `on_report` hears each
    file's report as soon as it is committed, so that a failure on a later file (a full disk) leaves the earlier
    ones said. An error names the file it is about."""
    for p in paths:
        if team.owns(p):
            raise InputError(f"{p}: is the team's project itself; merge the editors' files into it")
    reports = []
    for p in paths:
        try:
            with open_for_reading(p) as src:
                src.check_integrity()
                report = team.team.merge(src, editor, who, tokenizer=tokenizer, add_labels=add_labels)
        except AnnotatorError as exc:
            if str(p) in str(exc):
                raise
            raise type(exc)(f"{p}: not merged: {exc}") if not isinstance(exc, InputError) else \
                InputError(f"not merged: {exc}", str(p)) from None
        reports.append(report)
        if on_report is not None:
            on_report(report)
    return reports


def agreement(team: Store, labels: list[str] | None = None, editors: list[str] | None = None) -> dict[str, Any]:
    """The agreement figures (annotator.core.agreement) over the editors' layers, read in one pass."""
    known = [lb.name for lb in team.scheme.labels]
    if labels:
        unknown = [lb for lb in labels if lb not in known]
        if unknown:
            raise InputError(f"--labels: {', '.join(unknown)} not in the project's labels ({', '.join(known)})")
    have = team.team.editors()
    if editors:
        missing = [e for e in editors if e not in have]
        if missing:
            raise InputError(f"--editors: nothing by {', '.join(missing)} in {team.path} (its editors: "
                             f"{', '.join(have) or 'none yet; merge their files first'})")
    acc = Agreement(labels or known)
    for work in team.team.work(editors):
        acc.add(work)
    return acc.result()
