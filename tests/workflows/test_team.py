"""The team's round trip: assign articles, pack each editor's file, annotate in it through the real session,
merge the files back in any order and any number of times, and the agreement figures over their layers."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import InputError, NotAProjectError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.workflows.editing import EditSession
from annotator.workflows.team import merge, pack

TEXTS = [f"Rebels attacked the town of Kidal{i} on Monday , and police arrested {i} protesters ." for i in range(6)]
LAYER_TABLES = ("assignments", "layer_answers", "layer_spans", "layer_links", "layer_changes")


def suggestions(text: str) -> list[Span]:
    at = text.index("attacked")
    town = text.index("Kidal")
    police = text.index("police")
    return [Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED),
            Span(at, at + 8, "ATTACK", Source.RULE, SpanState.SUGGESTED),
            Span(town, text.index(" on"), "PLACE", Source.RULE, SpanState.SUGGESTED),
            Span(police, police + 6, "ACTOR", Source.RULE, SpanState.SUGGESTED)]


def dump(path: Path) -> dict[str, list[tuple]]:
    """The team's layers as rows, whatever order they were written in."""
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in LAYER_TABLES}
    finally:
        conn.close()


def ids_by_text(store: Store) -> dict[str, int]:
    return {r[1]: r[0] for r in store.conn.execute("SELECT id, text FROM documents")}


def span_id(session: EditSession, label: str, start: int) -> int:
    return next(sp.id for sp in session.spans if sp.label == label and sp.start == start)


def test_assign_gives_every_article_to_overlap_editors_balanced(team):
    given = team.team.assign(["ana", "ben", "chen"], 2, seed=3)
    assert given == {"ana": 4, "ben": 4, "chen": 4}
    per_doc = team.conn.execute("SELECT doc_id, count(*) FROM assignments GROUP BY doc_id").fetchall()
    assert [n for _, n in per_doc] == [2] * 6
    assert team.team.assign(["ana", "ben", "chen"], 2, seed=3) == {"ana": 0, "ben": 0, "chen": 0}  # all assigned
    # new articles go to whoever has fewest, counting what they already have
    team.documents.add_records([Record(Document(text=f"Talks resumed in Geneva {i} .")) for i in range(3)])
    assert team.team.assign(["ana", "ben", "chen", "dora"], 1, seed=3) == {"ana": 0, "ben": 0, "chen": 0, "dora": 3}
    # the seed decides ties, and the same seed gives the same assignment
    again = Store(team.path.with_name("again.db"))
    again.documents.add_records([Record(Document(text=t)) for t in TEXTS])
    again.team.assign(["ana", "ben", "chen"], 2, seed=3)
    first = team.conn.execute("SELECT doc_id, editor FROM assignments WHERE doc_id <= 6 ORDER BY 1, 2").fetchall()
    assert again.conn.execute("SELECT doc_id, editor FROM assignments ORDER BY 1, 2").fetchall() == first
    again.close()


@pytest.mark.parametrize("editors, overlap, words", [
    (["ana", "ben"], 3, "between 1 and 2"),
    (["ana", "ben"], 0, "between 1 and 2"),
    (["ana", "ana", "ben"], 1, "ana named twice"),
    (["ana", "gold"], 1, "reviewers' layer"),
    (["ana", " "], 1, "needs a name"),
    (["ana", "a\nb"], 1, "cannot be an editor's name"),
])
def test_assign_refuses_bad_editors_and_writes_nothing(team, editors, overlap, words):
    with pytest.raises(InputError, match=words):
        team.team.assign(editors, overlap)
    assert team.team.assignments() == {}


def test_pack_writes_the_editors_articles_with_labels_and_suggestions(team, tmp_path):
    team.team.assign(["ana", "ben", "chen"], 2, seed=1)
    ana = tmp_path / "ana.db"
    assert pack(team, "ana", ana) == 4
    mine = {r[0] for r in team.conn.execute("SELECT d.text FROM documents d JOIN assignments a ON a.doc_id = d.id "
                                            "WHERE a.editor = 'ana'")}
    with Store(ana) as packed:
        assert set(ids_by_text(packed)) == mine
        assert packed.get_meta("editor") == "ana"
        assert [lb.name for lb in packed.scheme.labels] == [lb.name for lb in team.scheme.labels]
        # the editor's own pre-annotation links in the roles the team's scheme has the rules link in
        assert packed.scheme.rule_link_roles == team.scheme.rule_link_roles == frozenset(
            {"time", "victim", "attacker", "demonstrator", "participant", "instrument"})
        assert packed.conn.execute("SELECT count(*) FROM spans WHERE state = 'suggested'").fetchone()[0] == 16
        assert all(packed.documents.tokens(i) for i in ids_by_text(packed).values())
        assert packed.documents.count_documents() == 4
        assert packed.conn.execute("SELECT count(*) FROM spans WHERE state != 'suggested'").fetchone()[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("team.db")) == ["ana.db"]
    with pytest.raises(InputError, match="already exists"):
        pack(team, "ana", ana)
    with pytest.raises(InputError, match="no articles are assigned to 'dora'"):
        pack(team, "dora", tmp_path / "dora.db")
    assert not (tmp_path / "dora.db").exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]  # nothing half-made left behind


def annotate(path: Path, who: str, plan) -> None:
    """Opens an editor's file and works in it through the session, as the window does."""
    with Store(path) as store:
        session = EditSession(store, who)
        for text, doc_id in sorted(ids_by_text(store).items()):
            session.open(doc_id)
            plan(session, text)


def test_round_trip_merges_in_any_order_and_twice_to_the_same_layers(team, tmp_path):
    team.team.assign(["ana", "ben", "chen"], 2, seed=1)
    files = {e: tmp_path / f"{e}.db" for e in ("ana", "ben", "chen")}
    for e, f in files.items():
        pack(team, e, f)

    def ana(session, text):  # accepts everything shown
        session.set_answer(Answer.ACCEPT)

    def ben(session, text):  # removes the second ACTOR, marks the town as TARGET too, links the attacker
        session.delete(span_id(session, "ACTOR", text.index("police")))
        session.add_span(text.index("Kidal"), text.index(" on"), "TARGET")
        session.set_answer(Answer.ACCEPT)

    def chen(session, text):  # rejects the articles with an even number, skips the rest
        session.set_answer(Answer.REJECT if int(text.split("Kidal")[1][0]) % 2 == 0 else Answer.IGNORE)

    for e, plan in (("ana", ana), ("ben", ben), ("chen", chen)):
        annotate(files[e], e, plan)
    base = tmp_path / "base.db"
    team.backup(base)
    copies = {}
    for name, order in (("abc", ["ana", "ben", "chen"]), ("cab", ["chen", "ana", "ben"])):
        copies[name] = tmp_path / f"team-{name}.db"
        shutil.copy(base, copies[name])
        with Store(copies[name]) as t:
            reports = merge(t, [files[e] for e in order])
            assert [r.editors for r in reports] == [[e] for e in order]
            again = merge(t, [files[e] for e in order])  # a second time: nothing comes in
            assert all(not any(any(v.values()) for v in r.as_dict()["editors"].values()) for r in again)
    assert dump(copies["abc"]) == dump(copies["cab"])
    layers = dump(copies["abc"])
    # what each editor did is in their layer, and only theirs
    by_editor = {e: [r for r in layers["layer_spans"] if r[1] == e] for e in ("ana", "ben", "chen")}
    assert {r[5] for r in by_editor["ana"]} == {"accepted"} and len(by_editor["ana"]) == 16
    assert sum(r[4] == "TARGET" for r in by_editor["ben"]) == 4
    assert sum(r[5] == "rejected" for r in by_editor["ben"]) == 4
    assert by_editor["chen"] == []
    assert sorted({r[2] for r in layers["layer_answers"] if r[1] == "chen"}) == ["ignore", "reject"]
    # the change log came along, keyed so it is never doubled
    assert sum(r[2] == "ben" for r in layers["layer_changes"]) == 4 * 3


def test_one_editor_on_two_machines_later_change_wins_and_conflicts_are_listed(team, tmp_path):
    team.team.assign(["ana"], 1)
    desk, laptop = tmp_path / "ana.db", tmp_path / "ana-laptop.db"
    pack(team, "ana", desk)
    shutil.copy(desk, laptop)
    first = TEXTS[0]
    at = first.index("attacked")

    def accept_attack(session, text):
        if text == first:
            session.accept(span_id(session, "ATTACK", at))

    def reject_attack(session, text):
        if text == first:
            session.delete(span_id(session, "ATTACK", at))
            session.set_answer(Answer.ACCEPT)

    annotate(desk, "ana", accept_attack)
    annotate(laptop, "ana", reject_attack)  # later
    results = {}
    for name, order in (("desk first", [desk, laptop]), ("laptop first", [laptop, desk])):
        path = tmp_path / f"t-{name}.db"
        team.backup(path)
        with Store(path) as t:
            reports = merge(t, order)
            conflicts = [c for r in reports for c in r.conflicts]
            assert [(c.editor, c.what, c.item) for c in conflicts] == [("ana", "span", f"ATTACK at {at}-{at + 8}")]
            assert conflicts[0].kept.startswith("rejected") and conflicts[0].other.startswith("accepted")
        results[name] = dump(path)
        state = [r[5] for r in results[name]["layer_spans"] if r[4] == "ATTACK"]
        assert state == ["rejected"]
    assert results["desk first"] == results["laptop first"]


def test_merging_again_after_more_work_on_the_same_file_is_no_conflict(team, tmp_path):
    team.team.assign(["ana"], 1)
    desk = tmp_path / "ana.db"
    pack(team, "ana", desk)
    at = TEXTS[0].index("attacked")
    annotate(desk, "ana", lambda s, t: s.accept(span_id(s, "ATTACK", at)) if t == TEXTS[0] else None)
    assert merge(team, [desk])[0].spans["ana"] == 1
    annotate(desk, "ana", lambda s, t: s.delete(span_id(s, "ATTACK", at)) if t == TEXTS[0] else None)
    report = merge(team, [desk])[0]
    assert report.conflicts == [] and report.spans["ana"] == 1
    assert [r[5] for r in dump(team.path)["layer_spans"]] == ["rejected"]


def test_a_file_of_another_tools_annotations_joins_as_its_annotators_work(team, tmp_path):
    other = Store(tmp_path / "prodigy.db")
    text = "Troops shelled the village of Marj overnight ."
    other.documents.add_records([Record(
        Document(text=text, answer=Answer.ACCEPT, answered_by="dora"),
        [Span(7, 14, "ATTACK", Source.EDITOR, SpanState.ACCEPTED)])])
    other.close()
    report = merge(team, [tmp_path / "prodigy.db"])[0]
    assert report.new_articles == {"dora": 1} and report.spans == {"dora": 1}
    doc = team.conn.execute("SELECT id FROM documents WHERE text = ?", (text,)).fetchone()[0]
    assert team.conn.execute("SELECT editor FROM assignments WHERE doc_id = ?", (doc,)).fetchall() == [("dora",)]
    # the same file with another editor named: another layer, the first untouched
    again = merge(team, [tmp_path / "prodigy.db"], editor="eve")[0]
    assert again.new_articles == {} and again.spans == {"eve": 1}
    assert sorted(r[1] for r in dump(team.path)["layer_spans"]) == ["dora", "eve"]


def test_work_without_an_editors_name_is_refused_and_nothing_is_merged(team, tmp_path):
    other = Store(tmp_path / "anon.db")
    other.documents.add_records([Record(Document(text="Troops shelled Marj .", answer=Answer.ACCEPT))])
    other.close()
    before = dump(team.path)
    with pytest.raises(InputError, match="anon.db: article 1 holds annotations but no editor's name"):
        merge(team, [tmp_path / "anon.db"])
    assert dump(team.path) == before


def test_merge_refuses_the_team_file_itself_and_files_that_are_not_projects(team, tmp_path):
    with pytest.raises(InputError, match="team's project itself"):
        merge(team, [team.path])
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotAProjectError, match="notes.txt"):
        merge(team, [tmp_path / "notes.txt"])


@pytest.fixture
def merged_pair(team, tmp_path) -> Store:
    """ana accepts every suggestion; ben removes the police ACTOR and marks the town as TARGET too; both merged."""
    team.team.assign(["ana", "ben"], 2)
    for e in ("ana", "ben"):
        pack(team, e, tmp_path / f"{e}.db")

    def ben(session, text):
        session.delete(span_id(session, "ACTOR", text.index("police")))
        session.add_span(text.index("Kidal"), text.index(" on"), "TARGET")
        session.set_answer(Answer.ACCEPT)

    annotate(tmp_path / "ana.db", "ana", lambda s, t: s.set_answer(Answer.ACCEPT))
    annotate(tmp_path / "ben.db", "ben", ben)
    merge(team, [tmp_path / "ana.db", tmp_path / "ben.db"])
    return team


def gold(store: Store, doc_id: int) -> dict[tuple[int, int, str], tuple[str, str | None]]:
    return {(s, e, lb): (st, c) for s, e, lb, st, c in store.conn.execute(
        'SELECT start, "end", label, state, came_from FROM spans WHERE doc_id = ?', (doc_id,))}


def test_review_puts_what_all_agree_on_into_gold_and_leaves_the_rest_to_decide(merged_pair):
    team = merged_pair
    report = team.team.prepare_review(1.0, "rita")
    assert (report.articles, report.settled, report.disputed) == (6, 0, 6)
    assert (report.spans_accepted, report.spans_disputed) == (18, 12)
    text = TEXTS[0]
    town = (text.index("Kidal"), text.index(" on"))
    police = (text.index("police"), text.index("police") + 6)
    spans = gold(team, 1)
    assert spans[(0, 6, "ACTOR")] == ("accepted", "ana,ben")
    assert spans[(*police, "ACTOR")] == ("suggested", "ana")
    assert spans[(*town, "TARGET")] == ("suggested", "ben")
    assert team.team.review_of(1) == (2, 0.75, 2)  # 3 spans shared of 4 each: F1 6/8
    assert team.documents.document(1).answer is Answer.PENDING
    # again: nothing is prepared twice, so a reviewer's decisions stand
    assert team.team.prepare_review(1.0, "rita").articles == 0
    # take ben's version: his TARGET in, ana's police ACTOR out; the gold export has the reviewer's choice
    assert team.team.take(1, "ben", "rita") == 2
    team.annotations.set_answer(1, Answer.ACCEPT, "rita")
    spans = gold(team, 1)
    assert spans[(*police, "ACTOR")][0] == "rejected" and spans[(*town, "TARGET")][0] == "accepted"
    who = team.conn.execute("SELECT who, detail FROM changes WHERE doc_id = 1 ORDER BY id DESC LIMIT 2").fetchall()
    assert [w for w, _ in who] == ["rita", "rita"] and '"editor": "ben"' in who[1][1]


def test_a_lower_threshold_settles_articles_at_once(merged_pair):
    report = merged_pair.team.prepare_review(0.5, "rita")
    assert (report.settled, report.disputed, report.spans_accepted) == (6, 0, 30)
    assert merged_pair.documents.document(1).answer is Answer.ACCEPT


def test_export_gold_and_each_editors_layer(merged_pair, tmp_path, tokenize):
    import json

    from annotator.workflows.exporting import export

    team = merged_pair
    team.team.prepare_review(1.0, "rita")
    team.team.take(1, "ben", "rita")
    team.annotations.set_answer(1, Answer.ACCEPT, "rita")

    def exported(**kwargs) -> list[dict]:
        out = tmp_path / "out.jsonl"
        export(team, out, tokenizer=tokenize, **kwargs)
        return [json.loads(line) for line in out.open(encoding="utf-8")]

    (only,) = exported()  # gold: the one reviewed article, as the reviewer decided
    assert sorted(s["label"] for s in only["spans"]) == ["ACTOR", "ATTACK", "PLACE", "TARGET"]
    assert only["_annotator_id"] == "rita"
    ana, ben = exported(editor="ana"), exported(editor="ben")
    assert len(ana) == len(ben) == 6
    assert [s["label"] for s in ana[0]["spans"]].count("ACTOR") == 2 and ana[0]["_annotator_id"] == "ana"
    assert "TARGET" in [s["label"] for s in ben[0]["spans"]]
    from annotator.core.errors import ExportError
    with pytest.raises(ExportError, match="nobody called 'zoe'"):
        exported(editor="zoe")


def test_the_review_queue_pages_worst_first(merged_pair):
    team = merged_pair
    conn = team.conn
    team.team.prepare_review(1.0, "rita")
    conn.execute("UPDATE reviews SET score = 1.0 - doc_id / 10.0")  # article 6 the worst, 1 the best
    docs = team.documents
    assert docs.document_ids(0, 2, "review") == [6, 5]
    assert docs.document_ids(5, 2, "review") == [4, 3]  # keyset: after article 5, in that order
    assert docs.document_ids(0, None, "review", until=4) == [6, 5, 4]
    assert docs.count_documents("review") == 6
    team.annotations.set_answer(6, Answer.ACCEPT, "rita")  # settled: no longer to review
    assert docs.document_ids(0, None, "review") == [5, 4, 3, 2, 1]
    assert docs.document_ids(0, None, "review", query="Kidal3") == [4]


def test_packing_again_carries_on_from_the_editors_merged_work_whatever_the_review_did(merged_pair, tmp_path):
    """ben's laptop is lost after his work was merged and reviewed: a file packed for him again holds his
    answers, his removals and his own spans (and pre-annotation's other suggestions, even those the review
    accepted or removed in gold); merged back, it brings nothing new."""
    team = merged_pair
    team.team.prepare_review(1.0, "rita")
    again = tmp_path / "ben-again.db"
    assert pack(team, "ben", again) == 6
    text = TEXTS[0]
    with Store(again) as packed:
        assert packed.documents.document(1).answer is Answer.ACCEPT
        states = {(s.start, s.end, s.label): s.state.value for s in packed.annotations.spans(1)}
        assert states[(text.index("police"), text.index("police") + 6, "ACTOR")] == "rejected"
        assert states[(text.index("Kidal"), text.index(" on"), "TARGET")] == "accepted"
        assert states[(0, 6, "ACTOR")] == "accepted"
        assert len(states) == 5
    before = dump(team.path)
    report = merge(team, [again])[0]
    assert not any(any(v.values()) for v in report.as_dict()["editors"].values()) and report.conflicts == []
    assert dump(team.path) == before
