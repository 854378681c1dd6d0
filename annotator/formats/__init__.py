"""One module a format, each a reader and/or writer over core types, found through `READERS`."""

from annotator.formats import (  # noqa: F401  (registers the readers)
    brat,
    conll,
    csv_,
    doccano,
    events,
    jsonl,
    labelstudio,
    prodigy,
    text,
)
from annotator.formats.base import READERS, ReadOptions, detect, iter_files

__all__ = ["READERS", "ReadOptions", "detect", "iter_files"]
