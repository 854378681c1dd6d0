"""One module a format, each a reader and/or writer over core types, found through `READERS` and `WRITERS`."""

from annotator.formats import (  # noqa: F401  (registers the readers)
    brat,
    conll,
    csv_,
    docbin,
    doccano,
    events,
    jsonl,
    labelstudio,
    prodigy,
    text,
)
from annotator.formats.base import READERS, ReadOptions, detect, iter_files
from annotator.formats.writers import WRITERS

__all__ = ["READERS", "WRITERS", "ReadOptions", "detect", "iter_files"]
