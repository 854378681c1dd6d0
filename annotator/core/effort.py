"""Where the editors' work goes, in plain Python: the clock that measures an editor's active time on an article,
the kind of action each edit is, which articles hide their suggestions (to measure work with and without them),
and the figures `annotator stats --effort` and the window's statistics read from the database's tallies.

What is recorded rides on the change log (annotator.store): the first entry each edit writes carries a `work`
record, {"kind": ..., "ms": active milliseconds since the last record, "label": ...}, and opening an article
writes an "opened" entry (with the time left on the article before, as a "left" entry). Nothing else is kept and
nothing leaves the project file; the database's triggers (migration 0013) keep the tallies from those entries,
from whichever program, and from the editors' change logs a merge brings."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

IDLE_MS = 120_000  # a gap between two of the editor's actions longer than this is idle time, not work
FAST_MS_PER_100_WORDS = 1_000  # an article accepted faster than this was not read
STAMP_STREAK = 5  # this many articles in a row accepted with every suggestion as it was: worth a reviewer's look
KINDS = ("accept", "delete", "relabel", "resize", "draw", "link", "unlink", "answer", "undo")
# the actions a path through the window costs (as bench/bench_effort.py drives it): a span drawn is a drag and a
# label key, one removed a click and Delete; a link made is Shift+the role's key and a click, one removed
# Shift+the role's key, Delete and Escape
DRAW_SPAN, DELETE_SPAN, DRAW_LINK, DELETE_LINK = 2, 2, 2, 3
TIME_BUCKETS = ((60_000, "< 1 min"), (120_000, "1-2 min"), (300_000, "2-5 min"), (600_000, "5-10 min"),
                (1_200_000, "10-20 min"), (None, "20 min +"))
MIN_DECIDED = 5  # a rule is named as costing more than it gives once this many of its suggestions were decided


class ActivityClock:
    """An editor's active time on the open article: every input (`touch`) adds the time since the one before,
    unless that gap was longer than IDLE_MS (the editor was away: the gap is cut). `take` hands over what was
    gathered since the last take. `now` is in seconds (monotonic); tests pass their own."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.last: float | None = None
        self.active = 0.0

    def touch(self) -> None:
        t = self.now()
        if self.last is not None and 0 <= t - self.last <= IDLE_MS / 1000:
            self.active += t - self.last
        self.last = t

    def take(self) -> int:
        """The active milliseconds gathered since the last take (the time up to now included)."""
        self.touch()
        ms, self.active = round(self.active * 1000), 0.0
        return ms

    def give_back(self, ms: int) -> None:
        """Time taken for a record that was not written (the edit failed): it counts with the next one."""
        self.active += ms / 1000


def hidden(input_hash: str, share: float, seed: str) -> bool:
    """Whether an article shows no suggestions: a `share` of the articles, chosen by `seed` from what the
    article is (its input hash), so every editor's file hides the same ones."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{seed}\x1f{input_hash}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def words(text: str) -> int:
    return len(text.split())


def time_bucket(ms: int) -> str:
    return next(name for limit, name in TIME_BUCKETS if limit is None or ms < limit)


def bucket_sql(column: str) -> str:
    """`time_bucket` as an SQL expression over a column of milliseconds (the triggers of migration 0013)."""
    cases = " ".join(f"WHEN {column} < {limit} THEN '{name}'" for limit, name in TIME_BUCKETS if limit is not None)
    return f"CASE {cases} ELSE '{TIME_BUCKETS[-1][1]}' END"


# ---------------------------------------------------------------- the figures


@dataclass
class Outcomes:
    """What became of the suggestions of one label, rule pattern or model (or of one role's links)."""

    kept: int = 0  # accepted as they were
    changed: int = 0  # accepted after a relabel or a move of an edge
    deleted: int = 0
    open: int | None = 0  # not decided yet (known per label only: the spans' tallies of suggestions left)
    drawn: int = 0  # spans (links) of that label (role) the editors drew by hand
    dropped: int = 0  # links removed with one of their spans (no action of their own, no cost)

    def saved(self, draw: int, delete: int) -> int:
        """Actions saved: a drawing's for each kept as it was, less the deleting of each wrong one."""
        return self.kept * draw - self.deleted * delete

    @property
    def costly(self) -> bool:
        """Deleted more often than kept (accepted as they were or after a change), once enough were decided."""
        return self.kept + self.changed + self.deleted >= MIN_DECIDED and self.deleted > self.kept + self.changed

    def as_dict(self, draw: int, delete: int) -> dict[str, int]:
        out = {"kept": self.kept, "changed": self.changed, "deleted": self.deleted, "open": self.open,
               "drawn": self.drawn, "actions_saved": self.saved(draw, delete)}
        if self.dropped:
            out["removed_with_their_span"] = self.dropped
        return out


@dataclass
class Editor:
    ms: int = 0
    articles: int = 0  # articles answered (their last answer not pending)
    actions: dict[str, int] | None = None
    flagged: dict[str, int] | None = None

    @property
    def hours(self) -> float:
        return self.ms / 3_600_000


def per_hour(n: int, ms: int) -> float | None:
    return round(n / (ms / 3_600_000), 1) if ms > 0 else None


def per_100_words(n: float, words_: int) -> float | None:
    return round(n * 100 / words_, 2) if words_ > 0 else None


def effort_figures(rows: Iterable[tuple[str, str, str, int]]) -> dict[str, Any]:
    """The effort figures from the tallies (what, a, b, n) the database keeps (migration 0013)."""
    spans: dict[str, Outcomes] = {}
    origins: dict[str, Outcomes] = {}
    roles: dict[str, Outcomes] = {}
    editors: dict[str, Editor] = {}
    days: dict[str, dict[str, int]] = {}
    times: dict[str, dict[str, int]] = {}
    compare: dict[str, dict[str, int]] = {"with": {}, "without": {}}
    label_actions: dict[str, dict[str, int]] = {}
    for what, a, b, n in rows:
        if what in ("outcome", "origin", "link"):
            table = {"outcome": spans, "origin": origins, "link": roles}[what]
            if b in ("kept", "changed", "deleted", "drawn", "dropped"):
                setattr(table.setdefault(a, Outcomes(open=0 if what == "outcome" else None)), b, n)
        elif what == "span" and b == "suggested":  # the suggestions left, by label (the spans' own tallies)
            spans.setdefault(a, Outcomes()).open = n
        elif what in ("ms", "act", "day", "time", "flag"):
            ed = editors.setdefault(a or "(unknown)", Editor(actions={}, flagged={}))
            if what == "ms":
                ed.ms = n
            elif what == "act":
                ed.actions[b] = n  # type: ignore[index]
            elif what == "day":
                days.setdefault(b, {})[a or "(unknown)"] = n
                ed.articles += n
            elif what == "time":
                times.setdefault(a or "(unknown)", {})[b] = n
            else:
                ed.flagged[b] = n  # type: ignore[index]
        elif what == "compare" and a in compare:
            compare[a][b] = n
        elif what == "label_actions" and b in compare:
            label_actions.setdefault(a, {})[b] = n
    origins = {k: v for k, v in origins.items() if k != "editor"}
    out_editors = {}
    for name, ed in sorted(editors.items()):
        actions = sum(n for k, n in (ed.actions or {}).items() if k in KINDS)
        out_editors[name] = {
            "active_hours": round(ed.hours, 2), "articles": ed.articles, "actions": actions,
            "actions_by_kind": {k: (ed.actions or {}).get(k, 0) for k in KINDS},
            "articles_per_hour": per_hour(ed.articles, ed.ms), "actions_per_hour": per_hour(actions, ed.ms),
            "flagged": {k: v for k, v in sorted((ed.flagged or {}).items()) if v},
            "time_per_article": {name_: times.get(name, {}).get(name_, 0) for _, name_ in TIME_BUCKETS},
        }
    with_without = {}
    for side, c in compare.items():
        w = c.get("words", 0)
        with_without[side] = {"articles": c.get("articles", 0), "words": w, "active_minutes":
                              round(c.get("ms", 0) / 60_000, 1), "actions": c.get("actions", 0),
                              "minutes_per_100_words": per_100_words(c.get("ms", 0) / 60_000, w),
                              "actions_per_100_words": per_100_words(c.get("actions", 0), w)}
    per_label = {label: {side: per_100_words(n.get(side, 0), compare[side].get("words", 0)) for side in compare}
                 for label, n in sorted(label_actions.items())}
    saved = sum(o.saved(DRAW_SPAN, DELETE_SPAN) for o in spans.values()) + sum(
        o.saved(DRAW_LINK, DELETE_LINK) for o in roles.values())
    return {
        "editors": out_editors,
        "answered_per_day": {d: dict(sorted(v.items())) for d, v in sorted(days.items()) if any(v.values())},
        "suggestions": {
            "by_label": {k: v.as_dict(DRAW_SPAN, DELETE_SPAN) for k, v in sorted(spans.items())},
            "by_origin": {k: v.as_dict(DRAW_SPAN, DELETE_SPAN) for k, v in sorted(origins.items())},
            "links_by_role": {k: v.as_dict(DRAW_LINK, DELETE_LINK) for k, v in sorted(roles.items())},
            "actions_saved": saved,
            "costly_rules": sorted(k for k, v in origins.items() if v.costly and not k.startswith("model")),
        },
        "with_and_without_suggestions": {**with_without, "actions_per_100_words_by_label": per_label},
    }


def _printable(text: str, width: int = 60) -> str:
    """A title from data, on one line of a terminal: no control characters (an escape sequence stays text)."""
    flat = "".join(ch if ch.isprintable() else " " for ch in " ".join(str(text or "").split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _outcome_line(name: str, o: dict[str, int], width: int) -> str:
    gone = o.get("removed_with_their_span", 0)
    left = "-" if o["open"] is None else o["open"]
    return (f"  {_printable(name, width):<{width}} kept {o['kept']:>6}  changed {o['changed']:>5}  deleted "
            f"{o['deleted']:>5}  open {left:>6}  drawn {o['drawn']:>5}  saved {o['actions_saved']:>+7}"
            + (f"  (and {gone} removed with their span)" if gone else ""))


def effort_lines(figures: dict[str, Any], flagged: list[dict[str, Any]] = ()) -> list[str]:  # type: ignore[assignment]
    """`annotator stats --effort`: the effort figures (`effort_figures`) in words."""
    out = ["where the work goes"]
    editors = figures["editors"]
    if not editors:
        out.append("  no editor's work recorded yet (the window records it as editors work)")
    else:
        out.append("editors (active time, articles answered, actions, per active hour):")
        for name, e in editors.items():
            pace = (f"{e['articles_per_hour']} articles/h, {e['actions_per_hour']} actions/h"
                    if e["articles_per_hour"] is not None else "no active time recorded")
            flags = ", ".join(f"{k} {v}" for k, v in e["flagged"].items())
            out.append(f"  {_printable(name, 20):<20} {e['active_hours']:>7.2f} h {e['articles']:>6} articles "
                       f"{e['actions']:>7} actions  {pace}" + (f"  flagged: {flags}" if flags else ""))
            out.append("    actions: " + ", ".join(f"{k} {v}" for k, v in e["actions_by_kind"].items() if v))
            times = ", ".join(f"{k} {v}" for k, v in e["time_per_article"].items() if v)
            if times:
                out.append(f"    time per article: {times}")
    days = figures["answered_per_day"]
    if days:
        out.append("articles answered per day (UTC days):")
        for day, by in list(days.items())[-14:]:
            out.append(f"  {day}  {sum(by.values()):>5}  (" + ", ".join(f"{_printable(k, 20)} {v}"
                                                                  for k, v in by.items()) + ")")
    sugg = figures["suggestions"]
    for title, table, draw, delete in (
            ("suggestions by label", sugg["by_label"], DRAW_SPAN, DELETE_SPAN),
            ("suggestions by rule pattern or model", sugg["by_origin"], DRAW_SPAN, DELETE_SPAN),
            ("links by role", sugg["links_by_role"], DRAW_LINK, DELETE_LINK)):
        rows = {k: v for k, v in table.items() if any(v[x] for x in ("kept", "changed", "deleted", "open", "drawn"))}
        if rows:
            out.append(f"{title} (kept as they were, after a change, deleted, not decided; drawn by hand; actions "
                       f"saved: {draw} for each kept, less {delete} for each deleted):")
            width = min(max(len(k) for k in rows), 40)
            out += [_outcome_line(k, v, width) for k, v in rows.items()]
    out.append(f"actions the suggestions saved in all: {sugg['actions_saved']:+}")
    if sugg["costly_rules"]:
        out.append("rule patterns whose suggestions are deleted more often than kept (fix or drop them): "
                   + ", ".join(_printable(k, 40) for k in sugg["costly_rules"]))
    ww = figures["with_and_without_suggestions"]
    share = ww.get("hidden_share", 0)
    out.append(f"with and without suggestions (hidden on {share:.0%} of the articles, seed {ww.get('seed', '0')}"
               + ("; set a share with `annotator settings --hide-suggestions 0.1`" if not share else "") + "):")
    for side in ("with", "without"):
        c = ww[side]
        per = (f"{c['minutes_per_100_words']} min and {c['actions_per_100_words']} actions per 100 words"
               if c["words"] else "no answered article with a recorded opening yet")
        out.append(f"  {side:<8} {c['articles']:>6} articles, {c['words']:>8} words: {per}")
    by_label = ww["actions_per_100_words_by_label"]
    if by_label:
        out.append("  actions per 100 words by label (with / without): " + ", ".join(
            f"{_printable(k, 20)} {v['with'] if v['with'] is not None else '-'} / "
            f"{v['without'] if v['without'] is not None else '-'}" for k, v in by_label.items()))
    total = sum(sum(e["flagged"].values()) for e in editors.values())
    out.append(f"articles flagged for a look: {total} (the queue's filter \"Accepted in haste\")")
    for f in flagged:
        out.append(f"  {f['id']:>7} {f['editor']}: {f['why']} ({f['seconds']} s, {f['words']} words)  "
                   f"{_printable(f['title'])}")
    return out
