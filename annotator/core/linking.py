"""Rule-based link suggestions: for each event span, the argument spans of its sentence that fill its roles.

For each role of an event (the roles that take fewer labels choosing first, so that "place" takes the PLACE
before "target", which also takes ACTOR and TARGET), the nearest span in the same sentence whose label may fill
it, not overlapping the event and not already given a role of this event. Subject-like roles (the agent of an
event: attacker, killer, agent...) look to the left of the event first, as English puts the subject there;
the others to either side. Nothing here needs spaCy: the sentences come in as character ranges."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from annotator.core.labels import LabelScheme

SpanKey = tuple[int, int, str]  # start, end, label

# roles whose filler is usually the subject, before the event word
AGENT_ROLES = frozenset({"attacker", "agent", "killer", "injurer", "communicator", "demonstrator", "participant"})


def suggest_links(spans: Sequence[SpanKey], sentence_starts: Sequence[int],
                  scheme: LabelScheme) -> list[tuple[int, int, str]]:
    """(event position, argument position, role) for `spans`; `sentence_starts` are the character offsets at
    which sentences begin, in order (0 first)."""
    starts = list(sentence_starts) or [0]

    def sentence(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    by_sentence: dict[int, list[int]] = {}  # an article may hold a hundred thousand spans: look within one
    for j, (s, _, _) in enumerate(spans):
        by_sentence.setdefault(sentence(s), []).append(j)
    links = []
    for i, (start, end, label_name) in enumerate(spans):
        label = scheme.get(label_name)
        if label is None or label.kind != "event" or not label.roles:
            continue
        near = [j for j in by_sentence[sentence(start)]
                if j != i and not (spans[j][0] < end and start < spans[j][1])]
        taken: set[int] = set()
        for role in sorted(label.roles, key=lambda r: len(r.fillers)):
            fits = [j for j in near if spans[j][2] in role.fillers and j not in taken]
            if not fits:
                continue
            if role.name in AGENT_ROLES and any(spans[j][1] <= start for j in fits):
                fits = [j for j in fits if spans[j][1] <= start]
            best = min(fits, key=lambda j: (max(spans[j][0] - end, start - spans[j][1], 0), spans[j][0]))
            links.append((i, best, role.name))
            taken.add(best)
    return links
