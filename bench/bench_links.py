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

from bench_quality import GOLD, HELDOUT_SETS, UNREAD, prf
from common import ROOT, WIKINEWS

from annotator.core import link_model
from annotator.core.labels import LabelScheme, load_scheme
from annotator.core.linking import suggest_links
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import sentence_starts

Key = tuple[int, int, str]


def load(path=GOLD) -> list[tuple[str, list[Key], set[tuple[Key, str, Key]]]]:
    texts = {a["id"]: a["text"] for a in map(json.loads, WIKINEWS.open(encoding="utf-8"))}
    out = []
    for line in path.open(encoding="utf-8"):
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
        cover(suggested, gold, covered)
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
    print_cover(covered)
    on_heldout(annotator, scheme, data)
    return 0


def cover(suggested, gold: set, covered: dict[str, Counter]) -> None:
    """Counts the gold links' events and arguments that pre-annotation suggested, with their label and on the same
    words under any label (a link cannot be right if one of its spans was never suggested)."""
    keys = {sp.key for sp in suggested}
    places = {(sp.start, sp.end) for sp in suggested}
    for end, members in (("event", {g[0] for g in gold}), ("argument", {g[2] for g in gold})):
        for key in members:
            covered[end]["gold"] += 1
            covered[end]["exact"] += key in keys
            covered[end]["words"] += key[:2] in places


def print_cover(covered: dict[str, Counter]) -> None:
    for end, c in covered.items():
        print(f"  {end}s: {c['exact']} of {c['gold']} ({c['exact'] / max(c['gold'], 1):.0%}) with their label, "
              f"{c['words']} ({c['words'] / max(c['gold'], 1):.0%}) on the same words under any label")


def examples(annotator, data: list) -> tuple[list, list]:
    """Each article as the link model reads it: on its gold spans (with the gold links), and end to end (on the
    spans pre-annotation suggests, beside the gold links)."""
    gold_ex, e2e_ex = [], []
    for text, spans, gold in data:
        doc = annotator.nlp(text)
        starts = sentence_starts(doc)
        position = {k: i for i, k in enumerate(spans)}
        gold_ex.append(link_model.Example(text, spans, starts, {(position[e], position[a], r) for e, r, a in gold}))
        suggested = [sp.key for sp in annotator.suggestions(doc)]
        e2e_ex.append((link_model.Example(text, suggested, starts), gold))
    return gold_ex, e2e_ex


class Table:
    """Links found against the gold, per setting: (right, found, gold)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {}

    def add(self, name: str, spans: list[Key], found, gold: set) -> None:
        keys = {(spans[i], role, spans[j]) for i, j, role in found}
        c = self.rows.setdefault(name, [0, 0, 0])
        c[0] += len(keys & gold)
        c[1] += len(keys)
        c[2] += len(gold)

    def print(self) -> None:
        print(f"  {'':<36}{'P':>6}{'R':>6}{'F1':>6}{'wrong':>7}")
        for name, (tp, pred, ref) in self.rows.items():
            print(f"  {name:<36}" + "".join(f"{x:>6.2f}" for x in prf(tp, pred, ref)) + f"{pred - tp:>7}")


def learn_and_score(scheme: LabelScheme, learn: list, held: list, table: Table) -> link_model.LinkModel:
    """Learns links from the `learn` articles (the model on 4/5 of them, its threshold and roles chosen on the
    fifth, as `annotator train` does with its dev split) and scores the model and the rule on the `held` ones;
    each article a pair (on gold spans, end to end) as examples() makes them."""
    dev = learn[::5]
    model = link_model.fit([ex for ex, _ in learn if not any(ex is d for d, _ in dev)], scheme)
    link_model.choose_roles(model, [ex for ex, _ in dev], scheme)
    for ex, (sx, gold) in held:
        gold_keys = {(ex.spans[i], r, ex.spans[j]) for i, j, r in ex.links}
        table.add("gold spans: rule", ex.spans, suggest_links(ex.spans, ex.starts, scheme, text=ex.text), gold_keys)
        table.add("gold spans: model, every role", ex.spans, model.predict(ex.text, ex.spans, ex.starts, scheme),
                  gold_keys)
        table.add("gold spans: model, roles chosen", ex.spans,
                  [lk for lk, _ in model.links(ex.text, ex.spans, ex.starts, scheme)], gold_keys)
        table.add("end to end: rule", sx.spans, suggest_links(sx.spans, sx.starts, scheme, text=sx.text), gold)
        table.add("end to end: model, roles chosen", sx.spans,
                  [lk for lk, _ in model.links(sx.text, sx.spans, sx.starts, scheme)], gold)
        table.add("end to end: every candidate", sx.spans, link_model.candidates(sx.spans, sx.starts, scheme), gold)
    return model


def cross_validated(annotator, scheme: LabelScheme, data: list, folds: int = 5) -> None:
    pairs = list(zip(*examples(annotator, data)))
    table = Table()
    chosen: Counter = Counter()
    for fold in range(folds):
        held = [pairs[k] for k in range(len(data)) if k % folds == fold]
        learn = [pairs[k] for k in range(len(data)) if k % folds != fold]
        model = learn_and_score(scheme, learn, held, table)
        chosen.update(role for role, how in model.roles.items() if how == "model")
    print(f"\nlearned links, {folds}-fold cross-validation over the {len(data)} articles (held-out articles only):")
    table.print()
    print(f"  roles the folds gave the model (of {folds}): "
          + ", ".join(f"{role} {n}" for role, n in sorted(chosen.items())))


def on_heldout(annotator, scheme: LabelScheme, data: list) -> None:
    """As a user gets it, on the held-out set the rules were not written from (UNREAD; see bench_quality.py):
    links learned from the 22 linked articles of the 40, then (issue 30, item 3) from every linked article before
    the set (the 22 and those of the held-out sets before it), scored on the set's linked articles; beside each,
    the rule on the same articles."""
    earlier = [load(HELDOUT_SETS[n]) for n in range(1, UNREAD)]
    held_data = load(HELDOUT_SETS[UNREAD])
    pairs, held_pairs = (list(zip(*examples(annotator, d))) for d in (data, held_data))
    earlier_pairs = [list(zip(*examples(annotator, d))) for d in earlier]
    name = f"held-out set {UNREAD}"
    print(f"\n{name}: {len(held_data)} articles with {sum(len(g) for *_, g in held_data)} hand-annotated "
          f"links ({HELDOUT_SETS[UNREAD].relative_to(ROOT)}), the rules were not written from them")
    every = pairs + [p for more in earlier_pairs for p in more]
    for learned, what in ((pairs, f"the {len(data)} linked articles of the 40"),
                          (every, f"{len(every)} articles: the {len(data)} and the "
                                  + " and the ".join(f"{len(more)} of held-out set {n}"
                                                     for n, more in enumerate(earlier_pairs, start=1)))):
        table = Table()
        model = learn_and_score(scheme, learned, held_pairs, table)
        print(f"  learned from {what} (roles given the model: "
              f"{', '.join(sorted(r for r, how in model.roles.items() if how == 'model')) or 'none'}):")
        table.print()
    covered: dict[str, Counter] = {"argument": Counter(), "event": Counter()}
    for text, _, gold in held_data:
        cover(annotator.suggestions(annotator.nlp(text)), gold, covered)
    print(f"  spans of {name}'s gold links suggested at all:")
    print_cover(covered)


if __name__ == "__main__":
    sys.exit(main())
