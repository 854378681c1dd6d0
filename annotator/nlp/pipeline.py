"""Building and loading spaCy pipelines, and turning what they find into suggestions.

The default pipeline is `spacy.blank("en")` with a span ruler fed by the project's pattern file. `--model`
adds any installed pipeline (by package name or path): its entities become argument suggestions through the
scheme's `entity_map`, and its span groups (a span categoriser's, say) are used directly when their labels are
in the scheme. Nothing is ever downloaded."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import InputError, PipelineError
from annotator.core.labels import LabelScheme, model_choice
from annotator.core.link_model import LinkModel
from annotator.core.linking import suggest_links
from annotator.core.model import Link, Source, Span, SpanState, Token
from annotator.core.resources import resources_dir
from annotator.core.tokens import pack_tokens
from annotator.nlp.keys import LINKS_KEY, RULES_KEY, TOKENS_KEY

SOURCES = {s.value: s for s in Source}

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

RESOURCES = resources_dir()
DEFAULT_PATTERNS = RESOURCES / "patterns" / "conflict-news.jsonl"


def load_patterns(path: Path, labels: set[str] | None = None) -> list[dict[str, Any]]:
    """Prodigy-style pattern lines `{"label": ..., "pattern": ...}`; a bad line is an error naming it."""

    def refuse(message: str, lineno: int) -> PipelineError:
        return PipelineError(str(InputError(message, str(path), lineno)))

    patterns = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"{path}: cannot read the pattern file: {exc}") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise refuse(f"not valid JSON: {exc.msg}", lineno) from None
        if not isinstance(entry, dict) or "label" not in entry or "pattern" not in entry:
            raise refuse('a pattern needs "label" and "pattern"', lineno)
        if not isinstance(entry["pattern"], (str, list)):
            raise refuse('"pattern" must be a string or a list of token patterns', lineno)
        if labels is not None and entry["label"] not in labels:
            raise refuse(f"unknown label {entry['label']!r}", lineno)
        around: dict[str, Any] = {}
        for flag in ("before_event", "after_event"):
            value = entry.get(flag)
            if value is True:
                around[flag] = value
            elif isinstance(value, (list, dict)) and value and all(isinstance(v, str) for v in value) and (
                    isinstance(value, list) or all(isinstance(v, str) for v in value.values())):
                named = [*value, *(value.values() if isinstance(value, dict) else ())]
                unknown = sorted({v for v in named if labels is not None and v not in labels})
                if unknown:
                    raise refuse(f'"{flag}" names an unknown label {unknown[0]!r}', lineno)
                around[flag] = value
            elif value not in (None, False):
                raise refuse(
                    f'"{flag}" must be true, a list of event labels, or event labels with the label to give', lineno)
        if entry.get("anywhere") not in (None, False, True):
            raise refuse('"anywhere" must be true or false', lineno)
        if entry.get("anywhere") is True and "after_event" not in around:
            raise refuse('"anywhere" needs "after_event": it keeps the other matches of such a pattern', lineno)
        if entry.get("yields") is True and not entry.get("id"):
            raise refuse('"yields" needs the pattern\'s "id": the matches that give way are known by it', lineno)
        patterns.append({"label": entry["label"], "pattern": entry["pattern"], **(
            {"id": entry["id"]} if "id" in entry else {}), **(
            {"in_event_sentence": True} if entry.get("in_event_sentence") is True else {}), **around, **(
            {"anywhere": True} if entry.get("anywhere") is True else {}), **(
            {"yields": True} if entry.get("yields") is True else {})})
    return patterns


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass
class Annotator:
    """A loaded pipeline that turns texts into tokens and suggestions for one label scheme."""

    nlp: Language
    scheme: LabelScheme
    key: str  # names the pipeline; a document is pre-annotated once per key
    use_model: bool
    # how to build it again in another process: build_annotator's arguments
    spec: dict[str, Any] | None = None
    use_rules: bool = True
    # with a model and the rules: for each label, whose suggestions are made ("rules", "model" or "both"), as
    # training chose on its dev articles (a label not named: both)
    sources: dict[str, str] = field(default_factory=dict)
    # a span categoriser's threshold: it is asked for candidates down to half of it, which are not suggested
    # but tell how unsure the model is (`usefulness`); None without one
    threshold: float | None = None
    model_labels: frozenset[str] = frozenset()  # the labels the model was trained on
    # links learned from accepted links (annotator.core.link_model), saved with a model `annotator train` made
    link_model: LinkModel | None = None
    model_anyway: bool = False

    def choice(self) -> str:
        """Which labels the model's suggestions are used for, in words (empty without a model)."""
        if not self.use_model:
            return ""
        return model_choice([lb.name for lb in self.scheme.labels], self.sources, self.use_rules)

    def suggestions(self, doc: Doc) -> list[Span]:
        """The spans suggested for `doc`: the rules' and the model's, merged (see `merge_suggestion_tuples`)."""
        patterns: dict[tuple[int, int, str], str] = {}  # each rule span's pattern id (the first, in id order)
        for s, e, label, pid in sorted(doc.user_data.get(RULES_KEY, ()), key=lambda m: m[3] or ""):
            patterns.setdefault((s, e, label), pid or "")
        return [Span(s, e, label, SOURCES[source], SpanState.SUGGESTED, score,
                     origin=patterns.get((s, e, label)) if source == "rule" else None)
                for s, e, label, source, score in self._suggestion_tuples(doc)]

    def link_suggestions(self, doc: Doc, spans: Sequence[Span], text: str | None = None) -> list[Link]:
        """Links between the suggestions `spans` of `doc`, naming them by position in `spans`. The model's own,
        when a component of the pipeline leaves them in `doc.user_data["annotator_links"]` as (event start, end,
        label, argument start, end, label, role) between spans it suggests, and the scheme allows them; then,
        with the rules, within a sentence, the nearest span that fits each role. `text`: the doc's text, when the
        caller has it (`doc.text` joins every token's text in a Python loop)."""
        keys = [sp.key for sp in spans]
        found: list[Link] = []
        if self.use_model:
            position = {k: i for i, k in enumerate(keys)}
            for item in doc.user_data.get(LINKS_KEY) or ():
                event, argument, role = tuple(item[0:3]), tuple(item[3:6]), item[6]
                if event in position and argument in position and not self.scheme.link_problem(event[2], role,
                                                                                              argument[2]):
                    found.append(Link(position[event], position[argument], role, Source.MODEL, SpanState.SUGGESTED))
        if self.link_model is None and not self.use_rules:
            return found
        text = doc.text if text is None else text
        starts = sentence_starts(doc, text)
        seen = {lk.key for lk in found}
        if self.link_model is not None:  # learned links in the roles training chose it for, the rule's in others
            if self.use_rules and not self.model_anyway:
                made = self.link_model.links(text, keys, starts, self.scheme)
            else:  # the learned links in every role
                made = [(lk, True) for lk in self.link_model.predict(text, keys, starts, self.scheme)]
        else:
            made = [(lk, False) for lk in suggest_links(keys, starts, self.scheme, text=text)]
        found += [Link(e, a, role, Source.MODEL if learned else Source.RULE, SpanState.SUGGESTED)
                  for (e, a, role), learned in made if (e, a, role) not in seen]
        return found

    def usefulness(self, doc: Doc) -> float | None:
        """How useful it is that an editor corrects this article next, for a model that learns from it (None
        without a model): the model's doubtful calls and its disagreements with the rules, per 100 tokens.
        Each span the model scores near its threshold counts up to 1 (1 at the threshold, 0 at 0 or 1; spans
        down to half the threshold are scored without being suggested), and each span of the model's labels
        that only one of the model and the rules found counts 1. Prodigy and INCEpTION order their queues
        alike: the examples whose scores are nearest the decision first."""
        if not self.use_model:
            return None
        doubt = 0.0
        model: set[tuple[int, int, str]] = set()
        for group in doc.spans.values():
            scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
            for i, span in enumerate(group):
                label = self._label(span.label_)
                if scores is None or i >= len(scores):
                    model.add((span.start_char, span.end_char, label))
                    continue
                score, t = float(scores[i]), self.threshold if self.threshold is not None else 0.5
                doubt += max(0.0, 1 - abs(score - t) / ((t if score < t else 1 - t) or 1))
                if score >= t:
                    model.add((span.start_char, span.end_char, label))
        model.update((e.start_char, e.end_char, self._label(e.label_)) for e in doc.ents)
        known = self.model_labels
        rules = {(s, e, label) for s, e, label, _ in doc.user_data.get(RULES_KEY, ()) if label in known}
        disagree = len(rules ^ {m for m in model if m[2] in known})
        return (doubt + disagree) / max(1.0, len(doc) / 100)

    def _label(self, name: str) -> str | None:
        """The scheme's label for a label of the model: its own, or the one the entity map gives."""
        return name if name in self.scheme.names else self.scheme.entity_map.get(name)

    def _suggestion_tuples(self, doc: Doc) -> list[tuple[int, int, str, str, float | None]]:
        """The suggestions as (start, end, label, source, score), merged."""
        labels = self.scheme.names
        rules = doc.user_data.get(RULES_KEY, ())
        if not self.use_model:
            return _merge_rule_spans(rules, labels)
        sources = self.sources
        found: list[tuple[int, int, str, Source, float | None]] = [
            (start, end, label, Source.RULE, None)
            for start, end, label, _ in rules if label in labels and sources.get(label) != "model"
        ]
        for ent in doc.ents:
            label = self.scheme.entity_map.get(ent.label_, ent.label_ if ent.label_ in labels else None)
            if label:
                found.append((ent.start_char, ent.end_char, label, Source.MODEL, None))
        for group in doc.spans.values():
            scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
            for i, span in enumerate(group):
                label = self._label(span.label_)
                if label:
                    score = float(scores[i]) if scores is not None and i < len(scores) else None
                    if score is not None and self.threshold is not None and score < self.threshold:
                        continue  # a candidate asked for to measure the model's doubt, not a suggestion
                    found.append((span.start_char, span.end_char, label, Source.MODEL, score))
        if sources:  # a label training left to the rules gets no model suggestions
            found = [f for f in found if f[3] is Source.RULE or sources.get(f[2]) != "rules"]
        return [(s, e, label, source.value, score) for s, e, label, source, score in merge_suggestion_tuples(found)]


_PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
# a wire report's dateline at the start of a line: its place in capitals ("KYIV", "ADDIS ABABA", "SPRINGFIELD,
# Ill."), a date, the agency in brackets, or both, and a dash: "KYIV, June 9 (Reuters) - ", "WASHINGTON (AP) — "
_DATELINE = re.compile(r"(?m)^[^\S\n]*[A-Z][A-Z.'’\-]+(?:[^\S\n]+[A-Z][A-Z.'’\-]+)*(?:,[^\S\n]+[A-Z][a-z]+\.)?"
                       r"(?:,[^\S\n]+" + _MONTH + r"[^\S\n]+\d{1,2}(?:[^\S\n]+\([^()\n]{1,40}\))?"
                       r"|[^\S\n]+\([^()\n]{1,40}\))[^\S\n]+[-–—]+[^\S\n]+")


def sentence_starts(doc: Doc, text: str | None = None) -> list[int]:
    """Where the sentences of a Doc begin (characters): the pipeline's boundaries when it has a parser or a
    sentence recogniser, else spaCy's sentencizer rule (`punctuation_starts`), every paragraph break (a
    headline has no full stop), and the end of a wire report's dateline ("KYIV, June 9 (Reuters) - "): the date
    a report was filed is no event's time, and the team links no dateline, which Wikinews puts on a line of its
    own. `text`: the doc's text, if the caller has it (`doc.text` is made again from every token, in Python)."""
    from annotator.nlp.sentences import columns

    arr = columns(doc)
    if len(doc) > 1 and arr[1:, 3].any():  # a component set the boundaries (doc.has_annotation("SENT_START")
        starts = {sent.start_char for sent in doc.sents}  # without its loop over every token)
    else:
        starts = punctuation_starts(doc, arr)
    text = doc.text if text is None else text
    starts.update(m.end() for m in _PARAGRAPH.finditer(text))
    starts.update(m.end() for m in _DATELINE.finditer(text))
    return sorted(starts)


def punctuation_starts(doc: Doc, arr: Any = None) -> set[int]:
    """The sentence starts (characters) spaCy's `sentencizer` would set, from the token arrays in one pass of
    numpy instead of a Python loop over the tokens (a fifth of pre-annotation's time went there)."""
    from annotator.nlp.sentences import columns, start_tokens

    if not len(doc):
        return {0}
    arr = columns(doc) if arr is None else arr
    return {0, *arr[start_tokens(doc, arr), 2].tolist()}


Candidate = tuple[int, int, str, Source, "float | None"]  # start, end, label, source, score


def merge_suggestion_tuples(spans: Iterable[Candidate]) -> list[Candidate]:
    """One suggestion per stretch and label: exact repeats go (a rule's wins over a model's, then the higher
    score), and a span nested inside a longer span of the same label goes too."""
    best: dict[tuple[int, int, str], Candidate] = {}
    for sp in spans:
        key = sp[:3]
        old = best.get(key)
        if old is None or (old[3] is Source.MODEL and sp[3] is Source.RULE) or (
            old[3] == sp[3] and (sp[4] or 0) > (old[4] or 0)
        ):
            best[key] = sp
    last: dict[str, Candidate] = {}
    kept = []
    for sp in sorted(best.values(), key=lambda s: (s[0], -s[1])):
        prev = last.get(sp[2])
        if prev is not None and sp[0] >= prev[0] and sp[1] <= prev[1]:
            continue  # inside a longer span of the same label
        last[sp[2]] = sp
        kept.append(sp)
    kept.sort(key=lambda s: (s[0], -s[1], s[2]))
    return kept


def _merge_rule_spans(rules: Iterable[tuple[int, int, str, str]], labels: set[str] | frozenset[str],
                      ) -> list[tuple[int, int, str, str, float | None]]:
    """`merge_suggestion_tuples` for the rules alone (one source, no scores), without its bookkeeping: it runs
    once per document in pre-annotation."""
    last: dict[str, tuple[int, int]] = {}
    kept = []
    for s, e, label in sorted({(s, e, label) for s, e, label, _ in rules if label in labels},
                              key=lambda x: (x[0], -x[1])):
        prev = last.get(label)
        if prev is not None and s >= prev[0] and e <= prev[1]:
            continue
        last[label] = (s, e)
        kept.append((s, e, label, "rule", None))
    kept.sort(key=lambda x: (x[0], -x[1], x[2]))
    return kept


def merge_suggestions(spans: Iterable[Span]) -> list[Span]:
    """`merge_suggestion_tuples` over Span records."""
    merged = merge_suggestion_tuples((s.start, s.end, s.label, s.source, s.score) for s in spans)
    return [Span(s, e, label, source, SpanState.SUGGESTED, score=score) for s, e, label, source, score in merged]


def doc_tokens(doc: Doc) -> list[Token]:
    return [Token(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in doc]


def packed_tokens(doc: Doc) -> bytes:
    """The doc's tokens packed as `annotator.core.tokens` stores them. The rule component leaves them in
    `doc.user_data` when it has read the same columns already."""
    ready = doc.user_data.get(TOKENS_KEY)
    if ready is not None:
        return ready
    return pack_tokens(doc_tokens(doc))


def build_annotator(scheme: LabelScheme, model: str | None = None, patterns: Path | None = None,
                    use_rules: bool = True, model_anyway: bool = False) -> Annotator:
    """The project's pipeline: rules (from `patterns`, or the shipped file) and, with `model`, an installed
    spaCy pipeline whose entities and span groups also become suggestions. A model `annotator train` made says
    in its meta.json, for each label, whether the rules, the model or both scored best on its dev articles;
    with the rules, each label's suggestions come from that choice, unless `model_anyway` (both for every
    label)."""
    import spacy

    key_parts = []
    if model:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            raise PipelineError(
                f"cannot load the spaCy pipeline {model!r}: give an installed package name or the path of a "
                f"saved pipeline (nothing is downloaded). spaCy said: {str(exc).splitlines()[0][:300]}"
            ) from None
        except Exception as exc:  # a broken pipeline folder
            raise PipelineError(f"cannot load the spaCy pipeline {model!r}: {exc}") from None
        trained = (nlp.meta.get("annotator") or {}).get("trained_at")  # each training is a new pipeline
        key_parts.append(f"model:{nlp.meta.get('name', model)}@{nlp.meta.get('version', '?')}"
                         + (f"@{trained}" if trained else ""))
    else:
        nlp = spacy.blank("en")
    if use_rules:
        path = Path(patterns) if patterns else DEFAULT_PATTERNS
        pats = load_patterns(path, scheme.names)
        from annotator.nlp import rules  # noqa: F401  (registers the component)

        ruler = nlp.add_pipe("annotator_rules", name=RULES_KEY, last=True)
        try:
            ruler.add_patterns(pats)
        except Exception as exc:
            raise PipelineError(f"{path}: a pattern is not valid: {str(exc)[:500]}") from None
        ruler.set_events(lb.name for lb in scheme.of_kind("event"))
        if {"PLACE", "ACTOR"} <= {lb.name for lb in scheme.labels}:  # the default scheme's: a country that acts
            ruler.set_acting("PLACE", "ACTOR")  # is its event's actor
        key_parts.insert(0, f"rules:{path.name}@{file_digest(path)}")
    if not key_parts:
        raise PipelineError("nothing to pre-annotate with: no rules and no model")
    # link suggestions stay within a sentence: the parser's or senter's, else the sentencizer's rule, applied by
    # `sentence_starts` from the token arrays (the component itself walks every token in Python)
    if any(label.roles for label in scheme.labels):
        key_parts.append("links:1")  # projects pre-annotated before links were suggested get them on the next run
    sources: dict[str, str] = {}
    if model and use_rules and not model_anyway:
        chosen = (nlp.meta.get("annotator") or {}).get("sources") or {}
        sources = {label: how for label, how in chosen.items() if how in ("rules", "model", "both")}
        if sources:
            key_parts.append("chosen")  # what a run with --model-anyway suggested is not the same
    threshold, model_labels = None, frozenset()
    if model:
        for name, pipe in nlp.pipeline:
            if name == RULES_KEY:
                continue
            if name == "spancat" or type(pipe).__name__ == "SpanCategorizer":
                threshold = pipe.cfg.get("threshold")
                if threshold is not None:
                    pipe.cfg["threshold"] = threshold / 2  # the doubtful candidates too (see `usefulness`)
            model_labels |= frozenset(getattr(pipe, "labels", ()) or ())
        model_labels = frozenset(scheme.entity_map.get(lb, lb) for lb in model_labels) & scheme.names
    link_model = _link_model(nlp, model) if model else None
    return Annotator(nlp=nlp, scheme=scheme, key="+".join(key_parts), use_model=bool(model),
                     threshold=threshold, model_labels=model_labels, link_model=link_model,
                     model_anyway=model_anyway,
                     spec={"scheme": scheme, "model": model, "patterns": Path(patterns) if patterns else None,
                           "use_rules": use_rules, "model_anyway": model_anyway},
                     use_rules=use_rules, sources=sources)


LINK_MODEL_FILE = "annotator_links.json"  # in a model's folder: the link model training learned


def _link_model(nlp: Language, model: str) -> LinkModel | None:
    """The link model saved in the folder of the pipeline `model`, if training left one."""
    import json

    folder = getattr(nlp, "path", None) or (Path(model) if Path(model).is_dir() else None)
    path = Path(folder) / LINK_MODEL_FILE if folder else None
    if path is None or not path.is_file():
        return None
    try:
        return LinkModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise PipelineError(f"{path}: not a link model annotator can read ({exc}); train the model again, or "
                            f"delete the file to suggest links by the rule") from None


_TOKENIZER: Any = None


def tokenize(text: str) -> list[Token]:
    """spaCy's English tokenizer (of `spacy.blank("en")`): the project's tokens when no model has made any."""
    global _TOKENIZER
    if _TOKENIZER is None:
        import spacy

        _TOKENIZER = spacy.blank("en").tokenizer
    return doc_tokens(_TOKENIZER(text))
