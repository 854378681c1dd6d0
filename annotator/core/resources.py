"""Where the shipped resources (label schemes, pattern files, sample articles) are: the checkout's
`resources/` folder, or, for a regular (non-editable) install, the copy pip puts in `<prefix>/share/annotator`.
`ANNOTATOR_RESOURCES` overrides both."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    candidates = []
    if os.environ.get("ANNOTATOR_RESOURCES"):
        candidates.append(Path(os.environ["ANNOTATOR_RESOURCES"]))
    candidates.append(Path(__file__).resolve().parent.parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "share" / "annotator" / "resources")
    for path in candidates:
        if (path / "schemas").is_dir():
            return path
    return candidates[0]
