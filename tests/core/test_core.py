from __future__ import annotations

from dataclasses import replace

import pytest

from annotator.core.errors import InputError, SchemeError
from annotator.core.hashing import prodigy_input_hash, prodigy_task_hash, text_hash
from annotator.core.labels import load_scheme, parse_scheme
from annotator.core.model import Answer, Span, Token
from annotator.core.spans import TokenIndex, check_span, dedupe_spans


def toks(text: str) -> list[Token]:
    out, pos = [], 0
    for word in text.split(" "):
        out.append(Token(pos, pos + len(word), True))
        pos += len(word) + 1
    out[-1].ws = False
    return out


def test_default_scheme_has_every_label_of_the_brief():
    scheme = load_scheme()
    assert [lb.name for lb in scheme.of_kind("event")] == [
        "ATTACK", "DEATH", "INJURY", "ARREST", "TALKS", "AGREEMENT", "TERRITORY", "DAMAGE", "PROTEST",
        "THREAT", "MOVEMENT"]
    assert [lb.name for lb in scheme.of_kind("argument")] == [
        "ACTOR", "TARGET", "PLACE", "TIME", "WEAPON", "CASUALTIES", "AMOUNT"]
    for label in scheme.labels:
        assert label.colour.startswith("#") and len(label.colour) == 7
        assert len(label.hotkey) == 1 and label.description
    assert len({lb.hotkey for lb in scheme.labels}) == len(scheme.labels)
    assert scheme.entity_map["GPE"] == "PLACE" and scheme.entity_map["DATE"] == "TIME"


def test_scheme_errors_name_the_problem(tmp_path):
    with pytest.raises(SchemeError, match="kind must be one of"):
        parse_scheme({"labels": {"X": {"kind": "thing", "colour": "#000000"}}}, "s.toml")
    with pytest.raises(SchemeError, match="hotkey"):
        parse_scheme({"labels": {"A": {"kind": "event", "colour": "#000000", "hotkey": "x"},
                                 "B": {"kind": "event", "colour": "#000001", "hotkey": "x"}}}, "s.toml")
    with pytest.raises(SchemeError, match="colour"):
        parse_scheme({"labels": {"A": {"kind": "event", "colour": "red"}}}, "s.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("labels = [", encoding="utf-8")
    with pytest.raises(SchemeError, match="bad.toml"):
        load_scheme(bad)
    with pytest.raises(SchemeError, match="no label scheme"):
        load_scheme("does-not-exist")


def test_custom_scheme_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[labels.FIRE]\nkind = "event"\ncolour = "#ff0000"\nhotkey = "f"\n'
                    'description = "Fires"\n', encoding="utf-8")
    scheme = load_scheme(path)
    assert scheme.name == "mine" and scheme.names == {"FIRE"}


def test_token_index_alignment_and_snapping():
    text = "Rebels shelled the town on Monday"
    index = TokenIndex(toks(text))
    assert index.token_range(0, 6) == (0, 0)
    assert index.token_range(7, 18) == (1, 2)
    assert index.token_range(1, 6) is None  # cuts through "Rebels"
    assert index.token_range(1, 14) is None  # starts inside "Rebels", ends with "shelled"
    assert index.token_range(0, 7) is None  # ends in the space
    assert index.snap(2, 9) == (0, 14)  # "bels shel" -> "Rebels shelled"
    assert index.snap(9, 2) == (0, 14)  # a backwards selection
    assert index.snap(10, 10) == (7, 14)  # a caret inside a word selects the word
    assert index.snap(6, 7) is None  # only a space
    assert index.snap(33, 33) is None and index.snap(33, 40) is None  # after the last word: nothing to widen to


def test_check_span_reasons():
    text = "Rebels shelled the town"
    index = TokenIndex(toks(text))
    assert check_span(Span(0, 6, "ACTOR"), text, index, {"ACTOR"}) is None
    assert "outside the text" in check_span(Span(0, 99, "ACTOR"), text, index, None)
    assert check_span(Span(0, 6, "NOPE"), text, index, {"TARGET", "ACTOR"}) == (
        "unknown label 'NOPE' (the scheme has ACTOR, TARGET)")
    assert check_span(Span(0, 3, "ACTOR"), text, index, None) == ("span 0..3 'Reb' (ACTOR) does not line up with "
                                                                 "token boundaries")
    # the reasons word for word: a user reads them against the file
    assert check_span(Span(4, 4, "ACTOR"), text, index, None) == ("span 4..4 (ACTOR) lies outside the text of 23 "
                                                                 "characters")  # an empty span: nothing to mark
    assert check_span(Span(-1, 4, "ACTOR"), text, None, None).startswith("span -1..4 (ACTOR) lies outside")
    assert check_span(Span(0, 23, "ACTOR"), text, None, None) is None  # the whole text
    for start, end in ((0, "6"), ("0", 6), (True, 6), (0.0, 6)):
        assert check_span(Span(start, end, "ACTOR"), text, None, None) == \
            f"span offsets must be whole numbers, got {start!r}..{end!r}"
    assert dedupe_spans([Span(0, 6, "A"), Span(0, 6, "A"), Span(0, 6, "B")]) == [Span(0, 6, "A"), Span(0, 6, "B")]


def test_hashes_are_stable_and_prodigy_shaped():
    h = text_hash("Hello")
    assert h == text_hash("Hello") != text_hash("Hello ")
    ih = prodigy_input_hash(h)
    assert -(2**31) <= ih < 2**31
    t1 = prodigy_task_hash(h, [(0, 5, "A")])
    assert t1 == prodigy_task_hash(h, [(0, 5, "A")]) != prodigy_task_hash(h, [(0, 5, "B")])
    # the values files already hold: a hash that moved between versions would make every exported task look new
    # to Prodigy, and an import of an old export a second copy
    assert prodigy_input_hash("ab" * 16) == -1414812757
    assert prodigy_task_hash("ab" * 16, [(0, 6, "ACTOR"), (7, 15, "ATTACK")]) == 151749068
    assert prodigy_task_hash("ab" * 16, [(7, 15, "ATTACK"), (0, 6, "ACTOR")]) == 151749068  # order does not count
    # a text read with its undecodable bytes kept (lone surrogates) still has a hash, its own
    assert text_hash("Kidal \udcff") != text_hash("Kidal \udcfe") != text_hash("Kidal ")


def test_errors_say_where():
    err = InputError("not valid JSON", "in.jsonl", 7)
    assert str(err) == "in.jsonl:7: not valid JSON"
    assert str(InputError("not valid JSON", None, 7)) == "line 7: not valid JSON"  # text pasted, not a file
    assert str(InputError("empty", "in.jsonl")) == "in.jsonl: empty" and str(InputError("empty")) == "empty"
    assert str(InputError("empty").at("a.txt", 3)) == "a.txt:3: empty"
    assert str(InputError("empty", "b.txt", 2).at("a.txt", 3)) == "b.txt:2: empty"  # a place given stays
    assert Answer.parse("accept") is Answer.ACCEPT
    with pytest.raises(InputError, match="unknown answer"):
        Answer.parse("yes")


def test_packed_tokens_round_trip_and_prodigy_json():
    import json

    from annotator.core.tokens import pack_tokens, prodigy_tokens_json, token_bounds, unpack_tokens

    text = 'He said "stop" \u2014 caf\u00e9\n\nend'
    tokens = [Token(0, 2, True), Token(3, 7, True), Token(8, 9, False), Token(9, 13, False), Token(13, 14, True),
              Token(15, 16, True), Token(17, 21, False), Token(21, 23, False), Token(23, 26, False)]
    blob = pack_tokens(tokens)
    assert len(blob) == 1 + 2 * len(tokens)  # tokens that tile the text: a length and a space bit each
    assert unpack_tokens(blob) == tokens
    gappy = [Token(0, 2, False), Token(5, 7, True), Token(8, 70000, False)]  # another tool's tokens
    assert unpack_tokens(pack_tokens(gappy)) == gappy and len(pack_tokens(gappy)) == 1 + 12 * 3
    assert list(token_bounds(blob)[0]) == [t.start for t in tokens]
    parsed = json.loads(prodigy_tokens_json(text, blob))
    assert parsed == [{"text": text[t.start:t.end], "start": t.start, "end": t.end, "id": i, "ws": t.ws}
                      for i, t in enumerate(tokens)]
    assert prodigy_tokens_json("", pack_tokens([])) == "[]"
    # tokens after leading spaces do not tile the text from 0; a word of 32,768 characters does not fit the
    # length field; tokens deep in a long text still tile it, and are packed as lengths
    for odd in ([Token(3, 5, True), Token(6, 9, False)], [Token(0, 32768, True), Token(32769, 32770, False)]):
        assert unpack_tokens(pack_tokens(odd)) == odd and len(pack_tokens(odd)) == 1 + 12 * len(odd)
    deep = [Token(i * 6, i * 6 + 5, True) for i in range(8000)]  # the last ones start past 32,768
    assert unpack_tokens(pack_tokens(deep)) == deep and len(pack_tokens(deep)) == 1 + 2 * 8000


def test_resources_dir_can_be_moved(tmp_path, monkeypatch):
    from annotator.core import resources

    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "tiny.toml").write_text(
        '[labels.FIRE]\nkind = "event"\ncolour = "#ff0000"\nhotkey = "f"\n', encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_RESOURCES", str(tmp_path))
    resources.resources_dir.cache_clear()
    try:
        assert load_scheme("tiny").names == {"FIRE"}
    finally:
        monkeypatch.delenv("ANNOTATOR_RESOURCES")
        resources.resources_dir.cache_clear()
    assert load_scheme().name == "conflict-news"


def test_link_suggestions_take_the_nearest_fitting_span_of_the_sentence_most_specific_role_first():
    from annotator.core.labels import load_scheme
    from annotator.core.linking import suggest_links

    text = "Russia launched drones against Ukraine on Sunday. Kyiv said so."
    spans = [(0, 6, "ACTOR"), (7, 15, "ATTACK"), (16, 22, "WEAPON"), (31, 38, "PLACE"), (42, 48, "TIME"),
             (50, 54, "PLACE")]
    def links(scheme, every_role=False):
        return {(text[spans[e][0]:spans[e][1]], role, text[spans[a][0]:spans[a][1]])
                for e, a, role in suggest_links(spans, [0, 50], scheme, every_role)}

    # "place" (PLACE only) chooses before "target" (TARGET, ACTOR or PLACE), so Ukraine is not given twice, and
    # the attacker is looked for before the event first; Kyiv is in the next sentence
    assert links(load_scheme(), every_role=True) == {
        ("launched", "attacker", "Russia"), ("launched", "instrument", "drones"), ("launched", "place", "Ukraine"),
        ("launched", "time", "Sunday")}
    # the shipped scheme has the rules link only in the roles where they were right more often than wrong
    assert links(load_scheme()) == {("launched", "attacker", "Russia"), ("launched", "instrument", "drones"),
                                    ("launched", "time", "Sunday")}
    # a role left out still takes its span: Ukraine, the place, is not made the target instead
    assert links(replace(load_scheme(), rule_link_roles=frozenset({"target", "time"}))) == {
        ("launched", "time", "Sunday")}
    assert links(replace(load_scheme(), rule_link_roles=None)) == links(load_scheme(), every_role=True)
    assert suggest_links(spans, [], load_scheme()) != []  # no sentence boundaries: the text is one sentence
    assert suggest_links([(0, 6, "ACTOR")], [0], load_scheme()) == []


def test_link_suggestions_case_by_case():
    """Each rule of the link suggester on its own: roles with fewer fillers choose first (ties in the scheme's
    order); an agent looks left when anything fits there, else right; the nearest span wins, ties to the
    earlier; a span touching the event counts as nearest, one overlapping it never fills a role; a span
    starting exactly at a sentence start belongs to that sentence; a span is given one role of an event."""
    from annotator.core.linking import suggest_links

    scheme = parse_scheme({"labels": {
        "HIT": {"kind": "event", "colour": "#e6194b", "roles": {"target": {"fillers": ["ACTOR", "PLACE"]},
                                           "attacker": {"fillers": ["ACTOR"]}, "place": {"fillers": ["PLACE"]}}},
        "NOTE": {"kind": "event", "colour": "#3cb44b"}, "ACTOR": {"kind": "argument", "colour": "#4363d8"},
        "PLACE": {"kind": "argument", "colour": "#f58231"}}}, "test")

    def links(spans, starts=(0,)):
        made = suggest_links(spans, list(starts), scheme)
        assert len(made) == len(set(made))
        return set(made)

    # A hit B at C: attacker then place (one filler each, in the scheme's order), then target takes what is left
    assert links([(0, 1, "ACTOR"), (2, 5, "HIT"), (6, 7, "ACTOR"), (11, 12, "PLACE")]) == {
        (1, 0, "attacker"), (1, 2, "target"), (1, 3, "place")}
    # nothing fits on the left: the attacker is taken from the right; the target gets nothing more
    assert links([(2, 5, "HIT"), (6, 7, "ACTOR")]) == {(0, 1, "attacker")}
    # an agent on the left wins over a nearer one on the right
    assert links([(0, 1, "ACTOR"), (9, 12, "HIT"), (13, 14, "ACTOR")]) == {(1, 0, "attacker"), (1, 2, "target")}
    # the nearest of several; at equal distance the earlier; touching is distance 0
    assert links([(10, 13, "HIT"), (20, 22, "PLACE"), (15, 17, "PLACE")]) == {(0, 2, "place"), (0, 1, "target")}
    assert links([(10, 13, "HIT"), (14, 16, "PLACE"), (7, 9, "PLACE")]) == {(0, 1, "target"), (0, 2, "place")}
    assert links([(10, 13, "HIT"), (3, 10, "PLACE"), (13, 20, "PLACE")]) == {(0, 1, "place"), (0, 2, "target")}
    # distance is from the nearer edges: the near right beats the far left, and the near left the far right;
    # a span beginning near counts as near however far it reaches
    assert links([(0, 1, "PLACE"), (10, 13, "HIT"), (14, 15, "PLACE")]) == {(1, 2, "place"), (1, 0, "target")}
    assert links([(7, 9, "PLACE"), (10, 13, "HIT"), (20, 22, "PLACE")]) == {(1, 0, "place"), (1, 2, "target")}
    assert links([(10, 13, "HIT"), (14, 30, "PLACE"), (16, 17, "PLACE")]) == {(0, 1, "place"), (0, 2, "target")}
    assert links([(7, 9, "PLACE"), (10, 13, "HIT"), (13, 15, "PLACE")]) == {(1, 2, "place"), (1, 0, "target")}
    # an agent touching the event on its left is on its left
    assert links([(0, 3, "ACTOR"), (3, 6, "HIT"), (7, 8, "ACTOR")]) == {(1, 0, "attacker"), (1, 2, "target")}
    # a span overlapping the event, or the event itself, fills nothing
    assert links([(10, 13, "HIT"), (12, 15, "PLACE"), (5, 11, "ACTOR")]) == set()
    # sentences: a span at the next sentence's first character is not this sentence's
    assert links([(0, 3, "HIT"), (10, 12, "PLACE")], starts=(0, 10)) == set()
    assert links([(0, 3, "HIT"), (9, 10, "PLACE")], starts=(0, 10)) == {(0, 1, "place")}
    assert links([(12, 15, "HIT"), (10, 11, "ACTOR")], starts=(0, 10)) == {(0, 1, "attacker")}
    assert links([(0, 3, "HIT"), (20, 22, "PLACE")], starts=()) == {(0, 1, "place")}  # no starts: one sentence
    # events without roles, labels the scheme does not know, and arguments suggest nothing
    assert links([(0, 3, "NOTE"), (4, 5, "ACTOR"), (6, 9, "GONE"), (10, 11, "PLACE")]) == set()


def test_talks_take_every_party_they_own_other_roles_the_nearest():
    """A role of SHARED_ROLES (participant: "a meeting between Zelensky and Trump", "Nasser met Ali") takes every
    argument its event owns, before and after it; another agent's role (attacker) or any other takes the nearest
    only. An argument nearer another event of the sentence is still that one's. The link model's feature
    (each event's own choice, not `one_event`) stays the nearest one."""
    from annotator.core.linking import suggest_links

    scheme = parse_scheme({"labels": {
        "MEET": {"kind": "event", "colour": "#e6194b", "roles": {"participant": {"fillers": ["ACTOR"]},
                                                                 "place": {"fillers": ["PLACE"]}}},
        "HIT": {"kind": "event", "colour": "#ffe119", "roles": {"attacker": {"fillers": ["ACTOR"]}}},
        "ACTOR": {"kind": "argument", "colour": "#f58231"}, "PLACE": {"kind": "argument", "colour": "#911eb4"}}},
        "test")
    text = "Nasser met Ali and Haddad in Cairo and Tunis. Omar left."
    spans = [(0, 6, "ACTOR"), (7, 10, "MEET"), (11, 14, "ACTOR"), (19, 25, "ACTOR"), (29, 34, "PLACE"),
             (39, 44, "PLACE"), (46, 50, "ACTOR")]
    assert set(suggest_links(spans, [0, 46], scheme, text=text)) == {
        (1, 0, "participant"), (1, 2, "participant"), (1, 3, "participant"), (1, 4, "place")}
    assert set(suggest_links(spans, [0, 46], scheme, one_event=False, text=text)) == {
        (1, 0, "participant"), (1, 4, "place")}
    # an attacker is one, the nearest before
    hits = [(s, e, "HIT" if label == "MEET" else label) for s, e, label in spans]
    assert set(suggest_links(hits, [0, 46], scheme, text=text)) == {(1, 0, "attacker")}
    # a party nearer another meeting is that meeting's
    text = "Nasser met Ali; Haddad met Omar."
    spans = [(0, 6, "ACTOR"), (7, 10, "MEET"), (11, 14, "ACTOR"), (16, 22, "ACTOR"), (23, 26, "MEET"),
             (27, 31, "ACTOR")]
    assert set(suggest_links(spans, [0], scheme, text=text)) == {
        (1, 0, "participant"), (1, 2, "participant"), (4, 3, "participant"), (4, 5, "participant")}


def test_a_count_is_an_instrument_only_with_its_weapon_inside():
    """"launched 472 drones": the count holds the weapon, and is the attack's instrument; "damaged 48 apartments"
    and "left 200,000 homes without power" hold none, and are no instrument (the nine such links the rule made on
    real news were all wrong). The link model's feature (each event's own choice) is unchanged."""
    from annotator.core.linking import suggest_links

    scheme = load_scheme()

    def links(text, spans, **kw):
        return {(text[spans[e][0]:spans[e][1]], role, text[spans[a][0]:spans[a][1]])
                for e, a, role in suggest_links(spans, [0], scheme, text=text, **kw)}

    text = "Russia launched 472 drones."
    spans = [(0, 6, "ACTOR"), (7, 15, "ATTACK"), (16, 26, "AMOUNT"), (20, 26, "WEAPON")]
    assert ("launched", "instrument", "472 drones") in links(text, spans)
    # the weapon alone, without the count around it: the weapon is the instrument
    assert ("launched", "instrument", "drones") in links(text, [sp for sp in spans if sp[2] != "AMOUNT"])
    text = "Debris damaged 48 apartments."
    spans = [(7, 14, "DAMAGE"), (15, 28, "AMOUNT")]
    assert links(text, spans) == set()
    assert links(text, spans, every_role=True) == {("damaged", "artifact", "48 apartments")}
    assert links(text, spans, every_role=True, one_event=False) == {("damaged", "instrument", "48 apartments")}
    # a scheme whose instruments are counts only keeps them
    counts_only = parse_scheme({"labels": {
        "HIT": {"kind": "event", "colour": "#e6194b", "roles": {"instrument": {"fillers": ["AMOUNT"]}}},
        "AMOUNT": {"kind": "argument", "colour": "#f58231"}}}, "test")
    assert suggest_links([(7, 14, "HIT"), (15, 28, "AMOUNT")], [0], counts_only) == [(0, 1, "instrument")]
    # a weapon next to the count, not inside it, does not make it one
    text = "A missile attack left 200,000 homes without power."
    spans = [(2, 9, "WEAPON"), (2, 16, "ATTACK"), (22, 35, "AMOUNT")]
    assert ("missile attack", "instrument", "200,000 homes") not in links(text, spans, every_role=True)


def test_an_argument_fills_a_role_of_one_event_the_nearest():
    """Two events of a sentence that may both take a span in a role: it goes to the nearer, to the first at equal
    distance, and to each event in a role of its own; a time or a place to the nearest event before it, an agent
    to the nearest after it."""
    from annotator.core.linking import suggest_links

    scheme = parse_scheme({"labels": {
        "HIT": {"kind": "event", "colour": "#e6194b", "roles": {"target": {"fillers": ["PLACE"]}}},
        "FIRE": {"kind": "event", "colour": "#ffe119", "roles": {"place": {"fillers": ["PLACE"]}}},
        "MOVE": {"kind": "event", "colour": "#3cb44b", "roles": {"destination": {"fillers": ["PLACE"]},
                                                                 "time": {"fillers": ["TIME"]},
                                                                 "agent": {"fillers": ["PLACE"]}}},
        "PLACE": {"kind": "argument", "colour": "#f58231"}, "TIME": {"kind": "argument", "colour": "#911eb4"}}},
        "test")

    def links(spans, starts=(0,)):
        return set(suggest_links(spans, list(starts), scheme))

    # each event its own nearest target
    assert links([(0, 3, "HIT"), (4, 8, "PLACE"), (10, 13, "HIT"), (14, 18, "PLACE")]) == {
        (0, 1, "target"), (2, 3, "target")}
    # the second event is nearer: the first gets nothing, on either side
    assert links([(0, 3, "HIT"), (10, 13, "HIT"), (15, 18, "PLACE")]) == {(1, 2, "target")}
    assert links([(0, 3, "HIT"), (20, 23, "HIT"), (15, 18, "PLACE")]) == {(1, 2, "target")}
    # touching beats one character away, on either side; at equal distance the earlier event
    assert links([(0, 3, "HIT"), (3, 6, "PLACE"), (7, 10, "HIT")]) == {(0, 1, "target")}
    assert links([(0, 3, "HIT"), (4, 6, "PLACE"), (6, 10, "HIT")]) == {(2, 1, "target")}
    assert links([(0, 3, "HIT"), (5, 6, "PLACE"), (8, 11, "HIT")]) == {(0, 1, "target")}
    # an event chooses among the spans nearest to it: the second takes the farther one, not the tied one
    assert links([(0, 3, "HIT"), (5, 8, "PLACE"), (10, 13, "HIT"), (16, 18, "PLACE")]) == {
        (0, 1, "target"), (2, 3, "target")}
    # an event that chose another span leaves this one to no event
    assert links([(0, 3, "HIT"), (4, 6, "PLACE"), (8, 10, "PLACE"), (30, 33, "HIT")]) == {(0, 1, "target")}
    # another role of another event keeps it: one span can be a hit's target and a move's destination
    assert links([(0, 3, "HIT"), (5, 8, "PLACE"), (10, 14, "MOVE")]) == {(0, 1, "target"), (2, 1, "destination")}
    # a time dates the nearest event before it, however near the one after; with none before, the nearest
    assert links([(0, 4, "MOVE"), (10, 12, "TIME"), (13, 17, "MOVE")]) == {(0, 1, "time")}
    assert links([(0, 2, "TIME"), (10, 14, "MOVE"), (20, 24, "MOVE")]) == {(1, 0, "time")}
    assert links([(0, 4, "MOVE"), (6, 8, "TIME"), (10, 14, "MOVE"), (16, 18, "TIME")]) == {
        (0, 1, "time"), (2, 3, "time")}
    # a place too: "attacked a checkpoint in Aleppo, killing two" (not the nearer killing)
    assert links([(0, 4, "FIRE"), (20, 25, "PLACE"), (27, 31, "FIRE")]) == {(0, 1, "place")}
    # an agent the nearest event after it, though the one before is nearer (the move before also takes it as
    # its destination, a role of its own)
    assert links([(0, 4, "MOVE"), (5, 7, "PLACE"), (12, 16, "MOVE")]) == {
        (0, 1, "destination"), (2, 1, "agent")}
    # with the text, the subject of a passive is its verb's, though another event is nearer (not an agent's)
    text = "Towns were hit and cities were hit."
    spans = [(0, 5, "PLACE"), (11, 14, "HIT"), (19, 25, "PLACE"), (31, 34, "HIT")]
    assert links(spans) == {(1, 2, "target")}
    assert set(suggest_links(spans, [0], scheme, text=text)) == {(1, 0, "target"), (3, 2, "target")}
    spans = [(0, 5, "PLACE"), (11, 14, "HIT"), (19, 25, "PLACE"), (42, 45, "HIT")]  # an adverb between too
    assert set(suggest_links(spans, [0], scheme, text="Towns were hit and cities have been badly hit.")) == {
        (1, 0, "target"), (3, 2, "target")}
    # an event in another sentence never competes
    assert links([(0, 3, "HIT"), (20, 23, "PLACE"), (25, 28, "HIT")], starts=(0, 10, 24)) == set()
    assert links([(0, 3, "HIT"), (5, 8, "PLACE"), (25, 28, "HIT")], starts=(0, 24)) == {(0, 1, "target")}


def test_label_names_are_refused_with_the_reason_named():
    from annotator.core.labels import MAX_LABEL_LENGTH, label_problem

    assert label_problem(5) == "a label must be text, got int"
    assert label_problem(None) == "a label must be text, got NoneType"
    assert label_problem("") == "a label name is empty"
    assert label_problem("X" * MAX_LABEL_LENGTH) is None
    long = "Y" * 41 + "Z" * (MAX_LABEL_LENGTH - 40)
    assert label_problem(long) == f"label name {'Y' * 40!r}… is longer than {MAX_LABEL_LENGTH} characters"
    for bad in ("two words", "tab\there", "nul\x00", "bell\x07", "zero\u200bwidth", "line\u2028sep"):
        assert label_problem(bad) == (f"label name {bad!r} holds whitespace or control characters (brat and "
                                      f"CoNLL files write a label as one word; use _ or - instead)"), bad
    for good in ("PLACE", "B_2", "lieu-dit", "Ort", "مكان", "CASUALTIES"):
        assert label_problem(good) is None, good
