"""Quality of the rule-based link suggestions (an argument span in a role of an event span) on real news:
precision and recall per role against the links hand-annotated on Wikinews articles (tests/fixtures/wikinews-gold.jsonl,
the articles that carry "links": 22 of the 40, 251 links).

Two settings: on the hand-annotated spans (how well the linking rule does when the spans are right) and end to
end, on the spans the default pre-annotator suggests (what an editor sees). A link counts when its event span,
argument span (exact offsets and label) and role all match. Beside it, in the same run, a baseline: every span
that may fill a role of the event, in the event's sentence, linked in every role it fits (what an editor would
get from "all candidates"). The rule was written before the gold was annotated and not tuned on it.
Also: the share of the gold links' events and arguments that pre-annotation suggests at all (a link cannot be right
if one of its spans was never suggested), with their label and on the same words under any label, and the most
any linker could reach end to end (every candidate linked).

The learned links (annotator.core.link_model), by 5-fold cross-validation over the 22 articles: each fold learns
from the links of 4/5 of the articles (the model on 80% of them, its threshold and roles chosen on the other 20%,
as `annotator train` does with its dev split) and is scored on the fifth it never saw, on the gold spans and end to
end; beside it, in the same run, the rule on the same held-out articles.
Run: python bench/bench_links.py"""

from __future__ import annotations

import json
import sys
from collections import Counter

from bench_quality import GOLD, prf
from common import WIKINEWS

from annotator.core import link_model
from annotator.core.labels import LabelScheme, load_scheme
from annotator.core.linking import suggest_links
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import sentence_starts

Key = tuple[int, int, str]


def load() -> list[tuple[str, list[Key], set[tuple[Key, str, Key]]]]:
    texts = {a["id"]: a["text"] for a in map(json.loads, WIKINEWS.open(encoding="utf-8"))}
    out = []
    for line in GOLD.open(encoding="utf-8"):
        d = json.loads(line)
        if "links" not in d:
            continue
        spans = sorted((s["start"], s["end"], s["label"]) for s in d["spans"])
        links = {(tuple(lk["event"]), lk["role"], tuple(lk["argument"])) for lk in d["links"]}
        out.append((texts[d["id"]], spans, links))
    return out


def all_candidates(spans: list[Key], starts: list[int], scheme: LabelScheme) -> list[tuple[int, int, str]]:
    from bisect import bisect_right

    def sentence(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    found = []
    for i, (s, e, lb) in enumerate(spans):
        for role in scheme.roles(lb):
            for j, (s2, e2, lb2) in enumerate(spans):
                if j != i and lb2 in role.fillers and sentence(s2) == sentence(s) and not (s2 < e and s < e2):
                    found.append((i, j, role.name))
    return found


def score(found: set[tuple[Key, str, Key]], gold: set[tuple[Key, str, Key]], tp: Counter, pred: Counter,
          ref: Counter) -> None:
    for link in found:
        pred[link[1]] += 1
        tp[link[1]] += link in gold
    for link in gold:
        ref[link[1]] += 1


def main() -> int:
    scheme = load_scheme()
    annotator = build_annotator(scheme)
    data = load()
    table = {name: (Counter(), Counter(), Counter()) for name in ("gold spans", "baseline", "end to end")}
    # arguments there to link: a link cannot be right if its argument (or event) was never suggested
    covered: dict[str, Counter] = {"argument": Counter(), "event": Counter()}
    for text, spans, gold in data:
        doc = annotator.nlp(text)
        starts = sentence_starts(doc)
        for name, made in (("gold spans", suggest_links(spans, starts, scheme, text=text)),
                           ("baseline", all_candidates(spans, starts, scheme))):
            found = {(spans[e], role, spans[a]) for e, a, role in made}
            score(found, gold, *table[name])
        suggested = annotator.suggestions(doc)
        found = {(suggested[lk.event].key, lk.role, suggested[lk.argument].key)
                 for lk in annotator.link_suggestions(doc, suggested)}
        score(found, gold, *table["end to end"])
        keys = {sp.key for sp in suggested}
        places = {(sp.start, sp.end) for sp in suggested}
        for end, members in (("event", {g[0] for g in gold}), ("argument", {g[2] for g in gold})):
            for key in members:
                covered[end]["gold"] += 1
                covered[end]["exact"] += key in keys
                covered[end]["words"] += key[:2] in places
    print(f"{len(data)} Wikinews articles, {sum(len(g) for *_, g in data)} hand-annotated links; event span, "
          f"argument span and role must all match")
    roles = sorted(set(table["gold spans"][2]) | set(table["gold spans"][1]))
    print(f"{'role':<12}{'gold':>5}   {'on gold spans P/R/F1':<22}{'baseline P/R/F1':<22}{'end to end P/R/F1':<22}")
    for role in [*roles, "all"]:
        cells = []
        for name in ("gold spans", "baseline", "end to end"):
            tp, pred, ref = table[name]
            t, p, r = (sum(c.values()) for c in (tp, pred, ref)) if role == "all" else (tp[role], pred[role],
                                                                                         ref[role])
            cells.append("{:.2f} {:.2f} {:.2f}".format(*prf(t, p, r)).ljust(22))
        n = sum(table["gold spans"][2].values()) if role == "all" else table["gold spans"][2][role]
        print(f"{role:<12}{n:>5}   {''.join(cells)}")
    cross_validated(annotator, scheme, data)
    print("\nspans of the gold links suggested at all (end to end; a link needs both):")
    for end, c in covered.items():
        print(f"  {end}s: {c['exact']} of {c['gold']} ({c['exact'] / max(c['gold'], 1):.0%}) with their label, "
              f"{c['words']} ({c['words'] / max(c['gold'], 1):.0%}) on the same words under any label")
    return 0


def cross_validated(annotator, scheme: LabelScheme, data: list, folds: int = 5) -> None:
    gold_ex, e2e_ex = [], []
    for text, spans, gold in data:
        doc = annotator.nlp(text)
        starts = sentence_starts(doc)
        position = {k: i for i, k in enumerate(spans)}
        gold_ex.append(link_model.Example(text, spans, starts, {(position[e], position[a], r) for e, r, a in gold}))
        suggested = [sp.key for sp in annotator.suggestions(doc)]
        e2e_ex.append((link_model.Example(text, suggested, starts), gold))
    table: dict[str, list[int]] = {}

    def add(name: str, spans: list[Key], found, gold: set) -> None:
        keys = {(spans[i], role, spans[j]) for i, j, role in found}
        c = table.setdefault(name, [0, 0, 0])
        c[0] += len(keys & gold)
        c[1] += len(keys)
        c[2] += len(gold)

    chosen: Counter = Counter()
    for fold in range(folds):
        held = [k for k in range(len(data)) if k % folds == fold]
        learn = [k for k in range(len(data)) if k % folds != fold]
        dev = learn[::5]
        model = link_model.fit([gold_ex[k] for k in learn if k not in dev], scheme)
        link_model.choose_roles(model, [gold_ex[k] for k in dev], scheme)
        chosen.update(role for role, how in model.roles.items() if how == "model")
        for k in held:
            ex, (sx, gold) = gold_ex[k], e2e_ex[k]
            gold_keys = {(ex.spans[i], r, ex.spans[j]) for i, j, r in ex.links}
            add("gold spans: rule", ex.spans, suggest_links(ex.spans, ex.starts, scheme, text=ex.text), gold_keys)
            add("gold spans: model, every role", ex.spans, model.predict(ex.text, ex.spans, ex.starts, scheme),
                gold_keys)
            add("gold spans: model, roles chosen", ex.spans,
                [lk for lk, _ in model.links(ex.text, ex.spans, ex.starts, scheme)], gold_keys)
            add("end to end: rule", sx.spans, suggest_links(sx.spans, sx.starts, scheme, text=sx.text), gold)
            add("end to end: model, roles chosen", sx.spans,
                [lk for lk, _ in model.links(sx.text, sx.spans, sx.starts, scheme)], gold)
            add("end to end: every candidate", sx.spans, link_model.candidates(sx.spans, sx.starts, scheme), gold)
    print(f"\nlearned links, {folds}-fold cross-validation over the {len(data)} articles (held-out articles only):")
    print(f"  {'':<36}{'P':>6}{'R':>6}{'F1':>6}{'wrong':>7}")
    for name, (tp, pred, ref) in table.items():
        print(f"  {name:<36}" + "".join(f"{x:>6.2f}" for x in prf(tp, pred, ref)) + f"{pred - tp:>7}")
    print(f"  roles the folds gave the model (of {folds}): "
          + ", ".join(f"{role} {n}" for role, n in sorted(chosen.items())))


if __name__ == "__main__":
    sys.exit(main())
