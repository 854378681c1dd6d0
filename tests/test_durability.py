"""Nothing saved is lost: an import killed half-way, and two processes writing at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, WIKINEWS

N_DOCS = 12_000


def make_input(path: Path, n: int) -> Path:
    articles = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            a = articles[i % len(articles)]
            fh.write(json.dumps({"id": f"{a['id']}-{i}", "title": a["title"], "text": f"{a['text']}\n\n[copy {i}]"})
                     + "\n")
    return path


def count(db: Path) -> int:
    """Documents in the project; 0 only while the importer has not made the file or its tables yet. Any other
    SQLite error (a damaged file, a lock kept for ever) fails the test instead of passing for 'nothing yet'."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise
    finally:
        conn.close()


def counts_are_true(db: Path) -> bool:
    """The counts the database keeps for the window (migration 0005's triggers) and the statistics' tallies (0007)
    equal a recount, read by this process, which wrote none of them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        kept = dict(conn.execute("SELECT name, n FROM counts"))
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        answers = dict(conn.execute("SELECT 'answer:' || answer, count(*) FROM documents GROUP BY answer"))
        # and the statistics' tallies (migration 0007)
        recounted = ("span", "preannotated", "answered", "changes", "outcome", "origin", "link", "ms", "act", "flag")
        tallies = set(conn.execute(f"SELECT what, a, b, n FROM tallies WHERE n != 0 AND what IN {recounted}"))
        work = ("SELECT coalesce(who, '') AS editor, json_extract(detail, '$.work.kind') AS kind, "
                "coalesce(json_extract(detail, '$.work.ms'), 0) AS ms FROM changes WHERE doc_id IS NOT NULL AND "
                "json_valid(detail) AND json_type(detail, '$.work') = 'object' UNION ALL SELECT editor, "
                "json_extract(detail, '$.work.kind'), coalesce(json_extract(detail, '$.work.ms'), 0) FROM "
                "layer_changes WHERE doc_id IS NOT NULL AND json_valid(detail) AND json_type(detail, '$.work') = "
                "'object'")
        outcome = ("CASE WHEN source = 'editor' THEN CASE WHEN state = 'accepted' THEN 'drawn' ELSE 'undrawn' END "
                   "WHEN state = 'suggested' THEN 'open' WHEN state = 'rejected' THEN 'deleted' WHEN {changed} "
                   "THEN 'changed' ELSE 'kept' END")
        span_outcome = outcome.format(changed="first_label != label OR first_at != start || ':' || \"end\"")
        link_outcome = outcome.format(changed="0").replace("WHEN state = 'rejected' THEN 'deleted'",
                                                           "WHEN state = 'rejected' THEN iif(dropped, 'dropped', "
                                                           "'deleted')")
        recount = set(conn.execute(
            "SELECT 'span', label, state, count(*) FROM spans GROUP BY 2, 3 UNION ALL "
            "SELECT 'preannotated', pipeline, '', count(*) FROM preannotated GROUP BY 2 UNION ALL "
            "SELECT 'answered', coalesce(answered_by, ''), answer, count(*) FROM documents WHERE answer != 'pending' "
            "GROUP BY 2, 3 UNION ALL SELECT 'changes', coalesce(who, ''), '', count(*) FROM changes WHERE action "
            "NOT IN ('import', 'preannotate', 'opened', 'left') GROUP BY 2 UNION ALL "
            # what became of the suggestions (migration 0013), and each editor's time and actions
            f"SELECT 'outcome', coalesce(first_label, label), {span_outcome}, count(*) FROM spans WHERE state != "
            "'suggested' GROUP BY 2, 3 UNION ALL SELECT 'origin', CASE WHEN source = 'editor' THEN 'editor' ELSE "
            f"coalesce(origin, source) END, {span_outcome}, count(*) FROM spans WHERE state != 'suggested' GROUP BY "
            f"2, 3 UNION ALL SELECT 'link', role, {link_outcome}, count(*) FROM links WHERE state != 'suggested' "
            "GROUP BY 2, 3 UNION ALL "
            f"SELECT 'ms', editor, '', sum(ms) FROM ({work}) GROUP BY 2 HAVING sum(ms) != 0 UNION ALL "
            f"SELECT 'act', editor, kind, count(*) FROM ({work}) WHERE kind NOT IN ('opened', 'left') GROUP BY 2, 3 "
            "UNION ALL SELECT 'flag', editor, flag, count(*) FROM effort WHERE flag != '' GROUP BY 2, 3"))
        # the queue's filter by label, as a second handle reads it (from migration 0008's index, or from the
        # articles of an answer when those are fewer), against a recount by this connection
        labels = [r[0] for r in conn.execute("SELECT name FROM labels")]
        visible = "SELECT DISTINCT doc_id FROM spans WHERE label = ? AND state != 'rejected'"
        by_label = {(label, answer): [r[0] for r in conn.execute(
            f"SELECT id FROM documents WHERE id IN ({visible}) AND (? IS NULL OR answer = ?) ORDER BY id",
            (label, answer, answer))] for label in labels for answer in (None, "accept", "pending")}
    finally:
        conn.close()
    from annotator.store import Store

    with Store(db, readonly=True) as store:
        filtered = {(label, answer): store.documents.document_ids(0, None, answer, label=label)
                    for label, answer in by_label}
    if filtered != by_label:
        return False
    return tallies == recount and kept == {
        "documents": total, **{f"answer:{a}": answers.get(f"answer:{a}", 0) for a in ("pending", "accept", "reject",
                                                                                     "ignore")}}


def annotator_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "annotator", *map(str, args)]


def test_import_killed_half_way_then_completed(tmp_path):
    src = make_input(tmp_path / "big.jsonl", N_DOCS)
    db = tmp_path / "p.db"
    proc = subprocess.Popen(annotator_cmd("import", src, "--db", db), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count(db) < 1000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    partial = count(db)
    assert 0 < partial < N_DOCS, "the import was not interrupted half-way"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert counts_are_true(db)  # killed mid-batch: the counts went with the rows or not at all
    done = subprocess.run(annotator_cmd("import", src, "--db", db), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{partial} duplicate(s) skipped" in done.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT input_hash), count(DISTINCT external_id) "
                        "FROM documents").fetchone() == (N_DOCS, N_DOCS, N_DOCS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the full-text index agrees with the table
    assert conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'copy'").fetchone()[0] == N_DOCS
    conn.close()
    assert counts_are_true(db)


EDITOR_SCRIPT = """
import os, sys
from annotator.store import Store
store = Store(sys.argv[1])
ids = [r.id for r in store.documents.list_documents(limit=100)]
actions = 0
rounds = 0
while not os.path.exists(sys.argv[2]) or rounds < 3:
    for doc_id in ids:
        store.annotations.add_span(doc_id, 0, 6, "TIME", "editor-b")
        store.annotations.set_answer(doc_id, ["accept", "reject", "ignore"][rounds % 3], "editor-b")
        actions += 2
    rounds += 1
print(actions, rounds)
"""


def test_two_processes_write_at_once_and_nothing_is_lost(tmp_path):
    db = tmp_path / "p.db"
    first = subprocess.run(annotator_cmd("import", WIKINEWS, "--db", db), cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0
    src = make_input(tmp_path / "more.jsonl", 4000)
    stop = tmp_path / "stop"
    editor = subprocess.Popen([sys.executable, "-c", EDITOR_SCRIPT, str(db), str(stop)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    importer = subprocess.Popen(annotator_cmd("import", src, "--db", db, "--editor", "editor-a"), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out_i, err_i = importer.communicate(timeout=300)
    stop.touch()  # the editor keeps working until the import is over
    out_e, err_e = editor.communicate(timeout=300)
    assert importer.returncode == 0, err_i
    assert editor.returncode == 0, err_e
    assert "locked" not in err_i + err_e
    actions, rounds = map(int, out_e.split())
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 150 + 4000
    assert conn.execute("SELECT count(*) FROM changes WHERE who = 'editor-b'").fetchone()[0] == actions
    last = ["accept", "reject", "ignore"][(rounds - 1) % 3]
    assert conn.execute("SELECT count(*) FROM documents WHERE answer = ? AND answered_by = 'editor-b'",
                        (last,)).fetchone()[0] == 100
    assert conn.execute("SELECT count(*) FROM spans WHERE label = 'TIME' AND state = 'accepted'").fetchone()[0] == 100
    assert counts_are_true(db)  # an importer and an editor answering at once: the counts stay true
    # the two really wrote at the same time: their stretches of work overlap
    a_first, a_last = conn.execute("SELECT min(at), max(at) FROM changes WHERE who = 'editor-a'").fetchone()
    b_first, b_last = conn.execute("SELECT min(at), max(at) FROM changes WHERE who = 'editor-b'").fetchone()
    assert a_first < b_last and b_first < a_last


RECORDING_EDITOR = """
import sys
from annotator.core.model import Answer
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from tests.conftest import recording_session
store = Store(sys.argv[1])
s, clock = recording_session(store, "eve", tokenize)
for doc_id in range(1, 151):
    s.visit(doc_id)
    clock.wait(7)
    if s.spans:
        s.delete(s.spans[0].id)
    clock.wait(3)
    s.add_span(0, 3, "TIME")
    clock.wait(2)
    s.set_answer(Answer.ACCEPT)
    print(doc_id, flush=True)
"""


def test_an_editor_killed_while_recording_leaves_figures_that_match_the_log(tmp_path):
    """The window's records (time, actions, what became of the suggestions) are written with each edit: killed at
    any moment, the tallies the database keeps equal a recount of what the log and the rows hold."""
    db = tmp_path / "p.db"
    assert subprocess.run(annotator_cmd("import", WIKINEWS, "--db", db), cwd=ROOT, capture_output=True).returncode == 0
    assert subprocess.run(annotator_cmd("preannotate", "--db", db), cwd=ROOT, capture_output=True).returncode == 0
    editor = subprocess.Popen([sys.executable, "-c", RECORDING_EDITOR, str(db)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert editor.stdout is not None
    for _ in range(25):  # some articles done, then killed in the middle of whatever it was writing
        line = editor.stdout.readline()
        assert line, editor.stderr.read() if editor.stderr else ""
    time.sleep(0.013)
    os.kill(editor.pid, signal.SIGKILL)
    editor.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert counts_are_true(db)
    conn = sqlite3.connect(db)
    per_article = conn.execute(
        "SELECT e.doc_id, e.ms, (SELECT coalesce(sum(json_extract(c.detail, '$.work.ms')), 0) FROM changes c WHERE "
        "c.doc_id = e.doc_id AND c.who = 'eve' AND json_extract(c.detail, '$.work') IS NOT NULL) FROM effort e WHERE "
        "e.editor = 'eve'").fetchall()
    answered = conn.execute("SELECT count(*) FROM documents WHERE answered_by = 'eve'").fetchone()[0]
    days = conn.execute("SELECT sum(n) FROM tallies WHERE what = 'day' AND a = 'eve'").fetchone()[0]
    conn.close()
    assert len(per_article) >= 25 and all(ms == logged for _, ms, logged in per_article)
    assert days == answered >= 25
