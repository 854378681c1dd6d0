"""Putting a finished output in place: the one way every command does it, so that a reader sees the old output
or the new one, never half of one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace(tmp: Path, output: Path) -> None:
    """Moves a finished temporary file or folder to `output`. A file is synced to disk first and replaces the
    old one in one step; a folder (brat export, trained pipeline) takes the old one's place after it is moved
    aside, which is then removed."""
    if not tmp.is_dir():
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
        return
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(output, old)
    os.replace(tmp, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
