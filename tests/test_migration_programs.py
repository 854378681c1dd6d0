"""Migration 0011 (AMOUNT and the guidelines) between programs: killed with -9 in the middle, run by two programs
at once, and a project the window holds open while the command line reads it. Every check reads the file from
another process or another connection than the one that wrote it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.core.model import Document, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.store.schema import SCHEMA_VERSION
from tests.conftest import ROOT, dies_in_migration, run_until_killed, undo_migration_0013
from tests.test_durability import annotator_cmd

TEXT = "Rebels launched 472 drones at the town overnight , and four civilians died ."
M0011 = "0011_guidelines_and_amounts"


def made_before_amount(path: Path) -> None:
    """A project as the version before AMOUNT left it (schema 10): made now, then AMOUNT, its fillers, the
    guidelines and the record of migration 0011 taken out."""
    with Store(path) as store:
        store.documents.add_records([Record(Document(text=TEXT, title="drones"), [
            Span(7, 15, "ATTACK", Source.RULE, SpanState.SUGGESTED),
            Span(51, 65, "CASUALTIES", Source.EDITOR, SpanState.ACCEPTED)])])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE label_guidelines")
    conn.execute("DELETE FROM labels WHERE name = 'AMOUNT'")
    for event, name, fillers in conn.execute("SELECT event, name, fillers FROM roles").fetchall():
        conn.execute("UPDATE roles SET fillers = ? WHERE event = ? AND name = ?",
                     (json.dumps([f for f in json.loads(fillers) if f != "AMOUNT"]), event, name))
    conn.execute("DELETE FROM project WHERE key = 'guidelines'")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (M0011,))
    conn.execute("DROP TABLE notes")  # and what later migrations made
    conn.execute("DROP TABLE layer_notes")
    conn.execute("DROP INDEX spans_review")
    undo_migration_0013(conn)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name > ?", (M0011,))
    conn.execute("PRAGMA user_version = 10")
    conn.close()


READ = r"""
import json, sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
print(json.dumps({
    "version": conn.execute("PRAGMA user_version").fetchone()[0],
    "check": conn.execute("PRAGMA quick_check").fetchone()[0],
    "amount": conn.execute("SELECT count(*) FROM labels WHERE name = 'AMOUNT'").fetchone()[0],
    "target": json.loads(conn.execute("SELECT fillers FROM roles WHERE event = 'ATTACK' AND name = 'target'"
                                      ).fetchone()[0]),
    "guides": conn.execute("SELECT count(*) FROM label_guidelines").fetchone()[0] if "label_guidelines" in tables
              else None,
    "applied": conn.execute("SELECT count(*) FROM _sqlite_migrations WHERE name = ?", ("@M0011@",)).fetchone()[0],
    "spans": conn.execute("SELECT count(*) FROM spans").fetchone()[0],
    "notes": "notes" in tables,
}))
""".replace("@M0011@", M0011)


def read_elsewhere(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


DIES_IN_0011 = dies_in_migration(M0011)  # AMOUNT, its fillers and the guidelines written, not yet committed


def test_a_migration_killed_half_way_leaves_the_file_as_it_was_and_the_next_program_finishes_it(tmp_path):
    db = tmp_path / "old.db"
    made_before_amount(db)
    before = read_elsewhere(db)
    assert (before["version"], before["amount"], before["guides"], before["applied"]) == (10, 0, None, 0)
    run_until_killed(DIES_IN_0011, db)
    assert read_elsewhere(db) == before  # nothing of the half-done migration reached the file
    assert (tmp_path / "old.db.bak-v10").exists()  # the copy made before migrating
    # the window opens it (and migrates it); a second handle in the same process sees the same scheme
    window = Store(db)
    try:
        second = Store(db, create=False)
        assert second.scheme.get("AMOUNT") is not None and second.scheme.guidelines
        assert "AMOUNT" in second.scheme.roles("ATTACK")[1].fillers
        second.close()
        # the editor marks an amount in the window; the command line, while the window holds the file open,
        # reads it and the spans that were there
        window.annotations.add_span(window.documents.list_documents(limit=1)[0].id, 16, 26, "AMOUNT", "ana")
        stats = subprocess.run(annotator_cmd("stats", "--db", db, "--json"), cwd=ROOT, capture_output=True,
                               text=True, timeout=120)
        assert stats.returncode == 0, stats.stderr
        by_label = json.loads(stats.stdout)["spans"]
        assert (by_label["AMOUNT"], by_label["CASUALTIES"]) == ({"accepted": 1}, {"accepted": 1})
    finally:
        window.close()
    after = read_elsewhere(db)
    assert (after["version"], after["check"], after["amount"], after["applied"], after["spans"], after["notes"]) == (
        SCHEMA_VERSION, "ok", 1, 1, 3, True)
    assert after["target"] == ["TARGET", "ACTOR", "PLACE", "AMOUNT"] and after["guides"] == 18


OPEN = r"""
import sys
from annotator.store import Store
from annotator.store.schema import SCHEMA_VERSION
sys.stdin.readline()  # both programs wait here, then open the old file at once
with Store(sys.argv[1]) as store:
    print(len(store.scheme.labels), flush=True)
"""


def test_two_programs_migrating_one_file_at_once_both_open_it_and_migrate_it_once(tmp_path):
    db = tmp_path / "old.db"
    made_before_amount(db)
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == ["18", "18"]
    after = read_elsewhere(db)
    assert (after["version"], after["amount"], after["applied"], after["check"]) == (SCHEMA_VERSION, 1, 1, "ok")
    assert after["target"].count("AMOUNT") == 1


def test_a_project_opened_with_a_scheme_named_still_gets_amount_and_its_own_labels_stay(tmp_path):
    """`annotator import --scheme conflict-news` on the old project: the migration gives it what the default
    scheme gained; the scheme named does not stand in for the project's own (migration 0004 writes a scheme only
    into a new project)."""
    from annotator.core.labels import load_scheme

    db = tmp_path / "old.db"
    made_before_amount(db)
    with Store(db, scheme=load_scheme()) as store:
        assert store.scheme.get("AMOUNT") is not None
    assert read_elsewhere(db)["target"] == ["TARGET", "ACTOR", "PLACE", "AMOUNT"]
