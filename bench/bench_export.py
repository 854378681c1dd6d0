"""Export speed: articles per second of `annotator export` (Prodigy JSONL with tokens and token-aligned spans,
read from the database and written under a temporary name) against a plain `json.dumps` loop that writes the
same records, already in memory, to a file. Run: python bench/bench_export.py [--quick]"""

from __future__ import annotations

import json
import sys

from bench_preannotate import fresh_db
from common import OUT, report, run_on_datasets, timed

from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.workflows.exporting import export
from annotator.workflows.preannotating import preannotate


def prepared(name: str, source):
    """A pre-annotated copy of the dataset: every article has tokens and suggestions."""
    path = OUT / f"{name}-exportable.db"
    if not path.exists():
        store = fresh_db(name, source)
        preannotate(store, build_annotator(load_scheme()), n_process=2)
        store.close()
        (OUT / f"{name}-pre.db").rename(path)
    from annotator.store import Store

    return Store(path)


def bench(name: str, source) -> bool:
    store = prepared(name, source)
    out = OUT / "export.jsonl"
    t, rep = timed(lambda: export(store, out, fmt="prodigy", include_pending=True, tokenizer=tokenize))
    store.close()
    records = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert len(records) == rep.documents

    def plain() -> None:
        with (OUT / "baseline.jsonl").open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False))
                fh.write("\n")

    base_t, _ = timed(plain)
    print(f"\n{name}: {rep.documents:,} articles, {rep.spans:,} spans, {out.stat().st_size / 1e6:.0f} MB written")
    return report("  export", rep.documents / t, len(records) / base_t, "articles/s", "json.dumps loop", 0.5)


if __name__ == "__main__":
    sys.exit(run_on_datasets(bench))
