"""Rule-based link suggestions: for each event span, the argument spans of its sentence that fill its roles.

For each role of an event (the roles that take fewer labels choosing first, so that "place" takes the PLACE
before "target", which also takes ACTOR and TARGET), the nearest span in the same sentence whose label may fill
it, not overlapping the event and not already given a role of this event. Subject-like roles (the agent of an
event: attacker, killer, agent...) look to the left of the event first, as English puts the subject there;
the others to either side. A span fills a role of one event only, the nearest that has the role for it (see
`suggest_links`), as the team links. Nothing here needs spaCy: the sentences come in as character ranges."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from annotator.core.labels import LabelScheme

SpanKey = tuple[int, int, str]  # start, end, label

# roles whose filler is usually the subject, before the event word
AGENT_ROLES = frozenset({"attacker", "agent", "killer", "injurer", "communicator", "demonstrator", "participant"})


def suggest_links(spans: Sequence[SpanKey], sentence_starts: Sequence[int], scheme: LabelScheme,
                  every_role: bool = False, one_event: bool = True, text: str | None = None
                  ) -> list[tuple[int, int, str]]:
    """(event position, argument position, role) for `spans`; `sentence_starts` are the character offsets at
    which sentences begin, in order (0 first). Only in the scheme's `rule_link_roles` (unless `every_role`: what
    the learned links take as a feature): a role left out still takes its span, so the others link as before.

    An argument fills a role of one event, the nearest of its sentence that has the role for it (a time or a
    place: the nearest told before it, "killed four in Kabul on Monday and injured twelve"; an agent: the nearest
    told after it; a tie: the first), and an event chooses among the arguments it is nearest to. Several events of a
    sentence would otherwise all take its one time or place, but the team links a time, a place, a victim to one
    event: 233 of the 243 (argument, role) pairs of the project's gold have one. With `text` (the characters the
    offsets count), the subject of a passive belongs to its verb before any nearer event ("two were killed and
    five were wounded": only an auxiliary, and an adverb, between), in any role but an agent's. In a role of
    SHARED_ROLES an argument belongs to the nearest event on either side, and an event takes every argument it owns
    ("talks between Kyiv's envoy and Moscow's"); in a role of HELD_ROLES a count fills it only with a span inside
    it that may fill it too ("472 drones", the weapon within). Not `one_event`: each event chooses the nearest
    among all (the feature the learned links were trained with)."""
    starts = list(sentence_starts) or [0]

    def sentence(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    by_sentence: dict[int, list[int]] = {}  # an article may hold a hundred thousand spans: look within one
    for j, (s, _, _) in enumerate(spans):
        by_sentence.setdefault(sentence(s), []).append(j)
    fillers = {(label.name, role.name): role.fillers for label in scheme.labels if label.kind == "event"
               for role in label.roles}
    with_roles = {name for name, _ in fillers}
    held_by: dict[str, set[str]] = {}  # the labels other than counts that may fill a role of HELD_ROLES
    for (_, role_name), names in fillers.items():
        if role_name in HELD_ROLES:
            held_by.setdefault(role_name, set()).update(n for n in names if n not in COUNT_LABELS)
    events_in = {n: [k for k in members if spans[k][2] in with_roles] for n, members in by_sentence.items()}
    owners: dict[tuple[int, str], int | None] = {}

    def owner(j: int, role: str) -> int | None:
        """The event whose `role` argument j may fill (see above)."""
        if (j, role) not in owners:
            s, e, label_name = spans[j]
            found: tuple[tuple[bool, bool, int], int] | None = None
            held = held_by.get(role) if label_name in COUNT_LABELS else None
            if held and not any(spans[k][2] in held and s <= spans[k][0] and spans[k][1] <= e and k != j
                                for k in by_sentence[sentence(s)]):
                owners[(j, role)] = None  # a count with no thing of the role's inside it
                return None
            for k in events_in[sentence(s)]:
                ks, ke, event = spans[k]
                if k == j or label_name not in fillers.get((event, role), ()) or (ks < e and s < ke):
                    continue
                subject = (text is not None and role not in AGENT_ROLES and e <= ks
                           and _PASSIVE.fullmatch(text, e, ks) is not None)
                rank = (not subject, ke > s if role in DATED_ROLES else
                        ks < e if role in AGENT_ROLES and role not in SHARED_ROLES else False, max(ks - e, s - ke, 0))
                if found is None or rank < found[0]:
                    found = (rank, k)
            owners[(j, role)] = found[1] if found else None
        return owners[(j, role)]

    links = []
    for i, (start, end, label_name) in enumerate(spans):
        label = scheme.get(label_name)
        if label is None or label.kind != "event" or not label.roles:
            continue
        near = [j for j in by_sentence[sentence(start)]
                if j != i and not (spans[j][0] < end and start < spans[j][1])]
        taken: set[int] = set()
        for role in sorted(label.roles, key=lambda r: len(r.fillers)):
            fits = [j for j in near if spans[j][2] in role.fillers and j not in taken
                    and (not one_event or owner(j, role.name) == i)]
            if not fits:
                continue
            shared = one_event and role.name in SHARED_ROLES
            if role.name in AGENT_ROLES and not shared and any(spans[j][1] <= start for j in fits):
                fits = [j for j in fits if spans[j][1] <= start]
            best = min(fits, key=lambda j: (max(spans[j][0] - end, start - spans[j][1], 0), spans[j][0]))
            for j in fits if shared else [best]:
                if every_role or scheme.rule_links_in(role.name):
                    links.append((i, j, role.name))
                taken.add(j)
    return links


# what lies between the subject of a passive and its verb ("two workers were killed", "five others have been
# seriously injured")
_PASSIVE = re.compile(r"\s+(?:were|was|are|is|have been|has been|had been|been|being)(?:\s+\w+ly)?\s+", re.I)


# roles that every argument an event owns fills, not only the nearest, and that an argument fills for the nearest
# event on either side: the parties to talks or an agreement ("a meeting between Zelensky and Trump", "Trump met
# Zelensky and Macron met Merkel"). On the project's gold the rule's participant links on the hand-drawn spans went
# from 7 of 16 right (2 wrong) to 16 (1 wrong)
SHARED_ROLES = frozenset({"participant"})


# roles a count fills only with a thing of the role inside it: "launched 472 drones" (the weapon "drones" inside)
# names the attack's instrument, "damaged 48 apartments" or "left 200,000 homes without electricity" do not. Of the
# rule's counts as instruments on the 150 Wikinews articles and the samples, the six with a weapon inside were all
# right and the nine without all wrong
HELD_ROLES = frozenset({"instrument"})


# roles whose filler usually follows the event it belongs to ("killed four in Kabul on Monday"; "On Monday, gunmen
# killed" has no event before it)
DATED_ROLES = frozenset({"time", "place"})


# labels that hold a count ("four civilians", "at least 12 people", "dozens"): a number-led phrase fills a role
# with one of these where the role takes it
COUNT_LABELS = ("CASUALTIES", "AMOUNT", "QUANTITY", "NUMBER")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands "
    "million millions dozen dozens scores several".split())
_LEAD_INS = ("at least ", "at most ", "more than ", "less than ", "fewer than ", "about ", "around ", "nearly ",
             "almost ", "up to ", "some ", "over ", "as many as ")


def number_led(words: str) -> bool:
    """Whether a phrase starts with a number ("472 drones", "at least seven", "four civilians", "dozens")."""
    text = words.strip().lower()
    for lead in _LEAD_INS:
        if text.startswith(lead):
            text = text[len(lead):]
            break
    words_ = text.split()
    if not words_:
        return False
    first = words_[0].strip(",.;:")
    if first[:1].isdigit():
        return True
    if first in ("a", "an"):  # "a dozen soldiers", "a hundred homes"
        return len(words_) > 1 and words_[1] in ("dozen", "hundred", "thousand", "few")
    return first in _NUMBER_WORDS


# the nouns that make a counted phrase a count of people ("four civilians"): such a phrase is never an AMOUNT
_PEOPLE = frozenset(
    "people persons civilians soldiers troops officers policemen police militants fighters children women men "
    "residents protesters demonstrators passengers workers students migrants refugees others rebels insurgents "
    "victims servicemen members journalists inmates hostages bodies personnel villagers officials citizens "
    "nationals pilots crew sailors guards staff patients adults teenagers babies families".split())


def _counts_people(words: str) -> bool | None:
    """Whether a number-led phrase counts people (True), things (False), or names no noun at all (None:
    "at least seven", "dozens")."""
    last = words.strip().lower().rstrip(",.;:").split()[-1]
    if last[:1].isdigit() or last in _NUMBER_WORDS or last in ("least", "than", "about", "around", "dozen"):
        return None
    return last in _PEOPLE


def fitting_filler(fillers: Sequence[str], words: str) -> str:
    """The label to mark `words` with when they fill a role that takes `fillers`: for a number-led phrase the
    role's count label (people are CASUALTIES, "four civilians"; things are AMOUNT, "472 drones"; a bare number
    prefers CASUALTIES), else the role's first filler that is not a count."""
    if number_led(words):
        people = _counts_people(words)
        order = (("AMOUNT",) if people is False else ("CASUALTIES",)) + COUNT_LABELS
        if people:
            order = tuple(name for name in order if name != "AMOUNT")
        for name in order:
            if name in fillers:
                return name
    return next((name for name in fillers if name not in COUNT_LABELS), fillers[0])
