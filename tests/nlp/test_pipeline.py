"""The pre-annotator: tokens, rules, and an installed spaCy pipeline given by path."""

from __future__ import annotations

import json
import sys

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.labels import load_scheme
from annotator.core.model import Source, Span, SpanState
from annotator.core.tokens import pack_tokens
from annotator.nlp import build_annotator, merge_suggestions
from annotator.nlp.pipeline import _merge_rule_spans, doc_tokens, merge_suggestion_tuples, packed_tokens
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from tests.conftest import SAMPLES, WIKINEWS


def test_packed_tokens_match_spacy(rules):
    text = json.loads(WIKINEWS.open().readline())["text"]
    doc = rules.nlp.make_doc(text)
    assert packed_tokens(doc) == pack_tokens(doc_tokens(doc))
    assert packed_tokens(rules.nlp.make_doc("")) == b""


def test_rules_find_each_kind_of_argument(rules):
    text = ("At least 15 soldiers were killed in Kharan on Monday, January 4, 2019 at 6am when rebels fired "
            "mortars at a school. President Amira Nasser met envoys in 2019, and talks would resume.")
    doc = rules.nlp(text)
    found = {(text[s.start:s.end], s.label) for s in rules.suggestions(doc)}
    for expected in [("15 soldiers", "CASUALTIES"), ("killed", "DEATH"), ("Monday, January 4, 2019", "TIME"),
                     ("6am", "TIME"), ("rebels", "ACTOR"), ("mortars", "WEAPON"), ("school", "TARGET"),
                     ("Amira Nasser", "ACTOR"), ("2019", "TIME"), ("talks", "TALKS")]:
        assert expected in found, expected
    assert ("January", "TIME") not in found  # nested inside the longer date
    text = "Rebels killed twelve in Maidan Wardak province; 190 were dead, officials in the town of Koro said."
    found = {(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))}
    for expected in [("twelve", "CASUALTIES"), ("Maidan Wardak", "PLACE"), ("190", "CASUALTIES"),
                     ("Koro", "PLACE")]:
        assert expected in found, expected  # context words of the pattern are not part of the span


def test_rules_mark_amounts_of_things_and_keep_counts_of_people_apart(rules):
    text = ("Russia launched 472 drones and seized 450 square kilometers; 41 Russian warplanes were hit, two "
            "armoured vehicles burned, dozens of buildings were destroyed and four civilians died, 160 km away.")
    found = {(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))}
    for expected in [("472 drones", "AMOUNT"), ("drones", "WEAPON"), ("450 square kilometers", "AMOUNT"),
                     ("41 Russian warplanes", "AMOUNT"), ("two armoured vehicles", "AMOUNT"),
                     ("dozens of buildings", "AMOUNT"), ("four civilians", "CASUALTIES")]:
        assert expected in found, expected
    amounts = {words for words, label in found if label == "AMOUNT"}
    # the shorter matches the longer swallows, people, and a distance are no amounts
    assert not amounts & {"450 square", "two armoured", "four civilians", "160 km"}, amounts


def test_institutions_and_titled_names_are_actors_where_they_do_the_deed_armed_groups_wherever_events_are(
        rules, tmp_path):
    """In any sentence with an event, a state's institutions were 52 suggestions deleted for 9 kept on the 40 gold
    articles, titled names 51 for 15: they are suggested right before an event told by a verb ("Police
    arrested", "Officials have also detained"), not where they only speak or are spoken of. Armed groups stay
    actors in any event sentence, their members' phrase whole ("Taliban fighters")."""
    text = ("Police arrested two men in Kabul. The police said the attack was over. Officials have also detained a "
            "man. President Amira Nasser met envoys; President Omar Ali said the bombing was a crime. The "
            "government said talks failed, and Taliban fighters attacked. Troops in Kabul shelled the town.")
    found = [(text[s.start:s.end], s.label, s.start) for s in rules.suggestions(rules.nlp(text))]
    actors = [(w, start) for w, label, start in found if label == "ACTOR"]
    assert actors == [("Police", 0), ("Officials", text.index("Officials")), ("Amira Nasser", text.index("Amira")),
                      ("Taliban fighters", text.index("Taliban"))], found
    # a group's members are one span with its name ("Taliban fighters" above), the ones it was done to right after
    # an arrest's or a death's words; its name alone is an actor in an event's sentence, at the very end of the
    # text too, and nothing in a sentence without one
    text = ("Turkey will guard captured ISIS fighters. ISIS is a name. Hamas members met in Doha. Boko Haram "
            "killed ten. The school was attacked by Hamas")
    found = [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
             if s.label in ("ACTOR", "TARGET")]
    assert found == [("ISIS fighters", "TARGET"), ("Hamas members", "ACTOR"), ("Boko Haram", "ACTOR"),
                     ("Hamas", "ACTOR")], found
    # a pattern file of one's own may ask for the same
    patterns = tmp_path / "p.jsonl"
    patterns.write_text(json.dumps({"label": "ACTOR", "pattern": "ministry", "id": "m", "before_event": True})
                        + "\n" + json.dumps({"label": "ATTACK", "pattern": "shelled"}) + "\n", encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    text = "The ministry shelled the town. The ministry said so."
    assert [(s.start, s.label) for s in own.suggestions(own.nlp(text)) if s.label == "ACTOR"] == [(4, "ACTOR")]


def test_target_words_are_suggested_right_after_an_events_words_not_anywhere_in_its_sentence(rules, tmp_path):
    """On the 40 gold articles the target words ("hospital", "civilians", "journalists") anywhere in an event's
    sentence were 18 suggestions deleted for 2 kept: they are suggested within three words after an event's
    words, with no punctuation between."""
    text = ("Gunmen attacked journalists in Kabul. The hospital said two were killed. An air strike on the "
            "hospital killed two, and shelling, the school said, went on.")
    found = [(text[s.start:s.end], s.start) for s in rules.suggestions(rules.nlp(text)) if s.label == "TARGET"]
    assert found == [("journalists", text.index("journalists")), ("hospital", text.index("hospital killed"))]
    text = ("Gunmen attacked\n\nhospital staff, and a market, the school said. Shelling hit the\nschool, and "
            "rebels attacked\n\nthe hospital.")
    found = [(text[s.start:s.end], s.start) for s in rules.suggestions(rules.nlp(text)) if s.label == "TARGET"]
    # a comma or a blank line between: none; a line wrapped between: the same sentence
    assert found == [("school", text.rindex("school"))]
    # a target word that starts a name is no target ("the Camp David Accords", "the Hospital Authority")
    text = "They shelled the Camp David site and the Hospital Authority, then shelled the camp."
    found = [(text[s.start:s.end], s.start) for s in rules.suggestions(rules.nlp(text)) if s.label == "TARGET"]
    assert found == [("camp", text.index("camp."))], found
    patterns = tmp_path / "p.jsonl"
    patterns.write_text(json.dumps({"label": "TARGET", "pattern": "depot", "id": "d", "after_event": True})
                        + "\n" + json.dumps({"label": "ATTACK", "pattern": "shelled"}) + "\n", encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    text = "They shelled the depot. The depot was shelled."
    assert [(s.start, s.label) for s in own.suggestions(own.nlp(text)) if s.label == "TARGET"] == [
        (text.index("depot"), "TARGET")]


def test_a_name_is_suggested_where_it_acts_or_is_acted_on_beside_an_events_words(rules):
    """A capitalised name (a person's, a body's) right before an event's verb does it (ACTOR), or died or was hurt
    (TARGET); right after a death's, an injury's or an arrest's words it is done to (TARGET); after the words of
    talks it is the other party (ACTOR); after "by" it is the doer; after an attack's words and "the", what was
    struck. Whole names only, none a rule knows otherwise, none after a preposition of place or time, no
    possessive, and nowhere else."""
    def names(text: str) -> list[tuple[str, str]]:
        return [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
                if s.label in ("ACTOR", "TARGET")]

    text = ("Talks went on. Amira Nasser met Omar Ali in Cairo on Monday. Gunmen killed journalist Nabil Hasan "
            "al-Quaety. Layla Haddad died on Friday. Soldiers arrested Karim Saleh. A man was arrested by Thames "
            "Valley Police. Rebels bombed the Jolo Cathedral. Nour Khalil has also attacked. Deputy Lord Mayor Ali "
            "Reza met President Joe Biden.")
    assert names(text) == [
        ("Amira Nasser", "ACTOR"), ("Omar Ali", "ACTOR"), ("Gunmen", "ACTOR"), ("Nabil Hasan al-Quaety", "TARGET"),
        ("Layla Haddad", "TARGET"), ("Soldiers", "ACTOR"), ("Karim Saleh", "TARGET"),
        ("Thames Valley Police", "ACTOR"), ("Rebels", "ACTOR"), ("Jolo Cathedral", "TARGET"),
        ("Nour Khalil", "ACTOR"), ("Ali Reza", "ACTOR"), ("Joe Biden", "ACTOR")], names(text)
    # where no event's words are beside it, or the event is not one the name's place tells a role of
    for text in ("Hana Said said the talks failed.", "Rami Aziz lives in Tunis, where the attack was.",
                 "The attack, Rami Aziz said, was over.", "Rami Aziz killed.", "Layla Haddad protested.",
                 "The report Rami Aziz wrote.", "Troops shelled Bakhmut.", "Biden attacked Trump."):
        assert names(text) == ([("Troops", "ACTOR")] if "Troops" in text else []), text
    # a rule's own name stays the rule's: places (a modifier too, "Kabul residents"), armed groups, days, peoples;
    # a longer name that holds a place is a name ("the United States Embassy")
    assert names("Gunmen killed Kabul residents. Rebels met Hamas leaders. The Taliban attacked Ghazni. "
                 "Ukraine attacked. Police arrested Monday. Soldiers arrested Syrians. There was an attack on the "
                 "United States Embassy.") == [
        ("Gunmen", "ACTOR"), ("Rebels", "ACTOR"), ("Hamas", "ACTOR"), ("Taliban", "ACTOR"), ("Ukraine", "ACTOR"),
        ("Police", "ACTOR"), ("Soldiers", "ACTOR"), ("United States Embassy", "TARGET")]
    # a name after a preposition of place or time, a possessive, half a compound, a name before its noun
    assert names("Troops arrested in Minsk. Gunmen killed since Friday. Police arrested Karim Saleh's son. "
                 "Rebels killed Russo-Japanese veterans. They bombed the Camp David site. They bombed the Hana "
                 "Party's office.") == [
        ("Troops", "ACTOR"), ("Gunmen", "ACTOR"), ("Police", "ACTOR"), ("Rebels", "ACTOR")]
    # the part of a longer name that follows another capitalised word is no name of its own: after "after", the
    # whole name is none, and its last word alone is none either
    assert names("Police arrested after Pawel Adamowicz died.") == [("Police", "ACTOR")]


def test_a_pattern_may_name_the_events_it_keeps_to_and_give_way_to_other_rules(tmp_path):
    """A pattern file's `before_event` and `after_event` may list the event labels they count beside; `yields`
    drops a match where another pattern's match overlaps it; anything else there is an error naming the line."""
    from annotator.nlp.pipeline import PipelineError

    patterns = tmp_path / "p.jsonl"
    lines = [{"label": "ATTACK", "pattern": "shelled"}, {"label": "DEATH", "pattern": "died"},
             {"label": "ACTOR", "pattern": "Hana Group"},
             {"label": "TARGET", "pattern": [{"IS_TITLE": True}], "id": "n", "before_event": ["DEATH"],
              "yields": True},
             {"label": "ACTOR", "pattern": [{"IS_TITLE": True}], "id": "a", "after_event": ["ATTACK"]}]
    patterns.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    text = "Rami died. Rami shelled Hana. The Hana Group died. Rami said Hana died."
    found = [(text[s.start:s.end], s.label, s.start) for s in own.suggestions(own.nlp(text))
             if s.label in ("TARGET", "ACTOR")]
    # Rami before a death, not before an attack; Hana after the attack; "Group" part of the group's name, not
    # a TARGET too; Hana before a death, Rami before no event
    assert found == [("Rami", "TARGET", 0), ("Hana", "ACTOR", text.index("Hana.")),
                     ("Hana Group", "ACTOR", text.index("Hana Group")), ("Hana", "TARGET", text.rindex("Hana"))], found
    # event labels with the label a match gets beside each: after first, then before
    mapped = [lines[0], lines[1], {"label": "ACTOR", "pattern": [{"IS_TITLE": True}], "id": "m",
                                   "before_event": {"ATTACK": "ACTOR", "DEATH": "TARGET"},
                                   "after_event": {"ATTACK": "TARGET"}}]
    patterns.write_text("".join(json.dumps(x) + "\n" for x in mapped), encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    other = "Rami shelled Hana. Omar died. Said said. Died Rami."
    assert [(other[s.start:s.end], s.label) for s in own.suggestions(own.nlp(other)) if s.label != "ATTACK"] == [
        ("Rami", "ACTOR"), ("Hana", "TARGET"), ("Omar", "TARGET"), ("died", "DEATH"), ("Died", "DEATH")]
    # without `yields`, both
    lines[3]["yields"] = False
    patterns.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    assert ("Group", "TARGET") in {(text[s.start:s.end], s.label) for s in own.suggestions(own.nlp(text))}
    for bad in ("after_event", "before_event"):
        for value in ('"DEATH"', '[1]', '[]', '{"DEATH": 1}'):
            patterns.write_text('{"label": "DEATH", "pattern": "died"}\n'
                                f'{{"label": "ACTOR", "pattern": "rami", "{bad}": {value}}}\n', encoding="utf-8")
            with pytest.raises(PipelineError, match=f'p.jsonl:2: "{bad}" must be true, a list of event labels, '
                                                    'or event labels with the label to give'):
                build_annotator(load_scheme(), patterns=patterns)
    patterns.write_text('{"label": "ACTOR", "pattern": "rami", "yields": true}\n', encoding="utf-8")
    with pytest.raises(PipelineError, match='p.jsonl:1: "yields" needs the pattern\'s "id"'):
        build_annotator(load_scheme(), patterns=patterns)
    patterns.write_text('{"label": "ACTOR", "pattern": "rami", "after_event": {"DEATH": "VICTIM"}}\n',
                        encoding="utf-8")
    with pytest.raises(PipelineError, match='p.jsonl:1: "after_event" names an unknown label \'VICTIM\''):
        build_annotator(load_scheme(), patterns=patterns)
    patterns.write_text('{"label": "ACTOR", "pattern": "rami", "before_event": ["DEATH", "DYING"]}\n',
                        encoding="utf-8")
    with pytest.raises(PipelineError, match='p.jsonl:1: "before_event" names an unknown label \'DYING\''):
        build_annotator(load_scheme(), patterns=patterns)
    # false, or left out, is any sentence, as before
    patterns.write_text('{"label": "ACTOR", "pattern": "rami", "after_event": false, "yields": false}\n',
                        encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    assert [s.label for s in own.suggestions(own.nlp("Rami said so."))] == ["ACTOR"]
    # `anywhere`: an after_event pattern's matches elsewhere keep its own label; it needs after_event, and a
    # true or false
    patterns.write_text('{"label": "ATTACK", "pattern": "shelled"}\n{"label": "PLACE", "pattern": "hana", "id": "h", '
                        '"after_event": {"ATTACK": "TARGET"}, "anywhere": true}\n', encoding="utf-8")
    own = build_annotator(load_scheme(), patterns=patterns)
    text = "They shelled Hana. Hana wept."
    assert [(s.start, s.label) for s in own.suggestions(own.nlp(text)) if s.label != "ATTACK"] == [
        (text.index("Hana"), "TARGET"), (text.rindex("Hana"), "PLACE")]
    for line, message in (('{"label": "PLACE", "pattern": "hana", "anywhere": true}', '"anywhere" needs "after_event"'),
                          ('{"label": "PLACE", "pattern": "hana", "after_event": true, "anywhere": "yes"}',
                           '"anywhere" must be true or false')):
        patterns.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(PipelineError, match=f"p.jsonl:1: {message}"):
            build_annotator(load_scheme(), patterns=patterns)


def test_a_place_name_before_a_name_is_a_modifier_not_a_place(rules):
    """The guidelines' "not a place name used as a modifier (US President)": a place right before a capitalised
    word is not suggested; before a day or a month, at the end of a sentence, or as a whole longer name it is."""
    text = ("U.S. President Joe Biden spoke in Paris Monday. Abu Dhabi TV said the New York Times and the Paris "
            "Police Prefecture were in New York City, in Kabul and in Syria. Ukraine's army met Iran March 3.")
    places = [(text[s.start:s.end], s.start) for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"]
    assert places == [("Paris", text.index("Paris")), ("New York City", text.index("New York City")),
                      ("Kabul", text.index("Kabul")), ("Syria", text.index("Syria")),
                      ("Ukraine", text.index("Ukraine")), ("Iran", text.index("Iran"))], places
    # before a noun a country's name modifies ("government", "troops", "presidential"), written small, no place
    # either; before a place's noun ("airport") or an event's ("car bombing") it is one
    text = ("The U.S. government sent US troops; Iran officials met Texas governor Abbott before the Iowa "
            "caucuses. Kabul airport and the Kabul car bombing. Mexico says, Syria and Chad.")
    places = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"]
    assert places == ["Kabul", "Kabul", "Mexico", "Syria", "Chad"], places
    # ... nor before the people or the body it names ("Gdańsk residents", the guidelines' own example); after them
    # it is a place
    text = "Gdańsk residents, Hong Kong people and Milwaukee voters met the Berlin council; residents of Gdańsk left."
    places = [(text[s.start:s.end], s.start) for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"]
    assert places == [("Gdańsk", text.rindex("Gdańsk"))], places


def test_a_place_inside_a_longer_name_is_not_suggested_one_after_a_title_or_a_dash_is(rules):
    """The guidelines: no place "inside an organisation's or a work's name". Joined to a word by a hyphen, or
    after "of" and an organisation's head word, a place is part of a name; after a title or a person's name, or
    beside a spaced dash, it is a place; a gazetteer name with hyphens in it stays whole."""
    text = ("Agence France-Presse said pro-Beijing and Berlin-based groups backed the Egypt–Israel treaty. The "
            "University of Maryland, Voice of America and the Islamic State of Iraq spoke. The mayor of Paris, "
            "Senator Warren of Massachusetts, Port-au-Prince and Nagorno-Karabakh, the United States of America, "
            "and Russia - Ukraine talks. Iraq-")
    places = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"]
    assert places == ["Paris", "Massachusetts", "Port-au-Prince", "Nagorno-Karabakh", "United States of America",
                      "Russia", "Ukraine"], places


def test_places_the_gazetteer_does_not_know_are_found_after_in_and_before_their_state(rules):
    """The guidelines mark every named place: a name that ends its phrase after "in" or "near", a town before
    its state, and the US states themselves; not a month, a language, a faith, an assembly, a name before "'s"
    (a person's as often as a place's), nor a name that goes on ("in Paris Police")."""
    text = ("He lived in Gonesse, a suburb. It crashed near Fairfield, California. Another shooting in Chippewa "
            "Falls. Crusius of Allen, Texas was held in Dayton, Ohio; New Jersey voted. They met in March, wrote "
            "in English. They believe in God. He served in Congress, and in Trump's cabinet. Officers in Paris "
            "Police Prefecture, and Smith, North of here, spoke.")
    places = {text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"}
    assert places == {"Gonesse", "Fairfield", "California", "Chippewa Falls", "Allen", "Texas", "Dayton", "Ohio",
                      "New Jersey"}, places
    # a wire report's dateline names its place in capitals, whatever the gazetteer knows; an acronym before a
    # comma and a month without a day is none, nor a clock's "AM" or a time zone
    text = ("KHARAN, March 3 (Annotator Wire) - Shelling killed four.\n\nNEW HALFA, June 9 (Wire) - Talks began. "
            "He joined NASA, March was cold. It ran out at 5:03 AM, February 10, and 7 PM EST, March 3.")
    places = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "PLACE"]
    assert places == ["KHARAN", "NEW HALFA"], places


def test_named_sites_and_the_worlds_cities_are_places_whole(rules):
    """Issue 30, item 4: the places the rules missed most on the dev articles. A named site is a place, whole
    ("Bradley International Airport", "Karl Marx Avenue"), not part of a longer name ("Thames Valley Police") nor
    an organisation's ("National Hurricane Center"); right after an attack's words, "the" site is what was struck.
    Cities the gazetteer lacked are known, multi-word ones whole; names as often a person's are not. A place
    completing a title before its holder's name is a place, not a modifier."""
    text = ("The bomber crashed at Bradley International Airport and victims went to Hartford Hospital. Explosions "
            "took place on Karl Marx Avenue. Gunmen attacked the Jolo Cathedral. Thames Valley Police and the "
            "National Hurricane Center said so in Forbury Gardens. He was flown from Omsk to Berlin, then to "
            "El Paso and Ciudad Juárez. Austin and Charlotte spoke. Vice President of the United States Joe Biden "
            "met Mayor of London Sadiq Khan and the United States Senate.")
    found = [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
             if s.label in ("PLACE", "TARGET")]
    assert found == [("Bradley International Airport", "PLACE"), ("Hartford Hospital", "PLACE"),
                     ("Karl Marx Avenue", "PLACE"), ("Jolo Cathedral", "TARGET"), ("Forbury Gardens", "PLACE"),
                     ("Omsk", "PLACE"), ("Berlin", "PLACE"), ("El Paso", "PLACE"), ("Ciudad Juárez", "PLACE"),
                     ("United States", "PLACE"), ("London", "PLACE")], found


def test_arguments_the_guidelines_name_are_suggested_clock_times_deeds_and_counts(rules):
    """Issue 30, item 4: gold arguments the rules never suggested. Clock times as the guidelines mark them (the
    whole expression), nouns that name someone by a deed, and counts of people; each beside what must not be."""
    text = ("The shooting began at 10:39 a.m. local time; the spire fell around 19:45 CEST and power was back by "
            "20:00. Police said the suspected gunman surrendered, and officials identified the suspect. Police "
            "suspect that two attackers fled. Six Mexican nationals and eight Mexicans were killed; 750 deaths and "
            "7,999 injuries were recorded, and 33 were reported hospitalised. He was the first Chinese to fly, "
            "after the September 2015 deaths and a 2:1 win at 7:30 a.m. EDT.")
    found = [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))]
    for expected in [("10:39 a.m. local time", "TIME"), ("19:45 CEST", "TIME"), ("20:00", "TIME"),
                     ("gunman", "ACTOR"), ("suspect", "ACTOR"), ("attackers", "ACTOR"),
                     ("Six Mexican nationals", "CASUALTIES"), ("eight Mexicans", "CASUALTIES"),
                     ("750", "CASUALTIES"), ("7,999", "CASUALTIES"), ("33", "CASUALTIES"),
                     ("7:30 a.m. EDT", "TIME")]:
        assert expected in found, (expected, found)
    # counts of the people harmed or gathered, written around the count
    text = ("Five were killed and five seriously injured; seven more were injured. The three deceased were named. "
            "Four of the deceased were tourists, and thousands of Swedes marched. In 2019 more were held. At least "
            "nine died, one was pronounced dead, and the clashes injured fourteen police officers and two aid "
            "workers. In 2019 died a poet.")
    counts = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "CASUALTIES"]
    assert counts == ["Five", "five", "seven", "three", "Four", "thousands of Swedes", "nine", "one",
                      "fourteen police officers", "two aid workers"], counts
    # the whole expression of a date or a part of a day, each one suggestion
    text = ("They met early yesterday afternoon and late Tuesday night, walked until early evening, and called "
            "late last July. That September, in January of this year and on September 20 of this year, in the "
            "13th century and during the weekend, this afternoon and last summer. That May be so.")
    times = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "TIME"]
    assert times == ["early yesterday afternoon", "late Tuesday night", "early evening", "late last July",
                     "That September", "January of this year", "September 20 of this year", "13th century",
                     "weekend", "this afternoon", "last summer"], times
    # one suggestion for the whole clock time, none for a part of it
    assert not {("10:39", "TIME"), ("10:39 a.m.", "TIME"), ("19:45", "TIME"), ("7:30 a.m.", "TIME")} & set(found)
    # the verb "suspect" names nobody; an ordinal is no count; a year before "deaths" is no count; a score is no time
    assert [w for w, label in found if w == "suspect"] == ["suspect"]
    assert not {("first Chinese", "CASUALTIES"), ("2015", "CASUALTIES"), ("2:1", "TIME")} & set(found), found


@pytest.mark.parametrize(("text", "wrong", "right"), [
    # pronouns are never places; abbreviations in capitals still are
    ("Let us know, the envoy said in the US and the UK.", [("us", "PLACE")], [("US", "PLACE"), ("UK", "PLACE")]),
    # the month is no march, the verb is
    ("Protests began in March 2019. Thousands will march today.", [("March", "PROTEST")],
     [("March 2019", "TIME"), ("march", "PROTEST")]),
    # a multi-word place of the gazetteer stays whole
    ("Police in Hong Kong arrested 12.", [("Hong", "PLACE"), ("Kong", "PLACE")], [("Hong Kong", "PLACE")]),
    # "May" of a name is no month; after "in", or before a day or year, it is
    ("Theresa May's cabinet met in May and on May 3.", [], [("May", "TIME"), ("May 3", "TIME")]),
    ("Elections were held in May.", [], [("May", "TIME")]),
    # "body" only where it is a dead body
    ("His body temperature rose. A governing body met. The body was found.", [],
     [("body", "DEATH")]),
    # no letter left over from "air strikes" as a trigger ("8 m/s")
    ("Winds reached 8 m/s.", [("s", "ATTACK"), ("s", "DEATH")], []),
    # the noun "deal", not the verb
    ("We must deal with it. A deal with Iran was signed.", [], [("deal", "AGREEMENT")]),
    # an agreement's name is its span; a "New Deal" is a policy
    ("They joined the Paris Agreement and the Camp David Accords, not the Green New Deal.",
     [("Agreement", "AGREEMENT"), ("Accords", "AGREEMENT"), ("New Deal", "AGREEMENT"), ("Deal", "AGREEMENT")],
     [("Paris Agreement", "AGREEMENT"), ("Camp David Accords", "AGREEMENT")]),
    # one agrees with an opinion and signs a law or a letter; the agreement is the noun
    ("Carroll agreed with her. The governor signed the bill. They signed a peace agreement.",
     [("agreed", "AGREEMENT"), ("signed", "AGREEMENT")], [("peace agreement", "AGREEMENT")]),
    # fighting between forces, not "keep fighting"
    ("They keep fighting for justice. Fighting broke out, and heavy fighting followed.", [],
     [("Fighting", "ATTACK"), ("fighting", "ATTACK")]),
    # an honorific names nobody
    ("The Deputy Lord Mayor spoke, and Deputy Mayor Jane Smith met envoys.", [("Lord", "ACTOR")],
     [("Jane Smith", "ACTOR")]),
    # a helicopter is a crash's or a rescue's; an attack helicopter, a kitchen knife or water cannons are weapons
    ("The helicopter crashed. Attack helicopters and water cannons came; he had a kitchen knife and a pistol.",
     [("helicopter", "WEAPON"), ("knife", "WEAPON")],
     [("Attack helicopters", "WEAPON"), ("water cannons", "WEAPON"), ("kitchen knife", "WEAPON"),
      ("pistol", "WEAPON")]),
    # protesters act, unless something is done to them
    ("Police fired on protesters. The protesters marched.", [], [("protesters", "TARGET"), ("protesters", "ACTOR")]),
])
def test_the_rules_recurring_errors_on_real_news_are_gone(rules, text, wrong, right):
    """Issue 11's list of what the rules got wrong again and again on 150 Wikinews articles (bench_quality.py
    counts each there), each fixed in scripts/build_patterns.py, and what must still be found beside it."""
    found = [(text[s.start:s.end], s.label, s.start) for s in rules.suggestions(rules.nlp(text))]
    pairs = [(w, label) for w, label, _ in found]
    for item in wrong:
        assert item not in pairs, found
    for item in right:
        assert item in pairs, found
    if "Theresa" in text:
        assert text.index("May") not in [start for _, label, start in found if label == "TIME"]
    if "governing body" in text:  # only the dead one
        assert [start for w, label, start in found if label == "DEATH"] == [text.index("body was")]
    if "must deal" in text:
        assert [start for w, label, start in found if label == "AGREEMENT" and w == "deal"] == [
            text.index("deal with Iran")]
    if "keep fighting" in text:
        assert text.index("fighting for") not in [start for _, label, start in found if label == "ATTACK"]
    if "protesters marched" in text:  # each stretch one of the two, never both
        assert len({start for w, label, start in found if w == "protesters"}) == 2
        assert len([1 for w, label, start in found if w == "protesters"]) == 2


def test_the_shipped_patterns_are_what_the_script_writes_and_run_on_the_fast_path(rules):
    """resources/patterns is made by scripts/build_patterns.py (the place to fix a rule), and every token
    pattern is matched by the fast path (none falls to spaCy's Matcher, which visits every token)."""
    import importlib.util

    from annotator.nlp.pipeline import DEFAULT_PATTERNS, load_patterns
    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("build_patterns", ROOT / "scripts" / "build_patterns.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == load_patterns(DEFAULT_PATTERNS)
    matcher = next(p for _, p in rules.nlp.pipeline if hasattr(p, "tokens")).tokens
    assert not matcher.general, [pid for _, _, pid, _ in matcher.general]


def test_merge_keeps_one_suggestion_per_stretch():
    spans = [Span(0, 5, "TIME", Source.MODEL, SpanState.SUGGESTED, score=0.4),
             Span(0, 5, "TIME", Source.RULE, SpanState.SUGGESTED),
             Span(0, 9, "PLACE", Source.RULE, SpanState.SUGGESTED),
             Span(2, 5, "PLACE", Source.RULE, SpanState.SUGGESTED),
             Span(0, 9, "ATTACK", Source.RULE, SpanState.SUGGESTED)]
    merged = merge_suggestions(spans)
    assert [(s.start, s.end, s.label, s.source) for s in merged] == [
        (0, 9, "ATTACK", Source.RULE), (0, 9, "PLACE", Source.RULE), (0, 5, "TIME", Source.RULE)]



@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6), st.sampled_from(["TIME", "PLACE", "NOPE"]),
                          st.sampled_from(["", "p"])), max_size=25))
def test_rule_only_merge_equals_the_general_merge(raw):
    """Pre-annotation with rules alone takes a shorter path; it must keep exactly what the general merge keeps."""
    rules = [(s, s + n, label, pid) for s, n, label, pid in raw]
    labels = frozenset({"TIME", "PLACE"})
    general = merge_suggestion_tuples((s, e, label, Source.RULE, None) for s, e, label, _ in rules if label in labels)
    assert _merge_rule_spans(rules, labels) == [(s, e, label, "rule", None) for s, e, label, _, _ in general]

@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """A small pipeline saved to disk: an entity ruler (GPE, DATE, PERSON) and a span group with scores."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Kharan"}, {"label": "GPE", "pattern": "Kabul"},
                        {"label": "DATE", "pattern": "Tuesday"},
                        {"label": "PERSON", "pattern": "Amira Nasser"}, {"label": "LAW", "pattern": "treaty"}])

    @spacy.Language.component("test_events")
    def test_events(doc):
        from spacy.tokens import SpanGroup

        spans = [doc[i:i + 1] for i, t in enumerate(doc) if t.lower_ == "shelling"]
        group = SpanGroup(doc, name="sc", spans=[doc.char_span(s.start_char, s.end_char, label="ATTACK")
                                                 for s in spans])
        group.attrs["scores"] = [0.9] * len(spans)
        doc.spans["sc"] = group
        return doc

    nlp.add_pipe("test_events")
    nlp.meta["name"] = "tiny_events"
    path = tmp_path_factory.mktemp("model") / "tiny_events"
    nlp.to_disk(path)
    return path


def test_model_entities_and_span_groups_become_suggestions(model_path):
    annotator = build_annotator(load_scheme(), model=str(model_path))
    assert annotator.key.startswith("rules:") and "model:tiny_events" in annotator.key
    text = "Shelling hit Kabul and Kharan on Tuesday, Amira Nasser said, breaking the treaty."
    found = {(text[s.start:s.end], s.label, s.source) for s in annotator.suggestions(annotator.nlp(text))}
    assert ("Kabul", "PLACE", Source.RULE) in found  # the gazetteer and the model both found it ...
    assert ("Kabul", "PLACE", Source.MODEL) not in found  # ... and a suggestion is never repeated
    assert ("Kharan", "PLACE", Source.MODEL) in found  # only the model knows this one (GPE -> PLACE)
    assert ("Tuesday", "TIME", Source.RULE) in found
    assert ("Amira Nasser", "ACTOR", Source.MODEL) in found  # PERSON -> ACTOR through the entity map
    assert ("Shelling", "ATTACK", Source.RULE) in found
    assert not any(label == "LAW" for _, label, _ in found)  # not in the map, not in the scheme
    alone = build_annotator(load_scheme(), model=str(model_path), use_rules=False)
    found = {(text[s.start:s.end], s.label, s.source, s.score) for s in alone.suggestions(alone.nlp(text))}
    assert ("Kharan", "PLACE", Source.MODEL, None) in found
    assert ("Shelling", "ATTACK", Source.MODEL, 0.9) in found  # span group used directly, with its score


def test_each_label_suggested_by_what_its_training_chose(model_path, tmp_path):
    """A model whose meta.json says, per label, whether the rules, the model or both did best on its dev
    articles (as `annotator train` writes it): each label's suggestions come from that choice, unless
    model_anyway."""
    import shutil

    chosen = tmp_path / "chosen"
    shutil.copytree(model_path, chosen)
    meta = json.loads((chosen / "meta.json").read_text())
    meta["annotator"] = {"trained_at": "2026-12-05T00:00:00+00:00",
                         "sources": {"TIME": "model", "ATTACK": "rules", "ACTOR": "both", "PLACE": "rules"}}
    (chosen / "meta.json").write_text(json.dumps(meta))
    text = "Shelling hit Kabul and Kharan on Tuesday, Amira Nasser said."
    annotator = build_annotator(load_scheme(), model=str(chosen))
    found = {(text[s.start:s.end], s.label, s.source) for s in annotator.suggestions(annotator.nlp(text))}
    assert ("Tuesday", "TIME", Source.MODEL) in found and ("Tuesday", "TIME", Source.RULE) not in found
    assert ("Kabul", "PLACE", Source.RULE) in found
    assert not any(w == "Kharan" for w, _, _ in found)  # PLACE is the rules': the model's own place is left out
    assert ("Shelling", "ATTACK", Source.RULE) in found
    assert ("Amira Nasser", "ACTOR", Source.MODEL) in found  # both
    assert annotator.choice().startswith("the model for TIME; the model and the rules for ")
    assert annotator.choice().endswith("; the rules for ATTACK, PLACE")  # in the order of the scheme
    anyway = build_annotator(load_scheme(), model=str(chosen), model_anyway=True)
    assert anyway.key != annotator.key
    found = {(text[s.start:s.end], s.label, s.source) for s in anyway.suggestions(anyway.nlp(text))}
    assert ("Kharan", "PLACE", Source.MODEL) in found and ("Tuesday", "TIME", Source.RULE) in found


def test_model_and_rules_together_in_a_project(store, model_path):
    import_paths(store, [SAMPLES])
    rules_only = preannotate(store, build_annotator(store.scheme), doc_ids=[1])
    both = preannotate(store, build_annotator(store.scheme, model=str(model_path)), doc_ids=[1])
    assert rules_only.suggestions > 0
    assert both.documents == 1  # a new pipeline sees the document again ...
    spans = store.annotations.spans(1)
    assert len({(s.start, s.end, s.label) for s in spans}) == len(spans)  # ... without duplicating anything


def test_n_process_two_gives_the_same_suggestions(tmp_path, rules):
    from annotator.store import Store

    results = []
    for n in (1, 2):
        s = Store(tmp_path / f"p{n}.db")
        import_paths(s, [SAMPLES])
        preannotate(s, rules, n_process=n, batch_size=4, commit_every=5)
        results.append(s.conn.execute('SELECT doc_id, start, "end", label FROM spans ORDER BY 1, 2, 3, 4').fetchall())
        s.close()
    assert results[0] == results[1] and results[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_worker_processes_save_and_report_exactly_what_one_process_does(tmp_path, rules, monkeypatch):
    """The editor's choice of processes changes the speed, never the result: the same suggestions, links,
    tokens, articles done and skipped, failures, progress and change log."""
    import dataclasses
    import json

    from annotator.workflows import preannotating

    # forked workers, as the command line has them: they inherit the pipeline that breaks (a test run may have
    # other threads alive, and would spawn workers that build the plain pipeline from its spec)
    monkeypatch.setattr(preannotating.threading, "active_count", lambda: 1)

    from annotator.store import Store
    from tests.workflows.test_on_ray import _suggestions
    from tests.workflows.test_ray_engine_here import _breaking_on

    texts = [json.loads(line)["text"] for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    breaking = _breaking_on(texts[4][:60])(rules.spec["scheme"])  # the fifth article breaks the pipeline
    breaking = dataclasses.replace(breaking, spec=rules.spec, key=rules.key)
    seen = []
    for n in (1, 2):
        s = Store(tmp_path / f"p{n}.db")
        import_paths(s, [WIKINEWS])
        s.annotations.set_answer(100, "accept", "ben")  # answered: left alone unless asked for
        progress: list[int] = []
        asked = preannotate(s, breaking, n_process=n, batch_size=4, commit_every=16, doc_ids=range(1, 41),
                            who="ana", on_progress=progress.append)
        pending = preannotate(s, rules, n_process=n, commit_every=16)
        every = preannotate(s, rules, n_process=n, only_pending=False)
        logged = s.conn.execute("SELECT who, sum(json_extract(detail, '$.documents')) FROM changes "
                                "WHERE action = 'preannotate' GROUP BY who ORDER BY who").fetchall()
        seen.append((_suggestions(s), asked.documents, asked.suggestions, sorted(asked.failed), sum(progress),
                     pending.documents, every.documents, logged))
        s.close()
    (suggestions, documents, added, failed, progressed, pending, every, logged), other = seen
    assert other == seen[0]
    assert (documents, failed, progressed) == (39, [(5, "RuntimeError: the model broke")], 39)
    assert (pending, every, logged) == (110, 1, [(None, 111), ("ana", 39)])  # then 5 with the rest; then 100
    assert [doc_id for doc_id, _ in suggestions[3]] == list(range(1, 151))
    assert added == sum(1 for span in suggestions[0] if span[0] <= 40 and span[0] != 5) > 300


def test_anchored_token_patterns_find_exactly_what_spacys_matcher_finds():
    """The fast path (annotator.nlp.anchored) must agree with spaCy's Matcher on the shipped patterns, on
    patterns whose word tests fill more than one 64-bit column (a pattern testing words of two columns), and on
    patterns it can only run through the Matcher (a regex, an optional first token), over real articles."""
    from spacy.matcher import Matcher

    from annotator.nlp.anchored import AnchoredMatcher
    from annotator.nlp.pipeline import DEFAULT_PATTERNS, load_patterns

    nlp = spacy.blank("en")
    patterns = [p for p in load_patterns(DEFAULT_PATTERNS) if isinstance(p["pattern"], list)]
    patterns += [
        {"label": "TIME", "pattern": [{"TEXT": {"REGEX": "^(19|20)\\d\\d$"}}], "id": "regex"},
        {"label": "ACTOR", "pattern": [{"LOWER": "the", "OP": "?"}, {"LOWER": {"IN": ["army", "police"]}}]},
        {"label": "CASUALTIES", "pattern": [{"IS_DIGIT": True}, {"IS_PUNCT": True, "OP": "*"},
                                            {"LOWER": "people"}]},
    ]
    # 80 more word tests, so that the bits take three columns or more; pairs of words from different columns
    words = ["of", "the", "in", "and", "to", "a", "was", "said", "on", "for", "by", "that", "with", "at", "is",
             "from", "his", "as", "he", "were", "has", "an", "have", "it", "had", "after", "which", "its", "be",
             "their", "been", "who", "not", "are", "but", "they", "this", "also", "or", "killed", "police",
             "people", "government", "president", "two", "one", "year", "last", "new", "first", "would", "more",
             "than", "some", "about", "into", "over", "other", "there", "when", "all", "she", "her", "would",
             "will", "out", "up", "no", "before", "we", "three", "against", "during", "while", "city", "since",
             "between", "later", "where", "many", "most"]
    patterns += [{"label": "W", "pattern": [{"LOWER": w, "OP": "+"}], "id": f"w{i}"} for i, w in enumerate(words)]
    patterns += [{"label": "P", "pattern": [{"LOWER": a}, {"LOWER": b}]}
                 for a, b in [("of", "the"), ("in", "the"), ("said", "that"), ("killed", "in"), ("the", "city")]]
    patterns.append({"label": "P", "pattern": [{"LOWER": "the"}, {"IS_TITLE": True, "LOWER": {"NOT_IN": words}}]})
    fast = AnchoredMatcher(nlp, "t", "sc")
    fast.add_patterns(patterns)
    assert fast.fixed and fast.simple and fast.general  # all three ways are exercised
    assert fast.width >= 3 and len(fast.general) == 2  # past 128 tests, word tests stay on the fast path
    slow = Matcher(nlp.vocab)
    for i, p in enumerate(patterns):
        slow.add(f"{p['label']}|{i}", [p["pattern"]])
    texts = [json.loads(line)["text"] for line in WIKINEWS.open(encoding="utf-8")][:60]
    texts.append("At 3 , , people and 15 soldiers and 2 000 people; the army, police and 1999.")
    compared = 0
    for doc in nlp.tokenizer.pipe(texts):
        expected = sorted({(s, e, nlp.vocab.strings[m].split("|")[0]) for m, s, e in slow(doc)})
        got = sorted({(s.start, s.end, s.label_) for s in fast(doc).spans["sc"]})
        assert got == expected
        compared += len(expected)
    assert compared > 300


def test_gold_fixture_is_consistent_and_the_rules_stay_useful(rules):
    """The hand annotations of Wikinews articles (bench/bench_quality.py reports per label) line up with the
    real texts and spaCy's tokens, are what scripts/gold_spec.txt says, and the shipped patterns keep finding most
    of what a person marked (on the 40 articles 0.86 precision, 0.76 recall; 0.86 and 0.77 on the 18 without links,
    which issue 30's rules were written without looking at)."""

    from tests.conftest import ROOT

    texts = {a["id"]: a["text"] for a in map(json.loads, WIKINEWS.open(encoding="utf-8"))}
    scheme = load_scheme()
    tp = pred = ref = 0
    for line in (ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        text = texts[record["id"]]
        gold = _fixture_spans(rules, text, record)
        found = {(s.start, s.end, s.label) for s in rules.suggestions(rules.nlp(text))}
        tp, pred, ref = tp + len(found & gold), pred + len(found), ref + len(gold)
    assert ref >= 1000
    precision, recall = tp / pred, tp / ref
    assert precision >= 0.83 and recall >= 0.73, (precision, recall)
    make_gold = _make_gold()
    articles = make_gold.parse_spec(make_gold.SPEC, texts, set(scheme.names))
    fixture = (ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl").read_text(encoding="utf-8").splitlines()
    assert make_gold.fixture_lines(articles, texts) == fixture


def _fixture_spans(rules, text: str, record: dict) -> set[tuple[int, int, str]]:
    """The spans of a gold fixture's record, each checked against the real text, the scheme and spaCy's tokens."""
    from annotator.core.spans import TokenIndex
    from annotator.nlp.pipeline import doc_tokens

    names = load_scheme().names
    index = TokenIndex(doc_tokens(rules.nlp.make_doc(text)))
    gold = set()
    for span in record["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]
        assert span["label"] in names
        assert index.token_range(span["start"], span["end"]) is not None, span
        gold.add((span["start"], span["end"], span["label"]))
    return gold


def _make_gold():
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("make_gold", ROOT / "scripts" / "make_gold.py")
    make_gold = importlib.util.module_from_spec(spec)
    sys.modules["make_gold"] = make_gold  # its dataclasses look themselves up there
    spec.loader.exec_module(make_gold)
    return make_gold


@pytest.mark.parametrize(("which", "size", "floors"), [(1, (30, 600, 140, 160), (0.79, 0.68, 0.79)),
                                                       (2, (30, 600, 140, 160), (0.77, 0.66, 0.72)),
                                                       (3, (30, 600, 140, 160), (0.77, 0.68, 0.72)),
                                                       (4, (11, 170, 40, 40), (0.76, 0.70, 0.74))])
def test_heldout_fixtures_are_their_draw_and_their_spec_and_the_rules_hold_up_on_them(rules, which, size, floors):
    """The held-out hand annotations (articles annotated after the rules were written): each set is the next
    stretch of the draw scripts/heldout_spec.txt describes, none skipped and none among the 40; its fixture is what
    its spec says, lines up with the real texts and spaCy's tokens, and links only as the scheme allows; and the
    shipped rules keep finding what a person marked (floors a little under what they found when the sets were
    made: set 1 P 0.83, R 0.71, event labels F1 0.83, read for the rules of negated events; set 2, read while
    annotating it, P 0.80, R 0.69, event labels 0.76; set 3, P 0.79, R 0.71, event labels 0.63 before the rules
    written from its misses, 0.74 after; set 4, the last 11 articles of the draw, which the rules were not written
    from, P 0.79, R 0.73, event labels 0.77). Sets 1 to 3 hold 30 articles, set 4 the rest of the draw."""

    make_gold = _make_gold()
    articles_jsonl = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    texts = {a["id"]: a["text"] for a in articles_jsonl}
    scheme = load_scheme()
    spec, out, _ = make_gold.HELDOUT_SETS[which]
    articles = make_gold.parse_spec(spec, texts, set(scheme.names))
    ids = [a.id for a in articles]
    before = sum(len(make_gold.parse_spec(make_gold.HELDOUT_SETS[n][0], texts, set(scheme.names)))
                 for n in range(1, which))
    draw = make_gold.heldout_draw(articles_jsonl)
    assert len(ids) == size[0] and ids == draw[before:before + len(ids)]
    if which == max(make_gold.HELDOUT_SETS):
        assert before + len(ids) == len(draw)  # the last set takes the draw to its end
    gold_ids = {a.id for a in make_gold.parse_spec(make_gold.SPEC, texts, set(scheme.names))}
    assert not gold_ids & set(ids)
    fixture = out.read_text(encoding="utf-8").splitlines()
    assert make_gold.fixture_lines(articles, texts) == fixture
    events = {lb.name for lb in scheme.labels if lb.kind == "event"}
    counts = {"all": [0, 0, 0], "events": [0, 0, 0]}
    links = 0
    for line in fixture:
        record = json.loads(line)
        text = texts[record["id"]]
        gold = _fixture_spans(rules, text, record)
        for link in record.get("links", []):
            event, argument = tuple(link["event"]), tuple(link["argument"])
            assert event in gold and argument in gold
            assert not scheme.link_problem(event[2], link["role"], argument[2]), link
            links += 1
        found = {(s.start, s.end, s.label) for s in rules.suggestions(rules.nlp(text))}
        for name, keep in (("all", lambda key: True), ("events", lambda key: key[2] in events)):
            c = counts[name]
            c[0] += len({k for k in found & gold if keep(k)})
            c[1] += len({k for k in found if keep(k)})
            c[2] += len({k for k in gold if keep(k)})
    assert counts["all"][2] >= size[1] and counts["events"][2] >= size[2] and links >= size[3]
    precision, recall = counts["all"][0] / counts["all"][1], counts["all"][0] / counts["all"][2]
    assert precision >= floors[0] and recall >= floors[1], (precision, recall)
    tp, pred, ref = counts["events"]
    assert 2 * tp / (pred + ref) >= floors[2], counts["events"]


def test_rule_component_tokens_match_spacy(rules):
    text = json.loads(WIKINEWS.open().readline())["text"]
    doc = rules.nlp(text)
    assert packed_tokens(doc) == pack_tokens(doc_tokens(doc))


def test_rule_component_gives_the_same_results_batched_and_alone(rules):
    """nlp.pipe runs the rules over batches of documents laid end to end; no match may cross from one document
    into the next, and empty documents are fine."""
    texts = [json.loads(line)["text"] for line in WIKINEWS.open(encoding="utf-8")][:40]
    texts = [t[:400] for t in texts] + ["", "15", "soldiers were killed", "In 2019", "Monday, May 3"]
    texts.insert(3, "")
    component = rules.nlp.get_pipe("annotator_rules")
    alone = [component(rules.nlp.make_doc(t)).user_data["annotator_rules"] for t in texts]
    batched = [d.user_data["annotator_rules"] for d in rules.nlp.pipe(texts, batch_size=7)]
    assert [sorted(x) for x in batched] == [sorted(x) for x in alone]
    # "15" ends one document and "soldiers" starts the next: no casualty count across them
    assert not any(label == "CASUALTIES" for _, _, label, _ in batched[-4])
    assert sum(len(x) for x in alone) > 100


def test_two_processes_stop_cleanly_and_resume(tmp_path, rules):
    from annotator.store import Store

    s = Store(tmp_path / "p.db")
    import_paths(s, [WIKINEWS])
    calls = []
    first = preannotate(s, rules, n_process=2, commit_every=16, should_stop=lambda: calls.append(1) or len(calls) > 2)
    assert first.cancelled and 0 < first.documents < 150
    done = s.conn.execute("SELECT count(*) FROM preannotated").fetchone()[0]
    assert done == first.documents  # every chunk reported was saved whole, and nothing else
    rest = preannotate(s, rules, n_process=2, commit_every=16)
    assert first.documents + rest.documents == 150
    assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    s.close()


def test_a_models_own_links_are_suggested_when_the_scheme_allows_them(tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Kabul"}, {"label": "ORG", "pattern": "rebels"}])

    @spacy.Language.component("test_linker")
    def test_linker(doc):
        from spacy.tokens import SpanGroup

        shelling = next(t for t in doc if t.lower_ == "shelling")
        doc.spans["sc"] = SpanGroup(doc, name="sc", spans=[doc.char_span(shelling.idx, shelling.idx + 8,
                                                                         label="ATTACK")])
        kabul = next(e for e in doc.ents if e.text == "Kabul")
        rebels = next(e for e in doc.ents if e.text == "rebels")
        event = (shelling.idx, shelling.idx + 8, "ATTACK")
        doc.user_data["annotator_links"] = [
            (*event, kabul.start_char, kabul.end_char, "PLACE", "target"),
            (*event, rebels.start_char, rebels.end_char, "ACTOR", "attacker"),
            (*event, kabul.start_char, kabul.end_char, "PLACE", "attacker"),  # the scheme refuses it: dropped
            (*event, 0, 3, "PLACE", "place"),  # not a span the pipeline suggests: dropped
        ]
        return doc

    nlp.add_pipe("test_linker")
    nlp.meta["name"] = "tiny_linker"
    nlp.to_disk(tmp_path / "tiny_linker")
    text = "The rebels kept shelling Kabul on Monday."
    model_only = build_annotator(load_scheme(), model=str(tmp_path / "tiny_linker"), use_rules=False)
    doc = model_only.nlp(text)
    spans = model_only.suggestions(doc)
    found = {(text[spans[lk.event].start:spans[lk.event].end], lk.role,
              text[spans[lk.argument].start:spans[lk.argument].end], lk.source.value)
             for lk in model_only.link_suggestions(doc, spans)}
    assert found == {("shelling", "target", "Kabul", "model"), ("shelling", "attacker", "rebels", "model")}
    both = build_annotator(load_scheme(), model=str(tmp_path / "tiny_linker"))
    doc = both.nlp(text)
    spans = both.suggestions(doc)
    found = {(text[spans[lk.event].start:spans[lk.event].end], lk.role,
              text[spans[lk.argument].start:spans[lk.argument].end], lk.source.value)
             for lk in both.link_suggestions(doc, spans)}
    # the model's links first; the rules add the roles it left empty that the scheme has them link (time, not
    # place), never the same link twice
    assert ("shelling", "target", "Kabul", "model") in found and ("shelling", "time", "Monday", "rule") in found
    assert not any(f[3] == "rule" and f[2] == "Kabul" for f in found), found
    # pre-annotation stores them as the model's suggestions
    from annotator.core.model import Document, Record
    from annotator.store import Store
    from annotator.workflows.preannotating import preannotate

    with Store(tmp_path / "p.db") as store:
        store.documents.add_records([Record(Document(text=text))])
        preannotate(store, model_only)
        assert {(lk.role, lk.source.value, lk.state.value) for lk in store.links.of_document(1)} == {
            ("target", "model", "suggested"), ("attacker", "model", "suggested")}


def test_workers_are_forked_only_where_no_other_thread_runs(rules, monkeypatch):
    """A fork copies only the thread that calls it: with other threads alive (the window's), a forked worker
    could inherit a lock held by one of them forever. There, and off Linux, workers are spawned and build the
    pipeline from its spec."""
    from annotator.workflows import preannotating

    monkeypatch.setattr(preannotating.sys, "platform", "linux")
    monkeypatch.setattr(preannotating.threading, "active_count", lambda: 2)
    context, spec = preannotating._pool_context(rules)
    assert (context.get_start_method(), spec) == ("spawn", rules.spec)
    monkeypatch.setattr(preannotating.threading, "active_count", lambda: 1)
    context, spec = preannotating._pool_context(rules)
    assert (context.get_start_method(), spec) == ("fork", None)
    monkeypatch.setattr(preannotating.sys, "platform", "darwin")  # macOS: spawn, whatever the threads
    context, spec = preannotating._pool_context(rules)
    assert (context.get_start_method(), spec) == ("spawn", rules.spec)


def test_sentence_starts_are_the_sentencizers_on_real_news_and_hostile_edges():
    """The rules' pipeline no longer runs spaCy's sentencizer (a Python loop over every token): its rule is
    applied to the token arrays instead, and must give the same starts."""
    import json

    import spacy

    from annotator.nlp.pipeline import punctuation_starts, sentence_starts
    from tests.conftest import WIKINEWS

    bare, reference = spacy.blank("en"), spacy.blank("en")
    reference.add_pipe("sentencizer")
    texts = [json.loads(line)["text"] for line in WIKINEWS.open(encoding="utf-8")]
    texts += ["", ".", "Hi.", ". Hello", "He said “no.” Then left!", "U.S. officials met Mr. Smith. \n\nThen?! "
              "\"Yes\" (he said).", "a\n\nb. c", "!!! ??? ...", "Ende。次の文"]
    for text in texts:
        doc, ref = bare(text), reference(text)
        assert punctuation_starts(doc) == ({s.start_char for s in ref.sents} if len(ref) else {0}), text[:60]
    doc = bare("Troops left. Talks began.\n\nA headline\nThen more")
    assert sentence_starts(doc) == [0, 13, 25, 27]  # the break after the stop (as spaCy has it), the paragraph


def test_event_words_end_before_a_preposition_and_phrasal_events_are_found(rules):
    """Issue 30: "strike on" took the preposition; "blown up", "targeted", "drone battles" were not found."""
    text = ("The missile strike on Odesa killed two. Saboteurs blew up a bridge and another was blown up later. "
            "Drone battles raged as the army targeted rebel positions and fired on a convoy.")
    found = {(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))}
    assert {("missile strike", "ATTACK"), ("blew up", "ATTACK"), ("blown up", "ATTACK"), ("Drone battles", "ATTACK"),
            ("targeted", "ATTACK"), ("fired", "ATTACK")} <= found
    assert not any(words.endswith((" on", " with", " into")) for words, label in found if label == "ATTACK")
    # "launched 472 drones" (the scheme's own example): the verb is the attack, and the country before it acts;
    # "fired" from a job, or a product launched, is none
    text = ("Russia launched 472 drones overnight, and Iran launched at least 40 missiles. He was fired from his "
            "job after they launched a new product.")
    found = [(text[s.start:s.end], s.label, s.start) for s in rules.suggestions(rules.nlp(text))]
    assert [(w, start) for w, label, start in found if label == "ATTACK"] == [
        ("launched", text.index("launched")), ("launched", text.index("launched at"))]
    assert [(w, label) for w, label, _ in found if w in ("Russia", "Iran")] == [("Russia", "ACTOR"), ("Iran", "ACTOR")]
    # the words that tell what kind of attack it is belong to its span ("suicide bombings", "mass shooting");
    # a strike does not take them ("mass strike" is a protest), and an attack noun alone is still found
    text = ("Two suicide bombings and a mass shooting followed terrorist attacks and a knife attack. A mass strike "
            "closed the port; the attack ended.")
    attacks = [text[s.start:s.end] for s in rules.suggestions(rules.nlp(text)) if s.label == "ATTACK"]
    assert attacks == ["suicide bombings", "mass shooting", "terrorist attacks", "knife attack", "attack"], attacks


def test_wars_military_actions_shots_and_captures_are_drawn_as_the_held_out_sets_mark_them(rules):
    """A named war or battle is an ATTACK ("World War II", "the Iran–Iraq War", "the Battle of Belleau Wood"), not
    the Cold War nor a name's first half ("World War II-era"); an offensive, an invasion or an operation takes the
    word that makes it military, an operation alone is none and a strike keeps its own span; "in combat", shots
    "fired at" someone, someone "shot at", people "captured" and "his capture" are events, but not serving in
    combat, a worker fired, "a veiled shot at" a rival, a town's capture; a nation's aggression is an ATTACK, an
    animal's is none."""
    def found(text, labels=("ATTACK", "ARREST", "TALKS")):
        return [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text)) if s.label in labels]

    text = ("He served in World War II-era bombers after World War II, the Iran–Iraq War and the Syrian Civil War. "
            "The Cold War ended; the Vietnam War Memorial opened.")
    assert found(text) == [("World War II", "ATTACK"), ("Iran–Iraq War", "ATTACK"), ("Syrian Civil War", "ATTACK")]
    # a named battle whole too; a battle for a place is its noun; one in court is none
    text = "They died in the Battle of Belleau Wood and the battle for Mosul, not in a court battle."
    assert found(text) == [("Battle of Belleau Wood", "ATTACK"), ("battle", "ATTACK")]
    text = ("Turkey began a military offensive and a ground invasion, then a US counter-terrorism operation. The "
            "rescue operation ended. The military airstrike followed.")
    assert found(text) == [("military offensive", "ATTACK"), ("ground invasion", "ATTACK"),
                           ("counter-terrorism operation", "ATTACK"), ("airstrike", "ATTACK")]
    text = ("His father was killed in combat. Women may serve in combat. Police fired at protesters and he fired a "
            "live shot. He was fired from his job. A gunman shot at one person; Obama took a veiled shot at Trump.")
    assert [w for w, label in found(text) if label == "ATTACK"] == ["combat", "fired", "fired", "shot"]
    text = ("They guard captured ISIS fighters and a reward led to his capture, after the capture of the town. "
            "Trump had a phone conversation with Erdoğan, and they spoke on the phone.")
    assert [w for w, label in found(text) if label in ("ARREST", "TALKS")] == [
        "captured", "capture", "phone conversation", "spoke on the phone"]
    text = "They answered Armenian aggression and an aggression on Iraq; aggression between males is common."
    assert found(text) == [("aggression", "ATTACK"), ("aggression", "ATTACK")]
    assert [s.start for s in rules.suggestions(rules.nlp(text)) if s.label == "ATTACK"] == [
        text.index("aggression"), text.index("aggression on")]


def test_charges_calls_shootings_and_injuries_are_drawn_as_the_guidelines_say(rules):
    """Charges brought are ARREST, a call between parties TALKS, someone shot an ATTACK, a plane shot down too,
    and an injury the head word alone ("seriously" tells how bad, not what); beside each what is none."""
    text = ("He faces charges and a charge of fraud; she is in charge of the committee. Trump had a call with "
            "Zelensky after a call for calm. The mayor was shot; it was a shot at the title. They shot down a jet. "
            "A child drowned, and five were seriously injured.")
    found = [(text[s.start:s.end], s.label, s.start) for s in rules.suggestions(rules.nlp(text))
             if s.label in ("ARREST", "TALKS", "ATTACK", "DEATH", "INJURY")]
    assert [(w, label) for w, label, _ in found] == [
        ("charges", "ARREST"), ("charge", "ARREST"), ("call", "TALKS"), ("shot", "ATTACK"), ("shot down", "ATTACK"),
        ("drowned", "DEATH"), ("injured", "INJURY")], found
    assert [start for w, label, start in found if w == "shot"] == [text.index("shot;")]


def test_fires_are_damage_sentences_are_no_arrest_and_custody_holds_someone(rules):
    """The guidelines count fires and vandalism as DAMAGE, charges and detentions as ARREST; a sentence handed
    down is neither, a child's custody is no detention, and a fire's brigade or extinguisher, a gun's fire or a
    boss's firing is no fire."""
    text = ("The cathedral caught fire and rioters set fire to a car. The fire spread, and a man sprayed it with a "
            "fire extinguisher before fire crews came. Police opened fire. Vandalism was reported. He was "
            "sentenced to ten years after a custody battle, and remains in custody. They called on CNN to fire "
            "him.")
    found = [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
             if s.label in ("DAMAGE", "ARREST")]
    assert found == [("caught fire", "DAMAGE"), ("set fire", "DAMAGE"), ("fire", "DAMAGE"), ("Vandalism", "DAMAGE"),
                     ("custody", "ARREST")], found
    assert text.index("custody", text.index("remains")) in [
        s.start for s in rules.suggestions(rules.nlp(text)) if s.label == "ARREST"]


def test_negated_events_are_not_suggested_and_a_negation_reaches_no_further_than_its_phrase(rules):
    """The guidelines mark no negated event (the scheme's own counter-example: "no one was hurt"): a negation
    up to four words before an event's words, with no punctuation and no new phrase between, takes it away; "no
    fewer than" and "not only" negate nothing, and "no evidence the attacks came" denies the evidence, not the
    attacks."""
    def events(text: str) -> list[tuple[str, str]]:
        return [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
                if s.label in ("ATTACK", "DEATH", "INJURY", "THREAT", "ARREST")]

    for text in ["No one was hurt.", "No humans had been hurt in the fire.", "No crew were injured.",
                 "The rebels did not attack the town.", "The rebels didn’t attack the town.",
                 "He said he would never threaten anybody.",
                 "No deaths were reported.", "Nobody was arrested."]:
        assert events(text) == [], text
    assert events("No fewer than 20 people were killed.") == [("killed", "DEATH")]
    assert events("They not only attacked the base but held it.") == [("attacked", "ATTACK")]
    assert events('There was "no evidence the attacks came from Yemen."') == [("attacks", "ATTACK")]
    # the reach: four words back, and a comma ends it
    assert events("There were no reports that anyone was hurt.") == [("hurt", "INJURY")]
    assert events("None of them, officials said, were injured.") == [("injured", "INJURY")]
    assert events("No civilians or soldiers hurt.") == []  # "no A or B": neither
    assert events("Police found no weapons and arrested two men.") == [("arrested", "ARREST")]  # "and": a new clause


def test_danger_adjectives_penalties_and_warrants_are_what_the_scheme_says(rules):
    """"life-threatening" is no threat and "the death penalty" no death (the scheme's counter-examples), "death
    threats" are threats; an arrest warrant is one ARREST span, charges brought are ARREST after "the" or a
    possessive too, and poisoning, assassination and an airlift are the events they report."""
    text = ("His condition is not life-threatening and he got death threats. Prosecutors will seek the death "
            "penalty for the death of two officers. Iran issued arrest warrants. The charges were dropped, and "
            "Manafort's charges remain. Navalny was poisoned and airlifted to Berlin after the assassination "
            "attempt; the gunman turned himself in.")
    found = [(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))
             if s.label in load_scheme().names and load_scheme().get(s.label).kind == "event"]
    assert found == [("threats", "THREAT"), ("death", "DEATH"), ("arrest warrants", "ARREST"),
                     ("charges", "ARREST"), ("charges", "ARREST"), ("poisoned", "ATTACK"),
                     ("airlifted", "MOVEMENT"), ("assassination", "DEATH"), ("turned himself in", "ARREST")], found
    assert text.index("death of") == next(s.start for s in rules.suggestions(rules.nlp(text)) if s.label == "DEATH")


def test_a_country_that_acts_is_an_actor_and_a_place_that_names_where_stays_a_place(rules):
    cases = {
        "Ukraine seized the village.": ("Ukraine", "ACTOR"),
        "Iran launched missiles at the base.": ("Iran", "ACTOR"),
        "Israel has attacked the port.": ("Israel", "ACTOR"),  # an auxiliary between
        "The missile strike on Odesa killed two.": ("Odesa", "PLACE"),  # after a preposition: no subject
        "The Kabul car bombing killed five.": ("Kabul", "PLACE"),  # before a noun: where, not who
        "Russia's defence ministry said it attacked.": ("Russia", "PLACE"),  # whose
        "Talks in Geneva resumed.": ("Geneva", "PLACE"),
        # the doer of a passive, after "by" right after the event's words
        "The town was occupied by Israel in 1967.": ("Israel", "ACTOR"),
        "The attacker was shot dead by police.": ("police", "ACTOR"),
        "Two men were arrested by the police on Monday.": ("police", "ACTOR"),
        # "by" after other words, or not after an event, names no doer
        "The attack was condemned by Israel.": ("Israel", "PLACE"),
        "The report was written by police in Kabul.": ("Kabul", "PLACE"),
    }
    for text, (words, label) in cases.items():
        found = {(text[s.start:s.end], s.label) for s in rules.suggestions(rules.nlp(text))}
        assert (words, label) in found, (text, found)
        assert (words, {"ACTOR": "PLACE", "PLACE": "ACTOR"}[label]) not in found, (text, found)
    # an institution word that neither acts before an event nor follows "by" after one is not suggested
    text = "The report was written by police."
    assert not [s for s in rules.suggestions(rules.nlp(text)) if text[s.start:s.end] == "police"]


def test_role_words_are_suggested_only_in_a_sentence_that_reports_an_event(rules):
    """The guidelines mark the army, officials, a titled name or a target where they fill an event's role: a
    target in an event's sentence, the army or officials right before the event's verb; named by a deed
    ("gunmen", "protesters") they count anywhere."""
    text = ("The government announced a budget on Tuesday. Police said gunmen were seen in the area.\n\n"
            "The army attacked rebel positions, officials said. Militants gathered. Protesters started at the park.")
    found = {(text[s.start:s.end], s.start < text.index("The army")) for s in rules.suggestions(rules.nlp(text))
             if s.label == "ACTOR"}
    assert ("government", True) not in found and ("Police", True) not in found  # no event in their sentences
    assert ("gunmen", True) in found  # named by a deed: anywhere
    assert ("army", False) in found  # the one who "attacked"
    assert ("officials", False) not in found  # in the sentence of "attacked", but they only said so
    assert ("Militants", False) in found
    assert ("Protesters", False) in found  # the guidelines' own example of a deed's name: anywhere


def test_preannotation_links_only_in_the_roles_the_projects_scheme_names(tmp_path):
    """The scheme kept in the project file says where the rules link: another handle on the file (the command
    line after the window, say) reads it from there, not from the shipped scheme."""
    from dataclasses import replace

    from annotator.core.model import Document, Record
    from annotator.store import Store

    text = "Rebels shelled Kabul on Monday."
    for roles, expected in ((frozenset({"place"}), {"place"}), (None, {"attacker", "place", "time"}),
                            (load_scheme().rule_link_roles, {"attacker", "time"})):
        path = tmp_path / f"{sorted(roles or ['every'])[0]}.db"
        with Store(path, scheme=replace(load_scheme(), rule_link_roles=roles)) as store:
            store.documents.add_records([Record(Document(text=text))])
        with Store(path, create=False) as store:
            preannotate(store, build_annotator(store.scheme))
            assert {lk.role for lk in store.links.of_document(1)} == expected, roles


def suggested_links(annotator, text: str) -> set[tuple[str, str, str]]:
    """(event words, role, argument words) of the links `annotator` suggests in `text`."""
    doc = annotator.nlp(text)
    spans = annotator.suggestions(doc)
    return {(text[spans[lk.event].start:spans[lk.event].end], lk.role,
             text[spans[lk.argument].start:spans[lk.argument].end])
            for lk in annotator.link_suggestions(doc, spans, text)}


def test_a_time_dates_one_event_the_one_told_before_it(rules):
    """Two events of a sentence both choose its only time: the default pipeline links it once, to the event told
    before it, and each victim to its own event."""
    assert suggested_links(rules, "Gunmen killed four people in Kabul on Monday and injured twelve.") == {
        ("killed", "victim", "four people"), ("killed", "time", "Monday"), ("injured", "victim", "twelve")}
    # a time before every event dates the nearest
    assert suggested_links(rules, "On Monday, gunmen killed four people and injured twelve.") == {
        ("killed", "victim", "four people"), ("killed", "time", "Monday"), ("injured", "victim", "twelve")}
    # one time each
    assert suggested_links(rules, "Gunmen killed four people on Monday and injured twelve on Tuesday.") == {
        ("killed", "victim", "four people"), ("killed", "time", "Monday"), ("injured", "victim", "twelve"),
        ("injured", "time", "Tuesday")}


def test_a_wire_reports_dateline_is_a_sentence_of_its_own_and_dates_no_event(rules):
    """"KHARAN, March 3 (Reuters) - Artillery shelling killed ... on Friday": the date the report was filed is no
    event's time (the team links no dateline: Wikinews puts it on a line of its own). Lines that only look like
    one are not split."""
    import json

    from annotator.nlp.pipeline import _DATELINE, sentence_starts
    from tests.conftest import WIKINEWS

    for dateline in ("ODESA, October 21 (Reuters) - ", "ODESA, Oct. 21 - ", "ODESA (AP) — ",
                     "SPRINGFIELD, Ill., Oct 21 (AP) – ", "ADDIS ABABA, October 21 (Annotator Wire) - "):
        text = f"Headline\n\n{dateline}A missile attack hit a power station on Friday."
        assert len(dateline) + 10 in sentence_starts(rules.nlp(text), text), dateline
        made = suggested_links(rules, text)
        assert ("missile attack", "time", "Friday") in made, dateline
        assert not any(role == "time" and arg != "Friday" for _, role, arg in made), dateline
    # with no other time, the dateline's date is still no event's
    assert suggested_links(rules, "KYIV, June 9 (Reuters) - Russia launched 472 drones.") == {
        ("launched", "attacker", "Russia"), ("launched", "instrument", "472 drones")}
    # not a dateline: no capitals at the line's start, no date or agency, or not at a line's start
    for text in ("US - China talks resumed on Monday.", "NATO said on Monday - talks resumed.",
                 "Kyiv, June 9 (Reuters) - talks resumed.", "Talks resumed. KYIV, June 9 - talks resumed."):
        assert _DATELINE.search(text) is None, text
    # nor anything in 150 real news articles, whose datelines are lines of their own
    assert not any(_DATELINE.search(json.loads(line)["text"]) for line in WIKINEWS.open(encoding="utf-8"))


def test_the_subject_of_a_passive_is_its_verbs_victim_though_another_event_is_nearer(rules):
    """"Two workers were killed and five were wounded": "five" is a character nearer "killed", but it is the
    subject of "were wounded"."""
    assert suggested_links(rules, "Two workers were killed and five were wounded.") == {
        ("killed", "victim", "Two workers"), ("wounded", "victim", "five")}
    assert suggested_links(rules, "Two workers were killed and five others have been seriously wounded.") == {
        ("killed", "victim", "Two workers"), ("wounded", "victim", "five others")}
    # no auxiliary between: each the nearest, as before
    assert suggested_links(rules, "Troops killed two and five wounded.") == {
        ("killed", "victim", "two"), ("wounded", "victim", "five")}
