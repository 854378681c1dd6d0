"""Runs every benchmark and exits non-zero if any figure misses its target. Run: make bench
(python bench/run_all.py [--quick] for the Wikinews figures only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_quality.py", "bench_links.py", "bench_import.py", "bench_export.py", "bench_preannotate.py",
           "bench_memory.py", "bench_million.py", "bench_team.py",
           "bench_train.py", "bench_model.py"]


def main() -> int:
    quick = "--quick" in sys.argv
    failed = []
    for name in BENCHES:
        if quick and name in ("bench_memory.py", "bench_train.py"):
            continue
        print(f"\n=== {name}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / name), *(["--quick"] if quick else [])])
        if code:
            failed.append(name)
    print("\nall targets met" if not failed else f"\nbelow target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
