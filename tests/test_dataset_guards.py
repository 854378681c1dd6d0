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
    ("pretrain", "--output", "{out}/w.bin"),
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


TEXT = "Rebels attacked the town of Kidal on Monday ."


@pytest.mark.parametrize("name, content, words", [
    ("self.jsonl", json.dumps({"text": TEXT, "events": [{"trigger": {"start": 7, "end": 15, "label": "ATTACK"},
                                                          "arguments": [{"role": "target", "start": 7, "end": 15,
                                                                         "label": "ATTACK"}]}]}) + "\n",
     "links the span 7..15 'attacked' to itself"),
    ("doccano.jsonl", json.dumps({"text": TEXT, "entities": [
        {"id": 1, "start_offset": 7, "end_offset": 15, "label": "ATTACK"},
        {"id": 2, "start_offset": 0, "end_offset": 6, "label": "ACTOR"}],
        "relations": [{"id": 9, "from_id": 1, "to_id": 1, "type": "attacker"}]}) + "\n",
     "relation 0 (attacker): from_id and to_id are both 1"),
    ("twice.jsonl", json.dumps({"text": TEXT, "entities": [
        {"id": 1, "start_offset": 7, "end_offset": 15, "label": "ATTACK"},
        {"id": 1, "start_offset": 0, "end_offset": 6, "label": "ACTOR"}], "relations": []}) + "\n",
     "entity 1: id 1 is given twice"),
])
def test_import_refuses_self_links_and_repeated_ids_naming_the_record(tmp_path, name, content, words):
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    fmt = "doccano" if name != "self.jsonl" else "events"
    result = run("import", src, "--db", tmp_path / "p.db", "--format", fmt)
    no_traceback(result)
    assert result.returncode == 1 and f"rejected: {src}:1: " in result.stderr and words in result.stderr
    conn = sqlite3.connect(tmp_path / "p.db")
    assert conn.execute("SELECT count(*) FROM links").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize("ann, words", [
    ("T1\tATTACK 7 15\tattacked\nT2\tACTOR 0 6\tRebels\nE1\tATTACK:T1 target:E1\n",
     ":3: target:E1 links the event's trigger T1 to itself"),
    ("T1\tATTACK 7 15\tattacked\nR1\tattacker Arg1:T1 Arg2:T1\n",
     ":2: the attacker relation links T1 to itself"),
    ("T1\tATTACK 7 15\tattacked\nT1\tACTOR 0 6\tRebels\n", ":2: T1 is defined twice (lines 1 and 2)"),
])
def test_brat_self_links_and_repeated_ids_are_named_by_line(tmp_path, ann, words):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    result = run("import", folder, "--db", tmp_path / "p.db")
    no_traceback(result)
    assert result.returncode == 1 and f"{folder / 'a.ann'}{words}" in result.stderr, result.stderr


def test_a_label_studio_relation_without_labels_is_said_in_the_summary(tmp_path):
    task = {"data": {"text": TEXT}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 7, "end": 15, "labels": ["ATTACK"]}},
        {"id": "b", "type": "labels", "value": {"start": 0, "end": 6, "labels": ["ACTOR"]}},
        {"type": "relation", "from_id": "a", "to_id": "b", "direction": "right"}]}]}
    src = tmp_path / "ls.json"
    src.write_text(json.dumps([task]), encoding="utf-8")
    result = run("import", src, "--db", tmp_path / "p.db")
    assert result.returncode == 0, result.stderr
    assert "note: 1 Label Studio relation(s) without a label: kept in each article's meta" in result.stdout


def test_a_model_folder_is_never_missing_even_when_killed_between_the_steps(tmp_path, monkeypatch):
    """The new model takes the old one's place in one step: a kill at any moment leaves a model at the path."""
    from annotator.workflows import files

    out = tmp_path / "model"
    out.mkdir()
    (out / "meta.json").write_text("old")
    tmp = tmp_path / ".model.part"
    tmp.mkdir()
    (tmp / "meta.json").write_text("new")
    real = os.replace
    steps = []

    def killed_after_the_first_step(a, b):  # the process dies between two renames
        steps.append((a, b))
        if len(steps) > 1:
            raise KeyboardInterrupt
        real(a, b)

    monkeypatch.setattr(files.os, "replace", killed_after_the_first_step)
    try:
        files.replace(tmp, out)
    except KeyboardInterrupt:
        pass
    assert (out / "meta.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # the old one removed, nothing else left


def test_what_a_killed_training_left_is_removed_and_said(tmp_path, store):
    """A killed training leaves its working folder and maybe an unfinished model beside the model's path: the next
    training of that model removes those of processes that are gone (and the unnamed folder of earlier versions),
    says so, and leaves a live training's and other models' alone."""
    from annotator.core.errors import AnnotatorError
    from annotator.workflows.training import train

    dead = 2 ** 22 + 12345  # above the kernel's largest process id: never a live process
    models = tmp_path / "models"
    models.mkdir()
    left = [f".news.{dead}.training.part", f".news.{dead}.model.part", ".news.training"]
    kept = [f".news.{os.getpid()}.training.part", f".other.{dead}.training.part"]
    for name in left + kept:
        (models / name).mkdir()
    said = []
    with pytest.raises(AnnotatorError, match="training needs at least 2"):  # nothing to train on: stops there
        train(store, models / "news", tokenizer=lambda t: [], log=said.append)
    assert sorted(p.name for p in models.iterdir()) == sorted(kept)
    assert said == ["removed 3 folder(s) a killed training of news left beside it"]


def test_a_full_disk_names_the_file_the_user_asked_for(tmp_path, monkeypatch):
    from annotator.core.errors import UnavailableError
    from annotator.store import Store, sqlite_error
    from annotator.store.team import Team
    from annotator.workflows.team import merge, pack

    team = Store(tmp_path / "team.db")
    from annotator.core.model import Answer, Document, Record
    team.documents.add_records([Record(Document(text=f"Rebels attacked Kidal{i} .")) for i in range(3)])
    team.team.assign(["ana"], 1)

    def full(self, team_path, editor, who=None):
        raise sqlite_error(self.store.path, sqlite3.OperationalError("database or disk is full"))

    with monkeypatch.context() as m:
        m.setattr(Team, "fill_from", full)
        with pytest.raises(UnavailableError) as caught:
            pack(team, "ana", tmp_path / "ana.db")
    assert str(caught.value).startswith(f"{tmp_path / 'ana.db'}: the disk is full")
    assert ".partial" not in str(caught.value) and not list(tmp_path.glob(".ana.db*"))
    # three files merged, the disk full at the second: the first's report is heard, the second named
    files = []
    for name in ("a", "b", "c"):
        with Store(tmp_path / f"{name}.db") as f:
            f.documents.add_records([Record(Document(text=f"Police detained {name} .", answer=Answer.ACCEPT,
                                                     answered_by=name))])
        files.append(tmp_path / f"{name}.db")
    real = Team.merge

    def full_at_b(self, src, *args, **kwargs):
        if src.path.name == "b.db":
            raise sqlite_error(self.store.path, sqlite3.OperationalError("database or disk is full"))
        return real(self, src, *args, **kwargs)

    heard = []
    monkeypatch.setattr(Team, "merge", full_at_b)
    with pytest.raises(UnavailableError) as caught:
        merge(team, files, on_report=heard.append)
    assert [r.path for r in heard] == [str(files[0])]
    assert str(caught.value).startswith(f"{files[1]}: not merged: ") and "disk is full" in str(caught.value)
    team.close()


def test_merging_a_damaged_editors_file_names_it_and_merges_nothing(demo, tmp_path):
    team = tmp_path / "team.db"
    team.write_bytes(demo.read_bytes())
    assert run("assign", "--db", team, "--editors", "ana").returncode == 0
    ana = tmp_path / "ana.db"
    assert run("pack", "--db", team, "--editor", "ana", "--output", ana).returncode == 0
    conn = sqlite3.connect(ana)
    conn.execute("UPDATE documents SET answer = 'accept', answered_by = 'ana', answered_at = '2026-12-01'")
    conn.commit()
    conn.close()
    damage_index(ana, tmp_path / "ana-damaged.db")
    before = hashlib.sha256(team.read_bytes()).hexdigest()
    result = run("merge", tmp_path / "ana-damaged.db", "--into", team)
    no_traceback(result)
    assert result.returncode == 2 and f"{tmp_path / 'ana-damaged.db'}: the database is damaged" in result.stderr
    assert f"{team}: the database is damaged" not in result.stderr
    assert hashlib.sha256(team.read_bytes()).hexdigest() == before


def test_commands_that_were_told_nothing_to_do_say_what_is_missing(demo, tmp_path):
    team = tmp_path / "team.db"
    team.write_bytes(demo.read_bytes())
    bare = run("review", "--db", team, "--article", "1")
    assert bare.returncode == 2 and "--article 1: say what to decide with --take EDITOR or --answer" in bare.stderr
    commas = run("assign", "--db", team, "--editors", ",,")
    assert commas.returncode == 2 and "--editors: no editor named" in commas.stderr
    assert "between 1 and 0" not in commas.stderr
