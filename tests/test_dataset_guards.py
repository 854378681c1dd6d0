"""A dataset must never be silently wrong: reading commands refuse a damaged project before writing anything, an
export never replaces a database, a device or (without --force) any file, and what it says it left out is true."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.test_hostile_input import no_traceback, run


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The sample articles pre-annotated by the rules (spans and links), as `make run` builds them."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run("demo", "--db", db).returncode == 0
    return db


def damage_index(src: Path, dest: Path) -> None:
    """A copy of `src` with 1 KB in the middle of a page of the spans index overwritten."""
    dest.write_bytes(src.read_bytes())
    conn = sqlite3.connect(dest)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'idx_spans_doc_id_start_end_label' "
                                        "AND pagetype = 'leaf' ORDER BY pageno")]
    conn.close()
    with open(dest, "r+b") as fh:
        fh.seek(pages[-1] * page_size - 1500)  # among the cells, which fill a page from its end
        fh.write(bytes((7 + i * 13) % 256 for i in range(1024)))
    check = sqlite3.connect(dest)
    assert check.execute("PRAGMA quick_check").fetchone()[0] != "ok"  # really damaged
    check.close()


@pytest.mark.parametrize("command", [
    ("export", "--include-pending", "--output", "{out}/x.jsonl"),
    ("export", "--format", "brat", "--output", "{out}/brat"),
    ("stats",), ("queue",), ("agreement",), ("train", "--output", "{out}/model"),
    ("pack", "--editor", "ana", "--output", "{out}/ana.db"),
])
def test_reading_commands_refuse_a_damaged_project_before_writing_anything(demo, tmp_path, command):
    damaged = tmp_path / "damaged.db"
    damage_index(demo, damaged)
    out = tmp_path / "out"
    out.mkdir()
    before = hashlib.sha256(damaged.read_bytes()).hexdigest()
    result = run(*[c.format(out=out) for c in command], "--db", damaged)
    no_traceback(result)
    assert result.returncode == 2
    assert f"{damaged}: the database is damaged" in result.stderr
    assert list(out.iterdir()) == []  # nothing written, not even part of a file
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == before


def test_an_export_never_replaces_a_database_or_a_device(demo, tmp_path):
    theirs = tmp_path / "their-app.sqlite"
    conn = sqlite3.connect(theirs)
    conn.execute("CREATE TABLE notes(body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    project = tmp_path / "other.db"
    assert run("init", "--db", project).returncode == 0
    device = tmp_path / "null"
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    if os.geteuid() == 0:  # a device like /dev/null, made where nothing else uses it
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    for target, words in ((theirs, "is an SQLite database"), (project, "is an SQLite database"),
                          (fifo, "is not a regular file"), (device, "is not a regular file")):
        if not os.path.lexists(target):
            continue
        before = target.stat()
        data = target.read_bytes() if stat.S_ISREG(before.st_mode) else None
        for fmt in ("prodigy", "spacy"):
            result = run("export", "--db", demo, "--output", target, "--format", fmt, "--include-pending", "--force")
            no_traceback(result)
            assert result.returncode == 2 and f"{target}: {words}" in result.stderr
            after = target.stat()
            assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino
            if data is not None:
                assert target.read_bytes() == data


def test_an_existing_file_is_replaced_only_with_force_and_default_names_never_collide(demo, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    db = work / "p.db"
    db.write_bytes(demo.read_bytes())
    env_cwd = {"cwd": work}
    first = run("export", "--db", db, "--format", "events", "--include-pending", **env_cwd)
    second = run("export", "--db", db, "--include-pending", **env_cwd)
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    events, prodigy = work / "exports" / "p.events.jsonl", work / "exports" / "p.jsonl"
    assert "events" in json.loads(events.read_text(encoding="utf-8").splitlines()[0])
    assert "tokens" in json.loads(prodigy.read_text(encoding="utf-8").splitlines()[0])
    kept = prodigy.read_bytes()
    again = run("export", "--db", db, "--labels", "ATTACK", **env_cwd)
    assert again.returncode == 2 and "p.jsonl: already exists" in again.stderr and "--force" in again.stderr
    assert prodigy.read_bytes() == kept
    forced = run("export", "--db", db, "--labels", "ATTACK", "--force", **env_cwd)
    assert forced.returncode == 0 and prodigy.read_bytes() != kept


def test_links_left_out_are_counted_only_when_they_are_and_for_the_true_reason(tmp_path):
    """Articles imported as accepted, then pre-annotated: the suggested links are suggestions of answered
    articles, which no export carries; nothing is 'left out by label' when no --labels is given."""
    db = tmp_path / "p.db"
    assert run("import", SAMPLES, "--db", db, "--answer", "accept").returncode == 0
    assert run("preannotate", "--db", db, "--all").returncode == 0
    plain = run("export", "--db", db, "--output", tmp_path / "a.jsonl")
    assert plain.returncode == 0 and "left out" not in plain.stdout, plain.stdout
    # with the pending articles and a label filter, the links whose argument's label is left out are counted
    db2 = tmp_path / "q.db"
    assert run("demo", "--db", db2).returncode == 0
    labelled = run("export", "--db", db2, "--output", tmp_path / "b.jsonl", "--include-pending", "--labels",
                   "ATTACK,DEATH")
    assert labelled.returncode == 0
    assert "link(s): a span of the link is not in the export (its label left out)" in labelled.stdout
    whole = run("export", "--db", db2, "--output", tmp_path / "c.jsonl", "--include-pending")
    assert "left out" not in whole.stdout
