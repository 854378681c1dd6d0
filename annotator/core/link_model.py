"""Links that learn from the team's accepted links: which argument span fills which role of an event span.

For each event span and each of its roles, every span of the event's sentence whose label may fill the role is a
candidate (what `linking.suggest_links` chooses from). A logistic regression scores each candidate from features
of the pair: the role, both labels, the side and the distance, how many fitting candidates and other events lie
between, the words next to the argument and after the event, and whether the nearest-span rule
(`suggest_links`) chose it; so it learns when the rule is right and what the team links instead ("in X" after
an attack is its place, a country before "launched" its attacker, the nearer PLACE of another event is not).
Each feature is used alone and with the role, so that the few links of a rare role still learn from the others.

Which roles take the model's links is chosen on dev articles, per role, as spans are chosen per label
(`choose_roles`): a role goes to the model only where it scored better there than the rule (a role with few dev
links, where the roles together did), and a model worse than the rule on dev is not used. Plain Python (no
spaCy, no numpy): a few thousand candidates train in a second.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from annotator.core.labels import LabelScheme
from annotator.core.linking import suggest_links

SpanKey = tuple[int, int, str]  # start, end, label
Pair = tuple[int, int, str]  # event position, argument position, role
VERSION = 1

# words between an event and its argument that tell how they are related
_CUES = frozenset([",", ";", "and", "said", "says", "who", "which", "that", "after", "before", "when", "while", "as",
                   "but", "by", "in", "on", "at", "against", "of", "from", "to", "into", "near", "with", "were", "was",
                   "had", "has", '"', "(", "also", "the"])
_WORD = re.compile(r"\w+|[^\w\s]")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3-4" if n < 5 else "5-8" if n < 9 else "9+"


def candidates(spans: Sequence[SpanKey], starts: Sequence[int], scheme: LabelScheme) -> list[Pair]:
    """Every (event, argument, role) the scheme allows within a sentence, the argument not overlapping the
    event: what a link model chooses from."""
    first = list(starts) or [0]
    by_sentence: dict[int, list[int]] = {}
    sentence_of = [bisect_right(first, s) - 1 for s, _, _ in spans]
    for j, n in enumerate(sentence_of):
        by_sentence.setdefault(n, []).append(j)
    found: list[Pair] = []
    for i, (start, end, label) in enumerate(spans):
        roles = scheme.roles(label) if label in scheme.names else ()
        if not roles:
            continue
        near = [j for j in by_sentence[sentence_of[i]] if j != i and not (spans[j][0] < end and start < spans[j][1])]
        for role in roles:
            found.extend((i, j, role.name) for j in near if spans[j][2] in role.fillers)
    return found


def pair_features(text: str, spans: Sequence[SpanKey], pairs: Sequence[Pair], ruled: set[Pair],
                  scheme: LabelScheme) -> list[list[str]]:
    """The features of each candidate in `pairs` (all the candidates of an article, as `candidates` gives them:
    the ranks are counted among them); `ruled`: the pairs the nearest-span rule chose."""
    events = {i for i, sp in enumerate(spans) if sp[2] in scheme.names and scheme.roles(sp[2])}
    by_start = sorted(range(len(spans)), key=lambda k: spans[k][0])
    first = [spans[k][0] for k in by_start]
    group: dict[tuple[int, str], list[int]] = {}
    for n, (i, _, role) in enumerate(pairs):
        group.setdefault((i, role), []).append(n)
    rank: dict[int, tuple[int, int]] = {}  # pair -> (rank on its side, rank on both sides), nearest 0
    for members in group.values():
        dist = {n: _distance(spans[pairs[n][0]], spans[pairs[n][1]]) for n in members}
        both = sorted(members, key=lambda n: (dist[n], spans[pairs[n][1]][0]))
        for side in (True, False):
            mine = [n for n in both if (spans[pairs[n][1]][1] <= spans[pairs[n][0]][0]) is side]
            for k, n in enumerate(mine):
                rank[n] = (k, both.index(n))
    nearest: dict[tuple[int, str], int] = {}  # argument, role -> its distance to the nearest event it may fill
    for i, j, role in pairs:
        d = _distance(spans[i], spans[j])
        if d < nearest.get((j, role), 1 << 62):
            nearest[(j, role)] = d
    out = []
    for n, (i, j, role) in enumerate(pairs):
        (es, ee, el), (as_, ae, al) = spans[i], spans[j]
        left = ae <= es
        gap = text[ae:es] if left else text[ee:as_]
        gap_words = _words(gap)
        lo, hi = (ae, es) if left else (ee, as_)
        between = [k for k in by_start[bisect_left(first, lo):bisect_left(first, hi)]
                   if k not in (i, j) and spans[k][1] <= hi]
        side_rank, all_rank = rank[n]
        before_arg = _words(text[max(0, as_ - 24):as_])[-1:] or ["^"]
        after_event = _words(text[ee:ee + 24])[:1] or ["$"]
        before_event = _words(text[max(0, es - 24):es])[-1:] or ["^"]
        base = [
            "bias", f"side={'L' if left else 'R'}", f"rank={min(side_rank, 3)}{'L' if left else 'R'}",
            f"rankall={min(all_rank, 3)}", f"gap={_bucket(len(gap_words))}",
            f"events_between={min(sum(1 for k in between if k in events), 2)}",
            f"same_between={min(sum(1 for k in between if spans[k][2] == al), 3)}",
            f"before_arg={before_arg[0]}", f"arg={al}",
        ]
        base += [f"cue={w}" for w in sorted(set(gap_words) & _CUES)]
        if left:
            base.append(f"before_event={before_event[0]}")
        else:
            base.append(f"after_event={after_event[0]}")
        if len(gap_words) <= 2:
            base.append(f"gap_words={'_'.join(gap_words)}")
        if (i, j, role) in ruled:
            base.append("rule")
        nearer = nearest[(j, role)] < _distance(spans[i], spans[j])  # another event it could fill nearer
        if nearer:
            base.append("nearer_event")
        feats = [f"{role}|{b}" for b in base] + [f"*|{b}" for b in base]
        feats.append(f"{role}|{el}|{al}")
        out.append(feats)
    return out


def _distance(a: SpanKey, b: SpanKey) -> int:
    return max(b[0] - a[1], a[0] - b[1], 0)


@dataclass
class Example:
    """An article to learn links from, or to score them on: its text, its spans (start, end, label), the
    character offsets its sentences start at, and its links as (event position, argument position, role)."""

    text: str
    spans: list[SpanKey]
    starts: list[int]
    links: set[Pair] = field(default_factory=set)


@dataclass
class LinkModel:
    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5
    # per role, whose links are suggested: "model" or "rules" (a role not named: the rule's)
    roles: dict[str, str] = field(default_factory=dict)

    def scores(self, text: str, spans: Sequence[SpanKey], starts: Sequence[int], scheme: LabelScheme,
               rules: Iterable[Pair] | None = None) -> list[tuple[Pair, float]]:
        """Each candidate with its probability; `rules`: each event's choices by the rule (`suggest_links` in
        every role, `one_event` off), if the caller has them."""
        pairs = candidates(spans, starts, scheme)
        ruled = set(suggest_links(spans, starts, scheme, every_role=True, one_event=False)
                    if rules is None else rules)
        w = self.weights
        return [(pair, _sigmoid(sum(w.get(f, 0.0) for f in feats)))
                for pair, feats in zip(pairs, pair_features(text, spans, pairs, ruled, scheme))]

    def predict(self, text: str, spans: Sequence[SpanKey], starts: Sequence[int], scheme: LabelScheme,
                threshold: float | None = None, rules: Iterable[Pair] | None = None) -> list[Pair]:
        """The links the model makes: each candidate scoring at least the threshold, an argument taking one role
        of an event (its best)."""
        t = self.threshold if threshold is None else threshold
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for (i, j, role), p in self.scores(text, spans, starts, scheme, rules):
            if p >= t and p > best.get((i, j), (-1.0, ""))[0]:
                best[(i, j)] = (p, role)
        return sorted((i, j, role) for (i, j), (_, role) in best.items())

    def links(self, text: str, spans: Sequence[SpanKey], starts: Sequence[int], scheme: LabelScheme,
              rules: Iterable[Pair] | None = None) -> list[tuple[Pair, bool]]:
        """The links to suggest, each with whether the model made it: the model's in the roles chosen for it,
        the rule's in the others that the scheme's `rule_link_roles` names. `rules`: each event's choices in every
        role (`suggest_links` with `one_event` off: the model's feature), if the caller has them."""
        ruled = list(suggest_links(spans, starts, scheme, every_role=True, one_event=False)
                     if rules is None else rules)
        learned = [lk for lk in self.predict(text, spans, starts, scheme, rules=ruled)
                   if self.roles.get(lk[2]) == "model"]
        taken = {(i, j) for i, j, _ in learned}
        return [(lk, True) for lk in learned] + [
            (lk, False) for lk in suggest_links(spans, starts, scheme, text=text) if self.roles.get(lk[2]) != "model"
            and lk[:2] not in taken]

    def to_dict(self) -> dict:
        return {"version": VERSION, "threshold": self.threshold, "roles": dict(sorted(self.roles.items())),
                "weights": {f: round(v, 4) for f, v in sorted(self.weights.items()) if abs(v) >= 1e-4}}

    @classmethod
    def from_dict(cls, data: Mapping) -> LinkModel:
        if not isinstance(data, Mapping) or data.get("version") != VERSION:
            raise ValueError(f"not a link model of version {VERSION}")
        weights = data.get("weights")
        roles = data.get("roles")
        threshold = data.get("threshold")
        if not isinstance(weights, Mapping) or not isinstance(roles, Mapping) or not isinstance(threshold,
                                                                                                  (int, float)):
            raise ValueError("a link model needs weights, roles and a threshold")
        return cls({str(k): float(v) for k, v in weights.items()}, float(threshold),
                   {str(k): str(v) for k, v in roles.items() if v in ("model", "rules")})


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def fit(examples: Sequence[Example], scheme: LabelScheme, epochs: int = 12, seed: int = 0,
        l2: float = 1e-4, rate: float = 0.3) -> LinkModel:
    """A logistic regression over the candidates of `examples` (a link of the example is a positive, every other
    candidate a negative), trained by AdaGrad in a fixed order given by `seed`."""
    rows: list[tuple[list[str], float]] = []
    for ex in examples:
        pairs = candidates(ex.spans, ex.starts, scheme)
        ruled = set(suggest_links(ex.spans, ex.starts, scheme, every_role=True, one_event=False))
        for pair, feats in zip(pairs, pair_features(ex.text, ex.spans, pairs, ruled, scheme)):
            rows.append((feats, 1.0 if pair in ex.links else 0.0))
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for n in order:
            feats, y = rows[n]
            g = _sigmoid(sum(weights.get(f, 0.0) for f in feats)) - y
            for f in feats:
                w = weights.get(f, 0.0)
                step = g + l2 * w
                squares[f] = squares.get(f, 0.0) + step * step
                weights[f] = w - rate * step / math.sqrt(squares[f] + 1e-8)
    return LinkModel(weights)


def counts(found: Iterable[Pair], gold: set[Pair], spans: Sequence[SpanKey],
           into: dict[str, list[int]]) -> None:
    """Adds true positives, predictions and gold links per role to `into` (role -> [tp, predicted, gold]),
    comparing links by their spans' offsets and labels."""
    key = {(spans[i], role, spans[j]) for i, j, role in found}
    ref = {(spans[i], role, spans[j]) for i, j, role in gold}
    for _, role, _ in key:
        into.setdefault(role, [0, 0, 0])[1] += 1
    for link in key & ref:
        into[link[1]][0] += 1
    for _, role, _ in ref:
        into.setdefault(role, [0, 0, 0])[2] += 1


def f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
MIN_SUPPORT = 10  # dev links of a role below which it follows the choice made for all roles together


def _total(c: Mapping[str, list[int]]) -> list[int]:
    return [sum(v[n] for v in c.values()) for n in range(3)]


def choose_roles(model: LinkModel, dev: Sequence[Example], scheme: LabelScheme
                 ) -> dict[str, dict[str, list[int]]]:
    """Sets the model's threshold (the best F1 on `dev` over all roles) and, per role, whether the model or the
    rule suggests its links: a role with MIN_SUPPORT links or more on `dev` goes to the model only where the
    model's F1 on it is higher (a tie is the rule's); a role with fewer follows the roles together (the model if
    its F1 over all roles is higher), as a role's two or three dev links say little on their own. So a model
    worse than the rule on `dev` is not used at all. Returns the counts per role for "rules", "model" and
    "chosen" (role -> [tp, predicted, gold])."""
    ruled = [suggest_links(ex.spans, ex.starts, scheme, every_role=True, one_event=False) for ex in dev]
    scored = [model.scores(ex.text, ex.spans, ex.starts, scheme, ruled[k]) for k, ex in enumerate(dev)]

    def predicted(k: int, t: float) -> list[Pair]:
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for (i, j, role), p in scored[k]:
            if p >= t and p > best.get((i, j), (-1.0, ""))[0]:
                best[(i, j)] = (p, role)
        return [(i, j, role) for (i, j), (_, role) in best.items()]

    def total(t: float) -> float:
        c: dict[str, list[int]] = {}
        for k, ex in enumerate(dev):
            counts(predicted(k, t), ex.links, ex.spans, c)
        return f1(*(sum(v[n] for v in c.values()) for n in range(3)))

    model.threshold = max(THRESHOLDS, key=lambda t: (total(t), -abs(t - 0.5)))
    result: dict[str, dict[str, list[int]]] = {"rules": {}, "model": {}, "chosen": {}}
    for k, ex in enumerate(dev):
        # what the rule suggests: nothing in the roles the scheme leaves out
        counts(suggest_links(ex.spans, ex.starts, scheme, text=ex.text), ex.links, ex.spans, result["rules"])
        counts(predicted(k, model.threshold), ex.links, ex.spans, result["model"])
    model.roles = {}
    overall = f1(*_total(result["model"])) > f1(*_total(result["rules"]))
    for role in set(result["rules"]) | set(result["model"]):
        ruled_c, mine = result["rules"].get(role, [0, 0, 0]), result["model"].get(role, [0, 0, 0])
        if ruled_c[2] >= MIN_SUPPORT:
            better = f1(*mine) > f1(*ruled_c)
        else:  # too few links of the role on dev to tell on its own: as the roles together (cross-validated on
            better = overall  # 22 articles, this beat trusting a role's 2 or 3 dev links: F1 0.64 against 0.60)
        if better:
            model.roles[role] = "model"
    for role in result["model"]:
        result["rules"].setdefault(role, [0, 0, 0])
    for k, ex in enumerate(dev):
        made = [pair for pair, _ in model.links(ex.text, ex.spans, ex.starts, scheme, ruled[k])]
        counts(made, ex.links, ex.spans, result["chosen"])
    return result
