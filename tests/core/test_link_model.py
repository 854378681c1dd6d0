"""Links that learn: a link model trained on the team's accepted links makes the links the team makes where the
nearest-span rule does not, is used per role only where it beat the rule on dev, and comes back from its file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotator.core.labels import load_scheme
from annotator.core.link_model import (
    MIN_SUPPORT,
    Example,
    LinkModel,
    candidates,
    choose_roles,
    counts,
    f1,
    fit,
)
from annotator.core.linking import suggest_links

# the mechanics of learned against rule links, with the rule linking in every role (the shipped scheme has it
# link in a few: the last test)
SCHEME = replace(load_scheme(), rule_link_roles=None)
DATELINES = ["Kabul", "Mosul", "Aleppo", "Sanaa", "Tripoli", "Gaza", "Kharkiv", "Donetsk", "Goma", "Mogadishu",
             "Benghazi", "Raqqa", "Homs", "Kherson"]
TOWNS = ["Herat", "Kirkuk", "Idlib", "Marib", "Sirte", "Rafah", "Izium", "Bakhmut", "Rutshuru", "Baidoa",
         "Derna", "Tabqa", "Hama", "Nova Kakhovka"]
ACTORS = ["Gunmen", "Rebels", "Militants", "Insurgents"]


def article(n: int, dateline: str, town: str, actor: str, convention: str = "town") -> Example:
    """"DATELINE — ACTOR attacked a checkpoint near TOWN on Monday.": the dateline is nearer the event than the
    town, so the rule takes it as the place; the team links the town (or, with `convention` "dateline", the
    dateline)."""
    text = f"{dateline} — {actor} attacked a checkpoint near {town} on Monday."
    spans = []
    for words, label in ((dateline, "PLACE"), (actor, "ACTOR"), ("attacked", "ATTACK"), ("checkpoint", "TARGET"),
                         (town, "PLACE"), ("Monday", "TIME")):
        start = text.index(words, spans[-1][1] if spans else 0)
        spans.append((start, start + len(words), label))
    place = 4 if convention == "town" else 0
    links = {(2, 1, "attacker"), (2, 3, "target"), (2, place, "place"), (2, 5, "time")}
    return Example(text, spans, [0], links)


def articles(convention: str = "town", shift: int = 0) -> list[Example]:
    return [article(n, DATELINES[(n + shift) % 14], TOWNS[(n * 3 + shift) % 14], ACTORS[n % 4], convention)
            for n in range(14)]


def test_the_rule_takes_the_nearer_dateline_as_the_place():
    ex = article(0, "Kabul", "Herat", "Gunmen")
    assert (2, 0, "place") in suggest_links(ex.spans, ex.starts, SCHEME)
    assert (2, 4, "place") not in suggest_links(ex.spans, ex.starts, SCHEME)


def test_a_model_learns_the_teams_place_and_keeps_the_rest():
    model = fit(articles()[:10], SCHEME)
    held = [article(0, "Odesa", "Avdiivka", "Soldiers"), article(1, "Juba", "Malakal", "Fighters")]
    for ex in held:  # names it never saw
        made = model.predict(ex.text, ex.spans, ex.starts, SCHEME)
        assert set(made) == ex.links, ex.text
    # one role per argument of an event, and nothing outside the scheme's candidates
    ex = held[0]
    assert set(model.predict(ex.text, ex.spans, ex.starts, SCHEME)) <= set(candidates(ex.spans, ex.starts, SCHEME))


def test_the_model_takes_the_roles_where_it_beats_the_rule_on_dev():
    model = fit(articles()[:10], SCHEME)
    result = choose_roles(model, articles(shift=5)[10:], SCHEME)
    assert model.roles.get("place") == "model"
    rules, chosen = (sum(c[0] for c in result[w].values()) for w in ("rules", "chosen"))
    assert chosen > rules
    ex = article(2, "Odesa", "Avdiivka", "Soldiers")
    made = model.links(ex.text, ex.spans, ex.starts, SCHEME)
    assert ((2, 4, "place"), True) in made  # the model's, and said to be
    assert all(learned == (model.roles.get(role) == "model") for (_, _, role), learned in made)


def test_a_model_worse_than_the_rule_on_dev_is_not_used():
    """Learned from editors who linked the town, judged on dev articles where the team links the dateline (what
    the rule does): it scores below the rule, so every role stays with the rule and the links are the rule's."""
    model = fit(articles("town")[:10], SCHEME)
    dev = articles("dateline", shift=3)[10:]
    result = choose_roles(model, dev, SCHEME)
    assert model.roles == {}
    total = {w: [sum(c[n] for c in result[w].values()) for n in range(3)] for w in result}
    assert f1(*total["chosen"]) == f1(*total["rules"]) > f1(*total["model"])
    ex = dev[0]
    assert [lk for lk, _ in model.links(ex.text, ex.spans, ex.starts, SCHEME)] == \
        suggest_links(ex.spans, ex.starts, SCHEME)


def test_a_role_with_enough_dev_links_is_judged_alone():
    """Fourteen dev articles: each role has MIN_SUPPORT links or more, so each is judged on its own; the time and
    the attacker, where the rule is already right, stay with the rule (a tie is the rule's)."""
    assert len(articles()) >= MIN_SUPPORT
    model = fit(articles(), SCHEME)
    result = choose_roles(model, articles(shift=7), SCHEME)
    assert result["rules"]["time"][2] >= MIN_SUPPORT
    assert model.roles == {"place": "model"}


def test_the_model_comes_back_from_its_file_and_refuses_another():
    model = fit(articles()[:10], SCHEME)
    choose_roles(model, articles(shift=5)[10:], SCHEME)
    again = LinkModel.from_dict(model.to_dict())
    ex = article(3, "Odesa", "Avdiivka", "Soldiers")
    assert again.links(ex.text, ex.spans, ex.starts, SCHEME) == model.links(ex.text, ex.spans, ex.starts, SCHEME)
    assert again.roles == model.roles and again.threshold == model.threshold
    for bad in ({}, {"version": 2, "weights": {}, "roles": {}, "threshold": 0.5}, [1, 2],
                {"version": 1, "weights": [], "roles": {}, "threshold": 0.5},
                {"version": 1, "weights": {"a": 1.0}, "roles": {}, "threshold": "high"}):
        with pytest.raises(ValueError):
            LinkModel.from_dict(bad)


def test_counts_compare_links_by_their_spans_not_their_positions():
    spans = [(0, 5, "PLACE"), (6, 10, "ATTACK")]
    again = [(6, 10, "ATTACK"), (0, 5, "PLACE")]  # the same spans in another order
    into: dict[str, list[int]] = {}
    counts([(0, 1, "place")], {(1, 0, "place")}, again, into)  # the wrong way round: not the gold link
    counts([(1, 0, "place")], {(1, 0, "place")}, spans, into)
    counts([(1, 0, "place")], {(1, 0, "time")}, spans, into)  # the same spans in another role
    assert into == {"place": [1, 3, 2], "time": [0, 0, 1]}


def test_an_argument_takes_one_role_of_an_event_its_best():
    """A PLACE may be an attack's target and its place: a model sure of both gives it the role it scores higher
    (here the target, which comes first among the roles, so the later one does not simply win), never both."""
    ex = article(0, "Kabul", "Herat", "Gunmen")
    model = LinkModel({"*|bias": 4.0, "target|bias": 1.0})  # the target is the earlier role of the two
    made = model.predict(ex.text, ex.spans, ex.starts, SCHEME)
    pairs = [(i, j) for i, j, _ in made]
    assert len(pairs) == len(set(pairs)) == 5  # every other span, once
    assert {role for i, j, role in made if ex.spans[j][2] == "PLACE"} == {"target"}
    assert LinkModel({"*|bias": -4.0}).predict(ex.text, ex.spans, ex.starts, SCHEME) == []


def test_with_the_shipped_scheme_the_rule_links_only_in_its_roles_and_the_model_may_take_the_others():
    shipped = load_scheme()
    assert "place" not in shipped.rule_link_roles and "time" in shipped.rule_link_roles
    model = fit(articles()[:10], shipped)
    choose_roles(model, articles(shift=5)[10:], shipped)
    ex = article(0, "Odesa", "Avdiivka", "Soldiers")
    made = model.links(ex.text, ex.spans, ex.starts, shipped)
    assert all(learned or role in shipped.rule_link_roles for (_, _, role), learned in made), made
    # the team's place, which the rule no longer suggests, comes from the model
    assert model.roles.get("place") == "model" and ((2, 4, "place"), True) in made
    # with no model, the rule alone: its links in the scheme's roles only
    assert set(suggest_links(ex.spans, ex.starts, shipped)) == {(2, 1, "attacker"), (2, 5, "time")}


def test_the_rule_gives_an_argument_to_one_event_but_the_model_still_sees_each_events_choice():
    """Both events choose Monday as their time; the rule's links give it to the attack, told before it. A link
    model trained before this rule reads the same features: its "rule" feature is each event's own choice."""
    text = "Gunmen attacked a checkpoint on Monday and killed two soldiers."
    spans = []
    for words, label in (("Gunmen", "ACTOR"), ("attacked", "ATTACK"), ("checkpoint", "TARGET"), ("Monday", "TIME"),
                         ("killed", "DEATH"), ("two soldiers", "CASUALTIES")):
        start = text.index(words)
        spans.append((start, start + len(words), label))
    each = suggest_links(spans, [0], SCHEME, one_event=False)
    assert (1, 3, "time") in each and (4, 3, "time") in each
    ruled = suggest_links(spans, [0], SCHEME)
    assert (1, 3, "time") in ruled and (4, 3, "time") not in ruled
    assert set(ruled) == set(each) - {(4, 3, "time")}
    follows_the_rule = LinkModel({"*|rule": 6.0, "*|bias": -3.0})
    assert {(4, 3, "time"), (1, 3, "time")} <= set(follows_the_rule.predict(text, spans, [0], SCHEME))
    # with every role left to the rule, the links suggested are the rule's, one event each
    assert [lk for lk, learned in follows_the_rule.links(text, spans, [0], SCHEME) if not learned] == ruled


def test_the_rules_links_a_model_passes_on_read_the_text_as_the_rule_does():
    """In the roles a model leaves to the rule, its links are the rule's with the text: the subject of a passive
    ("five were wounded") is its verb's, though "killed" is nearer."""
    text = "Two soldiers were killed and five were wounded."
    spans = []
    for words, label in (("Two soldiers", "CASUALTIES"), ("killed", "DEATH"), ("five", "CASUALTIES"),
                         ("wounded", "INJURY")):
        start = text.index(words)
        spans.append((start, start + len(words), label))
    by_the_rule = suggest_links(spans, [0], SCHEME, text=text)
    assert set(by_the_rule) == {(1, 0, "victim"), (3, 2, "victim")} != set(suggest_links(spans, [0], SCHEME))
    learned_nothing = LinkModel({"*|bias": -9.0})
    assert [lk for lk, learned in learned_nothing.links(text, spans, [0], SCHEME) if not learned] == by_the_rule
