"""A team's project: articles assigned to editors, each editor's project file packed from it, and their work
merged back as each editor's own layer (annotator.store.merging), reviewed into the gold layer
(annotator.store.review)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from annotator.core.agreement import ArticleWork
from annotator.core.errors import DatabaseError, InputError
from annotator.core.tokens import token_bounds
from annotator.store.effort import HIDE_SEED, HIDE_SHARE
from annotator.store.merging import GOLD, NOT_WORK, Conflict, MergeReport, Merging, check_editor_name
from annotator.store.review import Review, ReviewReport
from annotator.store.sql import now, rows_in

__all__ = ["GOLD", "NOT_WORK", "Conflict", "MergeReport", "ReviewReport", "Team", "check_editor_name"]


class Team(Merging, Review):
    """`store.team`: assignments, packing, merging editors' files into layers, and reading the layers."""

    # ------------------------------------------------------------------ assignments

    def assign(self, editors: Sequence[str], overlap: int, seed: int = 0, who: str | None = None) -> dict[str, int]:
        """Gives every article not yet assigned to `overlap` of the editors, balanced: each article goes to the
        editors with the fewest articles so far (counting earlier assignments), ties drawn by the seed.
        Returns the articles each editor was given now."""
        if not [e for e in editors if e.strip()]:
            raise InputError("--editors: no editor named (give their names, comma-separated: ana,ben)")
        names = [check_editor_name(e, "--editors") for e in editors]
        if len(set(names)) != len(names):
            raise InputError(f"--editors: {', '.join(sorted(n for n, k in Counter(names).items() if k > 1))} "
                             "named twice")
        if not 1 <= overlap <= len(names):
            raise InputError(f"--overlap {overlap}: each article goes to between 1 and {len(names)} editors (the "
                             "number of editors named)")
        rng = random.Random(seed)
        given: Counter = Counter()
        with self.store.write() as conn:
            load = Counter({n: 0 for n in names})
            for editor, n in conn.execute("SELECT editor, count(*) FROM assignments GROUP BY editor"):
                if editor in load:
                    load[editor] = n
            todo = [r[0] for r in conn.execute(
                "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM assignments) ORDER BY id")]
            rows = []
            for doc_id in todo:
                chosen = sorted(names, key=lambda n: (load[n], rng.random()))[:overlap]
                for n in chosen:
                    load[n] += 1
                    given[n] += 1
                    rows.append((doc_id, n))
            conn.executemany("INSERT INTO assignments(doc_id, editor) VALUES (?, ?)", rows)
            if rows:
                self.store._log("assign", who, editors=names, overlap=overlap, seed=seed, documents=len(todo))
        return {n: given[n] for n in names}

    def assignments(self) -> dict[str, int]:
        """Articles assigned to each editor."""
        return dict(self.conn.execute("SELECT editor, count(*) FROM assignments GROUP BY editor ORDER BY editor"))

    def editors(self) -> list[str]:
        """Everyone with a layer or an assignment: each table's editors found by seeking its editor index from one
        name to the next (a window opening a project with millions of layer rows read them all)."""
        names: set[str] = set()
        for table in ("assignments", "layer_answers", "layer_spans"):
            names.update(r[0] for r in self.conn.execute(
                f"WITH RECURSIVE e(name) AS (SELECT min(editor) FROM {table} UNION ALL SELECT (SELECT min(editor) "
                f"FROM {table} WHERE editor > e.name) FROM e WHERE e.name IS NOT NULL) SELECT name FROM e "
                "WHERE name IS NOT NULL"))
        return sorted(names)

    def work(self, editors: Sequence[str] | None = None, chunk: int = 500) -> Iterator[ArticleWork]:
        """Every article some editor answered in their layer, with each editor's answer and accepted spans and
        links, read a chunk of articles at a time in the order of their ids."""
        conn = self.conn
        who = list(editors or self.editors())
        if not who:
            return
        after = 0
        while True:
            ids = [r[0] for r in rows_in(conn, "SELECT DISTINCT doc_id FROM layer_answers WHERE doc_id > ? AND editor "
                                               "IN ({in}) ORDER BY doc_id LIMIT ?", who, before=[after], after=[chunk],
                                         chunk=len(who))]
            if not ids:
                return
            after = ids[-1]
            docs = {i: ArticleWork(i, t or "", *_bounds(text, blob)) for i, t, text, blob in rows_in(
                conn, "SELECT d.id, d.title, d.text, t.data FROM documents d LEFT JOIN tokens t ON t.doc_id = d.id "
                      "WHERE d.id IN ({in})", ids)}
            self._fill(docs, who)
            yield from (docs[i] for i in ids)

    # ------------------------------------------------------------------ packing

    def fill_from(self, team_path: Path, editor: str, who: str | None = None) -> int:
        """On a new, empty project: the articles the team's project at `team_path` assigned to `editor`, with
        their tokens, pre-annotation's suggestions (spans and links), the editor's own work merged back before
        (their layer: answers, spans and links, so a file packed again carries on where the last one left off),
        and the editor's name. Returns the number of articles. Row ids are the team's (nothing relies on them when
        the file comes back)."""
        conn = self.conn
        if conn.execute("SELECT count(*) FROM documents").fetchone()[0]:
            raise DatabaseError(f"{self.store.path}: already holds articles; an editor's file is packed afresh")
        conn.execute("ATTACH DATABASE ? AS team", (str(team_path),))
        try:
            with self.store.write():
                mine = "SELECT doc_id FROM team.assignments WHERE editor = ?"
                n = conn.execute(
                    "INSERT INTO documents(id, external_id, title, text, meta, input_hash, source_file, answer, "
                    "revision, created_at) SELECT id, external_id, title, text, meta, input_hash, source_file, "
                    f"'pending', 0, created_at FROM team.documents WHERE id IN ({mine}) ORDER BY id",
                    (editor,)).rowcount
                if not n:
                    raise InputError(f"{team_path}: no articles are assigned to {editor!r} (assign them first: "
                                     "annotator assign)")
                conn.execute(f"INSERT INTO tokens(doc_id, data) SELECT doc_id, data FROM team.tokens WHERE doc_id "
                             f"IN ({mine})", (editor,))
                # the suggestions pre-annotation made (whatever a review did with them since), as suggestions
                conn.execute('INSERT INTO spans(id, doc_id, start, "end", label, source, state, score, created_by, '
                             'updated_at, origin) SELECT id, doc_id, start, "end", label, source, \'suggested\', '
                             f"score, created_by, updated_at, origin FROM team.spans WHERE source != 'editor' AND "
                             f"doc_id IN ({mine})", (editor,))  # with the rule pattern or model that made each
                conn.execute("INSERT INTO links(id, doc_id, event_id, arg_id, role, source, state, score, created_by, "
                             "updated_at) SELECT l.id, l.doc_id, l.event_id, l.arg_id, l.role, l.source, 'suggested', "
                             "l.score, l.created_by, l.updated_at FROM team.links l WHERE l.source != 'editor' AND "
                             f"l.doc_id IN ({mine}) AND l.event_id IN (SELECT id FROM main.spans) AND "
                             "l.arg_id IN (SELECT id FROM main.spans)", (editor,))
                self._own_work_back(editor)
                # what the editor's layer has seen, so that a merge of this file can tell what they took back
                conn.execute("INSERT INTO changes(doc_id, action, who, at, detail) SELECT doc_id, action, who, at, "
                             f"detail FROM team.layer_changes WHERE editor = ? AND doc_id IN ({mine}) ORDER BY at, uid",
                             (editor, editor))
                conn.execute("INSERT INTO preannotated(doc_id, pipeline, at, suggestions) SELECT doc_id, pipeline, "
                             f"at, suggestions FROM team.preannotated WHERE doc_id IN ({mine})", (editor,))
                stamp = now()
                conn.executemany("INSERT OR REPLACE INTO project(key, value) VALUES (?, ?)", [
                    ("editor", editor), ("packed_at", stamp), ("team", Path(team_path).name)])
                # the team's share of articles without suggestions: every editor's file hides the same ones
                conn.execute("INSERT OR REPLACE INTO project(key, value) SELECT key, value FROM team.project WHERE "
                             "key IN (?, ?)", (HIDE_SHARE, HIDE_SEED))
                self.store._log("pack", who, editor=editor, documents=n, team=str(team_path))
        finally:
            conn.execute("DETACH DATABASE team")
        return n

    def _own_work_back(self, editor: str) -> None:
        """Inside `fill_from`, the team's project attached as `team`: the editor's layer over the suggestions."""
        conn = self.conn
        conn.execute(
            'INSERT INTO spans(doc_id, start, "end", label, source, state, created_by, updated_at) '
            'SELECT doc_id, start, "end", label, source, state, editor, at FROM team.layer_spans WHERE editor = ? '
            "AND doc_id IN (SELECT id FROM main.documents) ORDER BY doc_id, start, \"end\", label "
            'ON CONFLICT(doc_id, start, "end", label) DO UPDATE SET state = excluded.state, '
            "updated_at = excluded.updated_at", (editor,))
        span = 'SELECT id FROM main.spans s WHERE s.doc_id = l.doc_id AND s.start = l.{0}_start AND ' \
               's."end" = l.{0}_end AND s.label = l.{0}_label'
        conn.execute(
            "INSERT INTO links(doc_id, event_id, arg_id, role, source, state, created_by, updated_at) "
            f"SELECT l.doc_id, ({span.format('event')}), ({span.format('arg')}), l.role, 'editor', l.state, "
            "l.editor, l.at FROM team.layer_links l WHERE l.editor = ? AND l.doc_id IN (SELECT id FROM "
            "main.documents) ORDER BY 1, 2, 3, 4 ON CONFLICT(event_id, arg_id, role) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at", (editor,))
        conn.execute(  # their notes, on the article or on the span they were on
            "INSERT OR REPLACE INTO notes(doc_id, span_id, text, flagged, who, updated_at) SELECT doc_id, span_id, "
            "text, flagged, editor, at FROM (SELECT n.doc_id, CASE WHEN n.start = -1 THEN 0 ELSE (SELECT s.id FROM "
            'main.spans s WHERE s.doc_id = n.doc_id AND s.start = n.start AND s."end" = n."end" AND s.label = '
            "n.label) END AS span_id, json_extract(n.note, '$[0]') AS text, json_extract(n.note, '$[1]') AS flagged, "
            "n.editor, n.at FROM team.layer_notes n WHERE n.editor = ? AND n.doc_id IN (SELECT id FROM "
            "main.documents)) WHERE span_id IS NOT NULL", (editor,))
        conn.execute("UPDATE documents SET (answer, answered_by, answered_at) = (SELECT a.answer, a.editor, a.at "
                     "FROM team.layer_answers a WHERE a.doc_id = documents.id AND a.editor = ?) WHERE id IN "
                     "(SELECT doc_id FROM team.layer_answers WHERE editor = ?)", (editor, editor))


def _bounds(text: str, blob: bytes | None) -> tuple[Sequence[int], Sequence[int]]:
    """The tokens' offsets: those stored, else the text's words and punctuation marks."""
    if blob:
        return token_bounds(blob)
    found = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    return [s for s, _ in found], [e for _, e in found]
