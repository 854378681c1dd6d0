"""Comments and flags: saved as edits (revision, change log, undo through the session), exported in `meta`,
merged with the team's work (twice adds nothing, a note taken back leaves the layer's, a file packed again keeps
them), and found by the queue's filter."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import ConflictError, InputError
from annotator.core.model import Answer
from annotator.store import Store
from annotator.store.documents import NOTED
from annotator.store.notes import ARTICLE, MAX_NOTE
from annotator.workflows.editing import EditSession
from annotator.workflows.exporting import export
from annotator.workflows.team import merge, pack
from tests.workflows.test_team import TEXTS, annotate, ids_by_text, span_id


def log(path, action: str = "note") -> list[dict]:
    conn = sqlite3.connect(path)
    rows = [json.loads(d) for (d,) in conn.execute("SELECT detail FROM changes WHERE action = ? ORDER BY id",
                                                   (action,))]
    conn.close()
    return rows


def test_a_note_is_an_edit_under_the_revision_check_logged_and_set_back_by_undo(team):
    session = EditSession(team, "ana")
    doc = ids_by_text(team)[TEXTS[0]]
    session.open(doc)
    attack = span_id(session, "ATTACK", TEXTS[0].index("attacked"))
    revision = session.revision
    assert session.set_note(ARTICLE, "Is Kidal0 the town or the region?", False) == ("", False)
    assert session.revision == revision + 1  # the article moved on, and the session with it
    assert session.set_note(attack, "", True) == ("", False)  # a span flagged, without words
    notes = session.notes()
    assert (notes[ARTICLE].text, notes[ARTICLE].flagged) == ("Is Kidal0 the town or the region?", False)
    assert (notes[attack].text, notes[attack].flagged, notes[attack].who) == ("", True, "ana")
    assert [(d["text"], d["flagged"], d["before"]) for d in log(team.path)] == [
        ("Is Kidal0 the town or the region?", False, ["", False]), ("", True, ["", False])]
    # undo is setting the note before again; an empty note without a flag is no note
    assert session.set_note(attack, "", False) == ("", True)
    assert attack not in session.notes()
    # another program's edit in between: the note is refused, nothing written
    other = EditSession(Store(team.path), "ben")
    other.open(doc)
    other.set_note(ARTICLE, "ben was here", True)
    with pytest.raises(ConflictError):
        session.set_note(ARTICLE, "too late", False)
    assert team.notes.note(doc).text == "ben was here"
    other.store.close()


def test_a_note_too_long_or_on_another_articles_span_is_refused_and_nothing_written(team):
    session = EditSession(team, "ana")
    ids = ids_by_text(team)
    session.open(ids[TEXTS[1]])
    elsewhere = team.annotations.spans(ids[TEXTS[0]])[0].id
    with pytest.raises(InputError, match="at most 10,000 characters"):
        session.set_note(ARTICLE, "x" * (MAX_NOTE + 1), False)
    with pytest.raises(Exception, match="no span"):
        session.set_note(elsewhere, "wrong article", False)
    assert session.notes() == {} and log(team.path) == []


def test_notes_go_out_in_meta_and_notes_on_removed_spans_do_not(team, tmp_path, tokenize):
    session = EditSession(team, "ana")
    doc = ids_by_text(team)[TEXTS[0]]
    session.open(doc)
    attack = span_id(session, "ATTACK", TEXTS[0].index("attacked"))
    police = span_id(session, "ACTOR", TEXTS[0].index("police"))
    session.set_note(ARTICLE, "check the date", True)
    session.set_note(attack, "an ambush?", False)
    session.set_note(police, "gone", False)
    session.delete(police)
    session.set_answer(Answer.ACCEPT)
    out = tmp_path / "out.jsonl"
    export(team, out, fmt="prodigy", tokenizer=tokenize)
    meta = json.loads(out.read_text().splitlines()[0])["meta"]
    at = TEXTS[0].index("attacked")
    assert meta["flagged"] is True
    assert meta["comments"] == [{"text": "check the date", "flagged": True},
                                {"text": "an ambush?", "span": [at, at + 8, "ATTACK"]}]
    # an article without notes has no such keys
    session.open(ids_by_text(team)[TEXTS[1]])
    session.set_answer(Answer.ACCEPT)
    export(team, out, fmt="events", tokenizer=tokenize)
    second = json.loads(out.read_text().splitlines()[1])
    assert "comments" not in second.get("meta", {}) and "flagged" not in second.get("meta", {})


def note_plan(session: EditSession, text: str) -> None:
    if text == TEXTS[0]:
        session.set_note(ARTICLE, "ask the desk", True)
        session.set_note(span_id(session, "ATTACK", text.index("attacked")), "an ambush?", False)
        session.set_answer(Answer.ACCEPT)


def ana_noted(team, tmp_path) -> Path:
    """ana's file, packed from the team's project, with note_plan's notes on the first article, merged once."""
    team.team.assign(["ana"], 1)
    path = tmp_path / "ana.db"
    pack(team, "ana", path)
    annotate(path, "ana", note_plan)
    merge(team, [path])
    return path


def test_notes_merge_with_the_team_once_and_leave_the_layer_when_taken_back(team, tmp_path, tokenize):
    team.team.assign(["ana"], 1)
    path = tmp_path / "ana.db"
    pack(team, "ana", path)
    annotate(path, "ana", note_plan)
    first = merge(team, [path])[0]
    assert first.notes["ana"] == 2
    doc = ids_by_text(team)[TEXTS[0]]
    at = TEXTS[0].index("attacked")
    notes = {(n.editor, n.span, n.text, n.flagged) for n in team.notes.of_editors(doc)}
    assert notes == {("ana", None, "ask the desk", True), ("ana", (at, at + 8, "ATTACK"), "an ambush?", False)}
    assert merge(team, [path])[0].notes["ana"] == 0  # twice: nothing more
    # the queue's filter finds the article; its row is marked
    assert team.documents.document_ids(0, 100, NOTED) == [doc]
    row = team.documents.document_rows([doc])[doc]
    assert (row.flagged, row.commented) == (True, True)
    # exported as ana's layer: her notes in meta
    out = tmp_path / "ana.jsonl"
    export(team, out, fmt="events", tokenizer=tokenize, editor="ana")
    assert json.loads(out.read_text().splitlines()[0])["meta"]["flagged"] is True
    # taken back in her file: the next merge takes it out of her layer (and out of the filter)
    with Store(path) as mine:
        session = EditSession(mine, "ana")
        session.open(ids_by_text(mine)[TEXTS[0]])
        session.set_note(ARTICLE, "", False)
        session.set_note(span_id(session, "ATTACK", at), "", False)
    merge(team, [path])
    assert team.notes.of_editors(doc) == []
    assert team.documents.document_ids(0, 100, NOTED) == []


def test_a_file_packed_again_carries_the_notes_and_its_merge_keeps_them(team, tmp_path):
    ana_noted(team, tmp_path)
    again = tmp_path / "ana2.db"
    pack(team, "ana", again)
    with Store(again) as mine:
        doc = ids_by_text(mine)[TEXTS[0]]
        notes = mine.notes.of_document(doc)
        assert notes[ARTICLE].text == "ask the desk" and notes[ARTICLE].flagged
        attack = next(s.id for s in mine.annotations.spans(doc) if s.label == "ATTACK")
        assert notes[attack].text == "an ambush?"
    report = merge(team, [again])[0]
    assert report.removed["ana"] == 0
    assert len(team.notes.of_editors(ids_by_text(team)[TEXTS[0]])) == 2


def test_a_note_whose_span_is_relabelled_moves_with_it_in_the_layer(team, tmp_path):
    path = ana_noted(team, tmp_path)
    at = TEXTS[0].index("attacked")
    with Store(path) as mine:
        session = EditSession(mine, "ana")
        session.open(ids_by_text(mine)[TEXTS[0]])
        session.relabel(span_id(session, "ATTACK", at), "DAMAGE")
    merge(team, [path])
    doc = ids_by_text(team)[TEXTS[0]]
    on_spans = [(n.span, n.text) for n in team.notes.of_editors(doc) if n.span is not None]
    assert on_spans == [((at, at + 8, "DAMAGE"), "an ambush?")]  # one note, on the span as it is now


KILLED_WHILE_NOTING = r"""
import os, signal, sys
from annotator.store import Store
from annotator.store.notes import Notes

real = Notes.set
Notes.set = lambda self, *a, **k: real(self, *a, **k) if a[2] != "the last" else _die(self, *a)
def _die(self, doc_id, span_id, text, flagged, who, expected_revision=None):  # killed inside the transaction
    with self.store.write() as conn:
        conn.execute("INSERT OR REPLACE INTO notes(doc_id, span_id, text, flagged, who, updated_at) VALUES "
                     "(?, ?, ?, 1, ?, 'x')", (doc_id, span_id, text, who))
        os.kill(os.getpid(), signal.SIGKILL)
with Store(sys.argv[1]) as store:
    store.notes.set(1, 0, "saved first", True, "ana")
    print("saved", flush=True)
    store.notes.set(1, 0, "the last", False, "ana")
"""


def test_a_note_program_killed_mid_write_leaves_the_saved_note_and_a_sound_file(team, tmp_path):
    """kill -9 inside the transaction of a note's write: another process reads the file afterwards and finds the
    note saved before it whole, and nothing of the half-done one."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = team.path
    team.close()
    done = subprocess.run([sys.executable, "-c", KILLED_WHILE_NOTING, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9 and "saved" in done.stdout
    reader = subprocess.run([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True); "
        "print(c.execute('PRAGMA quick_check').fetchone()[0]); "
        "print(c.execute('SELECT text, flagged FROM notes WHERE doc_id = 1 AND span_id = 0').fetchall()); "
        "print(c.execute(\"SELECT count(*) FROM changes WHERE action = 'note'\").fetchone()[0])"), str(path)],
        capture_output=True, text=True, check=True)
    assert reader.stdout.split("\n")[:3] == ["ok", "[('saved first', 1)]", "1"]
    with Store(path) as again:  # the next program opens it and writes on
        again.notes.set(1, 0, "after", False, "ana")
        assert again.notes.note(1).text == "after"


def test_notes_on_the_same_words_under_two_labels_and_on_touching_spans_merge_apart(team, tmp_path):
    """Each note keeps its own span through a merge: the same offsets with another label, and spans that only
    touch, are four notes, not two; an editor not yet merged has none in the team's project."""
    team.team.assign(["ana", "ben"], 2)
    path = tmp_path / "ana.db"
    pack(team, "ana", path)
    pack(team, "ben", tmp_path / "ben.db")
    at, town = TEXTS[0].index("attacked"), TEXTS[0].index("Kidal")
    with Store(path) as mine:
        session = EditSession(mine, "ana")
        session.open(ids_by_text(mine)[TEXTS[0]])
        attack = span_id(session, "ATTACK", at)
        other = session.add_span(at, at + 8, "DAMAGE").result  # the same words, another label
        place = span_id(session, "PLACE", town)
        before = session.add_span(at + 9, town - 1, "TARGET").result  # "the town of" touches "Kidal0"
        for sid, text in ((attack, "attack?"), (other.id, "damage?"),
                          (place, "which Kidal?"), (before.id, "the town")):
            session.set_note(sid, text, False)
        session.set_answer(Answer.ACCEPT)
    merge(team, [path])
    doc = ids_by_text(team)[TEXTS[0]]
    got = {(n.span, n.text) for n in team.notes.of_editors(doc)}
    assert got == {((at, at + 8, "ATTACK"), "attack?"), ((at, at + 8, "DAMAGE"), "damage?"),
                   ((town, TEXTS[0].index(" on"), "PLACE"), "which Kidal?"), ((at + 9, town - 1, "TARGET"), "the town")}
    assert all(n.editor == "ana" for n in team.notes.of_editors(doc))  # ben, not merged yet, has none
