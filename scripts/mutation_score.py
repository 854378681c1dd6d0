"""The mutation score per package, from the results `mutmut run` left in mutants/ (make mutate prints it).

score = killed (or timed out) / mutants that some test runs; 'no tests' counts the mutants of code no selected
test reaches (see [tool.mutmut] in pyproject.toml for which tests are selected), and 'survived' lists them by
function with --survivors."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "store", "formats", "workflows")


def results(mutants: Path) -> dict[str, dict[str, str]]:
    """package -> mutant name -> status."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for meta in sorted((mutants / "annotator").rglob("*.meta")):
        package = meta.relative_to(mutants / "annotator").parts[0]
        if package not in PACKAGES:
            continue
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            out[package][name] = status_by_exit_code[code]
    return out


def main(argv: list[str]) -> int:
    mutants = ROOT / "mutants"
    if not mutants.is_dir():
        print("no mutants/ folder: run `make mutate` first", file=sys.stderr)
        return 1
    table = results(mutants)
    print(f"{'package':<11}{'mutants':>8}{'killed':>8}{'survived':>9}{'no tests':>9}{'timeout':>8}{'score':>8}")
    for package in PACKAGES:
        counts = Counter(table[package].values())
        tested = sum(counts[s] for s in ("killed", "survived", "timeout", "suspicious", "segfault"))
        score = (counts["killed"] + counts["timeout"]) / tested if tested else 0.0
        print(f"{package:<11}{len(table[package]):>8}{counts['killed']:>8}{counts['survived']:>9}"
              f"{counts['no tests']:>9}{counts['timeout']:>8}{score:>8.1%}")
    if "--survivors" in argv:
        by_function: Counter[str] = Counter(name.split("__mutmut_")[0] for package in PACKAGES
                                            for name, status in table[package].items() if status == "survived")
        for function, n in by_function.most_common():
            print(f"{n:>4}  {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
