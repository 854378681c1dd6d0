"""The team's work at size: merging two editors' files of 10,000 articles each into the team's project, and the
agreement figures over three editors × 10,000 articles.

Baselines from the same run: for the merge, SQLite itself copying the same rows (`ATTACH` and
`INSERT … SELECT` of the editors' decided spans, links, answers and change log into plain tables of a copy of the
team's project); for agreement, a single pass over the same spans (every layer span read in article order, in
Python, doing nothing). Run: python bench/bench_team.py [--quick] (--quick: 2,000 articles)"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import sys
import time

from common import OUT, generated, timed

from annotator.core.model import Document, Record, Source, Span, SpanState
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.team import agreement, merge, pack

LABELS = ["ATTACK", "DEATH", "ACTOR", "TARGET", "PLACE", "TIME", "CASUALTIES"]
EDITORS = ["ana", "ben", "chen"]


def build(n: int) -> tuple[Store, dict[str, object]]:
    """The team's project (n generated articles with tokens and up to 30 suggestions each, assigned to three
    editors) and each editor's packed file, worked through: each editor keeps most suggestions, removes some
    (differently), draws a few spans of their own and accepts the article. Built once into bench/out/."""
    folder = OUT / f"team-{n}"
    team_path = folder / "team.db"
    if team_path.exists():
        return Store(team_path), {e: folder / f"{e}.db" for e in EDITORS}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(11)
    texts = [json.loads(line)["text"] for _, line in zip(range(n), generated().open(encoding="utf-8"))]
    team = Store(team_path)
    records = []
    for text in texts:
        toks = tokenize(text)
        spans = {}
        taken: set[int] = set()
        for _ in range(30):  # as the rules suggest: spans apart from each other, now and then one inside another
            i = rng.randrange(len(toks))
            j = min(len(toks) - 1, i + rng.choice([0, 0, 0, 1, 2]))
            if taken & set(range(i, j + 1)) and rng.random() < 0.9:
                continue
            taken.update(range(i, j + 1))
            label = rng.choice(LABELS)
            spans[toks[i].start, toks[j].end, label] = Span(toks[i].start, toks[j].end, label, Source.RULE,
                                                            SpanState.SUGGESTED)
        records.append(Record(Document(text=text, tokens=toks), list(spans.values())))
    for k in range(0, n, 1000):
        team.documents.add_records(records[k:k + 1000])
    team.team.assign(EDITORS, 3)
    files = {}
    for e, keep in zip(EDITORS, (0.9, 0.8, 0.85)):
        files[e] = folder / f"{e}.db"
        pack(team, e, files[e])
        conn = sqlite3.connect(files[e])
        at = "2030-01-01T00:00:00.000+00:00"  # after the packing
        spans = conn.execute("SELECT id, doc_id, start, \"end\" FROM spans").fetchall()
        conn.executemany("UPDATE spans SET state = ?, updated_at = ? WHERE id = ?",
                         [("accepted" if rng.random() < keep else "rejected", at, s[0]) for s in spans])
        own = []
        for s in rng.sample(spans, len(spans) // 30):
            own.append((s[1], s[2], s[3], rng.choice(LABELS), "editor", "accepted", e, at))
        conn.executemany('INSERT OR IGNORE INTO spans(doc_id, start, "end", label, source, state, created_by, '
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", own)
        conn.execute("UPDATE documents SET answer = 'accept', answered_by = ?, answered_at = ?", (e, at))
        conn.execute("INSERT INTO changes(doc_id, action, who, at, detail) SELECT id, 'answer', ?, ?, "
                     "'{\"after\": \"accept\"}' FROM documents", (e, at))
        conn.commit()
        conn.close()
    return team, files


def baseline_copy(team_copy, files) -> tuple[float, int]:
    """SQLite copying the same rows a merge brings in, into plain tables: (seconds, rows)."""
    conn = sqlite3.connect(team_copy)
    conn.execute("CREATE TABLE b_spans (doc_id, editor, start, \"end\", label, state, source, at)")
    conn.execute("CREATE TABLE b_answers (doc_id, editor, answer, at)")
    conn.execute("CREATE TABLE b_changes (doc_id, editor, who, at, action, detail)")
    conn.commit()
    t = time.perf_counter()
    rows = 0
    for e, f in files.items():
        conn.execute("ATTACH DATABASE ? AS src", (str(f),))
        conn.execute("BEGIN")
        rows += conn.execute("INSERT INTO b_spans SELECT doc_id, ?, start, \"end\", label, state, source, updated_at "
                             "FROM src.spans WHERE state != 'suggested'", (e,)).rowcount
        rows += conn.execute("INSERT INTO b_answers SELECT id, ?, answer, answered_at FROM src.documents "
                             "WHERE answer != 'pending'", (e,)).rowcount
        rows += conn.execute("INSERT INTO b_changes SELECT doc_id, ?, who, at, action, detail FROM src.changes "
                             "WHERE action = 'answer'", (e,)).rowcount
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    seconds = time.perf_counter() - t
    conn.close()
    return seconds, rows


def single_pass(path) -> tuple[float, int]:
    conn = sqlite3.connect(path)
    t = time.perf_counter()
    n = 0
    for _row in conn.execute('SELECT doc_id, editor, start, "end", label FROM layer_spans WHERE state = '
                             "'accepted' ORDER BY doc_id"):
        n += 1
    seconds = time.perf_counter() - t
    conn.close()
    return seconds, n


def main() -> int:
    n = 2_000 if "--quick" in sys.argv else 10_000
    t_build, (team, files) = timed(lambda: build(n))
    print(f"team of {n:,} articles, three editors' files (built or found in {t_build:.0f} s)")
    two = {e: files[e] for e in EDITORS[:2]}
    merged = OUT / f"team-{n}" / "merged.db"
    base = OUT / f"team-{n}" / "baseline.db"
    for p in (merged, base):
        p.unlink(missing_ok=True)
        team.backup(p)
    team.close()
    with Store(merged) as t:
        t_merge, reports = timed(lambda: merge(t, list(two.values())))
    rows = sum(sum(r.answers.values()) + sum(r.spans.values()) + sum(r.changes.values()) for r in reports)
    t_base, base_rows = baseline_copy(base, two)
    print(f"merge two editors' files: {t_merge:.2f} s for {rows:,} rows ({rows / t_merge:,.0f} rows/s) vs SQLite's "
          f"ATTACH + INSERT ... SELECT {t_base:.2f} s for {base_rows:,} rows ({base_rows / t_base:,.0f} rows/s) = "
          f"{(rows / t_merge) / (base_rows / t_base):.2f}x")
    with Store(merged) as t:
        t_again, again = timed(lambda: merge(t, list(two.values())))
        assert not any(sum(r.spans.values()) for r in again)
        print(f"merging the same files again: {t_again:.2f} s, nothing new")
        merge(t, [files["chen"]])
        t_agree, figures = timed(lambda: agreement(t))
    t_pass, spans = single_pass(merged)
    print(f"agreement over 3 editors x {n:,} articles ({spans:,} accepted spans): {t_agree:.2f} s "
          f"({spans / t_agree:,.0f} spans/s) vs a single pass over the spans {t_pass:.2f} s "
          f"({spans / t_pass:,.0f} spans/s) = {t_pass / t_agree:.2f}x")
    total = figures["overall"]["labels"]["total"]
    print(f"  (overall: exact F1 {total['exact_f1']}, Fleiss' kappa {total['fleiss_kappa']}, "
          f"alpha {total['krippendorff_alpha']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
