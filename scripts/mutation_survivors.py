"""The mutants that survived `make mutate`, sorted into kinds, for docs/testing.md:

- sql-case: only the letter case of an SQL string changed (SQL keywords and names ignore case): equivalent;
- message: only the wording of a message or of a dict key in a message changed ("XX…XX", upper case, None);
- change-log: an argument of a change-log entry (`_log(...)`) changed;
- codec-case: "utf-8" written "UTF-8" (codec names ignore case): equivalent;
- newline-write: only the `newline=` of a file written: the same file on Linux and macOS (a Windows run would
  tell), see docs/testing.md;
- json-ascii: only `ensure_ascii` of a JSON line: non-ASCII letters escaped or not, which every JSON reader reads
  as the same text;
- json-nan: only `allow_nan`: no NaN reaches an export (the import refuses it, and no writer writes scores);
- default: a default value of a parameter changed (in the def line): see docs/testing.md for each;
- other: everything else, listed by function.

Run after `make mutate`: .venv/bin/python scripts/mutation_survivors.py [--list]

`--names` prints only the names of the survivors, of the mutants not yet checked and of those found with no test,
for re-running them after new tests (mutmut keeps a verdict once given):
`mutmut run $(python scripts/mutation_survivors.py --names)`."""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"\b(select|insert|update|delete|from|where|values|set|and|begin|commit|rollback|pragma|asc|desc)\b",
                 re.I)
# a column compared with a parameter, as in "d.id < ?": names and operators only
SQL_TERM = re.compile(r"^[a-z_]+(\.[a-z_]+)?( (<|>|=|<=|>=|!=) \?)?$")


def function_lines(lines: list[str], name: str) -> list[str]:
    out, indent = [], None
    for line in lines:
        if indent is None:
            if re.match(rf"^(    )?def {re.escape(name)}\(", line):
                indent = len(line) - len(line.lstrip())
                out.append(line)
            continue
        if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith((")", "]")):
            break
        out.append(line)
    return out


ARGUMENT = r"(?:, )?{name}=[^,)]*"


def without(name: str, line: str) -> str:
    return re.sub(ARGUMENT.format(name=name), "", line).replace("(, ", "(").replace(", )", ")")


# the project's tables and columns: SQL reads their names without regard to case wherever a string holds one
SQL_NAMES = {"documents", "spans", "links", "tokens", "preannotated", "changes", "labels", "roles", "project", "id",
             "doc_id", "label", "t.data", "null", "start", "end", "state"}


def kind(removed: str, added: str) -> str:
    if removed.lower() == added.lower() and SQL.search(removed):
        return "sql-case"
    changed = {a for a, b in zip(re.findall(r'"([^"]*)"', removed), re.findall(r'"([^"]*)"', added)) if a != b}
    if removed.lower() == added.lower() and changed and all(c.lower() in SQL_NAMES or SQL_TERM.match(c.lower())
                                                                 for c in changed):
        return "sql-case"
    if removed.lower() == added.lower() and changed and all(c.lower() in ("utf-8", "utf-8-sig") for c in changed):
        return "codec-case"
    if ("write_text(" in removed or '"w"' in removed) and without("newline", removed) == without("newline", added):
        return "newline-write"
    if "json.dumps(" in removed and without("ensure_ascii", removed) == without("ensure_ascii", added):
        return "json-ascii"
    if "json.dumps(" in removed and without("allow_nan", removed) == without("allow_nan", added):
        return "json-nan"
    parameter = re.compile(r"^\*?\w+: [^=]+ = [^,=]+,$")  # one line of a def that lists its parameters
    if (removed.startswith("def ") and added.startswith("def ")) or (parameter.match(removed)
                                                                      and parameter.match(added)):
        return "default"
    if "_log(" in removed:
        return "change-log"
    strings_only = re.sub(r'"[^"]*"|\'[^\']*\'', '""', removed) == re.sub(r'"[^"]*"|\'[^\']*\'', '""', added)
    if strings_only and ("Error(" in removed or "reason" in removed or "message" in removed or "dropped[" in removed
                         or "left_out[" in removed):
        return "message"
    if ("Error(" in removed or "InputError" in removed) and ("None" in added or "XX" in added):
        return "message"
    return "other"


def survivors(mutants: Path) -> list[tuple[str, str, str, str]]:
    """(function, kind, removed line, added line) of each surviving mutant."""
    out = []
    for meta in sorted((mutants / "annotator").rglob("*.meta")):
        source = meta.with_suffix("")
        lines = source.read_text(encoding="utf-8").splitlines()
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            if code != 0:
                continue
            function, number = name.rsplit("__mutmut_", 1)
            short = function.split(".")[-1]
            orig = function_lines(lines, f"{short}__mutmut_orig")
            mutated = function_lines(lines, f"{short}__mutmut_{number}")
            # the def line too, its name made the same: a mutant may change a default value there
            orig[0] = orig[0].replace(f"{short}__mutmut_orig", "F")
            mutated[0] = mutated[0].replace(f"{short}__mutmut_{number}", "F")
            diff = [d for d in difflib.unified_diff(orig, mutated, lineterm="", n=0)
                    if d[:1] in "+-" and not d.startswith(("+++", "---"))]
            removed = " ".join(d[1:].strip() for d in diff if d.startswith("-")).strip()
            added = " ".join(d[1:].strip() for d in diff if d.startswith("+")).strip()
            out.append((function.replace("ǁ", ".").replace(".x_", ".").replace(".x", "."), kind(removed, added),
                        removed, added))
    return out


NO_TESTS = 33  # mutmut's exit code for a mutant no test reaches


def pending_names(mutants: Path) -> list[str]:
    """Mutants that survived, were never checked, or were found with no test: a "no tests" verdict given while
    mutmut's map of tests was stale (after code moved between modules) stands until the mutant is named again."""
    return [name for meta in sorted((mutants / "annotator").rglob("*.meta"))
            for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items()
            if code is None or code in (0, 2, 5, NO_TESTS)]  # not checked, survived, interrupted, no tests


def main(argv: list[str]) -> int:
    if "--names" in argv:
        print("\n".join(pending_names(ROOT / "mutants")))
        return 0
    rows = survivors(ROOT / "mutants")
    kinds = Counter(k for _, k, _, _ in rows)
    print(", ".join(f"{k} {n}" for k, n in kinds.most_common()), f"(of {len(rows)} survivors)")
    by_function: dict[str, Counter[str]] = defaultdict(Counter)
    for function, k, _, _ in rows:
        by_function[function][k] += 1
    for function, counts in sorted(by_function.items(), key=lambda x: -sum(x[1].values())):
        print(f"{sum(counts.values()):>4}  {function}  ({', '.join(f'{k} {n}' for k, n in counts.most_common())})")
    if "--list" in argv:
        for function, k, removed, added in rows:
            if k == "other":
                print(f"{function}: {removed[:100]!r} -> {added[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
