"""What the commands share: the project and editor options, the project opened for a command, a progress bar."""

from __future__ import annotations

import getpass
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from annotator.core.labels import load_scheme

DB_OPTION = click.option(
    "--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The project database (an SQLite file; created if missing).",
)
EDITOR_OPTION = click.option(
    "--editor", default=None, help="Who makes the change (default: $ANNOTATOR_EDITOR or your login name).",
)


def editor_name(value: str | None) -> str:
    if value:
        return value
    env = os.environ.get("ANNOTATOR_EDITOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some containers)
        return "editor"


@contextmanager
def progress_bar(desc: str, total: int | None = None, unit: str = "doc"):
    """A tqdm bar on a terminal; nothing when stderr is not one."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, disable=not sys.stderr.isatty(), file=sys.stderr,
               dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()


_CURRENT_DB: list[Path] = []  # the project a command works on, named in SQLite's errors


def open_store(db_path: Path, create: bool = True, scheme: str | None = None, *, reading: bool = False,
               writing: bool = False):
    """The project for a command. `reading`: the command only reads it (a read-only file or folder is fine).
    Reading and `writing` commands refuse a damaged database, naming it, before they read or write anything: an
    export of a damaged project would silently miss what the damaged pages hold."""
    from annotator.store import Store, open_for_reading

    _CURRENT_DB[:] = [db_path]
    store = open_for_reading(db_path) if reading else \
        Store(db_path, create=create, scheme=load_scheme(scheme) if scheme else None)
    if reading or writing:
        try:
            store.check_integrity()
        except BaseException:
            store.close()
            raise
    return store
