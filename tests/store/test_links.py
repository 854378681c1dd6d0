"""Events with their arguments: roles in the scheme, links in the project, checked, logged, undone with their
spans, and seen by another handle on the same file."""

from __future__ import annotations

import json

import pytest

from annotator.core.edits import AddSpan
from annotator.core.errors import LinkError, SchemeError
from annotator.core.labels import load_scheme, parse_scheme
from annotator.core.model import Answer, Document, Link, Record, Source, Span, SpanState
from annotator.store import Store
from annotator.workflows.editing import EditSession

TEXT = "Russia launched 472 drones against Ukraine on Sunday, and rebels attacked Kidal."
#       0     6        15  19     26      34      42 45     52   58     65      73     79


def spans(*specs: tuple[int, int, str]) -> list[Span]:
    return [Span(s, e, lb, Source.RULE, SpanState.SUGGESTED) for s, e, lb in specs]


@pytest.fixture
def session(store, tokenize) -> EditSession:
    store.documents.add_records([Record(Document(text=TEXT), spans(
        (0, 6, "ACTOR"), (7, 15, "ATTACK"), (16, 26, "WEAPON"), (35, 42, "PLACE"), (46, 52, "TIME"),
        (58, 64, "ACTOR"), (65, 73, "ATTACK"), (74, 79, "PLACE")))])
    s = EditSession(store, "ana", tokenizer=tokenize)
    s.open(1)
    return s


def span_id(session: EditSession, text: str, label: str) -> int:
    return next(s.id for s in session.spans if TEXT[s.start:s.end] == text and s.label == label)


def link_rows(store: Store, doc_id: int = 1) -> set[tuple[str, str, str, str]]:
    """(event text, role, argument text, state) of every link of the article, whatever its state."""
    by_id = {s.id: TEXT[s.start:s.end] for s in store.annotations.spans(doc_id)}
    return {(by_id[lk.event], lk.role, by_id[lk.argument], lk.state.value)
            for lk in store.links.of_document(doc_id, states=list(SpanState))}


def test_every_event_label_of_the_default_scheme_has_described_roles_with_keys():
    scheme = load_scheme()
    for label in scheme.of_kind("event"):
        assert label.roles, label.name
        for role in label.roles:
            assert role.description and role.hotkey and role.fillers, (label.name, role.name)
            assert all(scheme.get(f) is not None for f in role.fillers)
    attack = {r.name: r.fillers for r in scheme.roles("ATTACK")}
    assert attack == {"attacker": ("ACTOR",), "target": ("TARGET", "ACTOR", "PLACE", "AMOUNT"),
                      "instrument": ("WEAPON", "AMOUNT"),
                      "place": ("PLACE",), "time": ("TIME",), "casualties": ("CASUALTIES",)}
    assert scheme.roles("ACTOR") == ()


@pytest.mark.parametrize("roles, message", [
    ({"attacker": {"fillers": ["NOBODY"]}}, "role 'attacker' may be filled by unknown label(s) NOBODY"),
    ({"attacker": {"fillers": []}}, "role 'attacker' names no label that may fill it"),
    ({"Target2": {"fillers": ["ACTOR"]}}, "role name 'Target2' must be one word"),
    ({"a": {"fillers": ["ACTOR"], "hotkey": "x"}, "b": {"fillers": ["ACTOR"], "hotkey": "x"}},
     "role hotkey 'x' used twice"),
    ({"a": {"fillers": ["ACTOR"], "hotkey": "xy"}}, "hotkey must be a single key"),
    ({"a": ["ACTOR"]}, "role 'a' must be a table with fillers"),
])
def test_a_scheme_with_bad_roles_is_refused_by_name(roles, message):
    data = {"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": roles},
                       "ACTOR": {"kind": "argument", "colour": "#00ff00"}}}
    with pytest.raises(SchemeError) as info:
        parse_scheme(data, "mine.toml")
    assert message in str(info.value) and "ATTACK" in str(info.value)


def test_only_event_labels_have_roles():
    data = {"labels": {"ACTOR": {"kind": "argument", "colour": "#00ff00", "roles": {"x": {"fillers": ["ACTOR"]}}}}}
    with pytest.raises(SchemeError, match="only event labels have roles"):
        parse_scheme(data, "mine.toml")


def test_linking_arguments_to_events_and_what_the_scheme_refuses(session, store):
    launched, attacked = span_id(session, "launched", "ATTACK"), span_id(session, "attacked", "ATTACK")
    russia, drones = span_id(session, "Russia", "ACTOR"), span_id(session, "472 drones", "WEAPON")
    ukraine = span_id(session, "Ukraine", "PLACE")
    session.add_link(launched, russia, "attacker")
    session.add_link(launched, drones, "instrument")
    session.add_link(launched, ukraine, "target")
    session.add_link(launched, ukraine, "place")  # one argument, two roles of the same event
    session.add_link(attacked, russia, "attacker")  # one argument, roles in two events
    assert link_rows(store) == {("launched", "attacker", "Russia", "accepted"),
                                ("launched", "instrument", "472 drones", "accepted"),
                                ("launched", "target", "Ukraine", "accepted"),
                                ("launched", "place", "Ukraine", "accepted"),
                                ("attacked", "attacker", "Russia", "accepted")}
    # spans the editor linked are spans the editor used: accepted
    assert {TEXT[s.start:s.end]: s.state.value for s in store.annotations.spans(1)}["472 drones"] == "accepted"
    frame = {role.name: [TEXT[next(s for s in session.spans if s.id == lk.argument).start:
                              next(s for s in session.spans if s.id == lk.argument).end] for lk in fillers]
             for role, fillers in session.frame(launched)}
    assert frame == {"attacker": ["Russia"], "target": ["Ukraine"], "instrument": ["472 drones"],
                     "place": ["Ukraine"], "time": [], "casualties": []}
    with pytest.raises(LinkError, match="a span labelled WEAPON cannot be the attacker of ATTACK \\(it takes ACTOR\\)"):
        session.add_link(launched, drones, "attacker")
    with pytest.raises(LinkError, match="ATTACK has no role 'victim' \\(its roles: attacker, target"):
        session.add_link(launched, russia, "victim")
    with pytest.raises(LinkError, match="ACTOR is not an event label"):
        session.add_link(russia, ukraine, "place")
    with pytest.raises(LinkError, match="cannot fill a role of itself"):
        session.add_link(launched, launched, "target")
    assert len(link_rows(store)) == 5  # nothing of the refused ones was written


def test_candidates_for_a_role_are_the_allowed_spans_nearest_first(session):
    attacked = span_id(session, "attacked", "ATTACK")
    places = [TEXT[s.start:s.end] for s in session.candidates(attacked, "place")]
    assert places == ["Kidal", "Ukraine"]
    targets = [TEXT[s.start:s.end] for s in session.candidates(attacked, "target")]
    assert targets == ["rebels", "Kidal", "Ukraine", "Russia"]
    assert session.candidates(attacked, "nonsense") == []
    # a span overlapping the event is as near as can be: before the one a space away
    session.apply(AddSpan(1, 65, 79, "TARGET"))
    targets = [TEXT[s.start:s.end] for s in session.candidates(attacked, "target")]
    assert targets[:3] == ["attacked Kidal", "rebels", "Kidal"]


def test_removing_a_span_removes_its_links_and_undo_brings_both_back(session, store):
    launched = span_id(session, "launched", "ATTACK")
    russia, drones = span_id(session, "Russia", "ACTOR"), span_id(session, "472 drones", "WEAPON")
    session.add_link(launched, russia, "attacker")
    session.add_link(launched, drones, "instrument")
    change = session.delete(launched)
    assert link_rows(store) == {("launched", "attacker", "Russia", "rejected"),
                                ("launched", "instrument", "472 drones", "rejected")}
    assert session.links == []
    session.restore(change.doc_id, change.before, change.links_before)
    assert link_rows(store) == {("launched", "attacker", "Russia", "accepted"),
                                ("launched", "instrument", "472 drones", "accepted")}
    assert len(session.links) == 2
    session.restore(change.doc_id, change.after, change.links_after)  # redo
    assert {r[3] for r in link_rows(store)} == {"rejected"}
    # deleting the argument does the same
    session.restore(change.doc_id, change.before, change.links_before)
    change = session.delete(drones)
    assert link_rows(store) == {("launched", "attacker", "Russia", "accepted"),
                                ("launched", "instrument", "472 drones", "rejected")}
    log = store.conn.execute("SELECT detail FROM changes WHERE action = 'set_state' ORDER BY id DESC").fetchone()
    assert len(json.loads(log[0])["links_rejected"]) == 1


def test_relabelling_an_event_drops_the_roles_it_no_longer_has(session, store):
    launched = span_id(session, "launched", "ATTACK")
    russia, ukraine = span_id(session, "Russia", "ACTOR"), span_id(session, "Ukraine", "PLACE")
    session.add_link(launched, russia, "attacker")
    session.add_link(launched, ukraine, "place")
    change = session.relabel(launched, "DEATH")  # DEATH has a place but no attacker
    assert link_rows(store) == {("launched", "attacker", "Russia", "rejected"),
                                ("launched", "place", "Ukraine", "accepted")}
    session.restore(change.doc_id, change.before, change.links_before)
    assert {r[3] for r in link_rows(store)} == {"accepted"}
    assert {s.label for s in store.annotations.spans(1) if s.id == launched} == {"ATTACK"}


def test_removing_and_accepting_links_and_marking_an_argument_with_its_link_in_one_step(session, store):
    launched = span_id(session, "launched", "ATTACK")
    change = session.add_argument(46, 52, "TIME", launched, "time")  # "Sunday" exists as a suggestion
    assert link_rows(store) == {("launched", "time", "Sunday", "accepted")}
    session.restore(change.doc_id, change.before, change.links_before)  # one undo takes both back
    assert link_rows(store) == {("launched", "time", "Sunday", "rejected")}
    states = {TEXT[s.start:s.end]: s.state.value for s in store.annotations.spans(1)}
    assert (states["Sunday"], states["launched"]) == ("suggested", "suggested")  # the event it accepted too
    change = session.add_argument(19, 26, "WEAPON", launched, "instrument")  # new text: "drones"
    new = next(s for s in store.annotations.spans(1) if (s.start, s.end) == (20, 26))
    assert new.state is SpanState.ACCEPTED and ("launched", "instrument", "drones", "accepted") in link_rows(store)
    with pytest.raises(LinkError, match="cannot be the time of ATTACK"):
        session.add_argument(0, 6, "ACTOR", launched, "time")
    # the refused one marked nothing
    accepted = {TEXT[s.start:s.end] for s in store.annotations.spans(1) if s.state is SpanState.ACCEPTED}
    assert accepted == {"launched", "drones"}
    link = next(lk for lk in session.links if lk.role == "instrument")
    session.remove_link(link.id)
    assert ("launched", "instrument", "drones", "rejected") in link_rows(store)
    session.accept_link(link.id)
    assert ("launched", "instrument", "drones", "accepted") in link_rows(store)


def test_imported_links_and_accepting_the_article_accepts_the_suggested_links(store, tokenize):
    record = Record(Document(text=TEXT), spans((0, 6, "ACTOR"), (7, 15, "ATTACK"), (35, 42, "PLACE")),
                          links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED),
                                 Link(1, 2, "target", Source.RULE, SpanState.SUGGESTED)])
    result = store.documents.add_records([record])
    assert (result.spans, result.links) == (3, 2)
    assert store.documents.add_records([record]).links == 0  # the same article again adds nothing
    session = EditSession(store, "ana", tokenizer=tokenize)
    session.open(1)
    assert {(lk.role, lk.state) for lk in session.links} == {("attacker", SpanState.SUGGESTED),
                                                             ("target", SpanState.SUGGESTED)}
    session.remove_link(next(lk.id for lk in session.links if lk.role == "target"))
    before, accepted = session.set_answer(Answer.ACCEPT)
    assert link_rows(store) == {("launched", "attacker", "Russia", "accepted"),
                                ("launched", "target", "Ukraine", "rejected")}
    session.set_answer(before, restore=accepted)  # undo
    assert link_rows(store) == {("launched", "attacker", "Russia", "suggested"),
                                ("launched", "target", "Ukraine", "rejected")}


def test_a_link_made_in_one_handle_is_seen_by_another_and_logged(session, store, db_path):
    launched, russia = span_id(session, "launched", "ATTACK"), span_id(session, "Russia", "ACTOR")
    session.add_link(launched, russia, "attacker")
    other = Store(db_path)
    try:
        assert [(lk.event, lk.argument, lk.role) for lk in other.links.of_document(1)] == [
            (launched, russia, "attacker")]
        row = other.conn.execute("SELECT who, span_id, detail FROM changes WHERE action = 'add_link'").fetchone()
        assert row[0] == "ana" and row[1] == launched
        assert json.loads(row[2])["role"] == "attacker" and json.loads(row[2])["argument"] == russia
    finally:
        other.close()


def test_relabelling_onto_a_label_the_stretch_already_has_merges_and_is_logged(store):
    from annotator.core.errors import ConflictError

    store.documents.add_records([Record(Document(text=TEXT), spans(
        (0, 6, "ACTOR"), (0, 6, "TARGET"), (7, 15, "ATTACK"), (35, 42, "PLACE")))])
    ids = {s.label: s.id for s in store.annotations.spans(1)}
    store.links.add(1, ids["ATTACK"], ids["ACTOR"], "attacker", "ana")
    rev = store.documents.revision(1)
    with pytest.raises(ConflictError):
        # changed elsewhere since
        store.annotations.relabel_span(ids["ACTOR"], "TARGET", "ana", expected_revision=rev - 1)
    assert {s.label: s.state.value for s in store.annotations.spans(1)}["ACTOR"] == "accepted"  # untouched
    merged = store.annotations.relabel_span(ids["ACTOR"], "TARGET", "ana", expected_revision=rev)
    # the span already there takes the label (accepted); the relabelled one is removed, and its links with it
    assert (merged.id, merged.label, merged.state) == (ids["TARGET"], "TARGET", SpanState.ACCEPTED)
    states = {s.id: s.state.value for s in store.annotations.spans(1)}
    assert states[ids["ACTOR"]] == "rejected" and states[ids["TARGET"]] == "accepted"
    assert link_rows(store) == {("launched", "attacker", "Russia", "rejected")}
    row = store.conn.execute("SELECT span_id, who, detail FROM changes WHERE action = 'relabel'").fetchone()
    detail = json.loads(row[2])
    assert (row[0], row[1]) == (ids["ACTOR"], "ana")
    assert detail["before"] == "ACTOR" and detail["after"] == "TARGET" and detail["merged_into"] == ids["TARGET"]
    assert len(detail["links_rejected"]) == 1
    stamps = dict(store.conn.execute("SELECT id, updated_at FROM spans WHERE doc_id = 1"))
    assert stamps[ids["ACTOR"]] and stamps[ids["TARGET"]]  # both changes are stamped
    # a plain relabel logs the state it had, and the links the new label cannot keep
    place = ids["PLACE"]
    store.links.add(1, ids["ATTACK"], place, "place", "ana")
    store.annotations.relabel_span(ids["ATTACK"], "PROTEST", "ana")  # PROTEST has a place: the link stays
    assert ("launched", "place", "Ukraine", "accepted") in link_rows(store)
    store.annotations.relabel_span(ids["ATTACK"], "TALKS", "ana")  # TALKS has a place too
    store.annotations.relabel_span(place, "TIME", "ana")  # a TIME cannot be a place: the link goes
    last = json.loads(store.conn.execute("SELECT detail FROM changes WHERE action = 'relabel' ORDER BY id DESC")
                      .fetchone()[0])
    assert last["state_before"] == "accepted" and len(last["links_rejected"]) == 1  # linking accepted it
    assert ("launched", "place", "Ukraine", "rejected") in link_rows(store)


def test_linking_again_after_a_removal_reuses_the_link_and_what_cannot_be_linked_is_named(session, store):
    launched, russia = span_id(session, "launched", "ATTACK"), span_id(session, "Russia", "ACTOR")
    first = store.links.add(1, launched, russia, "attacker", "ana")
    store.links.set_state(first.id, SpanState.REJECTED, "ana")
    again = store.links.add(1, launched, russia, "attacker", "ben")
    assert (again.id, again.state) == (first.id, SpanState.ACCEPTED)  # the same link, accepted again
    details = [json.loads(d) for (d,) in store.conn.execute(
        "SELECT detail FROM changes WHERE action = 'add_link' ORDER BY id")]
    assert [d["before"] for d in details] == [None, "rejected"]
    # only suggested spans become accepted by linking; a removed span, another article's, or none: named
    store.documents.add_records([Record(Document(text="Talks resumed in Geneva."), spans((17, 23, "PLACE")))])
    geneva = store.annotations.spans(2)[0].id
    with pytest.raises(LinkError, match=f"span {geneva} is not in document 1"):
        store.links.add(1, launched, geneva, "place", "ana")
    with pytest.raises(LinkError, match="no span 999999"):
        store.links.add(1, launched, 999999, "place", "ana")
    ukraine = span_id(session, "Ukraine", "PLACE")
    store.annotations.delete_span(ukraine, "ana")
    with pytest.raises(LinkError, match=f"span {ukraine} was removed; a removed span cannot be linked"):
        store.links.add(1, launched, ukraine, "place", "ana")
    # accepting a link whose span was removed since is refused too
    link = store.links.add(1, launched, span_id(session, "Sunday", "TIME"), "time", "ana")
    store.links.set_state(link.id, SpanState.REJECTED, "ana")
    store.annotations.delete_span(span_id(session, "Sunday", "TIME"), "ana")
    with pytest.raises(LinkError, match="was removed"):
        store.links.set_state(link.id, SpanState.ACCEPTED, "ana")


def test_accepting_a_suggested_link_accepts_its_suggested_spans_as_linking_does(store, tokenize):
    record = Record(Document(text=TEXT), spans((0, 6, "ACTOR"), (7, 15, "ATTACK")),
                          links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])
    store.documents.add_records([record])
    (link,) = store.links.of_document(1)
    store.links.set_state(link.id, SpanState.ACCEPTED, "ana")
    assert {s.label: s.state for s in store.annotations.spans(1)} == {"ACTOR": SpanState.ACCEPTED,
                                                                      "ATTACK": SpanState.ACCEPTED}
    # and through the session, undo puts the spans back as suggestions too
    store2 = store
    store2.documents.add_records([Record(Document(text=TEXT + " Again."),
                                               spans((0, 6, "ACTOR"), (7, 15, "ATTACK")),
                                               links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])])
    session = EditSession(store2, "ana", tokenizer=tokenize)
    session.open(2)
    change = session.accept_link(session.links[0].id)
    assert {s.state for s in store2.annotations.spans(2)} == {SpanState.ACCEPTED}
    session.restore(change.doc_id, change.before, change.links_before)
    assert {s.state for s in store2.annotations.spans(2)} == {SpanState.SUGGESTED}
    assert [lk.state for lk in store2.links.of_document(2)] == [SpanState.SUGGESTED]


def test_the_change_log_says_exactly_what_each_link_edit_did(session, store):
    launched, russia = span_id(session, "launched", "ATTACK"), span_id(session, "Russia", "ACTOR")

    def last() -> tuple:
        row = store.conn.execute("SELECT doc_id, span_id, action, who, detail FROM changes ORDER BY id DESC "
                                 "LIMIT 1").fetchone()
        detail = json.loads(row[4])
        detail.pop("edit", None)  # the command itself: tests/core/test_session.py checks it
        return (*row[:4], detail)

    link = store.links.add(1, launched, russia, "attacker", "ana")
    assert last() == (1, launched, "add_link", "ana",
                      {"link": link.id, "argument": russia, "role": "attacker", "before": None})
    store.links.set_state(link.id, SpanState.REJECTED, "ben")
    assert last() == (1, launched, "set_link_state", "ben", {"link": link.id, "before": "accepted",
                                                              "after": "rejected"})
    store.links.add(1, launched, russia, "attacker", "cy")  # linking again takes the removed link back
    assert last() == (1, launched, "add_link", "cy",
                      {"link": link.id, "argument": russia, "role": "attacker", "before": "rejected"})
    store.links.set_state(link.id, SpanState.REJECTED, "dee")
    assert last()[2:] == ("set_link_state", "dee", {"link": link.id, "before": "accepted", "after": "rejected"})


def test_an_answer_logs_what_it_accepted_and_what_its_undo_put_back(session, store):
    launched, russia = span_id(session, "launched", "ATTACK"), span_id(session, "Russia", "ACTOR")
    spans = store.annotations.spans(1)
    event, weapon = (next(i for i, s in enumerate(spans) if s.label == lb) for lb in ("ATTACK", "WEAPON"))
    store.suggestions.save_suggestions([(1, None, spans, [Link(event, weapon, "instrument", Source.RULE,
                                                               SpanState.SUGGESTED)])], "rules")
    (instrument,) = store.links.of_document(1)
    link = store.links.add(1, launched, russia, "attacker", "ana")
    store.links.set_state(link.id, SpanState.REJECTED, "ana")
    suggested = sorted(s.id for s in store.annotations.spans(1) if s.state is SpanState.SUGGESTED)
    store.conn.execute("UPDATE spans SET updated_at = NULL")
    accepted = store.annotations.set_answer(1, "accept", "ben", accept_suggested=True)
    assert sorted(r[0] for r in accepted) == suggested and {r[2] for r in accepted} == {"suggested"}
    detail = json.loads(store.conn.execute("SELECT detail FROM changes ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert detail == {"before": "pending", "after": "accept", "accepted": [r[0] for r in accepted],
                      "accepted_links": [instrument.id]}
    stamped = store.conn.execute("SELECT count(*) FROM spans WHERE updated_at IS NOT NULL").fetchone()[0]
    assert stamped == len(suggested)  # each span it accepted carries the time it was accepted
    # its undo: back to pending, the spans and the link put back, each stamped, and the log says so
    store.annotations.set_answer(1, "pending", "ben", restore=[(suggested[0], "PLACE", "suggested")],
                                 restore_links=[(link.id, "accepted")])
    detail = json.loads(store.conn.execute("SELECT detail FROM changes ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert detail == {"before": "accept", "after": "pending", "restored": [[suggested[0], "PLACE", "suggested"]],
                      "restored_links": [[link.id, "accepted"]]}
    assert store.links.get(link.id)[1].state is SpanState.ACCEPTED
    assert store.conn.execute("SELECT updated_at FROM links WHERE id = ?", (link.id,)).fetchone()[0]
    assert store.conn.execute("SELECT answered_by, answered_at FROM documents WHERE id = 1").fetchone() == \
        (None, None)


def test_accept_all_logs_the_spans_and_links_it_accepted(session, store):
    spans = store.annotations.spans(1)
    event, weapon = (next(i for i, s in enumerate(spans) if s.label == lb) for lb in ("ATTACK", "WEAPON"))
    store.suggestions.save_suggestions([(1, None, spans, [Link(event, weapon, "instrument", Source.RULE,
                                                               SpanState.SUGGESTED)])], "rules")
    (link,) = store.links.of_document(1)
    ids = store.annotations.accept_all(1, "ana")
    assert ids == sorted(s.id for s in spans)  # every suggestion, in the order they came
    row = store.conn.execute("SELECT action, who, doc_id, span_id, detail FROM changes ORDER BY id DESC LIMIT 1"
                             ).fetchone()
    assert row[:4] == ("accept_all", "ana", 1, None)
    assert json.loads(row[4]) == {"spans": ids, "links": [link.id]}
    assert store.annotations.accept_all(1, "ana") == []  # nothing left to accept: no links in the log either
    assert json.loads(store.conn.execute("SELECT detail FROM changes ORDER BY id DESC LIMIT 1").fetchone()[0]) == \
        {"spans": []}


def test_a_link_on_an_article_changed_elsewhere_is_refused_and_a_link_dates_what_it_accepted(store):
    from annotator.core.errors import ConflictError

    store.documents.add_records([Record(Document(text=TEXT), spans((0, 6, "ACTOR"), (7, 15, "ATTACK")))])
    actor, attack = (s.id for s in store.annotations.spans(1))
    revision = store.documents.revision(1)
    store.annotations.add_span(1, 35, 42, "PLACE", "ben")  # another window changed the article meanwhile
    with pytest.raises(ConflictError):
        store.links.add(1, attack, actor, "attacker", "ana", expected_revision=revision)
    assert store.links.of_document(1) == [] and {s.state for s in store.annotations.spans(1)
                                                  if s.id in (actor, attack)} == {SpanState.SUGGESTED}
    store.links.add(1, attack, actor, "attacker", "ana", expected_revision=store.documents.revision(1))
    stamps = store.conn.execute("SELECT updated_at FROM spans WHERE id IN (?, ?) UNION ALL "
                                "SELECT updated_at FROM links", (actor, attack)).fetchall()
    assert len(stamps) == 3 and all(s[0] and s[0][:4].isdigit() for s in stamps)
    # removing it, and accepting a suggested one, are refused alike on a stale article, and dated
    link = store.links.of_document(1)[0]
    revision = store.documents.revision(1)
    store.annotations.add_span(1, 46, 52, "TIME", "ben")
    with pytest.raises(ConflictError):
        store.links.set_state(link.id, SpanState.REJECTED, "ana", expected_revision=revision)
    assert store.links.of_document(1)[0].state is SpanState.ACCEPTED
    store.conn.execute("UPDATE links SET updated_at = NULL")
    store.links.set_state(link.id, SpanState.REJECTED, "ana", expected_revision=store.documents.revision(1))
    stamp = store.conn.execute("SELECT state, updated_at FROM links").fetchone()
    assert stamp[0] == "rejected" and stamp[1][:4].isdigit()


@pytest.mark.parametrize("edit", ["add span", "accept all", "accept link", "link", "answer accepting all",
                                  "relabel", "relabel out of a role", "remove span", "restore"])
def test_every_edit_stamps_each_span_and_link_it_changes(store, edit):
    """A span or link an edit changed carries the time of that edit: the latest change of each is known (what
    merging editors' work decides by), not only the change log's entry."""
    store.documents.add_records([Record(Document(text="Rebels attacked Kidal on Monday."), [
        Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(7, 15, "ATTACK", Source.RULE,
                                                                    SpanState.SUGGESTED),
        Span(16, 21, "PLACE", Source.RULE, SpanState.SUGGESTED)],
        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])])
    actor, attack, place = (s.id for s in sorted(store.annotations.spans(1), key=lambda s: s.start))
    (link,) = store.links.of_document(1)
    run = {
        "add span": lambda: store.annotations.add_span(1, 25, 31, "TIME", "ana"),
        "accept all": lambda: store.annotations.accept_all(1, "ana"),
        "accept link": lambda: store.links.set_state(link.id, SpanState.ACCEPTED, "ana"),
        "link": lambda: store.links.add(1, attack, place, "place", "ana"),
        "answer accepting all": lambda: store.annotations.set_answer(1, "accept", "ana", accept_suggested=True),
        "relabel": lambda: store.annotations.relabel_span(place, "TARGET", "ana"),
        "relabel out of a role": lambda: store.annotations.relabel_span(actor, "TIME", "ana"),  # its link goes
        "remove span": lambda: store.annotations.set_span_state(actor, SpanState.REJECTED, "ana"),
        "restore": lambda: store.annotations.restore_spans(1, [(place, "PLACE", "accepted")], "ana",
                                                           links=[(link.id, "accepted")]),
    }
    long_ago = "2000-01-01T00:00:00"
    for table in ("spans", "links"):
        store.conn.execute(f"UPDATE {table} SET updated_at = ?", (long_ago,))

    def rows(table: str, what: str) -> dict[int, tuple]:
        return {r[0]: r[1:] for r in store.conn.execute(f"SELECT id, {what}, updated_at FROM {table}")}

    spans_before, links_before = rows("spans", "label, state"), rows("links", "state")
    run[edit]()
    spans_after, links_after = rows("spans", "label, state"), rows("links", "state")
    changed = [(table, i, after) for table, before, now_ in (("spans", spans_before, spans_after),
                                                             ("links", links_before, links_after))
               for i, after in now_.items() if before.get(i, (None,))[:-1] != after[:-1]]
    assert changed, edit  # each edit changes something
    for table, i, after in changed:
        assert after[-1] is not None and after[-1] > long_ago, (table, i, after)
