"""AMOUNT through the team's round trip, at the edges where a dataset goes wrong: two editors on the same words
with different labels (AMOUNT "472 drones" against CASUALTIES "472 drones"), a WEAPON nested inside the amount,
spans that only touch, an editor not merged yet, a second merge after a relabel and after an undo (each layer
equal to a fresh merge), a link whose argument was removed, and every agreement figure within its bounds."""

from __future__ import annotations

import json

import pytest

from annotator.core.model import Answer, Document, Record
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.team import agreement, merge, pack
from tests.workflows.test_team import annotate, span_id
from tests.workflows.test_team_gold import fresh, layers

TEXT = "Russia launched 472 drones at Kyiv overnight , and 12 people died ."
AT = {w: (TEXT.index(w), TEXT.index(w) + len(w)) for w in ("launched", "472 drones", "drones", "Kyiv", "overnight",
                                                            "at Kyiv", "472")}


@pytest.fixture
def two(tmp_path, tokenize):
    """A team's project of one article, given to ana and ben, with their packed files."""
    team = Store(tmp_path / "team.db")
    team.documents.add_records([Record(Document(text=TEXT, title="drones", tokens=tokenize(TEXT)))])
    team.team.assign(["ana", "ben"], 2)
    files = {e: tmp_path / f"{e}.db" for e in ("ana", "ben")}
    for e, f in files.items():
        pack(team, e, f)
    base = tmp_path / "base.db"
    team.backup(base)
    yield team, files, base
    team.close()


def mark(s, words: str, label: str) -> int:
    start, end = AT[words]
    s.add_span(start, end, label)
    return span_id(s, label, start)


def ana_plan(s, t):
    """AMOUNT "472 drones" holding WEAPON "drones", the amount linked as the attack's instrument; accepts."""
    launched = mark(s, "launched", "ATTACK")
    amount = mark(s, "472 drones", "AMOUNT")
    mark(s, "drones", "WEAPON")
    mark(s, "Kyiv", "PLACE")
    mark(s, "overnight", "TIME")
    s.add_link(launched, amount, "instrument")
    s.set_answer(Answer.ACCEPT)


def ben_plan(s, t):
    """The same words as a CASUALTIES (same offsets, another label), the same WEAPON, "472" alone as an AMOUNT
    (inside ana's, linked), and a TIME "at Kyiv" that only touches ana's "overnight"; accepts."""
    launched = mark(s, "launched", "ATTACK")
    mark(s, "472 drones", "CASUALTIES")
    mark(s, "drones", "WEAPON")
    mark(s, "Kyiv", "PLACE")
    bare = mark(s, "472", "AMOUNT")
    mark(s, "at Kyiv", "TIME")
    s.add_link(launched, bare, "instrument")
    s.set_answer(Answer.ACCEPT)


def spans_of(store: Store, editor: str) -> set[tuple[str, str]]:
    return {(TEXT[s:e], label) for s, e, label in store.conn.execute(
            'SELECT start, "end", label FROM layer_spans WHERE editor = ? AND state = \'accepted\'', (editor,))}


def test_amounts_merge_disagree_by_label_and_review_takes_one_version_into_gold(two, tmp_path, tokenize):
    team, files, base = two
    annotate(files["ana"], "ana", ana_plan)
    annotate(files["ben"], "ben", ben_plan)
    merge(team, [files["ana"]])
    # ben not merged yet: his layer is empty and review waits for him, putting nothing into gold
    assert spans_of(team, "ben") == set()
    first = team.team.prepare_review(1.0, "rita")
    assert dict(first.waiting) == {"ben": 1} and first.settled == 0
    assert team.conn.execute("SELECT count(*) FROM spans WHERE state = 'accepted'").fetchone()[0] == 0
    merge(team, [files["ben"]])
    assert spans_of(team, "ana") == {("launched", "ATTACK"), ("472 drones", "AMOUNT"), ("drones", "WEAPON"),
                                     ("Kyiv", "PLACE"), ("overnight", "TIME")}
    assert spans_of(team, "ben") == {("launched", "ATTACK"), ("472 drones", "CASUALTIES"), ("drones", "WEAPON"),
                                     ("Kyiv", "PLACE"), ("472", "AMOUNT"), ("at Kyiv", "TIME")}
    for editor in ("ana", "ben"):
        assert layers(team.path, editor) == fresh(base, files[editor], editor, tmp_path)
    # agreement: the same offsets with another label and the touching "472" are disagreements, never matches
    figures = agreement(team)
    pair = figures["pairs"][0]
    assert pair["articles"] == 1
    by = pair["labels"]
    # the same offsets with another label: no match for either label
    assert by["CASUALTIES"]["exact_f1"] == 0.0 and by["CASUALTIES"]["spans"] == [0, 1]
    # ben's "472" inside ana's "472 drones": not exact, but overlapping
    assert (by["AMOUNT"]["exact_f1"], by["AMOUNT"]["overlap_f1"]) == (0.0, 1.0)
    # spans that only touch ("at Kyiv" | "overnight") neither match nor overlap
    assert (by["TIME"]["exact_f1"], by["TIME"]["overlap_f1"]) == (0.0, 0.0)
    assert by["WEAPON"]["exact_f1"] == 1.0 and by["PLACE"]["exact_f1"] == 1.0
    assert pair["links"]["triples"] == [1, 1] and pair["links"]["f1"] == 0.0

    def within(value):
        if isinstance(value, dict):
            for k, v in value.items():
                if k.endswith(("f1", "kappa", "alpha")) and isinstance(v, float):
                    assert (-1.0 if k.endswith(("kappa", "alpha")) else 0.0) <= v <= 1.0, (k, v)
                within(v)
        elif isinstance(value, list):
            for v in value:
                within(v)
    within(figures)
    # review: what both drew goes to gold, the disputed words wait as suggestions
    review = team.team.prepare_review(1.0, "rita")
    assert review.disputed == 1
    doc = team.conn.execute("SELECT id FROM documents").fetchone()[0]
    states = {(TEXT[s.start:s.end], s.label, s.state.value) for s in team.annotations.spans(doc)}
    assert {("drones", "WEAPON", "accepted"), ("Kyiv", "PLACE", "accepted"), ("launched", "ATTACK", "accepted"),
            ("472 drones", "AMOUNT", "suggested"), ("472 drones", "CASUALTIES", "suggested"),
            ("472", "AMOUNT", "suggested")} <= states
    # the reviewer takes ana's version: her AMOUNT and its link, none of ben's
    team.team.take(doc, "ana", "rita")
    team.annotations.set_answer(doc, Answer.ACCEPT, "rita")
    out = tmp_path / "gold.jsonl"
    export(team, out, fmt="events", tokenizer=tokenize)
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    # the events format writes each event with its linked arguments, then the spans no link holds
    events = [(e["trigger"], a, a["role"]) for e in record["events"] for a in e["arguments"]]
    assert [(t["text"], t["label"], a["text"], a["label"], role) for t, a, role in events] == [
        ("launched", "ATTACK", "472 drones", "AMOUNT", "instrument")]
    assert {(s["text"], s["label"]) for s in record["spans"]} == {("drones", "WEAPON"), ("Kyiv", "PLACE"),
                                                                  ("overnight", "TIME")}
    assert record["answer"] == "accept"


def test_a_second_merge_after_a_relabel_and_after_an_undo_equals_a_fresh_merge(two, tmp_path):
    team, files, base = two
    annotate(files["ben"], "ben", ben_plan)
    merge(team, [files["ben"]])
    # ben relabels his CASUALTIES as an AMOUNT, and removes the bare "472" (its link goes with it)
    with Store(files["ben"]) as store:
        from annotator.workflows.editing import EditSession

        s = EditSession(store, "ben")
        s.open(store.conn.execute("SELECT id FROM documents").fetchone()[0])
        s.relabel(span_id(s, "CASUALTIES", AT["472 drones"][0]), "AMOUNT")
        bare = next(sp.id for sp in s.spans if (sp.start, sp.end, sp.label) == (*AT["472"], "AMOUNT"))
        removed = s.delete(bare)
    merge(team, [files["ben"]])
    assert layers(team.path, "ben") == fresh(base, files["ben"], "ben", tmp_path)
    assert ("472 drones", "AMOUNT") in spans_of(team, "ben") and ("472", "AMOUNT") not in spans_of(team, "ben")
    assert ("472 drones", "CASUALTIES") not in spans_of(team, "ben")
    assert team.conn.execute("SELECT count(*) FROM layer_links WHERE editor = 'ben' AND state = 'accepted'"
                             ).fetchone()[0] == 0  # the link whose argument was removed left with it
    # the removal undone: the span and its link come back, and the layer is a fresh merge again
    with Store(files["ben"]) as store:
        s = EditSession(store, "ben")
        s.open(store.conn.execute("SELECT id FROM documents").fetchone()[0])
        s.restore(removed.doc_id, list(removed.inverse().spans), list(removed.inverse().links))
    merge(team, [files["ben"]])
    assert layers(team.path, "ben") == fresh(base, files["ben"], "ben", tmp_path)
    assert ("472", "AMOUNT") in spans_of(team, "ben")
    assert team.conn.execute("SELECT count(*) FROM layer_links WHERE editor = 'ben' AND state = 'accepted'"
                             ).fetchone()[0] == 1
