"""The team's gold holds exactly what each editor last saved: what left an editor's file since an earlier merge
leaves their layer, whatever the order of the merges and copies; links follow their spans; review waits for
every assigned editor and reopens what a later merge changed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.workflows.editing import EditSession
from annotator.workflows.team import merge, pack
from tests.workflows.test_team import TEXTS, annotate, ids_by_text, span_id

LAYERS = ("layer_answers", "layer_spans", "layer_links", "layer_changes")


def layers(path: Path, editor: str) -> dict[str, list[tuple]]:
    """An editor's layer of a team's project, keyed by the article's text (ids differ between projects)."""
    conn = sqlite3.connect(path)
    try:
        text = dict(conn.execute("SELECT id, text FROM documents"))
        out = {}
        for t in LAYERS:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
            rows = conn.execute(f"SELECT * FROM {t} WHERE editor = ?", (editor,)).fetchall()
            out[t] = sorted((tuple(text[v] if c == "doc_id" else v for c, v in zip(cols, r, strict=True))
                             for r in rows), key=repr)
        return out
    finally:
        conn.close()


def fresh(base: Path, file: Path, editor: str, tmp_path: Path) -> dict[str, list[tuple]]:
    """The editor's layer as one merge of their file into the team's project as it was before any merge."""
    path = tmp_path / f"fresh-{file.stem}.db"
    shutil.copy(base, path)
    with Store(path) as t:
        merge(t, [file])
    result = layers(path, editor)
    path.unlink()
    return result


@pytest.fixture
def ana(team, tmp_path) -> tuple[Store, Path, Path]:
    """(the team's project, ana's file, a copy of the team's project before any merge)."""
    team.team.assign(["ana"], 1)
    path = tmp_path / "ana.db"
    pack(team, "ana", path)
    base = tmp_path / "base.db"
    team.backup(base)
    return team, path, base


def first_doc(session: EditSession, text: str) -> bool:
    return text == TEXTS[0]


def link_the_attacker(s: EditSession, t: str) -> None:
    """In the first article: the rebels linked as the attacker of the attack, and the article accepted."""
    if first_doc(s, t):
        s.add_link(span_id(s, "ATTACK", t.index("attacked")), span_id(s, "ACTOR", 0), "attacker")
        s.set_answer(Answer.ACCEPT)


def test_a_relabelled_span_leaves_the_layer_on_the_next_merge(ana, tmp_path):
    team, path, base = ana
    at = TEXTS[0].index("attacked")

    def accept(s, t):
        if first_doc(s, t):
            s.accept(span_id(s, "ATTACK", at))
            s.set_answer(Answer.ACCEPT)

    annotate(path, "ana", accept)
    merge(team, [path])
    annotate(path, "ana", lambda s, t: s.relabel(span_id(s, "ATTACK", at), "DEATH") if first_doc(s, t) else None)
    report = merge(team, [path])[0]
    assert report.removed["ana"] == 1
    got = layers(team.path, "ana")
    assert [(r[3], r[4], r[5]) for r in got["layer_spans"] if r[2] == at] == [(at + 8, "DEATH", "accepted")]
    assert got == fresh(base, path, "ana", tmp_path)
    # the same offsets with the old label again (undo of the relabel): ATTACK back, DEATH gone
    annotate(path, "ana", lambda s, t: s.relabel(span_id(s, "DEATH", at), "ATTACK") if first_doc(s, t) else None)
    merge(team, [path])
    got = layers(team.path, "ana")
    assert [(r[4], r[5]) for r in got["layer_spans"] if r[2] == at] == [("ATTACK", "accepted")]
    assert got == fresh(base, path, "ana", tmp_path)
    assert merge(team, [path])[0].removed["ana"] == 0  # a third time: nothing more


def test_relabelling_a_linked_argument_leaves_no_accepted_link_to_the_old_label(ana, tmp_path):
    team, path, base = ana
    at = TEXTS[0].index("attacked")
    annotate(path, "ana", link_the_attacker)
    merge(team, [path])
    assert [r[3:9] for r in layers(team.path, "ana")["layer_links"]] == [
        (at + 8, "ATTACK", 0, 6, "ACTOR", "attacker")]
    annotate(path, "ana", lambda s, t: s.relabel(span_id(s, "ACTOR", 0), "PLACE") if first_doc(s, t) else None)
    merge(team, [path])
    got = layers(team.path, "ana")
    assert [r for r in got["layer_links"] if r[9] == "accepted"] == []
    assert not [r for r in got["layer_links"] if r[7] == "ACTOR"]
    assert got == fresh(base, path, "ana", tmp_path)


def test_an_answer_put_back_to_pending_leaves_the_layer(ana, tmp_path):
    team, path, base = ana
    with Store(path) as store:
        session = EditSession(store, "ana")
        doc = ids_by_text(store)[TEXTS[0]]
        session.open(doc)
        _, change = session.set_answer(Answer.ACCEPT)
        merge(team, [path])
        assert [r[2] for r in layers(team.path, "ana")["layer_answers"]] == ["accept"]
        session.set_answer(Answer.PENDING, restore=change)  # Ctrl+Z: pending, the suggestions as they were
    report = merge(team, [path])[0]
    got = layers(team.path, "ana")
    assert got["layer_answers"] == [] and not [r for r in got["layer_spans"] if r[5] == "accepted"]
    assert report.removed["ana"] >= 1
    assert got == fresh(base, path, "ana", tmp_path)
    # and the review has nothing of ana's to settle
    assert team.team.prepare_review(1.0, "rita").settled == 0


def test_an_older_copy_of_the_file_never_brings_back_what_the_later_one_removed(ana, tmp_path):
    """ana copies her file to a laptop, then goes on at the desk: relabels the attack, which takes its link's
    argument key along. Merged in either order, the layer is the desk's, and no accepted link points at a span
    the desk no longer has."""
    team, desk, base = ana
    annotate(desk, "ana", link_the_attacker)
    laptop = tmp_path / "laptop.db"
    shutil.copy(desk, laptop)
    annotate(desk, "ana", lambda s, t: s.relabel(span_id(s, "ACTOR", 0), "TARGET") if first_doc(s, t) else None)
    results = []
    for order in ([laptop, desk], [desk, laptop]):
        path = tmp_path / f"t-{order[0].stem}.db"
        shutil.copy(base, path)
        with Store(path) as t:
            merge(t, order)
            merge(t, order)  # and again
        results.append(layers(path, "ana"))
    assert results[0]["layer_spans"] == results[1]["layer_spans"]
    assert results[0]["layer_links"] == results[1]["layer_links"]
    spans = {(r[2], r[3], r[4]): r[5] for r in results[0]["layer_spans"]}
    assert (0, 6, "ACTOR") not in spans and spans[(0, 6, "TARGET")] == "accepted"
    for r in results[0]["layer_links"]:
        if r[9] == "accepted":
            assert spans.get((r[2], r[3], r[4])) == "accepted" and spans.get((r[5], r[6], r[7])) == "accepted"
    assert results[0]["layer_spans"] == fresh(base, desk, "ana", tmp_path)["layer_spans"]


def test_the_editor_not_yet_merged_and_another_editors_layer_are_untouched(team, tmp_path):
    team.team.assign(["ana", "ben"], 2)
    files = {e: tmp_path / f"{e}.db" for e in ("ana", "ben")}
    for e, f in files.items():
        pack(team, e, f)
    at = TEXTS[0].index("attacked")
    for e in ("ana", "ben"):
        annotate(files[e], e, lambda s, t: (s.accept(span_id(s, "ATTACK", at)), s.set_answer(Answer.ACCEPT))
                 if first_doc(s, t) else None)
    merge(team, [files["ana"], files["ben"]])
    ben_before = layers(team.path, "ben")
    annotate(files["ana"], "ana", lambda s, t: s.relabel(span_id(s, "ATTACK", at), "DEATH")
             if first_doc(s, t) else None)
    merge(team, [files["ana"]])
    assert layers(team.path, "ben") == ben_before
    assert [r[4] for r in layers(team.path, "ana")["layer_spans"] if r[2] == at] == ["DEATH"]


MARJ = "Troops shelled the village of Marj overnight ."


def doras_file(path: Path, spans: list[Span]) -> Store:
    """A project file from another tool: one article of MARJ accepted by dora, with these spans (open)."""
    o = Store(path)
    o.documents.add_records([Record(Document(text=MARJ, answer=Answer.ACCEPT, answered_by="dora"), spans)])
    return o


def test_a_file_whose_scheme_differs_is_refused_naming_what_and_merges_nothing(team, tmp_path):
    other = tmp_path / "other.db"
    text = "Troops shelled the village of Marj overnight ."
    with Store(other) as o:
        o.conn.execute("INSERT INTO labels(name, kind, colour, position) VALUES ('GHOSTLY', 'entity', '#ccc', 99)")
        o.documents.add_records([Record(
            Document(text=text, answer=Answer.ACCEPT, answered_by="dora"),
            [Span(7, 14, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
             Span(30, 34, "GHOSTLY", Source.EDITOR, SpanState.ACCEPTED)])])
    before = sqlite3.connect(team.path).execute("SELECT count(*) FROM layer_spans").fetchone()
    with pytest.raises(InputError, match="other.db: uses label.*GHOSTLY.*--add-labels"):
        merge(team, [other])
    assert team.conn.execute("SELECT count(*) FROM layer_spans").fetchone() == before
    assert "GHOSTLY" not in team.scheme.names
    report = merge(team, [other], add_labels=True)[0]
    assert report.labels_added == ["GHOSTLY"] and "GHOSTLY" in team.scheme.names


def test_a_link_the_teams_scheme_refuses_is_named_and_nothing_merged(team, tmp_path):
    other = tmp_path / "other.db"
    with doras_file(other, [Span(7, 14, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
                            Span(30, 34, "PLACE", Source.EDITOR, SpanState.ACCEPTED)]) as o:
        # a scheme where the place of an attack is 'where' (written straight into the file, as another
        # version of the scheme would have it)
        o.conn.execute("INSERT INTO roles(event, name, fillers, position) VALUES ('ATTACK', 'where', '[\"PLACE\"]', 9)")
        ids = [r[0] for r in o.conn.execute("SELECT id FROM spans ORDER BY start")]
        o.conn.execute("INSERT INTO links(doc_id, event_id, arg_id, role, source, state, updated_at) VALUES "
                       "(1, ?, ?, 'where', 'editor', 'accepted', '2026-01-01')", ids)
    with pytest.raises(InputError, match=r"other.db: links the team's scheme refuses: ATTACK where PLACE"):
        merge(team, [other])
    assert team.conn.execute("SELECT count(*) FROM layer_links").fetchone()[0] == 0
    merge(team, [other], add_labels=True)
    assert team.scheme.link_problem("ATTACK", "where", "PLACE") is None
    # learning the role keeps the team's choice of the roles the rules link in, as another process reads the file
    import json
    import subprocess
    import sys

    read = subprocess.run([sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                           "\"SELECT value FROM project WHERE key = 'rule_link_roles'\").fetchone()[0])",
                           str(team.path)], capture_output=True, text=True, check=True)
    assert json.loads(read.stdout) == ["attacker", "demonstrator", "instrument", "participant", "time", "victim"]


def test_a_label_missing_from_the_files_own_table_is_a_named_error(team, tmp_path):
    other = tmp_path / "ghost.db"
    with Store(other) as o:
        o.documents.add_records([Record(Document(text="Troops shelled Marj .", answer=Answer.ACCEPT,
                                                 answered_by="dora"),
                                        [Span(7, 14, "ATTACK", Source.EDITOR, SpanState.ACCEPTED)])])
        o.conn.execute("PRAGMA foreign_keys = OFF")
        o.conn.execute("UPDATE spans SET label = 'GHOST'")
    with pytest.raises(InputError, match="ghost.db: its spans use the label.*GHOST.*own label table lacks"):
        merge(team, [other], add_labels=True)
    assert team.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == len(TEXTS)


def test_merged_articles_get_the_teams_tokens_whatever_the_order(team, tmp_path, tokenize):
    """An article that comes in first from a file without tokens gets the team's, so agreement tokenizes it
    the same whichever file was merged first."""
    text = "Troops shelled the village of Marj-al-Hamam overnight ."
    for name, tokens in (("bare", None), ("tokened", tokenize(text))):
        with Store(tmp_path / f"{name}.db") as o:
            o.documents.add_records([Record(Document(text=text, answer=Answer.ACCEPT, answered_by=name,
                                                     tokens=tokens))])
    blobs = []
    for order in (["bare", "tokened"], ["tokened", "bare"]):
        path = tmp_path / f"t-{order[0]}.db"
        team.backup(path)
        with Store(path) as t:
            merge(t, [tmp_path / f"{n}.db" for n in order], tokenizer=tokenize)
            doc = t.conn.execute("SELECT id FROM documents WHERE text = ?", (text,)).fetchone()[0]
            blobs.append(t.conn.execute("SELECT data FROM tokens WHERE doc_id = ?", (doc,)).fetchone())
    assert blobs[0] is not None and blobs[0] == blobs[1]


@pytest.fixture
def pair(team, tmp_path) -> tuple[Store, dict[str, Path]]:
    """ana and ben, every article assigned to both; ana accepts the attack of every article and answers accept;
    ben does the same on articles 0-2 and rejects articles 3-5."""
    team.team.assign(["ana", "ben"], 2)
    files = {e: tmp_path / f"{e}.db" for e in ("ana", "ben")}
    for e, f in files.items():
        pack(team, e, f)

    def plan(editor):
        def run(s, t):
            i = TEXTS.index(t)
            s.accept(span_id(s, "ATTACK", t.index("attacked")))
            s.set_answer(Answer.REJECT if editor == "ben" and i >= 3 else Answer.ACCEPT)
        return run

    for e in files:
        annotate(files[e], e, plan(e))
    return team, files


def test_review_settles_nothing_before_every_assigned_editor_has_answered(pair):
    team, files = pair
    merge(team, [files["ana"]])
    first = team.team.prepare_review(1.0, "rita")
    assert (first.articles, first.settled, first.waiting_articles) == (6, 0, 6)
    assert dict(first.waiting) == {"ben": 6}
    assert team.conn.execute("SELECT count(*) FROM documents WHERE answer != 'pending'").fetchone()[0] == 0
    # nothing goes into gold on ana's word alone: her spans wait as suggestions to decide
    assert first.spans_accepted == 0 and first.spans_disputed > 0
    assert team.conn.execute("SELECT count(*) FROM spans WHERE state = 'accepted'").fetchone()[0] == 0
    merge(team, [files["ben"]])
    second = team.team.prepare_review(1.0, "rita")
    assert (second.reopened, second.articles, second.waiting_articles) == (6, 6, 0)
    # they agree (spans and answers) on articles 0-2 only: those are settled, 3-5 are left to decide
    assert (second.settled, second.disputed) == (3, 3)
    answers = dict(team.conn.execute("SELECT text, answer FROM documents"))
    assert [answers[t] for t in TEXTS] == ["accept"] * 3 + ["pending"] * 3
    assert team.team.prepare_review(1.0, "rita").articles == 0  # nothing new: nothing again


def test_a_settled_article_is_reopened_when_a_later_merge_disagrees(pair):
    team, files = pair
    merge(team, [files["ana"], files["ben"]])
    assert team.team.prepare_review(1.0, "rita").settled == 3
    at = TEXTS[0].index("attacked")
    annotate(files["ben"], "ben", lambda s, t: s.relabel(span_id(s, "ATTACK", at), "DEATH")
             if t == TEXTS[0] else None)
    merge(team, [files["ben"]])
    again = team.team.prepare_review(1.0, "rita")
    assert (again.reopened, again.articles, again.settled, again.disputed) == (1, 1, 0, 1)
    doc = ids_by_text(team)[TEXTS[0]]
    assert team.documents.document(doc).answer is Answer.PENDING
    states = {(s.label, s.state.value) for s in team.annotations.spans(doc) if s.start == at}
    assert states == {("ATTACK", "suggested"), ("DEATH", "suggested")}


def test_what_the_reviewer_decided_stands_and_the_notice_says_it_changed(pair):
    team, files = pair
    merge(team, [files["ana"], files["ben"]])
    team.team.prepare_review(1.0, "rita")
    doc = ids_by_text(team)[TEXTS[4]]
    team.team.take(doc, "ben", "rita")
    team.annotations.set_answer(doc, Answer.REJECT, "rita")
    annotate(files["ben"], "ben", lambda s, t: s.set_answer(Answer.ACCEPT) if t == TEXTS[4] else None)
    merge(team, [files["ben"]])
    again = team.team.prepare_review(1.0, "rita")
    assert (again.changed_since, again.reopened, again.articles) == (1, 0, 0)
    assert team.documents.document(doc).answer is Answer.REJECT


@pytest.mark.parametrize("options", [{}, {"include_pending": True}, {"labels": ["ATTACK", "ACTOR"]},
                                     {"include_pending": True, "labels": ["PLACE"]}])
def test_exporting_an_editors_layer_matches_exporting_their_own_file(team, tmp_path, tokenize, options):
    """ana accepts two articles (one with a link, one after removing a suggestion), rejects one with a span kept,
    and leaves three pending (one with a span accepted): `export --editor ana` writes what exporting ana.db
    itself writes."""
    import json

    from annotator.workflows.exporting import export

    team.team.assign(["ana"], 1)
    path = tmp_path / "ana.db"
    pack(team, "ana", path)

    def plan(s, t):
        i = TEXTS.index(t)
        at = t.index("attacked")
        if i == 0:
            s.add_link(span_id(s, "ATTACK", at), span_id(s, "ACTOR", 0), "attacker")
            s.set_answer(Answer.ACCEPT)
        elif i == 1:
            s.delete(span_id(s, "ACTOR", t.index("police")))
            s.set_answer(Answer.ACCEPT)
        elif i == 2:
            s.accept(span_id(s, "ATTACK", at))
            s.set_answer(Answer.REJECT)
        elif i == 3:
            s.accept(span_id(s, "PLACE", t.index("Kidal")))

    annotate(path, "ana", plan)
    merge(team, [path])

    def lines(store: Store, **kwargs) -> list[dict]:
        out = tmp_path / "out.jsonl"
        report = export(store, out, tokenizer=tokenize, **options, **kwargs)
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        for r in rows:
            r["relations"] = sorted(r.get("relations", []), key=repr)
        return rows, report.lines()

    with Store(path) as own:
        mine, said = lines(own)
    theirs, said_layer = lines(team, editor="ana")
    assert theirs == mine and said_layer[1:] == said[1:]
    assert len(mine) == (6 if options.get("include_pending") else 3)
    assert sum(len(r["spans"]) for r in mine) > 0


def test_an_accepted_link_whose_span_is_not_accepted_is_rejected_with_it(team, tmp_path):
    """A file from another tool (or an old version) holds an accepted link to a span it removed: the layer does
    not accept the link, so neither review nor export takes it into gold."""
    other = tmp_path / "other.db"
    with doras_file(other, [Span(7, 14, "ATTACK", Source.EDITOR, SpanState.ACCEPTED),
                            Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED)]) as o:
        ids = dict(o.conn.execute("SELECT label, id FROM spans"))
        o.conn.execute("INSERT INTO links(doc_id, event_id, arg_id, role, source, state, updated_at) VALUES "
                       "(1, ?, ?, 'attacker', 'editor', 'accepted', '2026-01-01')", (ids["ATTACK"], ids["ACTOR"]))
        o.conn.execute("UPDATE spans SET state = 'rejected' WHERE label = 'ACTOR'")
    merge(team, [other])
    assert team.conn.execute("SELECT state FROM layer_links").fetchall() == [("rejected",)]
    team.team.prepare_review(1.0, "rita")
    assert team.conn.execute("SELECT count(*) FROM links WHERE state = 'accepted'").fetchone()[0] == 0


def test_links_both_editors_drew_reach_the_layers_and_the_gold(pair_of_linkers):
    team = pair_of_linkers
    for e in ("ana", "ben"):
        rows = team.conn.execute("SELECT event_label, arg_label, role, state FROM layer_links WHERE editor = ? AND "
                                 "state = 'accepted'", (e,)).fetchall()
        assert ("ATTACK", "ACTOR", "attacker") in {r[:3] for r in rows}
    report = team.team.prepare_review(1.0, "rita")
    assert report.links_accepted >= 1
    gold = team.conn.execute("SELECT e.label, a.label, l.role, l.state, l.came_from FROM links l JOIN spans e ON "
                             "e.id = l.event_id JOIN spans a ON a.id = l.arg_id WHERE l.role = 'attacker'").fetchall()
    assert ("ATTACK", "ACTOR", "attacker", "accepted", "ana,ben") in gold


@pytest.fixture
def pair_of_linkers(team, tmp_path) -> Store:
    """ana and ben both link the rebels as the attacker in the first article and accept it; both merged."""
    team.team.assign(["ana", "ben"], 2)
    for e in ("ana", "ben"):
        pack(team, e, tmp_path / f"{e}.db")
        annotate(tmp_path / f"{e}.db", e, link_the_attacker)
    merge(team, [tmp_path / "ana.db", tmp_path / "ben.db"])
    return team


def test_pre_annotation_never_links_onto_a_span_the_editor_removed(tmp_path, rules):
    from annotator.workflows.preannotating import preannotate

    text = "Rebels attacked the town of Kidal on Monday ."
    with Store(tmp_path / "p.db") as store:
        store.documents.add_records([Record(Document(text=text))])
        preannotate(store, rules)
        spans = {s.label: s for s in store.annotations.spans(1)}
        assert store.links.of_document(1), "the rules link something here"
        linked_to = {lk.argument for lk in store.links.of_document(1)}
        gone = next(s for s in store.annotations.spans(1) if s.id in linked_to)
        session = EditSession(store, "ana")
        session.open(1)
        session.delete(gone.id)  # the editor removes an argument the rules linked
        store.suggestions.remove(rules.key, [1], "ana")  # the run taken back, so that it runs again
        again = preannotate(store, rules)
        assert again.documents == 1 and store.links.of_document(1), "pre-annotated again, with links"
        for link in store.links.of_document(1):
            assert gone.id not in (link.event, link.argument), link
        assert spans and store.annotations.span(gone.id)[1].state is SpanState.REJECTED


def test_a_suggested_link_never_lands_on_a_span_the_editor_removed(store):
    """A new link (no earlier one to block it) that a later pre-annotation suggests onto a removed span is not
    stored: the editor's removal holds for links too."""
    from annotator.core.model import Link

    text = "Rebels attacked the town of Kidal on Monday ."
    store.documents.add_records([Record(Document(text=text))])
    rebels = Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED)
    attack = Span(7, 15, "ATTACK", Source.RULE, SpanState.SUGGESTED)
    store.suggestions.save_suggestions([(1, None, [rebels, attack])], "first")
    actor = next(s for s in store.annotations.spans(1) if s.label == "ACTOR")
    store.annotations.delete_span(actor.id, "ana")
    store.suggestions.save_suggestions([(1, None, [rebels, attack], [Link(1, 0, "attacker")])], "second")
    assert store.links.of_document(1, states=[SpanState.SUGGESTED, SpanState.ACCEPTED, SpanState.REJECTED]) == []
    # a link between spans that stand is stored
    store.suggestions.save_suggestions([(1, None, [attack, Span(28, 33, "PLACE", Source.RULE, SpanState.SUGGESTED)],
                                         [Link(0, 1, "place")])], "third")
    assert [lk.role for lk in store.links.of_document(1)] == ["place"]


def test_a_reviewer_who_only_opened_a_settled_article_has_decided_nothing(pair, tokenize):
    """The window records opening an article (where the work goes): an opening is no decision, so a later merge
    that disagrees still reopens the article."""
    from annotator.core.effort import ActivityClock
    from annotator.core.session import ArticleSession

    team, files = pair
    merge(team, [files["ana"], files["ben"]])
    assert team.team.prepare_review(1.0, "rita").settled == 3
    doc = ids_by_text(team)[TEXTS[0]]
    rita = ArticleSession(team, "rita", tokenizer=tokenize)
    rita.clock = ActivityClock()
    rita.visit(doc)
    rita.leave()
    at = TEXTS[0].index("attacked")
    annotate(files["ben"], "ben", lambda s, t: s.relabel(span_id(s, "ATTACK", at), "DEATH")
             if t == TEXTS[0] else None)
    merge(team, [files["ben"]])
    again = team.team.prepare_review(1.0, "rita")
    assert (again.reopened, again.changed_since) == (1, 0)
    assert team.documents.document(doc).answer is Answer.PENDING
