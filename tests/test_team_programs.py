"""The team's work between programs: the command line's assign, pack, merge and agreement on real articles, each
editor's file annotated by another process, and a merge killed with -9 at any moment."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import FORMATS, ROOT, WIKINEWS

EDITOR = """
import sys
from annotator.core.model import Answer
from annotator.store import Store
from annotator.workflows.editing import EditSession
path, who, style = sys.argv[1], sys.argv[2], sys.argv[3]
store = Store(path)
session = EditSession(store, who)
for (doc_id,) in store.conn.execute("SELECT id FROM documents ORDER BY id").fetchall():
    session.open(doc_id)
    if style == "picky":  # removes every PLACE suggestion before accepting
        for span in [s for s in session.spans if s.label == "PLACE"]:
            session.delete(span.id)
    session.set_answer(Answer.ACCEPT)
store.close()
"""


def annotator(*args: object, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "annotator", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def layers(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("assignments", "layer_answers", "layer_spans", "layer_links", "layer_changes")}
    finally:
        conn.close()


def make_team(tmp_path: Path, articles: int) -> Path:
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(WIKINEWS.read_text(encoding="utf-8").splitlines(keepends=True)[:articles]))
    team = tmp_path / "team.db"
    annotator("import", src, "--db", team)
    annotator("preannotate", "--db", team)
    return team


def test_the_command_line_round_trip_on_real_articles(tmp_path):
    team = make_team(tmp_path, 12)
    out = annotator("assign", "--db", team, "--editors", "ana,ben", "--overlap", "2").stdout
    assert "ana: 12 article(s) now, 12 in all" in out and "ben: 12" in out
    assert "nothing changed" in annotator("assign", "--db", team, "--editors", "ana,ben", "--overlap", "2").stdout
    for who, style in (("ana", "all"), ("ben", "picky")):
        out = annotator("pack", "--db", team, "--editor", who, "--output", tmp_path / f"{who}.db").stdout
        assert f"12 article(s) for {who}" in out and f"annotator merge {tmp_path / who}.db --into {team}" in out
        done = subprocess.run([sys.executable, "-c", EDITOR, tmp_path / f"{who}.db", who, style], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    out = annotator("merge", tmp_path / "ana.db", tmp_path / "ben.db", "--into", team).stdout
    assert "ana.db: ana: 12 article(s) (0 new to the team), 12 answer(s)" in out
    assert "ben.db: ben: 12 article(s)" in out
    assert "ana.db: nothing new" in annotator("merge", tmp_path / "ana.db", "--into", team).stdout
    figures = json.loads(annotator("agreement", "--db", team, "--json").stdout)
    assert figures["editors"] == ["ana", "ben"] and figures["articles_compared"] == 12
    (pair,) = figures["pairs"]
    # ben removed every PLACE ana kept: no PLACE agreement, every other label agrees exactly
    assert pair["labels"]["PLACE"]["exact_f1"] == 0.0 and pair["labels"]["PLACE"]["spans"][1] == 0
    assert all(f["exact_f1"] == 1.0 and f["cohen_kappa"] == 1.0 for name, f in pair["labels"].items()
               if name not in ("PLACE", "total"))
    assert 0 < pair["labels"]["total"]["exact_f1"] < 1
    assert pair["answers"] == {"both_answered": 12, "agree": 12, "cohen_kappa": None}  # all the same answer
    text = annotator("agreement", "--db", team, "--worst", "3").stdout
    assert "ana and ben: 12 article(s) both accepted; answers agree on 12 of 12" in text
    assert text.count("\n  article ") == 3
    # the worst article first: the one where ben removed the most
    worst = figures["articles"][0]
    assert worst["span_f1"] == min(a["span_f1"] for a in figures["articles"])
    # review: what both kept goes into gold; ana's PLACE spans are left to decide, worst first
    out = annotator("review", "--db", team, "--editor", "rita").stdout
    assert out.startswith("12 article(s) prepared: ") and "spans" in out
    settled = int(out.split("prepared: ")[1].split(" settled")[0])
    disputed = [a["doc_id"] for a in figures["articles"] if a["span_f1"] < 1]
    assert f"{len(disputed)} left to decide" in out and settled == 12 - len(disputed)
    out = annotator("review", "--db", team, "--article", worst["doc_id"], "--take", "ben", "--answer", "accept").stdout
    assert f"article {worst['doc_id']}: answered accept in gold" in out
    for args, n in (((), settled + 1), (("--editor", "ana"), 12), (("--editor", "ben"), 12)):
        out = annotator("export", "--db", team, "--output", tmp_path / "x.jsonl", "--force", *args).stdout
        assert f"wrote {n} document(s)" in out, (args, out)
    records = [json.loads(line) for line in (tmp_path / "x.jsonl").open(encoding="utf-8")]
    assert not any(s["label"] == "PLACE" for r in records for s in r.get("spans", []))  # ben's layer
    done = annotator("review", "--db", team, "--take", "ben", check=False)
    assert done.returncode == 2 and "name it with --article" in done.stderr


def test_the_command_line_says_what_is_wrong(tmp_path):
    team = make_team(tmp_path, 3)
    done = annotator("assign", "--db", team, "--editors", "ana", "--overlap", "2", check=False)
    assert done.returncode == 2 and "--overlap 2: each article goes to between 1 and 1 editors" in done.stderr
    assert "Traceback" not in done.stderr
    done = annotator("pack", "--db", team, "--editor", "ana", "--output", tmp_path / "ana.db", check=False)
    assert done.returncode == 2 and "no articles are assigned to 'ana'" in done.stderr
    notes = tmp_path / "notes.db"
    notes.write_text("not a database at all\n" * 100)
    done = annotator("merge", notes, "--into", team, check=False)
    assert done.returncode == 2 and f"{notes}: not an annotator project" in done.stderr
    done = annotator("agreement", "--db", team, "--labels", "NOPE", check=False)
    assert done.returncode == 2 and "--labels: NOPE not in the project's labels" in done.stderr
    assert "no article was accepted by two editors yet" in annotator("agreement", "--db", team).stdout


MERGER = """
import sys, time
from pathlib import Path
from annotator.store import Store
from annotator.workflows.team import merge
if sys.argv[3] == "pause":  # stops inside the merge's transaction, every layer row written, before its commit
    log = Store._log
    def _log(self, action, *args, **kwargs):
        log(self, action, *args, **kwargs)
        if action == "merge":
            print("inside", flush=True)
            time.sleep(60)
    Store._log = _log
with Store(sys.argv[1]) as team:
    print("merging", flush=True)
    merge(team, [Path(sys.argv[2])])
"""


def test_a_merge_killed_with_minus_9_leaves_the_team_as_it_was_or_merged_whole(tmp_path):
    team = make_team(tmp_path, 150)
    annotator("assign", "--db", team, "--editors", "ana", "--overlap", "1")
    ana = tmp_path / "ana.db"
    annotator("pack", "--db", team, "--editor", "ana", "--output", ana)
    done = subprocess.run([sys.executable, "-c", EDITOR, ana, "ana", "all"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    before = layers(team)
    whole_copy = tmp_path / "whole.db"
    whole_copy.write_bytes(team.read_bytes())
    annotator("merge", ana, "--into", whole_copy)
    whole = layers(whole_copy)
    assert len(whole["layer_spans"]) > 1000
    # killed with every row written but not committed: nothing of it stays
    proc = subprocess.Popen([sys.executable, "-c", MERGER, team, ana, "pause"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().strip() == "merging"
    assert proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert layers(team) == before
    # and at moments that fall where they may
    seen = set()
    for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", MERGER, team, ana, "run"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout.readline().strip() == "merging"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        now = layers(team)
        assert now in (before, whole), f"killed after {delay} s: half a merge"
        seen.add("whole" if now != before else "as it was")
        if now != before:
            break
    assert seen == {"as it was", "whole"}


def test_another_tools_annotations_join_the_team_as_their_annotators_work(tmp_path):
    """A Prodigy review file names its annotator (`_annotator_id`); a file that names none is the work of the
    editor who imports it (`import --editor`). Merged, each is that editor's layer, articles and labels too."""
    team = make_team(tmp_path, 3)
    reviewed = FORMATS / "prodigy" / "spanruler_restaurant_reviews__test_review.jsonl"
    theirs = tmp_path / "theirs.db"
    annotator("import", reviewed, "--db", theirs, "--add-labels")
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(json.dumps({"text": t, "spans": [{"start": 0, "end": 6, "label": "ACTOR"}],
                                         "answer": "accept"}) + "\n"
                             for t in ("Rebels shelled the town .", "Police detained two men .")))
    mine = tmp_path / "mine.db"
    annotator("import", plain, "--db", mine, "--editor", "dora")
    refused = annotator("merge", theirs, mine, "--into", team, check=False)
    assert refused.returncode == 2 and "theirs.db: uses label(s) the team's scheme lacks: Amenity" in refused.stderr
    assert "--add-labels" in refused.stderr and "Traceback" not in refused.stderr
    out = annotator("merge", theirs, mine, "--into", team, "--add-labels").stdout
    assert "theirs.db: original_annotations: 120 article(s) (120 new to the team), 120 answer(s), 252 span(s)" in out
    assert "labels added from the file: Amenity, Cuisine, Dish, Hours, Location, Price, Rating, " \
           "Restaurant_Name" in out
    assert "mine.db: dora: 2 article(s) (2 new to the team), 2 answer(s), 2 span(s)" in out
    conn = sqlite3.connect(team)
    assert dict(conn.execute("SELECT editor, count(*) FROM assignments GROUP BY editor")) == {
        "original_annotations": 120, "dora": 2}
    conn.close()


def test_a_second_merge_after_edits_between_programs_equals_a_fresh_merge_even_killed_half_way(tmp_path):
    """ana's window (a session in this process, its handle kept open) relabels and takes back an answer after her
    first merge; the command line merges her file again while she keeps it open and while a second handle of the
    team's project in this process reads it; the merge is killed with -9 at moments that fall where they may.
    The team's layer is always as it was or exactly a fresh merge of her file, and every handle sees it."""
    from annotator.core.model import Answer
    from annotator.store import Store
    from annotator.workflows.editing import EditSession

    team = make_team(tmp_path, 60)
    annotator("assign", "--db", team, "--editors", "ana", "--overlap", "1")
    ana = tmp_path / "ana.db"
    annotator("pack", "--db", team, "--editor", "ana", "--output", ana)
    base = tmp_path / "base.db"
    base.write_bytes(team.read_bytes())  # the team's project before any merge (closed, checkpointed)
    done = subprocess.run([sys.executable, "-c", EDITOR, ana, "ana", "all"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    annotator("merge", ana, "--into", team)
    before = layers(team)
    window = Store(ana)  # the editor's window: open on her file from here on
    reader = Store(team)  # a second handle of the team's project in this process
    try:
        session = EditSession(window, "ana")
        relabelled = 0
        for (doc_id,) in window.conn.execute("SELECT id FROM documents ORDER BY id LIMIT 40").fetchall():
            session.open(doc_id)
            for span in [s for s in session.spans if s.label == "ATTACK"]:
                session.relabel(span.id, "DEATH")
                relabelled += 1
        session.open(3)
        session.set_answer(Answer.PENDING)
        assert relabelled > 5
        fresh_copy = tmp_path / "fresh.db"
        fresh_copy.write_bytes(base.read_bytes())
        annotator("merge", ana, "--into", fresh_copy)  # what one fresh merge of her file gives
        fresh = layers(fresh_copy)
        assert fresh != before
        seen = set()
        for delay in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.5, 3.0):
            proc = subprocess.Popen([sys.executable, "-c", MERGER, team, ana, "run"], cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert proc.stdout.readline().strip() == "merging"
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            now = layers(team)  # read by another connection, integrity checked
            assert now in (before, fresh), f"killed after {delay} s: half a merge"
            seen.add("fresh" if now == fresh else "as it was")
            if now == fresh:
                break
        if "fresh" not in seen:
            annotator("merge", ana, "--into", team)
        assert layers(team) == fresh
        # the second handle in this process reads the merged layer, and the window's handle goes on working
        old_attacks = {r[0] for r in before["layer_spans"] if r[4] == "ATTACK" and r[0] <= 40 and r[5] == "accepted"}
        assert old_attacks and not reader.conn.execute(
            "SELECT count(*) FROM layer_spans WHERE label = 'ATTACK' AND doc_id <= 40 AND state = 'accepted'"
            ).fetchone()[0]
        assert reader.conn.execute("SELECT count(*) FROM layer_answers WHERE doc_id = 3").fetchone()[0] == 0
        session.open(1)
        session.relabel(next(s for s in session.spans if s.label == "DEATH").id, "ATTACK")
        out = annotator("merge", ana, "--into", team).stdout
        assert "taken out (no longer in the file)" in out
        again = tmp_path / "again.db"
        again.write_bytes(base.read_bytes())
        annotator("merge", ana, "--into", again)
        assert layers(team) == layers(again)
    finally:
        window.close()
        reader.close()
