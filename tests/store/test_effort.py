"""Where the work goes: what the window's session records with each edit (a controlled clock stands in for the
editor's time), the figures the database keeps from it, and those figures across a merge, an undo, an article
without suggestions and another program's handle."""

from __future__ import annotations

import json

import pytest

from annotator.core.effort import IDLE_MS, ActivityClock, effort_figures, hidden
from annotator.core.errors import EditError
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.core.session import ArticleSession
from annotator.store import Store
from tests.conftest import FakeClock as Clock
from tests.conftest import recording_session

TEXT = "Rebel commanders attacked the town of Kidal on Monday."  # 9 words
WORDS = 9


def suggest(store: Store, texts: list[str]) -> None:
    """Articles, each with the rules' suggestions ACTOR "Rebel commanders" (pattern actor) and ATTACK "attacked"
    (pattern attack-trigger), as pre-annotation stores them."""
    store.documents.add_records([Record(Document(text=t)) for t in texts])
    results = []
    for doc_id, t in enumerate(texts, start=1):
        spans = []
        if t.startswith("Rebel commanders attacked"):
            spans = [Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED, origin="actor"),
                     Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED, origin="attack-trigger")]
        results.append((doc_id, None, spans))
    store.suggestions.save_suggestions(results, "rules:test")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(store, tokenize, clock) -> ArticleSession:
    suggest(store, [TEXT, TEXT.replace("Kidal", "Gao"), "Talks resumed in Doha."])
    s = ArticleSession(store, "ana", tokenizer=tokenize)
    s.clock = ActivityClock(clock)
    return s


def effort_row(store: Store, doc_id: int, editor: str = "ana") -> dict:
    row = store.conn.execute("SELECT * FROM effort WHERE doc_id = ? AND editor = ?", (doc_id, editor)).fetchone()
    assert row is not None, f"no effort record of article {doc_id} by {editor}"
    names = [d[1] for d in store.conn.execute("PRAGMA table_info(effort)")]
    return dict(zip(names, row, strict=True))


def work_log(store: Store) -> list[tuple[str, dict | None]]:
    return [(a, json.loads(d).get("work") if d else None) for a, d in store.conn.execute(
        "SELECT action, detail FROM changes WHERE doc_id IS NOT NULL ORDER BY id")]


def test_the_clock_counts_active_time_and_cuts_idle_gaps():
    t = Clock()
    c = ActivityClock(t)
    c.touch()
    t.wait(30)
    c.touch()
    t.wait(IDLE_MS / 1000 + 1)  # away for over two minutes: none of it counts
    c.touch()
    t.wait(5)
    assert c.take() == 35_000
    assert c.take() == 0  # taken: nothing twice
    t.wait(IDLE_MS / 1000)  # exactly two minutes still counts
    assert c.take() == IDLE_MS
    c.give_back(1500)
    assert c.take() == 1500


def test_each_step_is_recorded_with_its_kind_and_time(session, store, clock):
    session.visit(1)
    assert work_log(store) == [("opened", {"kind": "opened", "ms": 0, "words": WORDS, "hidden": 0})]
    actor, attack = (s.id for s in session.spans)
    clock.wait(4)
    session.relabel(actor, "TARGET")
    clock.wait(3)
    session.delete(attack)
    clock.wait(2)
    session.add_span(38, 43, "PLACE")
    clock.wait(1)
    session.set_answer(Answer.ACCEPT)
    log = work_log(store)[1:]
    assert [(a, w["kind"], w["ms"], w.get("label")) for a, w in log if w] == [
        ("relabel", "relabel", 4000, "TARGET"), ("set_state", "delete", 3000, "ATTACK"),
        ("add_span", "draw", 2000, "PLACE"), ("answer", "answer", 1000, None)]
    row = effort_row(store, 1)
    assert (row["ms"], row["opened"], row["k_relabel"], row["k_delete"], row["k_draw"], row["k_answer"]) == \
        (10_000, 1, 1, 1, 1, 1)
    assert (row["answer"], row["answer_ms"], row["answer_actions"], row["words"], row["flag"]) == \
        ("accept", 10_000, 4, WORDS, "")
    # opening the next article records the time left on this one
    clock.wait(6)
    session.visit(2)
    assert work_log(store)[-2] == ("left", {"kind": "left", "ms": 6000})
    assert effort_row(store, 1)["ms"] == 16_000
    session.visit(2)  # the same article again: nothing more
    assert work_log(store)[-1][0] == "opened" and len([a for a, _ in work_log(store) if a == "opened"]) == 2


def test_what_became_of_the_suggestions_per_label_pattern_and_role(session, store, clock):
    session.visit(1)
    actor, attack = (s.id for s in session.spans)
    session.accept(actor)  # kept as it was
    session.relabel(attack, "DEATH")  # accepted after a change
    session.visit(2)
    actor2, attack2 = (s.id for s in session.spans)
    session.delete(actor2)
    session.resize(attack2, 17, 29)  # "attacked the": a change of edges (still a suggestion: not decided)
    session.add_span(38, 41, "PLACE")  # drawn by hand
    assert store.effort.figures()["suggestions"]["by_label"]["ATTACK"]["open"] == 1
    session.set_answer(Answer.ACCEPT)  # accepts the resized suggestion with the article
    figures = store.effort.figures()["suggestions"]
    assert figures["by_label"]["ACTOR"] | {} == {"kept": 1, "changed": 0, "deleted": 1, "open": 0, "drawn": 0,
                                                 "actions_saved": 0}
    assert figures["by_label"]["ATTACK"] | {} == {"kept": 0, "changed": 2, "deleted": 0, "open": 0, "drawn": 0,
                                                  "actions_saved": 0}
    assert figures["by_label"]["PLACE"]["drawn"] == 1 and "DEATH" not in figures["by_label"]  # by what it was
    assert figures["by_origin"]["actor"]["kept"] == 1 and figures["by_origin"]["attack-trigger"]["changed"] == 2
    assert "editor" not in figures["by_origin"]
    # its edges moved back to the suggestion's: accepted as it was after all
    session.resize(attack2, 17, 25)
    again = store.effort.figures()["suggestions"]["by_label"]["ATTACK"]
    assert (again["changed"], again["kept"]) == (1, 1)
    # the same offsets under another label is another span: a relabel back restores "kept" too
    session.visit(1)
    session.relabel(attack, "ATTACK")
    again = store.effort.figures()["suggestions"]["by_label"]["ATTACK"]
    assert (again["changed"], again["kept"]) == (0, 2)


def test_a_rule_deleted_more_often_than_kept_is_named(store, tokenize):
    suggest(store, [TEXT] * 1 + [TEXT.replace("Kidal", f"place{i}") for i in range(6)])
    s = ArticleSession(store, "ana", tokenizer=tokenize)
    for doc_id in range(1, 8):
        s.open(doc_id)
        actor, attack = (sp.id for sp in s.spans)
        s.delete(actor)
        s.accept(attack)
    figures = store.effort.figures()["suggestions"]
    assert figures["costly_rules"] == ["actor"]
    assert figures["by_origin"]["actor"]["actions_saved"] == -14 and figures["by_origin"]["attack-trigger"][
        "actions_saved"] == 14
    assert figures["actions_saved"] == 0


def test_a_link_removed_with_its_span_costs_nothing_and_one_removed_by_hand_does(store, tokenize):
    from annotator.core.model import Link

    texts = [TEXT.replace("Kidal", town) for town in ("Kidal", "Gao", "Mopti")]
    store.documents.add_records([Record(Document(text=t)) for t in texts])
    spans = [Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED, origin="actor"),
             Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED, origin="attack-trigger")]
    store.suggestions.save_suggestions([(d, None, spans, [Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])
                                        for d in (1, 2, 3)], "rules:test")
    s = ArticleSession(store, "ana", tokenizer=tokenize)
    s.open(1)
    s.delete(next(sp.id for sp in s.spans if sp.label == "ACTOR"))  # its link goes with it
    s.open(2)
    s.remove_link(s.links[0].id)  # removed by hand
    s.open(3)
    s.set_answer(Answer.ACCEPT)  # kept
    attacker = store.effort.figures()["suggestions"]["links_by_role"]["attacker"]
    assert attacker == {"kept": 1, "changed": 0, "deleted": 1, "open": None, "drawn": 0, "actions_saved": 2 - 3,
                        "removed_with_their_span": 1}  # (how many are left undecided is known per label only)
    s.open(1)
    s.restore(1, [(next(sp.id for sp in store.annotations.spans(1) if sp.label == "ACTOR"), "ACTOR",
                   "suggested")], [(store.links.of_document(1, [SpanState.REJECTED])[0].id, "suggested")])  # undo
    attacker = store.effort.figures()["suggestions"]["links_by_role"]["attacker"]
    assert (attacker["kept"], attacker["deleted"], attacker.get("removed_with_their_span", 0)) == (1, 1, 0)


def test_an_undone_answer_takes_its_figures_back(session, store, clock):
    session.visit(1)
    clock.wait(20)
    _, change = session.set_answer(Answer.ACCEPT)
    figures = store.effort.figures()
    assert figures["editors"]["ana"]["articles"] == 1
    assert figures["with_and_without_suggestions"]["with"]["articles"] == 1
    session.set_answer(Answer.PENDING, restore=change)  # what undo does
    figures = store.effort.figures()
    assert figures["editors"]["ana"]["articles"] == 0
    assert figures["answered_per_day"] == {}
    assert figures["with_and_without_suggestions"]["with"] | {} == {
        "articles": 0, "words": 0, "active_minutes": 0.0, "actions": 0, "minutes_per_100_words": None,
        "actions_per_100_words": None}
    assert figures["editors"]["ana"]["actions_by_kind"]["undo"] == 1
    session.set_answer(Answer.ACCEPT)  # the second answer after the undo counts once
    figures = store.effort.figures()
    assert figures["editors"]["ana"]["articles"] == 1
    assert sum(figures["editors"]["ana"]["time_per_article"].values()) == 1


def test_articles_accepted_unread_or_stamped_are_flagged(store, tokenize):
    suggest(store, [TEXT] * 1 + [TEXT.replace("Kidal", f"town{i}") for i in range(9)])
    s, t = recording_session(store, "ana", tokenize)
    s.visit(1)
    t.wait(0.05)  # 50 ms for 9 words: under 1 s per 100 words
    s.set_answer(Answer.ACCEPT)
    assert effort_row(store, 1)["flag"] == "fast"
    for doc_id in range(2, 9):  # each read, and accepted with every suggestion as it was
        s.visit(doc_id)
        t.wait(30)
        s.set_answer(Answer.ACCEPT)
    flags = [effort_row(store, d)["flag"] for d in range(2, 9)]
    # the first was the fast one's run; the fifth in a row is flagged, and each after it
    assert flags == ["", "", "", "stamped", "stamped", "stamped", "stamped"]
    assert store.documents.document_ids(answer="hasty") == [1, 5, 6, 7, 8]
    assert store.documents.count_documents("hasty") == 5
    assert store.effort.figures()["editors"]["ana"]["flagged"] == {"fast": 1, "stamped": 4}
    s.visit(9 - 1)
    s.set_answer(Answer.REJECT)  # answered otherwise: no longer flagged
    assert effort_row(store, 8)["flag"] == ""
    assert store.effort.figures()["editors"]["ana"]["flagged"] == {"fast": 1, "stamped": 3}
    # the run is broken: an article with a suggestion deleted, then one accepted as it was, starts a new run
    s.visit(9)
    t.wait(30)
    s.delete(s.spans[0].id)
    s.set_answer(Answer.ACCEPT)
    s.visit(10)
    t.wait(30)
    s.set_answer(Answer.ACCEPT)
    assert (effort_row(store, 9)["flag"], effort_row(store, 10)["flag"]) == ("", "")


def test_turned_off_nothing_of_the_time_is_recorded(session, store, clock):
    session.clock = None
    session.visit(1)
    clock.wait(50)
    session.set_answer(Answer.ACCEPT)
    assert [a for a, _ in work_log(store)] == ["answer"]
    row = effort_row(store, 1)
    assert (row["ms"], row["opened"], row["words"], row["flag"]) == (0, 0, 0, "")  # unrecorded is never "fast"


def test_an_article_without_suggestions_hides_them_and_keeps_them(store, tokenize):
    texts = [TEXT.replace("Kidal", f"town{i}") for i in range(40)]
    suggest(store, texts)
    store.effort.set_hide(0.25, "7")
    hashes = [r[0] for r in store.conn.execute("SELECT input_hash FROM documents ORDER BY id")]
    hide = [hidden(h, 0.25, "7") for h in hashes]
    assert 4 <= sum(hide) <= 16 and hide != [hidden(h, 0.25, "8") for h in hashes]
    doc = hide.index(True) + 1
    s, t = recording_session(store, "ana", tokenize)
    s.visit(doc)
    assert s.hidden and s.spans == [] and s.links == []
    with pytest.raises(EditError):
        s.accept_all()
    t.wait(40)
    drawn = s.add_span(0, 16, "ACTOR")  # drawn by hand (the hidden suggestion there is accepted, not drawn twice)
    s.apply(drawn.inverse())  # undone: the suggestion it was goes back to hiding, not onto the screen
    assert s.spans == []
    s.apply(drawn.redo())
    s.set_answer(Answer.ACCEPT)
    states = {sp.label: sp.state for sp in store.annotations.spans(doc)}
    assert states == {"ACTOR": SpanState.ACCEPTED, "ATTACK": SpanState.SUGGESTED}  # not accepted unseen
    assert effort_row(store, doc)["hidden"] == 1
    shown = hide.index(False) + 1
    s.visit(shown)
    assert not s.hidden and len(s.spans) == 2
    t.wait(20)
    s.set_answer(Answer.ACCEPT)
    ww = store.effort.figures()["with_and_without_suggestions"]
    assert ww["without"]["articles"] == 1 and ww["with"]["articles"] == 1
    assert ww["without"]["actions_per_100_words"] == pytest.approx(4 * 100 / WORDS, abs=0.01)
    assert ww["with"]["actions_per_100_words"] == pytest.approx(100 / WORDS, abs=0.01)
    assert ww["hidden_share"] == 0.25 and ww["actions_per_100_words_by_label"]["ACTOR"]["without"] == \
        pytest.approx(100 / WORDS, abs=0.01)  # the undo and redo carry no label


def test_a_bad_hiding_setting_is_refused_and_a_damaged_one_reads_as_none(store):
    from annotator.core.errors import InputError

    for bad in (-0.1, 0.9, float("nan")):
        with pytest.raises(InputError):
            store.effort.set_hide(bad)
    store.set_meta("hide_suggestions_share", "lots")
    assert store.effort.hide_setting() == (0.0, "0")


def test_merging_brings_the_effort_once(tmp_path, tokenize):
    team = Store(tmp_path / "team.db")
    suggest(team, [TEXT, TEXT.replace("Kidal", "Gao")])
    team.close()
    from annotator.workflows.team import pack

    editor_path = tmp_path / "ana.db"
    with Store(tmp_path / "team.db") as t:
        t.team.assign(["ana"], overlap=1)
        pack(t, "ana", editor_path)
    with Store(editor_path) as mine:
        s, t_clock = recording_session(mine, "ana", tokenize)
        s.visit(1)
        t_clock.wait(12)
        s.delete(s.spans[0].id)
        s.set_answer(Answer.ACCEPT)
        s.leave()
        own = mine.effort.figures()["editors"]["ana"]
    with Store(tmp_path / "team.db") as t:
        t.team.merge(Store(editor_path))
        first = t.effort.figures()
        t.team.merge(Store(editor_path))  # twice: nothing counted twice
        second = t.effort.figures()
        rows = list(t.effort.rows())
    assert first == second
    assert first["editors"]["ana"]["active_hours"] == own["active_hours"]
    assert first["editors"]["ana"]["actions_by_kind"] == own["actions_by_kind"]
    assert first["editors"]["ana"]["articles"] == 1
    assert [(r["editor"], r["active_seconds"], r["answer"]) for r in rows] == [("ana", 12.0, "accept")]


def test_another_handle_reads_the_figures_and_an_opening_is_no_change(session, store, db_path, clock):
    other = Store(db_path)  # a second handle in the same process (the command line beside the window)
    session.visit(1)
    clock.wait(3)
    session.accept_all()
    assert other.effort.figures()["editors"]["ana"]["actions_by_kind"]["accept"] == 1
    assert other.exports.stats()["editors"]["ana"]["changes"] == 1  # opening an article is no change
    other.close()


def test_figures_from_known_tallies():
    rows = [("ms", "ana", "", 7_200_000), ("act", "ana", "accept", 30), ("act", "ana", "delete", 10),
            ("day", "ana", "2026-12-01", 4), ("day", "ana", "2026-12-02", 6), ("time", "ana", "2-5 min", 10),
            ("outcome", "ATTACK", "kept", 8), ("outcome", "ATTACK", "deleted", 3), ("origin", "attack-trigger",
                                                                                    "kept", 8),
            ("origin", "bad-rule", "deleted", 6), ("origin", "bad-rule", "kept", 1), ("link", "place", "kept", 2),
            ("link", "place", "deleted", 1), ("flag", "ana", "fast", 2)]
    f = effort_figures(rows)
    ana = f["editors"]["ana"]
    assert (ana["articles"], ana["actions"], ana["articles_per_hour"], ana["actions_per_hour"]) == (10, 40, 5.0, 20.0)
    assert f["suggestions"]["by_label"]["ATTACK"]["actions_saved"] == 8 * 2 - 3 * 2
    assert f["suggestions"]["links_by_role"]["place"]["actions_saved"] == 2 * 2 - 1 * 3
    assert f["suggestions"]["actions_saved"] == 10 + 1
    assert f["suggestions"]["costly_rules"] == ["bad-rule"]
    assert f["answered_per_day"] == {"2026-12-01": {"ana": 4}, "2026-12-02": {"ana": 6}}
    assert ana["flagged"] == {"fast": 2}


def test_one_edit_that_writes_two_entries_is_one_action_and_its_time_counts_once(session, store, clock):
    """Marking an argument and linking it (Shift+a role's key on words) writes a span and a link entry: one
    action, its time once."""
    session.visit(1)
    attack = next(s.id for s in session.spans if s.label == "ATTACK")
    clock.wait(6)
    session.add_argument(38, 43, "PLACE", attack, "place")
    row = effort_row(store, 1)
    assert (row["k_draw"], row["k_link"], row["ms"]) == (1, 0, 6000)
    assert [w["kind"] for a, w in work_log(store) if w and a != "opened"] == ["draw"]


def test_an_older_project_gets_the_figures_of_what_it_holds(tmp_path, tokenize):
    """A project made before migration 0013: its suggestions' fates are counted from what it holds (a relabel
    made before cannot be told: it counts as kept), and from then on everything is recorded."""
    import sqlite3

    from tests.conftest import undo_migration_0013
    from tests.test_durability import counts_are_true

    db = tmp_path / "old.db"
    with Store(db) as store:
        suggest(store, [TEXT, TEXT.replace("Kidal", "Gao")])
        s = ArticleSession(store, "ana", tokenizer=tokenize)
        s.open(1)
        actor, attack = (sp.id for sp in s.spans)
        s.delete(actor)
        s.relabel(attack, "DEATH")
        s.add_span(38, 43, "PLACE")
    conn = sqlite3.connect(db, isolation_level=None)  # as schema 12 left it
    undo_migration_0013(conn)
    conn.execute("PRAGMA user_version = 12")
    conn.close()
    with Store(db) as store:
        by_label = store.effort.figures()["suggestions"]["by_label"]
        assert (by_label["ACTOR"]["deleted"], by_label["ACTOR"]["open"]) == (1, 1)
        assert by_label["DEATH"]["kept"] == 1 and by_label["PLACE"]["drawn"] == 1
        assert store.effort.figures()["suggestions"]["by_origin"] == {
            "rule": {"kept": 1, "changed": 0, "deleted": 1, "open": None, "drawn": 0, "actions_saved": 0}}
        s, _ = recording_session(store, "ana", tokenize)
        s.visit(2)
        s.relabel(s.spans[1].id, "DEATH")  # from now on a relabel is told (a relabelled span is accepted)
        assert store.effort.figures()["suggestions"]["by_label"]["ATTACK"]["changed"] == 1
        s.set_answer(Answer.ACCEPT)
        assert store.effort.figures()["editors"]["ana"]["articles"] == 1
    assert counts_are_true(db)


def test_an_article_that_showed_no_suggestions_neither_extends_nor_breaks_a_run(store, tokenize):
    texts = [TEXT.replace("Kidal", f"town{i}") for i in range(3)] + ["Talks resumed in Doha."] + \
        [TEXT.replace("Kidal", f"city{i}") for i in range(2)]
    suggest(store, texts)  # the fourth article has no suggestion: the run is 3, 3, 4, then 5
    s, t = recording_session(store, "ana", tokenize)
    for doc_id in range(1, 7):
        s.visit(doc_id)
        t.wait(30)
        s.set_answer(Answer.ACCEPT)
    assert [effort_row(store, d)["flag"] for d in range(1, 7)] == ["", "", "", "", "", "stamped"]


def test_hostile_work_records_in_a_merged_file_count_as_nothing_or_as_bounded_time(tmp_path, tokenize):
    """An editor's file whose change log another program wrote: work records with time of the wrong type, below
    zero or of years, unknown kinds, a detail that is not JSON. The merge goes through; none of it breaks the
    figures or counts more than a day."""
    import sqlite3

    from annotator.workflows.team import pack

    with Store(tmp_path / "team.db") as t:
        suggest(t, [TEXT, TEXT.replace("Kidal", "Gao")])
        t.team.assign(["ana"], overlap=1)
        pack(t, "ana", tmp_path / "ana.db")
    conn = sqlite3.connect(tmp_path / "ana.db", isolation_level=None)
    at = "2026-12-06T10:00:00.000+00:00"
    for i, detail in enumerate([
            '{"work": {"kind": "draw", "ms": -5000000, "label": "ACTOR"}}',
            '{"work": {"kind": "draw", "ms": "lots", "label": "<b>ACTOR</b>"}}',
            '{"work": {"kind": "explode", "ms": 1e30}}',
            '{"work": {"kind": "opened", "ms": 0, "words": -40, "hidden": "yes"}}',
            '{"work": {"kind": "opened", "ms": 0, "words": 1e300}}',
            '{"work": "draw"}', "not json {", None]):
        conn.execute("INSERT INTO changes(doc_id, action, who, at, detail) VALUES (1, 'add_span', 'ana', ?, ?)",
                     (f"{at[:-10]}{i:02d}.000+00:00", detail))
    conn.close()
    with Store(tmp_path / "team.db") as t:
        t.team.merge(Store(tmp_path / "ana.db"))
        ana = t.effort.figures()["editors"]["ana"]
        row = effort_row(t, 1, "ana")
    assert ana["actions_by_kind"]["draw"] == 2 and ana["actions"] == 2  # the unknown kind is no action
    assert 0 <= row["ms"] <= 24 * 3600 * 1000 and row["words"] == 10_000_000 and row["hidden"] == 0


def test_a_packed_file_hides_what_the_team_hides_and_names_each_suggestions_maker(tmp_path, tokenize):
    from annotator.workflows.team import pack

    texts = [TEXT.replace("Kidal", f"town{i}") for i in range(30)]
    with Store(tmp_path / "team.db") as t:
        suggest(t, texts)
        t.effort.set_hide(0.3, "5")
        t.team.assign(["ana"], overlap=1)
        pack(t, "ana", tmp_path / "ana.db")
        team_hidden = [t.effort.is_hidden(d) for d in range(1, 31)]
    with Store(tmp_path / "ana.db") as mine:
        assert mine.effort.hide_setting() == (0.3, "5")
        assert [mine.effort.is_hidden(d) for d in range(1, 31)] == team_hidden and any(team_hidden)
        s = ArticleSession(mine, "ana", tokenizer=tokenize)
        shown = team_hidden.index(False) + 1
        s.open(shown)
        s.delete(s.spans[0].id)
        assert mine.effort.figures()["suggestions"]["by_origin"]["actor"]["deleted"] == 1


def test_a_refused_edit_gives_its_time_to_the_next_one(session, store, clock):
    from annotator.core.errors import AnnotatorError

    session.visit(1)
    actor = session.spans[0].id
    clock.wait(4)
    with pytest.raises(AnnotatorError):
        session.relabel(actor, "NO-SUCH-LABEL")
    clock.wait(1)
    session.delete(actor)
    assert work_log(store)[-1] == ("set_state", {"kind": "delete", "ms": 5000, "label": "ACTOR"})
    assert effort_row(store, 1)["ms"] == 5000 and effort_row(store, 1)["k_relabel"] == 0


def test_a_second_merge_after_an_undo_gives_the_figures_of_a_fresh_merge(tmp_path, tokenize):
    """ana answers, the team merges; she takes the answer back, edits on and answers otherwise, the team merges
    again: the team's figures equal those of a team's project that merges her final file once. ben, assigned
    but not yet merged, has no figures."""
    from annotator.workflows.team import pack
    from tests.test_durability import counts_are_true

    def team_project(path):
        with Store(path) as t:
            suggest(t, [TEXT, TEXT.replace("Kidal", "Gao"), TEXT.replace("Kidal", "Mopti")])
            t.team.assign(["ana", "ben"], overlap=2)
        return path

    team_project(tmp_path / "team.db")
    with Store(tmp_path / "team.db") as t:
        pack(t, "ana", tmp_path / "ana.db")
    with Store(tmp_path / "ana.db") as mine:
        s, clock = recording_session(mine, "ana", tokenize)
        s.visit(1)
        clock.wait(20)
        _, change = s.set_answer(Answer.ACCEPT)
        s.leave()
    with Store(tmp_path / "team.db") as t:
        t.team.merge(Store(tmp_path / "ana.db"))
        assert t.effort.figures()["editors"]["ana"]["articles"] == 1
    with Store(tmp_path / "ana.db") as mine:
        s, clock = recording_session(mine, "ana", tokenize, Clock(5000.0))
        s.visit(1)
        s.set_answer(Answer.PENDING, restore=change)  # undo
        clock.wait(9)
        s.delete(next(sp.id for sp in s.spans if sp.label == "ACTOR"))
        s.set_answer(Answer.REJECT)
        s.visit(2)
        clock.wait(30)
        s.set_answer(Answer.ACCEPT)
        s.leave()
    with Store(tmp_path / "team.db") as t:
        t.team.merge(Store(tmp_path / "ana.db"))
        again = t.effort.figures()
        rows = list(t.effort.rows())
    team_project(tmp_path / "fresh.db")
    with Store(tmp_path / "fresh.db") as f:
        f.team.merge(Store(tmp_path / "ana.db"))
        fresh = f.effort.figures()
        fresh_rows = list(f.effort.rows())
    assert again == fresh and rows == fresh_rows
    ana = again["editors"]["ana"]
    assert ana["articles"] == 2 and ana["actions_by_kind"]["undo"] == 1 and ana["actions_by_kind"]["delete"] == 1
    assert [(r["id"], r["answer"]) for r in rows] == [(1, "reject"), (2, "accept")]
    assert "ben" not in again["editors"]
    assert counts_are_true(tmp_path / "team.db") and counts_are_true(tmp_path / "fresh.db")


def test_the_same_offsets_under_another_label_and_spans_that_only_touch(store, tokenize):
    """A suggestion relabelled onto the same words where the other label was suggested too: the one it was is
    deleted, the other kept (no span twice); two touching suggestions decided apart stay apart."""
    from tests.test_durability import counts_are_true

    store.documents.add_records([Record(Document(text=TEXT))])
    store.suggestions.save_suggestions([(1, None, [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED, origin="actor"),
        Span(0, 16, "TARGET", Source.RULE, SpanState.SUGGESTED, origin="target"),
        Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED, origin="attack-trigger"),
        Span(26, 29, "TARGET", Source.RULE, SpanState.SUGGESTED, origin="target"),
        Span(29, 34, "PLACE", Source.RULE, SpanState.SUGGESTED, origin="gazetteer")])], "rules:test")
    s, _ = recording_session(store, "ana", tokenize)
    s.visit(1)
    by = {(sp.start, sp.label): sp.id for sp in s.spans}
    s.relabel(by[(0, "ACTOR")], "TARGET")
    s.delete(by[(26, "TARGET")])
    s.accept(by[(29, "PLACE")])
    f = store.effort.figures()["suggestions"]["by_label"]
    assert (f["ACTOR"]["deleted"], f["ACTOR"]["changed"], f["TARGET"]["kept"], f["TARGET"]["deleted"]) == (1, 0, 1, 1)
    assert f["PLACE"]["kept"] == 1 and f["ATTACK"]["open"] == 1
    assert counts_are_true(store.path)
