"""Where the editors' work goes (`store.effort`): the "opened" entries of the change log, the project's setting
that hides the suggestions of a share of the articles, and the effort figures, read from the tallies the
database keeps (migration 0013), never counted at each look. See annotator.core.effort."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from annotator.core.effort import KINDS, effort_figures, hidden
from annotator.core.errors import InputError
from annotator.store.sql import Repository

HIDE_SHARE, HIDE_SEED = "hide_suggestions_share", "hide_suggestions_seed"
EFFORT_TALLIES = ("outcome", "origin", "link", "ms", "act", "day", "time", "flag", "compare", "label_actions", "span")
FLAGS = {"fast": "accepted faster than it can be read", "stamped": "accepted with every suggestion as it was, "
         "many articles in a row"}


class Effort(Repository):
    """`store.effort`."""

    def opened(self, visits: list[tuple[int, int, bool, tuple[int, int] | None]], who: str | None) -> None:
        """The editor opened these articles, each (id, its words, whether it hides its suggestions, the active
        time left on the article before as (id, milliseconds) or None): one transaction. The window records
        them, unless the editor turned recording off."""
        with self.store.write():
            for doc_id, words, hidden_, left in visits:
                if left is not None and left[1] > 0:
                    self.store._log("left", who, left[0], work={"kind": "left", "ms": left[1]})
                self.store._log("opened", who, doc_id, work={"kind": "opened", "ms": 0, "words": words,
                                                              "hidden": int(hidden_)})

    def left(self, doc_id: int, who: str | None, ms: int) -> None:
        """The active time left on an article as the editor closes it (the window, the project)."""
        if ms > 0:
            with self.store.write():
                self.store._log("left", who, doc_id, work={"kind": "left", "ms": ms})

    # ---------------------------------------------------------------- hiding suggestions

    def hide_setting(self) -> tuple[float, str]:
        """The share of articles shown without suggestions (0: none), and the seed that chooses them."""
        try:
            share = float(self.store.get_meta(HIDE_SHARE) or 0)
        except ValueError:
            share = 0.0
        return (share if math.isfinite(share) and 0 <= share <= 1 else 0.0), self.store.get_meta(HIDE_SEED) or "0"

    def set_hide(self, share: float, seed: str = "0", who: str | None = None) -> None:
        """Shows `share` of the articles (0 to 0.5) without suggestions, chosen by `seed` (logged)."""
        if not (isinstance(share, int | float) and math.isfinite(share) and 0 <= share <= 0.5):
            raise InputError(f"the share of articles without suggestions must be between 0 and 0.5, not {share}")
        with self.store.write():
            self.store._set_meta(HIDE_SHARE, repr(float(share)))
            self.store._set_meta(HIDE_SEED, str(seed))
            self.store._log("set_hide", who, None, None, share=share, seed=str(seed))

    def is_hidden(self, doc_id: int) -> bool:
        share, seed = self.hide_setting()
        if share <= 0:
            return False
        row = self.conn.execute("SELECT input_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row is not None and hidden(row[0], share, seed)

    # ---------------------------------------------------------------- the figures

    def figures(self) -> dict[str, Any]:
        """The effort figures (annotator.core.effort.effort_figures) with the hiding setting: read from the
        tallies, as fast on a million articles as on ten."""
        rows = self.conn.execute(f"SELECT what, a, b, n FROM tallies WHERE what IN {EFFORT_TALLIES} AND n != 0 "
                                 "ORDER BY what, a, b").fetchall()
        out = effort_figures(rows)
        share, seed = self.hide_setting()
        out["with_and_without_suggestions"]["hidden_share"] = share
        out["with_and_without_suggestions"]["seed"] = seed
        return out

    def flagged(self, limit: int = 1000) -> list[dict[str, Any]]:
        """The articles flagged for a reviewer's look, first ones first."""
        return [{"id": r[0], "title": r[1], "editor": r[2], "flag": r[3], "why": FLAGS.get(r[3], r[3]),
                 "seconds": round(r[4] / 1000, 1), "words": r[5]} for r in self.conn.execute(
            "SELECT e.doc_id, d.title, e.editor, e.flag, e.answer_ms, e.words FROM effort e JOIN documents d ON "
            "d.id = e.doc_id WHERE e.flag != '' ORDER BY e.doc_id, e.editor LIMIT ?", (limit,))]

    def flags_of(self, doc_id: int) -> list[tuple[str, str, float, int]]:
        """Why an article was flagged for a look, per editor: (editor, why, seconds at the answer, words)."""
        return [(r[0], FLAGS.get(r[1], r[1]), round(r[2] / 1000, 1), r[3]) for r in self.conn.execute(
            "SELECT editor, flag, answer_ms, words FROM effort WHERE doc_id = ? AND flag != '' ORDER BY editor",
            (doc_id,))]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every editor's record of every article they worked on (`annotator export --format effort`), with
        what the article's suggestions became in this project's own annotations (an editor's file: theirs; a
        team's project: the gold layer), beside the spans drawn by hand."""
        kinds = ", ".join(f"e.k_{k}" for k in KINDS)
        kept = ("s.state = 'accepted' AND coalesce(s.first_label, s.label) = s.label AND coalesce(s.first_at, "
                "s.start || ':' || s.\"end\") = s.start || ':' || s.\"end\"")
        made = "s.source != 'editor'"
        fates = (f"SELECT coalesce(sum({made}), 0), coalesce(sum({made} AND {kept}), 0), coalesce(sum({made} AND "
                 f"s.state = 'accepted'), 0), coalesce(sum({made} AND s.state = 'rejected'), 0), coalesce(sum(NOT "
                 f"{made} AND s.state = 'accepted'), 0) FROM spans s WHERE s.doc_id = ?")
        article: tuple = (None, ())  # one article's figures, the same for each of its editors
        for r in self.conn.execute(
                f"SELECT e.doc_id, d.external_id, d.title, e.editor, e.ms, e.opened, e.words, e.hidden, e.answer, "
                f"e.answered_at, e.answer_ms, e.flag, {kinds} FROM effort e JOIN documents d ON d.id = e.doc_id "
                "ORDER BY e.doc_id, e.editor"):  # streamed: each article's spans asked on their own cursor
            if article[0] != r[0]:
                article = (r[0], self.conn.execute(fates, (r[0],)).fetchone())
            made, as_made, accepted, deleted, drawn = article[1]
            yield {"id": r[0], "external_id": r[1], "title": r[2], "editor": r[3],
                   "active_seconds": round(r[4] / 1000, 1), "opened": r[5], "words": r[6],
                   "suggestions_hidden": bool(r[7]), "answer": r[8], "answered_at": r[9],
                   "seconds_at_answer": round(r[10] / 1000, 1), "flag": r[11],
                   "actions": dict(zip(KINDS, r[12:], strict=True)),
                   "suggestions": {"made": made, "kept": as_made, "changed": accepted - as_made, "deleted": deleted,
                                   "open": made - accepted - deleted},
                   "drawn_by_hand": drawn}
