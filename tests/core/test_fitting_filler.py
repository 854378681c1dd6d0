"""Which label words get when they are marked in a role: a count label for a number-led phrase."""

from __future__ import annotations

import pytest

from annotator.core.linking import fitting_filler, number_led

VICTIM = ["TARGET", "ACTOR", "CASUALTIES"]


@pytest.mark.parametrize("words", ["472 drones", "at least seven", "four civilians", "dozens of people",
                                   "a dozen soldiers", "several villagers", "some 300 residents", "1,200 homes",
                                   "More than 40 people"])
def test_number_led_phrases_are_counts(words):
    assert number_led(words) and fitting_filler(VICTIM, words) == "CASUALTIES"


@pytest.mark.parametrize("words", ["the army", "an officer", "Moscow", "a train", "some officials", "many", "",
                                   "   "])
def test_other_words_take_the_roles_first_filler(words):
    assert not number_led(words) and fitting_filler(VICTIM, words) == "TARGET"


def test_a_role_without_a_count_label_keeps_its_first_filler():
    assert fitting_filler(["ACTOR"], "four soldiers") == "ACTOR"
    assert fitting_filler(["ACTOR", "CASUALTIES"], "three soldiers") == "CASUALTIES"


ATTACK_TARGET = ["TARGET", "ACTOR", "PLACE", "AMOUNT"]
MOVED = ["ACTOR", "TARGET", "WEAPON", "CASUALTIES", "AMOUNT"]


@pytest.mark.parametrize("words", ["472 drones", "41 Russian warplanes", "450 square kilometers", "1,200 homes",
                                   "dozens of buildings"])
def test_counted_things_are_amounts(words):
    assert fitting_filler(ATTACK_TARGET, words) == "AMOUNT"
    assert fitting_filler(MOVED, words) == "AMOUNT"
    # a role that takes no AMOUNT falls back to its count label, then its first filler
    assert fitting_filler(VICTIM, words) == "CASUALTIES"
    assert fitting_filler(["PLACE", "TARGET"], words) == "PLACE"


@pytest.mark.parametrize("words", ["four civilians", "at least 12 people", "dozens of protesters", "seven"])
def test_counted_people_are_never_amounts(words):
    assert fitting_filler(MOVED, words) == "CASUALTIES"
    # the target of an attack takes no CASUALTIES: "four civilians" stays a TARGET there, not an AMOUNT
    expected = "AMOUNT" if words == "seven" else "TARGET"
    assert fitting_filler(ATTACK_TARGET, words) == expected


def test_a_role_whose_first_filler_is_a_count_still_takes_other_words_as_the_next():
    assert fitting_filler(["AMOUNT", "TARGET"], "the bridge") == "TARGET"
    assert fitting_filler(["AMOUNT"], "the bridge") == "AMOUNT"
