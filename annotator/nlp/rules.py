"""The rule component of the default pipeline: the project's pattern file, matched fast.

Phrase patterns (`"pattern": "air strike"`) go to spaCy's PhraseMatcher on lower-cased text; token patterns
(`"pattern": [{...}, ...]`) to `annotator.nlp.anchored`. It does the job of spaCy's span_ruler but records its
matches as plain (start char, end char, label, pattern id) tuples in `doc.user_data["annotator_rules"]`:
building a spaCy Span for each of the ~30 matches an article gets, and again when reading `doc.spans`, cost
more than all the matching. A pattern id ending in "@a:b" keeps tokens a to b of the match (a Python slice):
the other tokens are context ("casualties-after-verb@1:" on "killed twelve" gives "twelve")."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import accumulate
from typing import Any

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import minibatch

from annotator.core.tokens import LENGTHS, WS_BIT
from annotator.nlp.anchored import COLUMNS, WINDOW, AnchoredMatcher
from annotator.nlp.keys import RULES_KEY as USER_DATA_KEY
from annotator.nlp.keys import TOKENS_KEY
from annotator.nlp.sentences import sentence_ids


def token_slice(start: int, end: int, pattern_id: str) -> tuple[int, int]:
    """The part of a match [start, end) that a pattern id ending in "@a:b" keeps."""
    part = _kept_part(pattern_id)
    if part is None:
        return start, end
    kept = range(start, end)[part]
    return (kept.start, kept.stop) if len(kept) else (start, start)


@cache
def _kept_part(pattern_id: str) -> slice | None:
    """The slice "@a:b" at the end of a pattern id names (None: the whole match), read once per id: an article
    has a few hundred matches of a few dozen patterns."""
    if "@" not in pattern_id:
        return None
    try:
        a, b = pattern_id.rsplit("@", 1)[1].split(":")
        return slice(int(a) if a else None, int(b) if b else None)
    except ValueError:
        return None


@cache
def _base(pattern_id: str) -> str:
    """A pattern id without its "@a:b"."""
    return pattern_id.split("@")[0]


class RuleMatcher:
    def __init__(self, nlp: Language, name: str, window: int = WINDOW) -> None:
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = AnchoredMatcher(nlp, name, spans_key=name, window=window)
        self.keys: dict[int, tuple[str, str]] = {}
        self.events: frozenset[str] = frozenset()  # the scheme's event labels
        # a place that does something is an actor: (the place label, the actor label)
        self.acting: tuple[str, str] | None = None
        # (label, pattern id) of the patterns whose matches count only in a sentence that reports an event
        self.in_event_sentence: set[tuple[str, str]] = set()
        # (label, pattern id) of the patterns whose matches count only right before an event told by a verb
        # ("police arrested", not "the police said"), with the event labels that count and the label a match
        # gets beside each (None: any event, the pattern's own label)
        self.before_event: dict[tuple[str, str], dict[str, str] | None] = {}
        # ... and only right after an event's words ("attacked journalists", "strike on the hospital"; not "the
        # hospital said"). A pattern in both counts beside either, after first.
        self.after_event: dict[tuple[str, str], dict[str, str] | None] = {}
        # ... of those, the ones whose matches count elsewhere too, with their own label ("struck the Jolo
        # Cathedral": a target; "prayers at the Grand Mosque": a place)
        self.anywhere: set[tuple[str, str]] = set()
        # the ids of the patterns whose matches give way to any other pattern's match they overlap (a capitalised
        # name is a person's only where no rule knows it as a place, a group or a date), whatever label a match
        # got beside its event
        self.yielding: set[str] = set()
        self.kinds: dict[int, int] = {}  # a word's ORTH hash -> its kind to `_as_reported`

    def set_events(self, events: Iterable[str]) -> None:
        self.events = frozenset(events)

    def set_acting(self, place: str, actor: str) -> None:
        """A `place` span right before an event's words ("Russia launched", "Ukraine seized", "Israel has
        struck") is suggested as `actor` instead: a state that acts in an event is its actor, not a place."""
        self.acting = (place, actor)

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        phrases: dict[tuple[str, str], list[str]] = {}
        token_patterns = []
        for p in patterns:
            if p.get("in_event_sentence"):  # by the id without its "@a:b", as `_in_event_sentences` looks it up
                self.in_event_sentence.add((p["label"], _base(str(p.get("id", "")))))
            for flag, where in (("before_event", self.before_event), ("after_event", self.after_event)):
                value = p.get(flag)
                if value:
                    where[(p["label"], _base(str(p.get("id", ""))))] = (
                        None if value is True else dict(value) if isinstance(value, dict)
                        else dict.fromkeys(value, p["label"]))
            if p.get("anywhere"):
                self.anywhere.add((p["label"], _base(str(p.get("id", "")))))
            if p.get("yields"):
                self.yielding.add(_base(str(p.get("id", ""))))
            if isinstance(p["pattern"], str):
                phrases.setdefault((p["label"], str(p.get("id", ""))), []).append(p["pattern"])
            else:
                token_patterns.append(p)
        for (label, pid), texts in phrases.items():
            key = f"{label}\x1f{pid}"
            self.phrases.add(key, list(self.nlp.tokenizer.pipe(texts)))
            self.keys[self.nlp.vocab.strings[key]] = (label, pid)
        self.tokens.add_patterns(token_patterns)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """What nlp.pipe calls: the token patterns run over a whole batch of documents at once (their arrays
        one after the other), so that short articles do not each pay for two dozen numpy calls."""
        for batch in minibatch(docs, size=batch_size):
            arrays = [doc.to_array(COLUMNS) if len(doc) else None for doc in batch]
            present = [a for a in arrays if a is not None]
            by_doc: list[list[tuple[int, int, str, str]]] = [[] for _ in batch]
            if present:
                arr = numpy.concatenate(present)
                lengths = numpy.array([0 if a is None else len(a) for a in arrays])
                offsets = (numpy.cumsum(lengths) - lengths).tolist()
                # the document of each row (empty documents own none), and where that document ends
                owner = numpy.repeat(numpy.arange(len(batch)), lengths)
                limit = (numpy.cumsum(lengths))[owner]
                matches = self.tokens.find_in(self.tokens.bits(arr[:, 0]), limit)
                if matches:
                    docs_of = owner[[m[0] for m in matches]].tolist()
                    for (s, e, label, pid), i in zip(matches, docs_of):
                        by_doc[i].append((s - offsets[i], e - offsets[i], label, pid))
            for doc, a, matches in zip(batch, arrays, by_doc):
                self._finish(doc, a, matches)
                yield doc

    def _finish(self, doc: Doc, arr: numpy.ndarray | None, matches: list[tuple[int, int, str, str]]) -> None:
        found: list[tuple[int, int, str, str]] = []
        if arr is not None:
            idx, length = arr[:, 1], arr[:, 2]
            matches = matches + [(s, e, *self.keys[m]) for m, s, e in self.phrases(doc)]
            if self.tokens.general:
                matches += self.tokens.find_general(doc, self.tokens.bits(arr[:, 0]))
            if matches:
                ends = idx + length
                kept = [(s, e, label, pid) for s, e, label, pid in
                        ((*token_slice(s, e, pid), label, pid) for s, e, label, pid in matches) if s < e]
                if (self.acting is not None or self.before_event or self.after_event) and self.events:
                    kept = self._around_events(doc, kept)
                if self.events:
                    kept = self._as_reported(doc, arr[:, 0], kept)
                if self.in_event_sentence and self.events:
                    kept = self._in_event_sentences(doc, kept)
                if self.yielding:
                    kept = self._give_way(kept)
                found = [(int(idx[s]), int(ends[e - 1]), label, pid) for s, e, label, pid in kept if label]
            if idx[0] == 0 and int(length.max()) < WS_BIT:
                # the tokens in annotator.core.tokens' compact form, built with numpy
                values = length.astype("<u2") | (arr[:, 3].astype("<u2") << 15)
                doc.user_data[TOKENS_KEY] = bytes([LENGTHS]) + values.tobytes()
        doc.user_data[USER_DATA_KEY] = found


    def _around_events(self, doc: Doc, kept: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """A place right before an event told by a verb, or after "by" right after an event's words (see
        `_by_after`), becomes its actor; a match of a `before_event` pattern is kept only there; one of an
        `after_event` pattern only within AFTER_EVENT words after an event's (no punctuation between); a place
        right before a name or a word of MODIFIED is no place but a modifier ("U.S. President", "Abu Dhabi TV",
        "Paris Police Prefecture", "the U.S. government"; not "Kabul Monday"), nor one inside a longer name (see
        `_inside_a_name`)."""
        place, actor = self.acting or (None, None)
        events, before_event, after_event = self.events, self.before_event, self.after_event
        anywhere = self.anywhere
        # where events' words end, and start, with their labels
        event_ends: dict[int, set[str]] = {}
        # the events told by a verb in the past ("launched", "struck"): before a noun ("the Kabul car bombing",
        # "US airstrike", "Ukraine negotiations") the place only names where, or whose
        starts: dict[int, set[str]] = {}
        for s, e, label, _ in kept:
            if label in events:
                event_ends.setdefault(e, set()).add(label)
                if doc[s].lower_.endswith("ed") or doc[s].lower_ in PAST:
                    starts.setdefault(s, set()).add(label)
        out = []
        n = len(doc)
        for s, e, label, pid in kept:
            if label == place and (e < n and (_a_name(doc[e]) or doc[e].text in MODIFIED) and not _of_a_title(doc, s)
                                   or _inside_a_name(doc, s, e)):
                out.append((s, e, NO_LABEL, pid))  # no suggestion, but still a rule's name: no one's beside an
                continue  # event ("killed Kabul residents", see `_give_way`); `_finish` drops it
            key = (label, _base(pid))
            if key in after_event:
                given = None
                labels = _just_after(doc, s, event_ends)
                # not "the Camp David Accords" (a name's first word); an `anywhere` match right after the event's
                # words or "the" ("attacked the Jolo Cathedral"), not "explosions took place on Karl Marx Avenue"
                if labels and not (e < n and _a_name(doc[e])) and (
                        key not in anywhere or s in event_ends or doc[s - 1].lower_ == "the"):
                    given = _beside(after_event[key], labels, label)
                if given is not None:
                    out.append((s, e, given, pid))
                    continue
                if key not in before_event and key not in anywhere:
                    continue
            only_acting = key in before_event
            if only_acting and not (e in starts or e + 1 in starts or e + 2 in starts or s - 1 in event_ends
                                    or s - 2 in event_ends):  # neither before an event's verb nor after "by"
                continue
            if (only_acting or label == place) and _by_after(doc, s, event_ends):  # the agent of a passive
                label, pid = (actor, "actor-agent") if label == place else (label, pid)  # "shot by police"
                only_acting = False
            elif (only_acting or label == place) and starts and (s == 0 or doc[s - 1].lower_ not in
                                                                AFTER_PREPOSITION):  # "the strike on Odesa
                # killed": a place after a preposition is no subject
                j = e
                while j < len(doc) and j - e < 2 and doc[j].lower_ in BETWEEN:  # "has", "also", "reportedly"
                    j += 1
                if j in starts:
                    if label == place:
                        label, pid = actor, "actor-acting"
                        only_acting = False
                    else:
                        given = _beside(before_event[key], starts[j], label)  # only a before_event match
                        if given is not None:
                            label, only_acting = given, False
            if not only_acting:
                out.append((s, e, label, pid))
        return out


    def _as_reported(self, doc: Doc, orth: numpy.ndarray, kept: list[tuple[int, int, str, str]]
                     ) -> list[tuple[int, int, str, str]]:
        """Events as the guidelines mark them: not negated ("no one was hurt", "did not attack", "No deaths were
        reported"; see `_negated`), and no adjective of danger joined to a word by a hyphen ("life-threatening").
        `orth`: the tokens' ORTH column; their words are looked at by kind (`_kind`), not as spaCy Tokens."""
        events = self.events
        return [m for m in kept if m[2] not in events or not (
            self._negated(orth, m[0]) or m[0] >= 2 and self._kind(int(orth[m[0]])) == DANGEROUS
            and _hyphen_after(doc, m[0] - 2))]

    def _kind(self, orth: int) -> int:
        """What a word is to `_as_reported` (NEGATING, NOT_NEGATING_NEXT, ENDS_REACH, DANGEROUS or 0), by its ORTH
        hash, worked out once per word: reading a spaCy Token's attributes for every word before every event
        cost 3% of pre-annotation."""
        kind = self.kinds.get(orth)
        if kind is None:
            lexeme = self.nlp.vocab[orth]
            lower = lexeme.lower_
            kind = (ENDS_REACH if lexeme.is_punct or lower in NEW_PHRASE else NEGATING if lower in NEGATIONS
                    else NOT_NEGATING_NEXT if lower in NOT_NEGATING else DANGEROUS if lower in DANGER else 0)
            self.kinds[orth] = kind
        return kind

    def _negated(self, orth: numpy.ndarray, start: int) -> bool:
        """Is the event whose words start at `start` negated: a word of NEGATIONS at most NEGATION_REACH words
        before, with no punctuation and no word that starts another phrase between ("no evidence the attacks came
        from"), and not one of "no fewer", "not only" and the like?"""
        for j in range(start - 1, max(-1, start - 1 - NEGATION_REACH), -1):
            kind = self._kind(int(orth[j]))
            if kind == ENDS_REACH:
                return False
            if kind == NEGATING:
                return not (j + 1 < len(orth) and self._kind(int(orth[j + 1])) == NOT_NEGATING_NEXT)
        return False

    def _give_way(self, kept: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """Without the matches of `yields` patterns that overlap another pattern's match (of any label), or that lie
        within a place `_around_events` dropped as a modifier (NO_LABEL: "killed Kabul residents" has no one named
        Kabul; "the United States Embassy", longer, stays a name)."""
        yielding = self.yielding
        mine = [_base(pid) in yielding for _, _, _, pid in kept]
        if not any(mine):
            return kept
        others = sorted((s, e) for (s, e, label, _), m in zip(kept, mine) if not m and label)
        hidden = [(s, e) for s, e, label, _ in kept if not label]
        reach = list(accumulate((e for _, e in others), max))  # the furthest end of the matches starting up to each
        out = []
        for (s, e, label, pid), m in zip(kept, mine):
            if m:
                i = bisect_left(others, (e, -1))  # the others starting before this one ends
                if i and reach[i - 1] > s or any(hs <= s and e <= he for hs, he in hidden):
                    continue
            out.append((s, e, label, pid))
        return out

    def _in_event_sentences(self, doc: Doc, kept: list[tuple[int, int, str, str]]
                            ) -> list[tuple[int, int, str, str]]:
        """The matches of patterns marked `in_event_sentence` that lie in a sentence with an event's words."""
        wanted = self.in_event_sentence
        if not any((label, _base(pid)) in wanted for _, _, label, pid in kept):
            return kept
        sentence = sentence_ids(doc)
        with_events = {int(sentence[s]) for s, _, label, _ in kept if label in self.events}
        return [m for m in kept if (m[2], _base(m[3])) not in wanted or int(sentence[m[0]]) in with_events]


def _just_after(doc: Doc, start: int, event_ends: dict[int, set[str]]) -> set[str]:
    """The labels of the nearest event whose words end at most AFTER_EVENT words before `start`, with no
    punctuation between (none: an empty set). A line wrap is no break; a blank line is a sentence's end, which
    `in_event_sentence` patterns keep to."""
    # the nearest end first, by the positions alone: most matches asked about (a name) are nowhere near an event,
    # and reading a token makes a spaCy Token
    gap = next((g for g in range(AFTER_EVENT + 1) if start - g in event_ends), None)
    if gap is None or any(doc[start - g - 1].is_punct for g in range(gap)):
        return set()
    return event_ends[start - gap]


def _beside(events: dict[str, str] | None, labels: set[str], own: str) -> str | None:
    """The label a match gets beside an event of one of `labels` (by a pattern's `events`: event label -> the
    match's label; None: any event, its own label), or None if those events do not count for it."""
    if not labels:
        return None
    if events is None:
        return own
    for event in sorted(labels):
        if event in events:
            return events[event]
    return None


AFTER_EVENT = 3  # "strike on the hospital", "targeting of our civilians"
NEGATION_REACH = 4  # "no humans had been hurt"
NEGATIONS = frozenset({"no", "not", "n't", "n’t", "nobody", "none", "never", "neither", "nor", "without"})
NOT_NEGATING = frozenset({"fewer", "less", "more", "longer", "only", "least", "doubt", "sooner"})  # "no fewer than"
NEW_PHRASE = frozenset({"the", "a", "an", "this", "that", "these", "those", "which", "who", "whether", "if", "how",
                        "when", "his", "her", "their", "its", "our", "and", "but"})
DANGER = frozenset({"threatening"})  # "life-threatening", "career-threatening"
NEGATING, NOT_NEGATING_NEXT, ENDS_REACH, DANGEROUS = 1, 2, 3, 4  # the kinds of words `_as_reported` looks at


def _by_after(doc: Doc, start: int, event_ends: dict[int, set[str]]) -> bool:
    """Does the match at `start` follow "by" (and at most one word of AGENT_DETERMINERS: "the", "another", "riot")
    right after an event's words: the doer of a passive ("shot dead by police", "was arrested by the police",
    "occupied by Israel")?"""
    j = start - 1
    if j >= 1 and doc[j].lower_ in AGENT_DETERMINERS:
        j -= 1
    return j >= 0 and doc[j].lower_ == "by" and j in event_ends


AGENT_DETERMINERS = frozenset({"the", "a", "an", "another", "local", "other", "riot", "armed"})


def _inside_a_name(doc: Doc, start: int, end: int) -> bool:
    """Is the place doc[start:end] part of a longer name, which the guidelines do not mark: joined by a hyphen to
    a word ("Agence France-Presse", "pro-Beijing", "Berlin-based", "the Egypt–Israel peace treaty"), or after "of"
    and an organisation's head word ("University of Maryland", "Voice of America", "the Islamic State of Iraq")?
    Not after a title or a person ("the mayor of Gdańsk", "Senator Warren of Massachusetts")."""
    if end + 1 < len(doc) and _hyphen_after(doc, end - 1) and doc[end + 1].is_alpha or start >= 2 and \
            _hyphen_after(doc, start - 2) and doc[start - 2].is_alpha:
        return True
    return start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].is_title and \
        doc[start - 2].lower_ in NAME_HEADS


def _of_a_title(doc: Doc, start: int) -> bool:
    """Does the place at `start` complete a title before a name ("Vice President of the United States Joe Biden",
    "Mayor of London Sadiq Khan", "Senator from Vermont Bernie Sanders"), where it is a place, not a modifier?"""
    i = start - 1
    if i >= 1 and doc[i].lower_ == "the":
        i -= 1
    return i >= 1 and doc[i].lower_ in TITLE_OF and doc[i - 1].lower_ in TITLED


def _hyphen_after(doc: Doc, i: int) -> bool:
    """Is token `i` followed by a hyphen that joins it to the next word, with no space on either side?"""
    return doc[i + 1].text in HYPHENS and not doc[i].whitespace_ and not doc[i + 1].whitespace_


HYPHENS = frozenset({"-", "–"})
NO_LABEL = ""  # a match `_around_events` keeps only so that the names it overlaps give way to it
# the nouns, written small, that a place's name modifies ("the U.S. government", "Iran officials", "US troops", "the
# Texas governor", "the Iowa caucuses", "Gdańsk residents"): the guidelines mark no place name used as a modifier.
# Not the nouns of events ("the Kabul car bombing" tells where) nor of places ("Mokha port", "Kabul airport").
MODIFIED = frozenset("""government governments officials official troops soldiers forces military army navy
    president presidential governor gubernatorial citizens nationals embassy diplomats diplomat envoy ambassador
    sanctions economy authorities police election elections primary primaries caucuses caucus ballot dollars media
    firm special residents resident people voters lawmakers legislators council community""".split())
# the titles that end in "of", "for" or "from" and a place before their holder's name ("Mayor of London Sadiq Khan")
TITLE_OF = frozenset({"of", "for", "from"})
TITLED = frozenset({"president", "mayor", "governor", "senator", "representative", "secretary", "minister",
                    "ambassador", "envoy", "premier", "king", "queen", "prince", "emir", "archbishop", "bishop",
                    "congressman", "congresswoman", "chancellor"})
# the head words of organisations' names that end in "of" and a place
NAME_HEADS = frozenset({"university", "college", "institute", "academy", "school", "museum", "party", "union",
                        "court", "office", "ministry", "department", "council", "committee", "commission",
                        "agency", "district", "republic", "state", "states", "kingdom", "bank", "church",
                        "conference", "parliament", "assembly", "federation", "association", "league", "voice",
                        "chamber", "society", "foundation", "board", "bureau", "corporation", "company"})


def _a_name(token) -> bool:
    """A capitalised word ("President", "TV") that is not a day or a month."""
    return (token.is_title or (token.is_upper and token.is_alpha and len(token) > 1)) and token.lower_ not in DATES


DATES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december""".split())
AFTER_PREPOSITION = frozenset({"on", "in", "at", "near", "from", "to", "into", "over", "across", "of", "against",
                               "towards", "toward", "outside", "inside", "around", "along", "by", "for", "with",
                               "through", "between", "beyond", "within"})
PAST = frozenset({"struck", "shot", "hit", "fought", "took", "overran", "withdrew", "sent", "threw", "beat",
                  "met", "held", "stole", "began", "led", "broke", "blew", "set", "fled", "lost", "won", "sought"})
BETWEEN = frozenset({"has", "have", "had", "also", "then", "later", "reportedly", "allegedly", "again", "first",
                     "repeatedly", "twice", "recently", "now"})


@Language.factory("annotator_rules", default_config={"window": WINDOW})
def make_rules(nlp: Language, name: str, window: int) -> RuleMatcher:
    return RuleMatcher(nlp, name, window)
