"""What happens between programs: a project held open by one process while a second handle in the same process
and other programs open and close the same file; kill -9 of pre-annotation and export. Every write the holder
made must reach the file, and none of its files may be deleted under it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, WIKINEWS
from tests.test_durability import annotator_cmd, make_input

HOLDER = r"""
import os, sys
from annotator.store import Store

db = sys.argv[1]
holder = Store(db)
doc_id = holder.documents.list_documents(limit=1)[0].id

def write(n):
    holder.set_meta(f"holder-{n}", str(n))

def deleted():
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(db) and target.endswith("(deleted)"):
            out.append(target)
    return out

write(0)
for n in range(1, 6):
    # a second handle in the same process, as the window's export and pre-annotation workers open
    second = Store(db, create=False)
    second.exports.stats()
    second.close()
    write(n)
print("ready", flush=True)
sys.stdin.readline()  # meanwhile other programs open and close the file
for n in range(6, 11):
    write(n)
    other = Store(db, create=False)
    other.close()
holder.annotations.add_span(doc_id, 0, 4, "TIME", "holder")
print("deleted:", ";".join(deleted()), flush=True)
sys.stdin.readline()  # killed here with SIGKILL: nothing is closed cleanly
"""


def other_programs_open(db: Path, *commands: list) -> None:
    """Other programs open and close the file: our command line (each of `commands`), and bare SQLite
    connections, one read-only and one read-write."""
    for args in commands:
        result = subprocess.run(annotator_cmd(*args), cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    read_only(db, "SELECT count(*) FROM documents")
    conn = sqlite3.connect(db)
    conn.execute("SELECT count(*) FROM spans").fetchone()
    conn.close()


def read_only(db: Path, sql: str, params: tuple = ()) -> list:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc to see deleted files (Linux)")
def test_a_second_handle_and_other_programs_never_make_the_holder_lose_writes(tmp_path):
    db = tmp_path / "p.db"
    subprocess.run(annotator_cmd("import", WIKINEWS, "--db", db), cwd=ROOT, check=True, capture_output=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        for _ in range(3):
            other_programs_open(db, ["stats", "--db", db])
        holder.stdin.write("go\n")
        holder.stdin.flush()
        line = holder.stdout.readline().strip()
        assert line == "deleted:", f"the holder's files were deleted under it: {line}"
    finally:
        holder.kill()
        holder.wait()
    assert holder.returncode == -signal.SIGKILL
    # a third process sees every write of the holder, though it was killed
    keys = {k for (k,) in read_only(db, "SELECT key FROM project WHERE key LIKE 'holder-%'")}
    assert keys == {f"holder-{n}" for n in range(11)}
    assert read_only(db, "SELECT who FROM changes WHERE action = 'add_span'") == [("holder",)]
    assert read_only(db, "PRAGMA integrity_check") == [("ok",)]


def test_preannotation_killed_half_way_then_completed_gives_the_same_suggestions(tmp_path):
    n = 800  # the run commits every 256 articles: killed after its second commit, with 288 left
    src = make_input(tmp_path / "in.jsonl", n)
    db, reference = tmp_path / "p.db", tmp_path / "ref.db"
    for target in (db, reference):
        subprocess.run(annotator_cmd("import", src, "--db", target), cwd=ROOT, check=True, capture_output=True)
    subprocess.run(annotator_cmd("preannotate", "--db", reference), cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen(annotator_cmd("preannotate", "--db", db, "--batch-size", "16"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    while done < 300 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            done = read_only(db, "SELECT count(*) FROM preannotated")[0][0]
        except sqlite3.Error:
            continue
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = read_only(db, "SELECT count(*) FROM preannotated")[0][0]
    assert 0 < partial < n, "pre-annotation was not interrupted half-way"
    assert read_only(db, "PRAGMA integrity_check") == [("ok",)]
    from tests.test_durability import counts_are_true

    assert counts_are_true(db)  # killed mid-batch: the tallies and the label filter went with the spans or not at all
    again = subprocess.run(annotator_cmd("preannotate", "--db", db), cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"pre-annotated {n - partial} document(s)" in again.stdout
    query = ('SELECT d.input_hash, s.start, s."end", s.label, s.state FROM spans s JOIN documents d '
             "ON d.id = s.doc_id ORDER BY 1, 2, 3, 4")
    assert read_only(db, query) == read_only(reference, query)
    # and the same links: none lost, none repeated, none half-written by the kill
    links = ('SELECT d.input_hash, e.start, e.label, a.start, a.label, l.role, l.state FROM links l '
             "JOIN documents d ON d.id = l.doc_id JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id "
             "ORDER BY 1, 2, 3, 4, 5, 6")
    assert read_only(db, links) == read_only(reference, links) and len(read_only(reference, links)) > n
    assert counts_are_true(db)


def test_export_killed_half_way_leaves_the_earlier_file_and_the_next_export_cleans_up(tmp_path):
    n = 600  # 30 MB of JSON lines (each article with its tokens): killed after the first 100 kB
    src = make_input(tmp_path / "in.jsonl", n)
    db = tmp_path / "p.db"
    subprocess.run(annotator_cmd("import", src, "--db", db, "--answer", "accept"), cwd=ROOT, check=True,
                   capture_output=True)
    out = tmp_path / "out" / "data.jsonl"
    out.parent.mkdir()
    out.write_text('{"text": "an earlier export"}\n', encoding="utf-8")
    proc = subprocess.Popen(annotator_cmd("export", "--db", db, "--output", out, "--force"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") and p.stat().st_size > 100_000 for p in out.parent.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the export ended before it could be killed"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    leftovers = [p for p in out.parent.iterdir() if p.name.endswith(".part")]
    assert leftovers, "a killed export leaves its temporary file"
    # the earlier export is whole: never half a file
    assert out.read_text(encoding="utf-8") == '{"text": "an earlier export"}\n'
    done = subprocess.run(annotator_cmd("export", "--db", db, "--output", out, "--force"), cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["data.jsonl"], "leftovers were not cleaned up"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == n and all(json.loads(line)["answer"] == "accept" for line in lines)


def test_the_leftovers_of_older_versions_and_of_live_exports(tmp_path):
    """Parts without a process id (written before ids were added) go once they are an hour old; a part of an
    export still running is left alone."""
    from annotator.workflows.exporting import clean_leftovers

    out = tmp_path / "data.jsonl"
    old = tmp_path / ".data.jsonl.k2j3h4.part"
    old.write_text("x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    recent = tmp_path / ".data.jsonl.z9y8x7.part"
    recent.write_text("x")
    live = tmp_path / f".data.jsonl.{os.getppid()}.abc.part"
    live.write_text("x")
    dead = tmp_path / ".data.jsonl.2147480000.abc.part"
    dead.write_text("x")
    other = tmp_path / ".other.jsonl.2147480000.abc.part"
    other.write_text("x")
    assert clean_leftovers(out) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n.name for n in (recent, live, other))


def test_a_command_waits_for_a_program_holding_the_file_then_every_write_of_both_is_there(tmp_path):
    """Another program (a database browser, a backup) holds the project exclusively for a moment: the command
    line waits for it instead of failing, its import lands, the other program's write stays, and a third
    process sees both."""
    db = tmp_path / "p.db"
    assert subprocess.run(annotator_cmd("init", "--db", db), cwd=ROOT, capture_output=True).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, time
c = sqlite3.connect({str(db)!r}, isolation_level=None)
c.execute("PRAGMA locking_mode = EXCLUSIVE")
c.execute("BEGIN EXCLUSIVE")
c.execute("INSERT INTO project(key, value) VALUES ('browser', 'was here')")
print("held", flush=True)
time.sleep(1.5)
c.execute("COMMIT")
c.close()
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        src = tmp_path / "in.jsonl"
        src.write_text('{"text": "Rebels attacked Kidal."}\n', encoding="utf-8")
        run = subprocess.run(annotator_cmd("import", src, "--db", db), cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0, run.stderr
    finally:
        holder.wait(timeout=30)
    check = subprocess.run([sys.executable, "-c", f"""
import sqlite3
c = sqlite3.connect({str(db)!r})
print(c.execute("SELECT text FROM documents").fetchall(), c.execute(
    "SELECT value FROM project WHERE key = 'browser'").fetchall())
"""], capture_output=True, text=True, timeout=60)
    assert check.stdout.strip() == "[('Rebels attacked Kidal.',)] [('was here',)]", check.stderr


def test_preannotation_with_a_model_killed_half_way_keeps_each_judgement_with_its_suggestions(tmp_path, trained):
    """The order of usefulness is written in the suggestions' transaction: after kill -9, read by another
    process, every article the model's run finished has its judgement and no other article has one; the run
    completed, every article has one."""
    _, model = trained
    n = 400  # the run commits every 256 articles: killed after the first commit, with 144 left
    src = make_input(tmp_path / "in.jsonl", n)
    db = tmp_path / "p.db"
    subprocess.run(annotator_cmd("import", src, "--db", db), cwd=ROOT, check=True, capture_output=True)
    run = annotator_cmd("preannotate", "--db", db, "--model", model)
    proc = subprocess.Popen(run, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    done = 0
    while done == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            done = read_only(db, "SELECT count(*) FROM preannotated WHERE pipeline LIKE 'rules:%model:%'")[0][0]
        except sqlite3.Error:
            continue
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = {d for (d,) in read_only(db, "SELECT doc_id FROM preannotated WHERE pipeline LIKE 'rules:%model:%'")}
    judged = {d for (d,) in read_only(db, "SELECT doc_id FROM priorities")}
    assert 0 < len(finished) < n, "pre-annotation was not interrupted half-way"
    assert judged == finished
    from tests.test_durability import counts_are_true

    assert counts_are_true(db)
    again = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert read_only(db, "SELECT count(*), count(DISTINCT doc_id) FROM priorities") == [(n, n)]
    assert counts_are_true(db)


def test_the_roles_a_second_handle_sets_reach_the_windows_preannotation_and_a_killed_setting_changes_nothing(
        tmp_path):
    """The window holds the project (handle A). A second handle in the same process sets the roles the rules
    link in (as `set_scheme` does for a scheme given again); pre-annotation started from the window opens the file
    anew (PreannotateWorker), so its links are in the new roles, as another process reads them. Then a program
    killed with SIGKILL while it writes other roles, after the roles but before the labels and the commit, leaves
    the file with the roles it had, whole."""
    from dataclasses import replace

    from annotator.core.model import Document, Record
    from annotator.gui.workers import PreannotateWorker
    from annotator.store import Store

    path = tmp_path / "p.db"
    text = "Gunmen attacked a checkpoint in Aleppo on Monday, killing two civilians."
    holder = Store(path)
    holder.documents.add_records([Record(Document(text=text))])
    with Store(path, create=False) as second:
        second.set_scheme(replace(second.scheme, rule_link_roles=frozenset({"place"})))
    assert "pre-annotated 1 article(s)" in PreannotateWorker(path, "ed", None).work()
    read = ("import json, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "t = sys.argv[2]\n"
            "links = c.execute('SELECT e.start, e.\"end\", l.role, a.start, a.\"end\" FROM links l JOIN spans e ON "
            "e.id = l.event_id JOIN spans a ON a.id = l.arg_id ORDER BY e.start, l.role').fetchall()\n"
            "print(json.dumps([[t[es:ee], role, t[as_:ae]] for es, ee, role, as_, ae in links] + [c.execute(\"SELECT "
            "value FROM project WHERE key = 'rule_link_roles'\").fetchone()[0], c.execute('PRAGMA integrity_check')"
            ".fetchone()[0]]))\n")

    def seen() -> list:
        out = subprocess.run([sys.executable, "-c", read, str(path), text], capture_output=True, text=True,
                             check=True, cwd=ROOT)
        return json.loads(out.stdout)

    placed = [["attacked", "place", "Aleppo"], '["place"]', "ok"]
    assert seen() == placed  # only the place role: no attacker, no time, no victim (and Aleppo is the attack's)
    killer = ("import os, signal, sys\n"
              "from dataclasses import replace\n"
              "from annotator.store import Store, scheme_tables\n"
              "def killing(db, scheme):  # the roles are written; the labels and the commit are not\n"
              "    assert db.execute(\"SELECT value FROM project WHERE key = 'rule_link_roles'\").fetchone()[0] == "
              "'[\"time\"]'\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "scheme_tables.write_roles = killing\n"
              "store = Store(sys.argv[1], create=False)\n"
              "store.set_scheme(replace(store.scheme, rule_link_roles=frozenset({'time'})))\n")
    done = subprocess.run([sys.executable, "-c", killer, str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert seen() == placed
    holder.close()
    with Store(path, create=False) as again:  # the window opened again reads the second handle's roles
        assert again.scheme.rule_link_roles == frozenset({"place"})
