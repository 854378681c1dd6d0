"""Peak memory of importing and exporting 100,000 articles with the command line, each beside the same
figure for a baseline in the same run: a Python process that only imports annotator's command line and json.
Run: python bench/bench_memory.py"""

from __future__ import annotations

import sys

from bench_export import prepared
from bench_import import fresh
from common import OUT, generated, peak_rss_mb

LIMIT_MB = 300


def main() -> int:
    source = generated()
    py = sys.executable
    base_mb, _ = peak_rss_mb([py, "-c", "import json, annotator.cli"])
    db = fresh("memory.db")
    imp_mb, imp_s = peak_rss_mb([py, "-m", "annotator", "import", str(source), "--db", str(db)])
    prepared("generated (100,000 articles)", source).close()
    exp_db = OUT / "generated (100,000 articles)-exportable.db"
    out = OUT / "memory-export.jsonl"
    exp_mb, exp_s = peak_rss_mb([py, "-m", "annotator", "export", "--db", str(exp_db), "--include-pending",
                                 "--output", str(out)])
    out.unlink(missing_ok=True)
    ok = True
    for what, mb, secs in (("import", imp_mb, imp_s), ("export", exp_mb, exp_s)):
        fine = mb < LIMIT_MB
        ok &= fine
        print(f"{what} of 100,000 articles: peak {mb:.0f} MB in {secs:.0f} s (interpreter with annotator's CLI "
              f"loaded: {base_mb:.0f} MB; need < {LIMIT_MB} MB) {'OK' if fine else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
