"""Putting a finished output in place: the one way every command does it, so that a reader sees the old output
or the new one, never half of one."""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import stat
import sys
from pathlib import Path

from annotator.core.errors import ExportError


def exchange(a: Path, b: Path) -> bool:
    """Swaps two paths in one step (Linux's renameat2 with RENAME_EXCHANGE), so that `b` is never missing, even
    to a kill; False where the system or the file system cannot (the caller then moves the old one aside)."""
    if sys.platform != "linux":
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # pragma: no cover - a C library without it (musl before 1.2.5)
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace(tmp: Path, output: Path) -> None:
    """Moves a finished temporary file or folder to `output`. A file is synced to disk first and replaces the
    old one in one step; a folder (brat export, trained pipeline) swaps places with the old one in one step
    where the system can (Linux), else takes its place after it is moved aside; the old one is then removed."""
    if not tmp.is_dir():
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
        return
    # a folder this process id set aside in an earlier run (killed before it removed it) goes first
    shutil.rmtree(output.with_name(f".{output.name}.old-{os.getpid()}"), ignore_errors=True)
    if output.is_dir() and not output.is_symlink() and exchange(tmp, output):
        shutil.rmtree(tmp, ignore_errors=True)  # the old folder, swapped out in the same step
        return
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(output, old)
    os.replace(tmp, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_replaceable(path: Path, overwrite: bool, folder: bool = False, what: str = "an export") -> None:
    """Refuses, before anything is written, to put an output over what must not be replaced: anything but a
    regular file (or, for `folder`, a folder): a device such as /dev/null, a pipe, a socket; any SQLite database
    (another project, another application's data); and, unless `overwrite`, any existing file at all. The
    file is asked through SQLite, never opened by hand (closing a descriptor of a database this process has
    open would drop its locks)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ExportError(f"{path}: cannot look at it: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        if folder:
            if not overwrite and any(path.iterdir()):
                raise ExportError(f"{path}: already exists; {what} does not replace it unless told to (--force)")
            return
        raise ExportError(f"{path}: is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise ExportError(f"{path}: is not a regular file (a device, pipe or socket); {what} only writes regular "
                          "files, so choose another output name")
    if folder:
        raise ExportError(f"{path}: is a file; this format writes a folder")
    if info.st_size and is_sqlite(path):
        raise ExportError(f"{path}: is an SQLite database (another project, or another program's data); {what} "
                          "never replaces one, so choose another output name")
    if not overwrite:
        raise ExportError(f"{path}: already exists; {what} does not replace a file unless told to (--force)")


def is_sqlite(path: Path) -> bool:
    """Whether SQLite reads `path` as a database (a file SQLite cannot tell about counts as one)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return True
    except sqlite3.DatabaseError as exc:
        return "not a database" not in str(exc) and "encrypted" not in str(exc)
    finally:
        conn.close()
