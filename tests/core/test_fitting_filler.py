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
