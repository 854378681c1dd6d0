"""Import speed: rows per second of `annotator import` (reading JSONL, checking, hashing, deduplicating, writing
in batches) against raw sqlite3 `executemany` of the same rows into the same schema (with its indexes and
full-text index). Run: python bench/bench_import.py [--quick]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import OUT, report, run_on_datasets, timed

from annotator.core.hashing import text_hash
from annotator.store import Store
from annotator.workflows.importing import import_paths


def fresh(name: str) -> Path:
    path = OUT / name
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return path


def bench(name: str, source: Path) -> bool:
    rows = []
    for line in source.open(encoding="utf-8"):
        r = json.loads(line)
        meta = r.get("meta") or {}
        rows.append((r.get("id"), r.get("title", ""), r["text"], json.dumps(meta), text_hash(r["text"]), str(source),
                     "pending", None, None, "2026-01-01T00:00:00"))
    store = Store(fresh("baseline.db"))
    conn = store.conn

    def raw() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO documents(external_id, title, text, meta, input_hash, source_file, answer, answered_by, "
            "answered_at, revision, created_at) VALUES (?,?,?,?,?,?,?,?,?,0,?)", rows)
        conn.execute("COMMIT")

    base_t, _ = timed(raw)
    store.close()
    ours = Store(fresh("ours.db"))
    t, rep = timed(lambda: import_paths(ours, [source]))
    ours.close()
    assert rep.added == len(rows) and rep.rejected == 0, rep
    print(f"\n{name}: {len(rows):,} rows, {source.stat().st_size / 1e6:.0f} MB of JSONL")
    return report("  import", len(rows) / t, len(rows) / base_t, "rows/s", "raw sqlite3 executemany", 0.5)


if __name__ == "__main__":
    sys.exit(run_on_datasets(bench))
