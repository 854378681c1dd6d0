"""The article session without Qt: edits are data, undo and redo are edits, and the events say what changed."""

from __future__ import annotations

import dataclasses

import pytest

from annotator.core.edits import AcceptAll, AddArgument, AddLink, AddSpan, Relabel, Restore, SetLinkState, SetSpanState
from annotator.core.model import Answer, Document, Record, Source, Span, SpanState
from annotator.core.session import ArticleSession

TEXT = "Rebel commanders attacked the town of Kidal on Monday."


@pytest.fixture
def session(store, tokenize):
    store.documents.add_records([Record(Document(text=TEXT), [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED),
        Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED)]), Record(Document(text="Talks resumed."))])
    return ArticleSession(store, "ana", tokenizer=tokenize)


def heard(session: ArticleSession) -> list[tuple]:
    log: list[tuple] = []
    for name in ("opened", "spans_changed", "links_changed", "answer_changed"):
        getattr(session.events, name).connect(lambda *args, name=name: log.append((name, *args)))
    return log


def opened_afresh(store, tokenize) -> ArticleSession:
    """Article 1 as another window opening it now reads it: what a session's in-memory lists must equal."""
    other = ArticleSession(store, "ben", tokenizer=tokenize)
    other.open(1)
    return other


def test_edits_are_frozen_data_and_their_inverse_is_an_edit(session, store):
    log = heard(session)
    session.open(1)
    assert log[0][0] == "opened" and log[0][1].id == 1
    edit = AddSpan(1, 38, 43, "PLACE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        edit.label = "TIME"  # type: ignore[misc]
    assert edit == AddSpan(1, 38, 43, "PLACE") and hash(edit) == hash(AddSpan(1, 38, 43, "PLACE"))
    change = session.apply(edit)
    kidal = change.result.id
    assert change.edit is edit and change.after == [(kidal, "PLACE", "accepted")]
    assert log[-1] == ("spans_changed", 1, {kidal}, kidal)  # what changed, and the span to select
    undo = change.inverse()
    assert isinstance(undo, Restore) and undo.spans == ((kidal, "PLACE", "rejected"),)
    session.apply(undo)
    assert [s.label for s in session.spans] == ["ACTOR", "ATTACK"]
    session.apply(change.redo())
    assert {s.label for s in store.annotations.spans(1) if s.state is SpanState.ACCEPTED} == {"PLACE"}


def test_a_link_edit_announces_links_and_focuses_the_event(session):
    session.open(1)
    log = heard(session)
    actor, attack = (next(s.id for s in session.spans if s.label == lb) for lb in ("ACTOR", "ATTACK"))
    change = session.apply(AddLink(1, attack, actor, "attacker"))
    assert ("links_changed", 1) in log
    spans_changed = next(entry for entry in log if entry[0] == "spans_changed")
    assert spans_changed[3] == attack and spans_changed[2] == {actor, attack}  # both became accepted
    assert [(lk.role, lk.state) for lk in session.links] == [("attacker", SpanState.ACCEPTED)]
    session.apply(change.inverse())
    assert session.links == [] and {s.state for s in session.spans} == {SpanState.SUGGESTED}


def test_an_undo_on_another_article_opens_it_first(session):
    session.open(1)
    change = session.apply(SetSpanState(1, session.spans[0].id, "rejected"))
    session.open(2)
    log = heard(session)
    session.apply(change.inverse())
    assert [entry[0] for entry in log][:2] == ["opened", "spans_changed"] and session.doc_id == 1
    assert len(session.spans) == 2


def test_answering_announces_the_answer_and_the_spans_it_accepted(session, store):
    session.open(1)
    log = heard(session)
    before, accepted = session.set_answer(Answer.ACCEPT)
    assert before is Answer.PENDING and ("answer_changed", 1, Answer.ACCEPT) in log
    assert {s.state for s in store.annotations.spans(1)} == {SpanState.ACCEPTED}
    session.set_answer(before, restore=accepted)
    assert store.documents.document(1).answer is Answer.PENDING
    assert {s.state for s in store.annotations.spans(1)} == {SpanState.SUGGESTED}
    with pytest.raises(TypeError, match="set_answer"):
        from annotator.core.edits import SetAnswer

        session.apply(SetAnswer(1, Answer.ACCEPT))


def test_accepting_says_which_spans_and_links_changed_and_keeps_the_focus(session, store):
    """What the window redraws after an answer comes from these events: the spans accepted with the span in
    focus kept, the links whose state changed (also when no span changed), and the session's own links."""
    from annotator.core.model import Link

    session.open(1)
    session.select(store.annotations.spans(1)[1].id)
    log = heard(session)
    session.set_answer(Answer.ACCEPT)
    ids = {s.id for s in store.annotations.spans(1)}
    assert log == [("spans_changed", 1, ids, session.selected), ("links_changed", 1), ("answer_changed", 1,
                                                                                       Answer.ACCEPT)]
    assert session.selected == store.annotations.spans(1)[1].id
    # an article whose spans are accepted already and whose link is still a suggestion: only the link changes
    store.documents.add_records([Record(Document(text="Rebels shelled Kharan."), [
        Span(0, 6, "ACTOR", Source.EDITOR, SpanState.ACCEPTED), Span(7, 14, "ATTACK", Source.EDITOR,
                                                                        SpanState.ACCEPTED)],
        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])])
    session.open(3)
    assert [lk.state for lk in session.links] == [SpanState.SUGGESTED]
    log.clear()
    session.set_answer(Answer.ACCEPT)
    assert log == [("spans_changed", 3, set(), None), ("links_changed", 3), ("answer_changed", 3, Answer.ACCEPT)]
    assert [lk.state for lk in session.links] == [SpanState.ACCEPTED]  # the session's links follow


def test_a_link_edit_reads_back_only_the_stretch_it_can_change():
    """Undo's record of an edit is made by reading the spans' states before and after it: a link edit reads
    only the stretch from its event to its argument (an article may hold a hundred thousand spans), and the
    whole article when it cannot tell."""
    spans = {1: (10, 15), 2: (30, 34), 3: (50, 55)}
    assert AddLink(1, 3, 1, "attacker").where(spans) == (10, 55)
    assert SetLinkState(1, 7, "accepted", 3, 2).where(spans) == (30, 55)
    assert SetLinkState(1, 7, "accepted", 3, 9).where(spans) is None  # a span it does not know: everything
    assert SetLinkState(1, 7, "accepted", None, 2).where(spans) is None
    assert SetLinkState(1, 7, "accepted", 3, None).where(spans) is None
    assert AddArgument(1, 0, 4, "ACTOR", 2, "attacker").where(spans) == (0, 34)
    assert AddArgument(1, 60, 64, "PLACE", 2, "place").where(spans) == (30, 64)
    assert AddArgument(1, 0, 4, "ACTOR", 9, "attacker").where(spans) is None
    assert Relabel(1, 2, "ACTOR").where(spans) == (30, 34) and SetSpanState(1, 3, "rejected").where(spans) == (50, 55)
    from annotator.core.session import Change

    change = Change(1, before=[(2, "ACTOR", "suggested")], after=[(2, "ACTOR", "accepted")],
                    links_before=[(7, "suggested")], links_after=[(7, "accepted")])
    assert change.inverse() == Restore(1, ((2, "ACTOR", "suggested"),), ((7, "suggested"),))
    assert change.redo() == Restore(1, ((2, "ACTOR", "accepted"),), ((7, "accepted"),))


EDITS = {
    "add span": lambda ids: AddSpan(1, 38, 43, "PLACE"),
    "relabel": lambda ids: Relabel(1, ids["actor"], "TARGET"),
    "remove span": lambda ids: SetSpanState(1, ids["actor"], "rejected"),
    "accept all": lambda ids: AcceptAll(1),
    "link": lambda ids: AddLink(1, ids["attack"], ids["actor"], "attacker"),
    "remove link": lambda ids: SetLinkState(1, ids["link"], "rejected", ids["attack"], ids["place"]),
    "mark argument": lambda ids: AddArgument(1, 46, 52, "TIME", ids["attack"], "time"),
    "restore": lambda ids: Restore(1, ((ids["actor"], "ACTOR", "rejected"),), ((ids["link"], "rejected"),)),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_edit_is_signed_by_its_editor_and_refused_on_an_article_changed_elsewhere(store, tokenize, kind):
    """Each edit, applied as the window applies it: the change log names the editor who made it; and when
    another window changed the article since this one read it, the edit is refused and changes nothing."""
    from annotator.core.errors import ConflictError
    from annotator.core.model import Link

    store.documents.add_records([Record(Document(text=TEXT), [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(17, 25, "ATTACK", Source.RULE,
                                                                       SpanState.SUGGESTED),
        Span(38, 43, "PLACE", Source.RULE, SpanState.SUGGESTED)],
        links=[Link(1, 2, "place", Source.RULE, SpanState.SUGGESTED)])])
    ids = {s.label.lower(): s.id for s in store.annotations.spans(1)}
    ids["link"] = store.links.of_document(1)[0].id
    edit = EDITS[kind](ids)

    stale = ArticleSession(store, "ana", tokenizer=tokenize)
    stale.open(1)
    other = ArticleSession(store, "ben", tokenizer=tokenize)
    other.apply(AddSpan(1, 6, 16, "ACTOR"))  # another window, after this one read the article
    rows = (store.conn.execute("SELECT id, label, state FROM spans ORDER BY id").fetchall(),
            store.conn.execute("SELECT id, state FROM links ORDER BY id").fetchall())
    logged = store.conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    with pytest.raises(ConflictError):
        stale.apply(edit)
    assert (store.conn.execute("SELECT id, label, state FROM spans ORDER BY id").fetchall(),
            store.conn.execute("SELECT id, state FROM links ORDER BY id").fetchall()) == rows
    assert store.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == logged

    fresh = ArticleSession(store, "ana", tokenizer=tokenize)
    fresh.apply(edit)
    signed = store.conn.execute("SELECT DISTINCT who FROM changes WHERE id > ?", (logged,)).fetchall()
    assert signed == [("ana",)]


def test_after_every_edit_and_undo_the_sessions_spans_are_what_a_fresh_read_gives(store, tokenize):
    """The session keeps its span list up to date from what each edit changed, without reading the article
    again: after each edit and each undo it must equal, in the same order, what opening the article gives
    (spans starting together, longest first, then by label)."""
    store.documents.add_records([Record(Document(text=TEXT), [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(17, 25, "ATTACK", Source.RULE,
                                                                       SpanState.SUGGESTED),
        Span(0, 16, "TARGET", Source.RULE, SpanState.SUGGESTED)])])
    session = ArticleSession(store, "ana", tokenizer=tokenize)
    session.open(1)

    def shown(s: ArticleSession) -> list[tuple]:
        return [(sp.id, sp.start, sp.end, sp.label, sp.state) for sp in s.spans]

    def fresh() -> list[tuple]:
        return shown(opened_afresh(store, tokenize))

    actor, target, attack = (sp.id for sp in session.spans)
    undo = []
    # the relabel merges ACTOR onto the suggested TARGET of the same words: one span removed, the other
    # accepted, in one edit
    for edit in (AddSpan(1, 0, 5, "ACTOR"), AddSpan(1, 0, 25, "TARGET"), Relabel(1, actor, "TARGET"),
                 Relabel(1, attack, "DEATH"), SetSpanState(1, attack, "rejected"), AcceptAll(1)):
        change = session.apply(edit)
        undo.append(change.inverse())
        assert shown(session) == fresh(), edit
    assert [(sp.start, sp.end, sp.label) for sp in session.spans] == [
        (0, 25, "TARGET"), (0, 16, "TARGET"), (0, 5, "ACTOR")]
    # what the pointer is over, shortest first: a span's first character is in it, the one after its end not
    assert [(sp.start, sp.end) for sp in session.spans_at(0)] == [(0, 5), (0, 16), (0, 25)]
    assert [(sp.start, sp.end) for sp in session.spans_at(5)] == [(0, 16), (0, 25)]
    word = session.apply(AddSpan(1, 6, 16, "ACTOR"))
    assert [(sp.start, sp.end) for sp in session.spans_at(10)] == [(6, 16), (0, 16), (0, 25)]
    session.apply(word.inverse())
    for back in reversed(undo):  # each undo removes some spans and puts others back, in one edit
        session.apply(back)
        assert shown(session) == fresh(), back
    assert [(sp.start, sp.end, sp.label, sp.state) for sp in session.spans] == [
        (0, 16, "ACTOR", SpanState.SUGGESTED), (0, 16, "TARGET", SpanState.SUGGESTED),
        (17, 25, "ATTACK", SpanState.SUGGESTED)]


def test_after_every_link_edit_and_undo_the_sessions_links_are_what_a_fresh_read_gives(store, tokenize):
    """The same for links: one edit may remove one link and put another back, and a link put back takes its
    place in id order, as opening the article lists them."""
    from annotator.core.model import Link

    store.documents.add_records([Record(Document(text=TEXT), [
        Span(0, 16, "ACTOR", Source.RULE, SpanState.SUGGESTED),
        Span(17, 25, "ATTACK", Source.RULE, SpanState.SUGGESTED),
        Span(38, 43, "PLACE", Source.RULE, SpanState.SUGGESTED)],
        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED),
               Link(1, 2, "place", Source.RULE, SpanState.SUGGESTED)])])
    session = ArticleSession(store, "ana", tokenizer=tokenize)
    session.open(1)

    def shown(s: ArticleSession) -> list[tuple]:
        return [(lk.id, lk.event, lk.argument, lk.role, lk.state) for lk in s.links]

    def fresh() -> list[tuple]:
        return shown(opened_afresh(store, tokenize))

    first, second = (lk.id for lk in session.links)
    steps = [Restore(1, (), ((first, "rejected"), (second, "accepted"))),  # one removed, the next accepted
             Restore(1, (), ((first, "suggested"),))]  # the first back, after the second in memory
    for edit in steps:
        session.apply(edit)
        assert shown(session) == fresh(), edit
    assert [(lk.id, lk.state) for lk in session.links] == [(first, SpanState.SUGGESTED),
                                                            (second, SpanState.ACCEPTED)]


def test_the_undo_menu_names_each_edit():
    from annotator.core.edits import SetAnswer

    named = [AddSpan(1, 0, 5, "PLACE"), Relabel(1, 3, "ACTOR"), SetSpanState(1, 3, "rejected"),
             SetSpanState(1, 3, "accepted"), AcceptAll(1), AddLink(1, 2, 3, "place"), SetLinkState(1, 4, "rejected"),
             SetLinkState(1, 4, "accepted"), AddArgument(1, 0, 5, "PLACE", 2, "place"), Restore(1),
             SetAnswer(1, Answer.REJECT)]
    assert [edit.describe() for edit in named] == [
        "mark PLACE", "relabel as ACTOR", "delete span", "accept suggestion", "accept all suggestions",
        "link as place", "remove link", "accept link", "mark PLACE as place", "restore", "answer reject"]


def test_a_blocked_signal_is_silent():
    from annotator.core.events import Events

    events = Events("spans_changed")
    seen = []
    events.spans_changed.connect(seen.append)
    with events.spans_changed.blocker():
        events.spans_changed.emit(1)
    events.spans_changed.emit(2)
    other: list = []
    events.spans_changed.connect(other.append)
    events.spans_changed.disconnect(seen.append)  # a widget closed: it hears nothing more, the others do
    events.spans_changed.emit(3)
    assert (seen, other) == ([2], [3])
    with pytest.raises(AttributeError, match="no event 'nope'"):
        events.nope  # noqa: B018


def test_the_change_log_keeps_the_edit_command(session, store):
    import json

    session.open(1)
    actor, attack = (next(s.id for s in session.spans if s.label == lb) for lb in ("ACTOR", "ATTACK"))
    change = session.apply(AddLink(1, attack, actor, "attacker"))
    session.apply(change.inverse())
    session.set_answer(Answer.REJECT)
    rows = store.conn.execute("SELECT action, detail FROM changes WHERE doc_id = 1 ORDER BY id").fetchall()
    edits = [(action, json.loads(detail).get("edit")) for action, detail in rows if detail]
    assert edits[-3:] == [
        ("add_link", {"kind": "AddLink", "doc_id": 1, "event_id": attack, "arg_id": actor, "role": "attacker"}),
        ("restore", {"kind": "Restore", "doc_id": 1, "spans": [[actor, "ACTOR", "suggested"],
                                                                [attack, "ATTACK", "suggested"]],
                     "links": [[change.links_after[0][0], "rejected"]]}),
        ("answer", {"kind": "SetAnswer", "doc_id": 1, "answer": "reject", "restore": None})]
    # a change made outside the session (the command line) carries no command
    store.annotations.add_span(1, 38, 43, "PLACE", "cli")
    last = json.loads(store.conn.execute("SELECT detail FROM changes ORDER BY id DESC").fetchone()[0])
    assert "edit" not in last


def test_answering_another_article_opens_it_and_says_exactly_what_changed(session, store):
    from annotator.core.edits import SetAnswer
    from annotator.core.model import Link

    store.documents.add_records([Record(Document(text="Rebels shelled Kharan."), [
        Span(0, 6, "ACTOR", Source.RULE, SpanState.SUGGESTED), Span(7, 14, "ATTACK", Source.RULE, SpanState.SUGGESTED)],
        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED)])])
    session.open(1)
    log = heard(session)
    before, change = session.set_answer(Answer.IGNORE, doc_id=2)  # nothing to accept: only the answer
    assert [entry[0] for entry in log] == ["opened", "answer_changed"] and log[-1][1:] == (2, Answer.IGNORE)
    assert (before, change.doc_id, change.edit, bool(change)) == (Answer.PENDING, 2, SetAnswer(2, Answer.IGNORE), False)
    assert session.doc_id == 2 and session.doc.answer is Answer.IGNORE
    session.open(3)
    log.clear()
    before, change = session.set_answer(Answer.ACCEPT)
    ids = {s.id for s in store.annotations.spans(3)}
    link_id = store.links.of_document(3)[0].id
    assert ("spans_changed", 3, ids, None) in log and ("links_changed", 3) in log
    assert (change.links_before, change.links_after) == ([(link_id, "suggested")], [(link_id, "accepted")])
    assert sorted(change.after) == sorted((s.id, s.label, "accepted") for s in store.annotations.spans(3))


def test_the_sessions_links_follow_every_edit_without_reading_them_all_again(session, store):
    """The session keeps the article's links in memory and brings them up to date from what each edit changed;
    after any edit, undo or answer they are what the database holds."""
    session.open(1)
    actor, attack = (s.id for s in session.spans)

    def same() -> None:
        assert [(lk.id, lk.event, lk.argument, lk.role, lk.state) for lk in session.links] == \
            [(lk.id, lk.event, lk.argument, lk.role, lk.state) for lk in store.links.of_document(1)]

    assert session.links == []
    linked = session.add_link(attack, actor, "attacker")
    same()
    assert [lk.role for lk in session.links] == ["attacker"]
    session.add_argument(38, 43, "PLACE", attack, "place")
    same()
    assert len(session.links) == 2
    session.remove_link(session.links[0].id)
    same()
    assert [lk.role for lk in session.links] == ["place"]
    gone = session.delete(next(s.id for s in session.spans if s.label == "PLACE"))  # its link goes with it
    same()
    assert session.links == []
    session.apply(gone.inverse())  # undo brings the span and its link back
    same()
    assert [lk.role for lk in session.links] == ["place"]
    session.apply(linked.inverse())  # the first link's undo (its span back to a suggestion)
    same()
    session.relabel(attack, "TERRITORY")  # TERRITORY has no place role: the link is dropped
    same()
    assert session.links == []
    session.set_answer(Answer.ACCEPT)
    same()


def test_marking_an_argument_records_the_editor_and_is_refused_on_a_stale_article(session, store):
    from annotator.core.edits import AddArgument
    from annotator.core.errors import ConflictError

    session.open(1)
    attack = next(s.id for s in session.spans if s.label == "ATTACK")
    change = session.add_argument(38, 43, "PLACE", attack, "place")
    link = change.result
    row = store.conn.execute("SELECT created_by FROM spans WHERE id = ?", (link.argument,)).fetchone()
    assert row == ("ana",)
    assert store.conn.execute("SELECT created_by FROM links WHERE id = ?", (link.id,)).fetchone() == ("ana",)
    # another program changed the article meanwhile: the mark and its link are refused together
    store.annotations.add_span(1, 47, 53, "TIME", "someone-else")
    before = (store.annotations.span_states(1), store.links.states(1))
    with pytest.raises(ConflictError):
        AddArgument(1, 0, 5, "ACTOR", attack, "attacker").run(store, "ana", session.revision)
    assert (store.annotations.span_states(1), store.links.states(1)) == before
    # a link the scheme refuses takes the new span back with it: one step, all or nothing
    from annotator.core.errors import LinkError

    before = (store.annotations.span_states(1), store.links.states(1))
    with pytest.raises(LinkError):
        AddArgument(1, 0, 5, "ACTOR", attack, "victim").run(store, "ana", store.documents.revision(1))
    assert (store.annotations.span_states(1), store.links.states(1)) == before


def test_an_answer_on_an_article_changed_elsewhere_is_refused(session, store):
    from annotator.core.errors import ConflictError

    session.open(1)
    store.annotations.add_span(1, 38, 43, "PLACE", "someone-else")
    with pytest.raises(ConflictError):
        session.set_answer(Answer.ACCEPT)
    assert store.documents.document(1).answer is Answer.PENDING


def test_the_session_tokenizes_an_article_once_and_keeps_its_tokens(store, tokenize):
    calls = []

    def counting(text: str) -> list:
        calls.append(text)
        return tokenize(text)

    store.documents.add_records([Record(Document(text="Talks resumed.")), Record(Document(text=TEXT))])
    session = ArticleSession(store, "ana", tokenizer=counting)
    session.open(2)
    assert store.documents.tokens(2) is None
    assert session.snap(1, 3) == (0, 5)  # "Rebel", widened to its word
    assert session.snap(6, 8) == (6, 16)
    assert calls == [TEXT]  # tokenized once, and kept in the project, for this article
    assert (store.documents.tokens(2), store.documents.tokens(1)) == (tokenize(TEXT), None)
    again = ArticleSession(store, "ben", tokenizer=lambda text: pytest.fail("tokenized again"))
    again.open(2)
    assert again.snap(1, 3) == (0, 5)  # the stored tokens


def test_accepting_one_of_several_suggested_links_and_undoing_it(store, tokenize):
    from annotator.core.model import Link

    text = "Rebels attacked Kidal and shelled Gao."
    store.documents.add_records([Record(Document(text=text), [
        Span(s, e, label, Source.RULE, SpanState.SUGGESTED)
        for s, e, label in ((0, 6, "ACTOR"), (7, 15, "ATTACK"), (16, 21, "PLACE"), (26, 33, "ATTACK"),
                            (34, 37, "PLACE"))],
        links=[Link(1, 0, "attacker", Source.RULE, SpanState.SUGGESTED),
               Link(3, 4, "place", Source.RULE, SpanState.SUGGESTED)])])
    session = ArticleSession(store, "ana", tokenizer=tokenize)
    session.open(1)
    second = session.links[1]
    change = session.accept_link(second.id)
    states = {text[s.start:s.end]: s.state for s in store.annotations.spans(1)}
    assert states == {"Rebels": SpanState.SUGGESTED, "attacked": SpanState.SUGGESTED, "Kidal": SpanState.SUGGESTED,
                      "shelled": SpanState.ACCEPTED, "Gao": SpanState.ACCEPTED}
    session.apply(change.inverse())  # undo: the link and the two spans it accepted are suggestions again
    assert {s.state for s in store.annotations.spans(1)} == {SpanState.SUGGESTED}
    assert [lk.state for lk in store.links.of_document(1)] == [SpanState.SUGGESTED, SpanState.SUGGESTED]


def test_the_session_holds_the_span_in_focus_and_says_when_it_moves(session, store):
    log = heard(session)
    selections = []
    session.events.selection_changed.connect(lambda doc_id, span_id: selections.append((doc_id, span_id)))
    elsewhere = []
    session.events.changed_elsewhere.connect(elsewhere.append)
    session.open(1)
    actor, attack = (s.id for s in session.spans)
    assert session.selected is None
    session.select(attack)
    session.select(attack)  # the same: nothing to tell
    session.select(9999)  # not a span of this article: nothing in focus
    assert selections == [(1, attack), (1, None)] and session.selected is None
    change = session.apply(AddSpan(1, 38, 43, "PLACE"))  # an edit puts what it made in focus
    assert session.selected == change.result.id and log[-1] == ("spans_changed", 1, {change.result.id},
                                                                 change.result.id)
    removal = session.apply(SetSpanState(1, change.result.id, "rejected"))  # removed: nothing in focus
    assert session.selected is None
    session.apply(removal.inverse())  # undone: the span put back is in focus
    assert session.selected == change.result.id
    # a restore that removes one span and puts another back: the one it puts back
    session.apply(Restore(1, ((change.result.id, "PLACE", "rejected"), (actor, "TARGET", "accepted"))))
    assert session.selected == actor
    session.apply(Restore(1, ((actor, "ACTOR", "suggested"),)))
    session.select(actor)
    # another program changes the article: reloaded, told, the focus kept while its span stands
    assert session.reload_if_changed_elsewhere() is False
    other = store.annotations.add_span(1, 47, 53, "TIME", "someone-else")
    assert session.reload_if_changed_elsewhere() is True
    assert elsewhere == [1] and session.selected == actor and any(s.id == other.id for s in session.spans)
    assert ("spans_changed", 1, None, actor) in log  # the widgets redraw with the focus where it was
    store.annotations.set_span_state(actor, SpanState.REJECTED, "someone-else")
    session.reload_if_changed_elsewhere()
    assert session.selected is None and elsewhere == [1, 1]
    session.select(attack)
    session.open(2)  # another article: nothing in focus
    assert session.selected is None


def test_an_events_frame_and_the_candidates_for_a_role_nearest_first(session, store):
    """What the link panel lists: every role of the event with what fills it, and the spans that may fill a
    role, nearest first; for a span that is gone (removed in another window), nothing, and no edit."""
    from annotator.core.errors import LinkError

    session.open(1)
    attack = next(s.id for s in session.spans if s.label == "ATTACK")
    town = session.add_span(30, 34, "PLACE").result.id
    kidal = session.add_span(38, 43, "PLACE").result.id
    actor = next(s.id for s in session.spans if s.label == "ACTOR")
    link = session.apply(AddLink(1, attack, kidal, "place")).result.id
    frame = session.frame(attack)
    assert [role.name for role, _ in frame] == ["attacker", "target", "instrument", "place", "time", "casualties"]
    assert [[lk.id for lk in links] for _, links in frame] == [[], [], [], [link], [], []]
    assert [s.id for s in session.candidates(attack, "target")] == [actor, town, kidal]  # 1, 5, 13 characters away
    assert [s.id for s in session.candidates(attack, "place")] == [town, kidal]
    assert session.candidates(attack, "no such role") == []
    assert session.frame(999) == [] and session.candidates(999, "place") == []
    before = (store.annotations.span_states(1), store.links.states(1))
    with pytest.raises(LinkError, match="no event span 999"):
        session.add_argument(47, 53, "TIME", 999, "time")
    assert (store.annotations.span_states(1), store.links.states(1)) == before
