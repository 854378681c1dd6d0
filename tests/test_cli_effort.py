"""`annotator stats --effort`, `export --format effort` and `settings`, as a user runs them, on a known history
(written by the article session with a controlled clock, as the window writes it), and the window's record
read by the command line's own process."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.core.session import ArticleSession
from annotator.store import Store
from tests.conftest import ROOT, recording_session
from tests.conftest import FakeClock as Clock

TEXT = "Rebel commanders attacked the town of Kidal on Monday, officials said."  # 11 words


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def history(tmp_path, tokenize):
    """ana: article 1 in 90 s (a suggestion deleted, one kept, a span drawn), article 2 accepted in 50 ms
    (unread: flagged), article 3 opened and skipped after 30 s; bob: article 4 in 45 s, every suggestion kept."""
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.documents.add_records([Record(Document(text=TEXT.replace("Kidal", town)), [
            Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED),
            Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED)]) for town in ("Kidal", "Gao", "Mopti", "Segou")])
        t = Clock(0.0)
        for who, steps in (("ana", [(1, 90, "work"), (2, 0.05, "accept"), (3, 30, "skip")]),
                           ("bob", [(4, 45, "accept")])):
            s, _ = recording_session(store, who, tokenize, t)
            for doc, seconds, what in steps:
                s.visit(doc)
                if what == "work":
                    actor, attack = (sp.id for sp in s.spans)
                    t.t += seconds / 3
                    s.delete(actor)
                    t.t += seconds / 3
                    s.add_span(38, 43, "PLACE")
                    t.t += seconds / 3
                    s.set_answer(Answer.ACCEPT)
                else:
                    t.t += seconds
                    s.set_answer(Answer.IGNORE if what == "skip" else Answer.ACCEPT)
            s.leave()
    return db


def test_stats_effort_prints_the_figures_of_a_known_history(history):
    r = invoke("stats", "--db", history, "--effort")
    assert r.exit_code == 0, r.output
    out = r.output.splitlines()
    ana = next(line for line in out if line.strip().startswith("ana"))
    # 90 + 0.05 + 30 s = 0.03 h; 3 articles; 1 delete + 1 draw + 3 answers
    assert "0.03 h" in ana and "3 articles" in ana and "5 actions" in ana and "flagged: fast 1" in ana
    bob = next(line for line in out if line.strip().startswith("bob"))
    assert "0.01 h" in bob and "1 articles" in bob and "80.0 articles/h" in bob
    actor = next(line for line in out if line.strip().startswith("ACTOR"))
    assert actor.split()[1:9] == ["kept", "2", "changed", "0", "deleted", "1", "open", "1"]  # article 3 skipped
    assert "saved      +2" in actor  # 2 kept x 2 actions, less 1 deleted x 2
    assert "articles flagged for a look: 1" in r.output
    assert any("ana: accepted faster than it can be read (0.1 s, 11 words)" in line for line in out)
    figures = json.loads(invoke("stats", "--db", history, "--json").output)["effort"]
    assert figures["editors"]["ana"]["actions_by_kind"] == {"accept": 0, "delete": 1, "relabel": 0, "resize": 0,
                                                            "draw": 1, "link": 0, "unlink": 0, "answer": 3,
                                                            "undo": 0}
    assert figures["editors"]["ana"]["time_per_article"]["1-2 min"] == 1
    assert figures["editors"]["ana"]["time_per_article"]["< 1 min"] == 2


def test_export_effort_writes_one_line_per_article_and_editor(history, tmp_path):
    out = tmp_path / "effort.jsonl"
    r = invoke("export", "--db", history, "--format", "effort", "--output", out)
    assert r.exit_code == 0 and "wrote 4 record(s) of the editors' work" in r.output, r.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["editor"], x["active_seconds"], x["answer"], x["flag"]) for x in rows] == [
        (1, "ana", 90.0, "accept", ""), (2, "ana", 0.1, "accept", "fast"), (3, "ana", 30.0, "ignore", ""),
        (4, "bob", 45.0, "accept", "")]
    assert rows[0]["actions"]["draw"] == 1 and rows[0]["words"] == 11
    # what the suggestions became, against what was saved: article 1 had two, one deleted and one kept; a span drawn
    assert (rows[0]["suggestions"], rows[0]["drawn_by_hand"]) == (
        {"made": 2, "kept": 1, "changed": 0, "deleted": 1, "open": 0}, 1)
    assert rows[2]["suggestions"] == {"made": 2, "kept": 0, "changed": 0, "deleted": 0, "open": 2}  # skipped
    # an annotation export is what it always was: nothing of the effort in it
    ann = tmp_path / "ann.jsonl"
    assert invoke("export", "--db", history, "--output", ann).exit_code == 0
    assert "effort" not in ann.read_text(encoding="utf-8") and "active" not in ann.read_text(encoding="utf-8")
    # an existing output is kept without --force; options that do not apply are refused, plainly
    r = invoke("export", "--db", history, "--format", "effort", "--output", out)
    assert r.exit_code != 0 and "already exists" in r.output and "Traceback" not in r.output
    r = invoke("export", "--db", history, "--format", "effort", "--output", tmp_path / "x.jsonl", "--split", "0.8")
    assert r.exit_code != 0 and "do not apply" in r.output
    r = invoke("export", "--db", history, "--format", "effort", "--output", history, "--force")
    assert r.exit_code != 0 and "project database itself" in r.output


def test_settings_hide_a_share_of_the_suggestions(history):
    r = invoke("settings", "--db", history)
    assert r.exit_code == 0 and "hidden on 0% of the articles (seed 0)" in r.output
    r = invoke("settings", "--db", history, "--hide-suggestions", "0.1", "--seed", "7")
    assert r.exit_code == 0 and "hidden on 10% of the articles (seed 7)" in r.output
    import sqlite3

    def logged() -> int:
        conn = sqlite3.connect(history)
        n = conn.execute("SELECT count(*) FROM changes WHERE action = 'set_hide'").fetchone()[0]
        conn.close()
        return n

    assert logged() == 1 and invoke("settings", "--db", history).exit_code == 0 and logged() == 1  # only read
    r = invoke("settings", "--db", history, "--hide-suggestions", "0.9")
    assert r.exit_code == 2 and "0.9" in r.output and "Traceback" not in r.output
    r = invoke("stats", "--db", history, "--effort")
    assert "hidden on 10% of the articles, seed 7" in r.output


def test_the_command_line_reads_what_the_window_recorded_while_it_is_open(history, tokenize):
    """Another process reads the figures while a handle (the window's) is still open on the file."""
    with Store(history) as store:
        s, t = recording_session(store, "cy", tokenize, Clock(0.0))
        s.visit(3)
        t.t += 12
        s.set_answer(Answer.REJECT)
        out = subprocess.run([sys.executable, "-m", "annotator", "stats", "--db", str(history), "--json"],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    cy = json.loads(out.stdout)["effort"]["editors"]["cy"]
    assert cy["articles"] == 1 and cy["active_hours"] == round(12 / 3600, 2)


def test_recording_changes_nothing_an_annotation_export_holds(tmp_path, tokenize):
    """The same edits with the time recorded and without: every annotation format exports the same."""
    exports = {}
    for recorded in (True, False):
        db = tmp_path / f"{recorded}.db"
        with Store(db) as store:
            store.documents.add_records([Record(Document(text=TEXT), [
                Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED),
                Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED)])])
            s = recording_session(store, "ana", tokenize)[0] if recorded else \
                ArticleSession(store, "ana", tokenizer=tokenize)
            s.visit(1)
            s.add_span(38, 43, "PLACE")
            s.set_answer(Answer.ACCEPT)
            s.leave()
        for fmt in ("prodigy", "doccano", "label-studio", "events"):
            out = tmp_path / f"{recorded}.{fmt}"
            assert invoke("export", "--db", db, "--format", fmt, "--output", out).exit_code == 0
            text = out.read_text(encoding="utf-8")
            when = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", "TIME", text.replace(str(tmp_path), ""))
            exports[(recorded, fmt)] = re.sub(r'"_timestamp": \d+', '"_timestamp": TIME', when)  # when answered
    assert '"_timestamp": TIME' in exports[(True, "prodigy")]  # the one thing that differs: when it was answered
    for fmt in ("prodigy", "doccano", "label-studio", "events"):
        assert exports[(True, fmt)] == exports[(False, fmt)], fmt
        assert "PLACE" in exports[(True, fmt)]


def test_two_editors_of_one_article_get_its_figures_from_another_process_and_a_killed_export_keeps_the_last(
        history, tokenize, tmp_path):
    """The effort export asks an article's spans once for all its editors. cy works on article 3 (which ana
    skipped) in a handle held open, as the window holds the file; the command line, in another process, exports:
    both editors' rows of article 3 carry the article's figures as the file holds them, each with their own time.
    Then an export killed with SIGKILL half-way over the same output leaves the last whole export there."""
    import signal

    out = tmp_path / "effort.jsonl"
    with Store(history) as store:
        s, t = recording_session(store, "cy", tokenize, Clock(0.0))
        s.visit(3)
        t.t += 10
        s.delete(next(sp.id for sp in s.spans if sp.label == "ACTOR"))
        s.add_span(38, 43, "PLACE")
        s.set_answer(Answer.ACCEPT)
        done = subprocess.run([sys.executable, "-m", "annotator", "export", "--db", str(history), "--format",
                               "effort", "--output", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["editor"]) for r in rows] == [(1, "ana"), (2, "ana"), (3, "ana"), (3, "cy"), (4, "bob")]
    worked = {"made": 2, "kept": 1, "changed": 0, "deleted": 1, "open": 0}
    three = [r for r in rows if r["id"] == 3]
    assert [(r["suggestions"], r["drawn_by_hand"]) for r in three] == [(worked, 1), (worked, 1)]
    assert [(r["active_seconds"], r["answer"]) for r in three] == [(30.0, "ignore"), (10.0, "accept")]
    assert (rows[0]["suggestions"], rows[0]["drawn_by_hand"]) == (worked, 1)  # article 1: its own, as before
    assert rows[4]["suggestions"] == {"made": 2, "kept": 2, "changed": 0, "deleted": 0, "open": 0}
    assert rows[4]["drawn_by_hand"] == 0
    killed = ("import os, signal, sys\n"
              "from annotator.store import effort\n"
              "real = effort.Effort.rows\n"
              "def rows(self):\n"
              "    for i, row in enumerate(real(self)):\n"
              "        if i == 3:  # three lines written to the temporary file\n"
              "            os.kill(os.getpid(), signal.SIGKILL)\n"
              "        yield row\n"
              "effort.Effort.rows = rows\n"
              "from annotator.cli import cli\n"
              "cli(['export', '--db', sys.argv[1], '--format', 'effort', '--output', sys.argv[2], '--force'])\n")
    before = out.read_bytes()
    done = subprocess.run([sys.executable, "-c", killed, str(history), str(out)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert out.read_bytes() == before
