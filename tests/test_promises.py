"""What the README promises, exercised as a user would, and the checks that fail when the product breaks
(each assertion names what a user would notice)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET  # noqa: N817
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from tests.conftest import ROOT, SAMPLES, WIKINEWS, write
from tests.test_durability import annotator_cmd, make_input


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def rows(db: Path, sql: str, params: tuple = ()) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture
def samples_db(tmp_path) -> Path:
    db = tmp_path / "p.db"
    assert invoke("import", SAMPLES, "--db", db).exit_code == 0
    return db


def test_stats_prints_the_real_counts_per_label_and_per_editor(samples_db):
    assert invoke("preannotate", "--db", samples_db).exit_code == 0
    conn = sqlite3.connect(samples_db)
    first = conn.execute("SELECT id FROM documents ORDER BY id").fetchone()[0]
    conn.close()
    from annotator.store import Store

    with Store(samples_db) as store:
        store.annotations.set_answer(first, "accept", "ana", accept_suggested=True)
        store.annotations.set_answer(first + 1, "reject", "ben")
        store.annotations.add_span(first + 2, 0, 9, "PLACE", "ben")
    out = invoke("stats", "--db", samples_db).output
    counts = dict(((lb, st), n) for lb, st, n in rows(samples_db, "SELECT label, state, count(*) FROM spans "
                                                                  "GROUP BY 1, 2"))
    for label in ("PLACE", "ATTACK", "ACTOR"):
        expected = [counts.get((label, st), 0) for st in ("suggested", "accepted", "rejected")]
        assert sum(expected) > 0
        line = re.search(rf"^\s+{label}\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
        assert line and [int(x) for x in line.groups()] == expected, (label, expected, out)
    assert "answered 2: accepted 1, rejected 1, skipped 0, pending 10" in out
    assert re.search(r"^\s+ana: accept 1, changes 1$", out, re.M), out
    assert re.search(r"^\s+ben: changes 2, reject 1$", out, re.M), out


def test_stats_does_not_load_spacy(samples_db):
    """Reading commands start fast: spaCy (a second of imports) is loaded only by the commands that need it."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "annotator", "stats", "--db", str(samples_db)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "12 document(s)" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "annotator.store.database" in imported  # the measurement sees our own imports
    assert not any(name == "spacy" or name.startswith("spacy.") for name in imported)


def test_preannotate_all_includes_answered_articles(tmp_path):
    db = tmp_path / "p.db"
    assert invoke("import", SAMPLES, "--db", db, "--answer", "accept").exit_code == 0
    r = invoke("preannotate", "--db", db)
    assert "pre-annotated 0 document(s)" in r.output and rows(db, "SELECT count(*) FROM spans") == [(0,)]
    r = invoke("preannotate", "--db", db, "--all")
    assert "pre-annotated 12 document(s)" in r.output
    assert rows(db, "SELECT count(DISTINCT doc_id) FROM spans WHERE state = 'suggested'") == [(12,)]


def test_patterns_file_replaces_the_shipped_rules(samples_db, tmp_path):
    patterns = write(tmp_path / "mine.jsonl", '{"label": "WEAPON", "pattern": "mortars"}\n'
                                              '{"label": "PLACE", "pattern": [{"LOWER": "kharan"}]}\n')
    r = invoke("preannotate", "--db", samples_db, "--patterns", patterns)
    assert r.exit_code == 0, r.output
    found = rows(samples_db, 'SELECT DISTINCT label, lower(substr(d.text, s.start + 1, s."end" - s.start)) FROM '
                             "spans s JOIN documents d ON d.id = s.doc_id")
    assert set(found) == {("WEAPON", "mortars"), ("PLACE", "kharan")}


def test_snap_to_tokens_widens_the_stored_spans(tmp_path):
    text = "Rebel commanders did not answer."
    src = write(tmp_path / "d.jsonl", json.dumps({"text": text, "label": [[2, 12, "ACTOR"]]}) + "\n")
    db = tmp_path / "p.db"
    r = invoke("import", src, "--db", db)
    assert r.exit_code == 1 and "cuts through a token" in r.output
    r = invoke("import", src, "--db", db, "--snap-to-tokens")
    assert r.exit_code == 0 and "widened 1 span(s) to whole tokens" in r.output
    assert rows(db, 'SELECT start, "end", label FROM spans') == [(0, 16, "ACTOR")]
    assert text[0:16] == "Rebel commanders"


def test_tsv_import(tmp_path):
    src = write(tmp_path / "news.tsv", "id\ttitle\ttext\nn1\tFirst\tRebels attacked Kidal on Monday.\n"
                                       "n2\tSecond\tTalks resumed in Geneva.\n")
    db = tmp_path / "p.db"
    r = invoke("import", src, "--db", db)
    assert r.exit_code == 0 and "imported 2 document(s)" in r.output
    assert rows(db, "SELECT external_id, title, text FROM documents ORDER BY id") == [
        ("n1", "First", "Rebels attacked Kidal on Monday."), ("n2", "Second", "Talks resumed in Geneva.")]


def test_a_single_brat_pair(tmp_path):
    write(tmp_path / "one.txt", "Rebels attacked Kidal.")
    ann = write(tmp_path / "one.ann", "T1\tACTOR 0 6\tRebels\nT2\tATTACK 7 15\tattacked\n")
    db = tmp_path / "p.db"
    r = invoke("import", ann, "--db", db)
    assert r.exit_code == 0 and "imported 1 document(s) with 2 span(s)" in r.output
    assert rows(db, 'SELECT start, "end", label FROM spans ORDER BY start') == [(0, 6, "ACTOR"), (7, 15, "ATTACK")]


def test_init_on_an_existing_database_keeps_its_work_and_adds_labels(samples_db, tmp_path):
    before = rows(samples_db, "SELECT count(*) FROM documents")
    scheme = write(tmp_path / "more.toml", 'name = "more"\n[labels.FIRE]\nkind = "event"\ncolour = "#ff0000"\n'
                                           'hotkey = "f"\ndescription = "A fire"\n')
    r = invoke("init", "--db", samples_db, "--scheme", scheme)
    assert r.exit_code == 0, r.output
    labels = {n for (n,) in rows(samples_db, "SELECT name FROM labels")}
    assert "FIRE" in labels and "ATTACK" in labels  # added, and the labels in use kept
    assert rows(samples_db, "SELECT count(*) FROM documents") == before == [(12,)]
    r = invoke("init", "--db", samples_db)  # without a scheme: says what it holds, changes nothing
    assert "labels" in r.output and rows(samples_db, "SELECT count(*) FROM labels") == [(len(labels),)]


DEFAULT_NAMES = {"prodigy": "p.jsonl", "doccano": "p.doccano.jsonl", "doccano-relations": "p.doccano-relations.jsonl",
                 "label-studio": "p.json", "brat": "p-brat", "conll": "p.conll", "spacy": "p.spacy",
                 "events": "p.events.jsonl"}


@pytest.mark.parametrize("fmt", sorted(DEFAULT_NAMES))
def test_default_export_names_per_format(tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    assert invoke("import", SAMPLES, "--db", "p.db", "--answer", "accept").exit_code == 0
    r = invoke("export", "--db", "p.db", "--format", fmt)
    assert r.exit_code == 0, r.output
    target = tmp_path / "exports" / DEFAULT_NAMES[fmt]
    assert target.exists() and f"to {Path('exports') / DEFAULT_NAMES[fmt]}" in r.output


def test_brat_export_writes_its_configuration_from_the_scheme(samples_db, tmp_path):
    out = tmp_path / "brat"
    assert invoke("export", "--db", samples_db, "--format", "brat", "--output", out, "--include-pending").exit_code == 0
    labels = rows(samples_db, "SELECT name, colour FROM labels ORDER BY position")
    visual = (out / "visual.conf").read_text(encoding="utf-8")
    for name, colour in labels:
        assert f"{name} | {name}" in visual and f"{name}\tbgColor:{colour}" in visual
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    kinds = dict(rows(samples_db, "SELECT name, kind FROM labels"))
    assert conf.split("[entities]\n")[1].split("\n\n")[0].split("\n") == [
        n for n, _ in labels if kinds[n] == "argument"]
    # event labels are brat events, with their roles and the labels that may fill each
    events = conf.split("[events]\n")[1].split("\n\n")[0].split("\n")
    assert [line.split("\t")[0] for line in events] == [n for n, _ in labels if kinds[n] == "event"]
    assert ("ATTACK\tattacker*:ACTOR, target*:TARGET|ACTOR|PLACE|AMOUNT, instrument*:WEAPON|AMOUNT, place*:PLACE, "
            "time*:TIME, casualties*:CASUALTIES") in events


def test_label_studio_config_has_every_label_with_its_colour_escaped(tmp_path):
    src = write(tmp_path / "in.jsonl", json.dumps({"text": "Rebels attacked Kidal.", "answer": "accept", "spans": [
        {"start": 0, "end": 6, "label": 'R&D"<x>'}]}) + "\n")
    db = tmp_path / "p.db"
    assert invoke("import", src, "--db", db, "--format", "prodigy", "--add-labels").exit_code == 0
    out = tmp_path / "ls.json"
    assert invoke("export", "--db", db, "--format", "label-studio", "--output", out).exit_code == 0
    root = ET.parse(tmp_path / "ls.json.label_config.xml").getroot()
    shown = {el.get("value"): el.get("background") for el in root.iter("Label")}
    assert shown == dict(rows(db, "SELECT name, colour FROM labels"))
    assert 'R&D"<x>' in shown


def test_label_studio_import_takes_the_latest_annotation_whatever_their_order(tmp_path):
    def task(text, annotations):
        return {"data": {"text": text}, "annotations": annotations}

    old = {"updated_at": "2024-01-01T10:00:00Z", "result": [
        {"type": "labels", "value": {"start": 0, "end": 6, "labels": ["ACTOR"]}}]}
    new = {"updated_at": "2024-03-01T10:00:00Z", "result": [
        {"type": "labels", "value": {"start": 7, "end": 15, "labels": ["ATTACK"]}}]}
    src = write(tmp_path / "ls.json", json.dumps([task("Rebels attacked Kidal.", [old, new]),
                                                  task("Rebels attacked Gao.", [new, old])]))
    db = tmp_path / "p.db"
    r = invoke("import", src, "--db", db)
    assert r.exit_code == 0, r.output
    assert rows(db, 'SELECT doc_id, start, "end", label FROM spans ORDER BY doc_id') == [
        (1, 7, 15, "ATTACK"), (2, 7, 15, "ATTACK")]


def test_docbin_export_brings_the_answers_back(samples_db, tmp_path):
    from annotator.store import Store

    with Store(samples_db) as store:
        store.annotations.set_answer(1, "accept", "ana")
        store.annotations.add_span(1, 0, 9, "WEAPON", "ana")
        store.annotations.set_answer(2, "reject", "ana")
        store.annotations.set_answer(3, "ignore", "ana")
    out = tmp_path / "all.spacy"
    result = invoke("export", "--db", samples_db, "--format", "spacy", "--output", out, "--include-pending")
    assert result.exit_code == 0
    again = tmp_path / "again.db"
    r = invoke("import", out, "--db", again)
    assert r.exit_code == 0, r.output
    # DocBin has no way to say reject or skip: those articles stay out (and the export said so)
    answers = "SELECT input_hash, answer FROM documents WHERE answer IN ('accept', 'pending') ORDER BY input_hash"
    assert rows(again, answers) == rows(samples_db, answers)
    assert rows(again, "SELECT answer, count(*) FROM documents GROUP BY 1") == [("accept", 1), ("pending", 9)]
    assert rows(again, 'SELECT start, "end", label, state FROM spans WHERE label = ?', ("WEAPON",)) == [
        (0, 9, "WEAPON", "accepted")]


def test_split_keeps_each_article_on_its_side_when_others_are_added(tmp_path):
    db = tmp_path / "p.db"
    articles = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    first = write(tmp_path / "a.jsonl", "\n".join(json.dumps(a) for a in articles[:40]) + "\n")
    more = write(tmp_path / "b.jsonl", "\n".join(json.dumps(a) for a in articles[40:100]) + "\n")

    def sides(name: str) -> dict[str, str]:
        out = {}
        for part in ("train", "dev"):
            for line in (tmp_path / f"{name}.{part}.jsonl").read_text(encoding="utf-8").splitlines():
                out[json.loads(line)["text"]] = part
        return out

    assert invoke("import", first, "--db", db, "--answer", "accept").exit_code == 0
    assert invoke("export", "--db", db, "--output", tmp_path / "one.jsonl", "--split", "0.75", "--seed", "3"
                  ).exit_code == 0
    assert invoke("import", more, "--db", db, "--answer", "accept").exit_code == 0
    assert invoke("export", "--db", db, "--output", tmp_path / "two.jsonl", "--split", "0.75", "--seed", "3"
                  ).exit_code == 0
    before, after = sides("one"), sides("two")
    assert len(before) == 40 and len(after) == 100
    assert all(after[text] == side for text, side in before.items())
    assert 0.6 < sum(1 for s in after.values() if s == "train") / 100 < 0.9


def test_conll_never_breaks_a_sentence_inside_a_span(tmp_path):
    text = "Fighting went on in Kidal. Rebels said the town was theirs. Nobody else spoke."
    s, e = text.index("Kidal."), text.index("Rebels") + len("Rebels")
    src = write(tmp_path / "in.jsonl", json.dumps({"text": text, "spans": [{"start": s, "end": e, "label": "PLACE"}],
                                                   "answer": "accept"}) + "\n")
    db = tmp_path / "p.db"
    assert invoke("import", src, "--db", db, "--format", "prodigy").exit_code == 0
    out = tmp_path / "o.conll"
    assert invoke("export", "--db", db, "--format", "conll", "--output", out).exit_code == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    i = lines.index("Kidal\tB-PLACE")
    assert lines[i + 1: i + 3] == [".\tI-PLACE", "Rebels\tI-PLACE"]
    # and the sentences are still split elsewhere
    assert "" in lines[lines.index("theirs\tO"):lines.index("Nobody\tO")]


def test_demo_builds_once_and_the_window_falls_back_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = invoke("demo", "--db", "demo.db")
    assert r.exit_code == 0 and "imported 14 sample article(s)" in r.output and "14 document(s)" in r.output
    # the two long war reports, with events, their arguments and links between them
    long = rows(tmp_path / "demo.db", "SELECT d.id, count(DISTINCT l.id) FROM documents d JOIN links l ON "
                                      "l.doc_id = d.id WHERE d.title LIKE 'Drone battles%' GROUP BY d.id")
    assert len(long) == 1 and long[0][1] >= 10
    n = rows(tmp_path / "demo.db", "SELECT count(*) FROM spans")[0][0]
    assert n > 100
    r = invoke("demo", "--db", "demo.db")
    assert "demo.db exists; using it" in r.output and rows(tmp_path / "demo.db", "SELECT count(*) FROM spans") == [(n,)]
    # `annotator gui` with no project: the window is asked to fall back to demo.db
    import annotator.gui.app as app

    seen = []
    monkeypatch.setattr(app, "run", lambda db, demo=None: seen.append((db, demo)) or 0)
    r = CliRunner().invoke(cli, ["gui"])
    assert r.exit_code == 0 and seen == [(None, Path("demo.db"))]


def test_console_script_runs(tmp_path):
    script = Path(sys.executable).with_name("annotator" + (".exe" if os.name == "nt" else ""))
    assert script.exists(), "the console script is installed next to the interpreter"
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and re.fullmatch(r"annotator, version \d+\.\d+\.\d+\n", r.stdout)
    r = subprocess.run([str(script), "stats", "--db", str(tmp_path / "none.db")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and "no such project" in r.stderr


def test_ctrl_c_says_what_is_kept(tmp_path):
    src = make_input(tmp_path / "big.jsonl", 12_000)
    db = tmp_path / "p.db"
    # Ctrl+C as a terminal sends it: the program starts with SIGINT's default action, even when this test runs
    # under a parent that ignores it (mutmut does, and a child inherits an ignored signal)
    proc = subprocess.Popen(annotator_cmd("import", src, "--db", db), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if rows(db, "SELECT count(*) FROM documents")[0][0] >= 500:
                break
        except sqlite3.OperationalError:  # the file or its tables are not made yet
            pass
        time.sleep(0.02)
    assert proc.poll() is None, "the import ended before it could be interrupted: give it more records"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: everything saved before the interruption is kept" in err and "Traceback" not in err
    kept = rows(db, "SELECT count(*) FROM documents")[0][0]
    assert 500 <= kept < 12_000 and rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_train_labels_and_patience(tmp_path):
    db = tmp_path / "p.db"
    assert invoke("import", SAMPLES, "--db", db).exit_code == 0
    assert invoke("preannotate", "--db", db).exit_code == 0
    from annotator.store import Store

    with Store(db) as store:
        for (doc_id,) in store.conn.execute("SELECT id FROM documents").fetchall():
            store.annotations.set_answer(doc_id, "accept", "ed", accept_suggested=True)
    out = tmp_path / "models" / "two"
    r = invoke("train", "--db", db, "--output", out, "--labels", "ATTACK,DEATH", "--patience", "10", "--epochs",
               "40")
    assert r.exit_code == 0, r.output
    assert "stopping after 10 epochs without progress" in r.output
    # the rules, the model and both on the dev articles, and what pre-annotation uses for each label
    assert "label" in r.output and "rules  model   both   used" in r.output
    import spacy

    nlp = spacy.load(out)
    assert set(nlp.get_pipe("spancat").labels) == {"ATTACK", "DEATH"}
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["annotator"]["per_label"]) <= {"ATTACK", "DEATH"}
    assert meta["annotator"]["epochs"] < 40  # patience stopped it long before the epochs ran out
