"""A team's project: articles assigned to editors, each editor's project file packed from it, and their work
merged back as each editor's own layer.

An editor's layer is keyed by what its rows are (the article, the editor, offsets, label, role), never by the
row ids of the file it came from: merging a file twice adds nothing, and files merged in any order give the
same rows. Per span, link and answer the later change wins; when two files of one editor changed the same
thing and neither had seen the other's change (work on two machines), the merge report lists it."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.agreement import ArticleWork, LinkKey, f1
from annotator.core.errors import DatabaseError, InputError
from annotator.core.model import Answer, Token
from annotator.core.tokens import pack_tokens, token_bounds
from annotator.store.sql import Host, Repository, execute_in, now, rows_in, sqlite_error

GOLD = "gold"  # the reviewed layer (the project's own annotations: export --layer gold); no editor is called so
# the change log's actions that are not an editor's work on an article
NOT_WORK = ("import", "preannotate", "remove_suggestions", "remove_documents", "pack")


def check_editor_name(name: str, where: str = "editor") -> str:
    name = name.strip()
    if not name:
        raise InputError(f"{where}: an editor needs a name")
    if name == GOLD:
        raise InputError(f"{where}: {GOLD!r} is the reviewers' layer, not an editor's name")
    if "," in name or any(c.isspace() and c != " " for c in name) or len(name) > 100:
        raise InputError(f"{where}: {name[:100]!r} cannot be an editor's name (no commas or line breaks, at most "
                         "100 characters)")
    return name


@dataclass(frozen=True)
class Conflict:
    """One thing an editor changed differently in two files, neither having seen the other's change."""

    editor: str
    doc_id: int
    what: str  # 'answer', 'span' or 'link'
    item: str  # what it is, in words
    kept: str  # the state kept (the later change), and when
    other: str  # the state set aside, and when


@dataclass
class MergeReport:
    """What one file brought in, per editor."""

    path: str
    articles: Counter = field(default_factory=Counter)  # articles with work that came in (new or changed)
    new_articles: Counter = field(default_factory=Counter)  # articles the team's project did not have
    answers: Counter = field(default_factory=Counter)
    spans: Counter = field(default_factory=Counter)
    links: Counter = field(default_factory=Counter)
    changes: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)  # rows of the layer the file no longer holds, taken out
    conflicts: list[Conflict] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)

    @property
    def editors(self) -> list[str]:
        return sorted(set(self.articles) | set(self.changes) | set(self.new_articles) | set(self.removed))

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "editors": {e: {"articles": self.articles[e], "new_articles": self.new_articles[e],
                            "answers": self.answers[e], "spans": self.spans[e], "links": self.links[e],
                            "changes": self.changes[e], "removed": self.removed[e]} for e in self.editors},
            "conflicts": [c.__dict__ for c in self.conflicts],
            "labels_added": self.labels_added,
        }


def _later(existing: tuple[str, str] | None, incoming: tuple[str, str], seen_here: set[str],
           seen_there: set[str]) -> tuple[bool, bool]:
    """(take the incoming row, is it a conflict) for one row of a layer, given as (state, time) each. The later
    change wins (the state breaks a tie, so the order of merges never matters). It is a conflict when the states
    differ and the winner's file had not seen the loser's change: `seen_there` are the change times the incoming
    file holds for the article, `seen_here` those the team's layer holds."""
    if existing is None:
        return True, False
    if existing == incoming:
        return False, False
    take = (incoming[1], incoming[0]) > (existing[1], existing[0])
    if existing[0] == incoming[0]:
        return take, False
    return take, (existing[1] not in seen_there) if take else (incoming[1] not in seen_here)


LINK_KEY = ["event_start", "event_end", "event_label", "arg_start", "arg_end", "arg_label", "role"]


def _key(key: Sequence[Any]) -> str:
    """A layer row's key (without article and editor) as `layer_removed` keeps it."""
    return json.dumps(list(key), ensure_ascii=False)


def _source_error(src: Host, exc: sqlite3.Error) -> DatabaseError:
    """SQLite's error met while reading an editor's file, naming that file (not the team's project)."""
    return sqlite_error(src.path, exc)


def _uid(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


class Team(Repository):
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

    # ------------------------------------------------------------------ review

    def prepare_review(self, threshold: float = 1.0, who: str | None = None) -> ReviewReport:
        """Writes the editors' layers into the project's own spans, links and answers (the gold layer), for every
        article some editor answered that was not prepared before: a span or link that at least `threshold` of
        the editors who accepted the article have is accepted (INCEpTION's merge strategy; 1.0: all of them),
        the others are left as suggestions for the reviewer, and suggestions no editor kept are rejected.
        `came_from` names the editors each came from. An article on which every editor it is assigned to has
        answered and all agree (answers, spans and links) is answered at once; one that waits for an assigned
        editor is never settled (`waiting` says whose answers are missing). An article prepared earlier whose
        layers a later merge changed is prepared again if the reviewer has not touched it since (a settled one
        is reopened when the new work disagrees); one the reviewer worked on is left as it is and counted in
        `changed_since` (a reviewer's decisions are never undone). `reviews` records each article's agreement
        (mean exact span F1 of its editors' pairs) and what is left to decide. One transaction."""
        if not 0 < threshold <= 1:
            raise InputError(f"--threshold {threshold}: a share of the editors, above 0 and at most 1")
        report = ReviewReport()
        conn = self.conn
        with self.store.write():
            todo = [r[0] for r in conn.execute(
                "SELECT DISTINCT a.doc_id FROM layer_answers a JOIN documents d ON d.id = a.doc_id WHERE "
                "d.answer = 'pending' AND a.doc_id NOT IN (SELECT doc_id FROM reviews) ORDER BY a.doc_id")]
            # prepared before, and a merge changed an editor's layer of it since
            again, kept = [], 0
            for d, reviewed, answer, answered_at, touched in conn.execute(
                    "SELECT r.doc_id, r.at, d.answer, d.answered_at, EXISTS (SELECT 1 FROM changes c WHERE "
                    "c.doc_id = r.doc_id AND c.at > r.at AND c.action != 'review') FROM reviews r JOIN documents d "
                    "ON d.id = r.doc_id WHERE EXISTS (SELECT 1 FROM layer_merges m WHERE m.doc_id = r.doc_id AND "
                    "m.at > r.at) ORDER BY r.doc_id").fetchall():
                settled_by_review = answer != Answer.PENDING.value and answered_at == reviewed
                if touched or not (answer == Answer.PENDING.value or settled_by_review):
                    kept += 1  # the reviewer decided something since: their decisions stand
                    continue
                again.append(d)
            report.changed_since = kept
            if again:
                self._reopen(again)
                report.reopened = len(again)
            assigned: dict[int, set[str]] = defaultdict(set)
            ids = sorted({*todo, *again})
            for d, e in rows_in(conn, "SELECT doc_id, editor FROM assignments WHERE doc_id IN ({in})", ids):
                assigned[d].add(e)
            for work in self._works(ids):
                self._prepare_one(work, threshold, who, report, assigned.get(work.doc_id, set()))
            if ids:
                self.store._log("review", who, threshold=threshold, articles=report.articles, settled=report.settled,
                                disputed=report.disputed, reopened=report.reopened, waiting=dict(report.waiting))
        return report

    def _reopen(self, ids: list[int]) -> None:
        """Inside the review: articles prepared before are put back as they were before the review (what it
        wrote is a suggestion again, an answer it gave is taken back), to be prepared from the layers anew."""
        conn = self.conn
        stamp = now()
        execute_in(conn, "DELETE FROM reviews WHERE doc_id IN ({in})", ids)
        for d in ids:
            conn.execute("UPDATE spans SET state = 'suggested', updated_at = ? WHERE doc_id = ? AND came_from IS NOT "
                         "NULL", (stamp, d))
            conn.execute("UPDATE links SET state = 'suggested', updated_at = ? WHERE doc_id = ? AND came_from IS NOT "
                         "NULL", (stamp, d))
            conn.execute("UPDATE documents SET answer = 'pending', answered_by = NULL, answered_at = NULL WHERE id = ?",
                         (d,))

    def _works(self, ids: list[int], chunk: int = 500) -> Iterator[ArticleWork]:
        """Each editor's work on these articles (without their text: the review needs none)."""
        who = self.editors()
        for i in range(0, len(ids), chunk):
            docs = {d: ArticleWork(d, "", (), ()) for d in ids[i:i + chunk]}
            self._fill(docs, who)
            yield from docs.values()

    def _fill(self, docs: dict[int, ArticleWork], who: list[str]) -> None:
        """The answers, accepted spans and accepted links these editors' layers hold for these articles."""
        ids = list(docs)
        wanted = f"editor IN ({', '.join('?' * len(who))})"
        for d, e, answer in rows_in(self.conn, "SELECT doc_id, editor, answer FROM layer_answers WHERE doc_id IN "
                                               f"({{in}}) AND {wanted}", ids, after=who):
            docs[d].answers[e] = answer
        for d, e, s, end, label in rows_in(self.conn, 'SELECT doc_id, editor, start, "end", label FROM layer_spans '
                                                      f"WHERE doc_id IN ({{in}}) AND state = 'accepted' AND {wanted}",
                                           ids, after=who):
            docs[d].spans.setdefault(e, set()).add((s, end, label))
        for d, e, *k in rows_in(self.conn, "SELECT doc_id, editor, event_start, event_end, event_label, arg_start, "
                                           "arg_end, arg_label, role FROM layer_links WHERE doc_id IN ({in}) AND "
                                           f"state = 'accepted' AND {wanted}", ids, after=who):
            docs[d].links.setdefault(e, set()).add(((k[0], k[1], k[2]), (k[3], k[4], k[5]), k[6]))

    def _prepare_one(self, work: ArticleWork, threshold: float, who: str | None, report: ReviewReport,
                     assigned: set[str]) -> None:
        conn = self.conn
        d = work.doc_id
        report.articles += 1
        answers = {e: a for e, a in work.answers.items() if a != Answer.PENDING.value}
        missing = sorted(assigned - set(answers))
        for e in missing:
            report.waiting[e] += 1
        accepted = sorted(e for e, a in answers.items() if a == Answer.ACCEPT.value)
        same_answer = len(set(answers.values())) == 1
        self.store.bump(d, None)
        stamp = now()
        span_support: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        link_support: dict[LinkKey, list[str]] = defaultdict(list)
        for e in accepted:
            for k in work.spans.get(e, ()):
                span_support[k].append(e)
            for k in work.links.get(e, ()):
                link_support[k].append(e)
        existing = {(r[1], r[2], r[3]): (r[0], r[4]) for r in conn.execute(
            'SELECT id, start, "end", label, state FROM spans WHERE doc_id = ?', (d,))}
        disputed = 0
        ids: dict[tuple[int, int, str], int] = {}
        for key, editors in sorted(span_support.items()):
            agreed = same_answer and not missing and _share(len(editors), len(accepted), threshold)
            state = "accepted" if agreed else "suggested"
            origin = ",".join(editors)
            if key in existing:
                conn.execute("UPDATE spans SET state = ?, came_from = ?, updated_at = ? WHERE id = ?",
                             (state, origin, stamp, existing[key][0]))
                ids[key] = existing[key][0]
            else:
                ids[key] = conn.execute(
                    'INSERT INTO spans(doc_id, start, "end", label, source, state, created_by, updated_at, came_from) '
                    "VALUES (?, ?, ?, ?, 'editor', ?, ?, ?, ?)", (d, *key, state, editors[0], stamp, origin)).lastrowid
            report.spans_accepted += agreed
            report.spans_disputed += not agreed
            disputed += not agreed
        if accepted:  # what the editors who accepted the article all left out is not gold
            gone = [i for k, (i, st) in existing.items() if k not in span_support and st == "suggested"]
            conn.executemany("UPDATE spans SET state = 'rejected', updated_at = ? WHERE id = ?",
                             [(stamp, i) for i in gone])
            conn.execute("UPDATE links SET state = 'rejected', updated_at = ? WHERE doc_id = ? AND state = "
                         "'suggested'", (stamp, d))
        for (ev, arg, role), editors in sorted(link_support.items()):
            if ev not in ids or arg not in ids:  # a link whose span its editor no longer kept
                continue
            both = conn.execute("SELECT count(*) FROM spans WHERE id IN (?, ?) AND state = 'accepted'",
                                (ids[ev], ids[arg])).fetchone()[0] == 2
            agreed = same_answer and not missing and _share(len(editors), len(accepted), threshold) and both
            state = "accepted" if agreed else "suggested"
            conn.execute("INSERT INTO links(doc_id, event_id, arg_id, role, source, state, created_by, updated_at, "
                         "came_from) VALUES (?, ?, ?, ?, 'editor', ?, ?, ?, ?) ON CONFLICT(event_id, arg_id, role) "
                         "DO UPDATE SET state = excluded.state, came_from = excluded.came_from, "
                         "updated_at = excluded.updated_at",
                         (d, ids[ev], ids[arg], role, state, editors[0], stamp, ",".join(editors)))
            report.links_accepted += agreed
            report.links_disputed += not agreed
            disputed += not agreed
        scores = [f1(len(work.spans.get(a, set()) & work.spans.get(b, set())), len(work.spans.get(a, ())),
                     len(work.spans.get(b, ()))) for i, a in enumerate(accepted) for b in accepted[i + 1:]]
        score = sum(1.0 if x is None else x for x in scores) / len(scores) if scores else 1.0
        if not same_answer:
            disputed += 1
            score = min(score, 0.0)  # the editors do not even agree whether the article holds events
        if missing:  # never settled on the word of some of its editors
            disputed += len(missing)
            report.waiting_articles += 1
        if not disputed:
            answer = next(iter(answers.values()))
            conn.execute("UPDATE documents SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
                         (answer, who, stamp, d))
            report.settled += 1
        else:
            report.disputed += 1
        conn.execute("INSERT OR REPLACE INTO reviews(doc_id, editors, score, disputed, at) VALUES (?, ?, ?, ?, ?)",
                     (d, len(answers), score, disputed, stamp))
        self.store._log("review", who, d, None, editors=sorted(answers), threshold=threshold, disputed=disputed,
                        settled=not disputed)

    def take_rows(self, doc_id: int, editor: str) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
        """What taking `editor`'s version of an article's open questions does: every span and link still to be
        decided (a suggestion the review wrote) accepted if it came from that editor, removed if not. As
        (id, label, state) of spans and (id, state) of links, for the session's Restore (so undo puts it back)."""
        spans = [(i, label, "accepted" if editor in c.split(",") else "rejected") for i, label, c in self.conn.execute(
            "SELECT id, label, came_from FROM spans WHERE doc_id = ? AND state = 'suggested' AND came_from IS NOT "
            "NULL ORDER BY id", (doc_id,))]
        standing = {i for i, _, st in spans if st == "accepted"} | self._accepted(doc_id)
        links = [(i, "accepted" if editor in c.split(",") and ev in standing and arg in standing else "rejected")
                 for i, ev, arg, c in self.conn.execute(
                     "SELECT id, event_id, arg_id, came_from FROM links WHERE doc_id = ? AND state = 'suggested' AND "
                     "came_from IS NOT NULL ORDER BY id", (doc_id,))]
        return spans, links

    def _accepted(self, doc_id: int) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT id FROM spans WHERE doc_id = ? AND state = 'accepted'",
                                                (doc_id,))}

    def take(self, doc_id: int, editor: str, who: str | None = None) -> int:
        """Takes `editor`'s version of what is left to decide in an article (see `take_rows`); one transaction,
        logged. Returns the number of spans and links decided."""
        if editor not in self.editors():
            raise InputError(f"--take: no editor {editor!r} in {self.store.path} (its editors: "
                             f"{', '.join(self.editors()) or 'none'})")
        spans, links = self.take_rows(doc_id, editor)
        with self.store.recording({"kind": "Take", "doc_id": doc_id, "editor": editor}):
            self.store.annotations.restore_spans(doc_id, spans, who, links=links)
        return len(spans) + len(links)

    def origins(self, doc_id: int) -> dict[int, list[str]]:
        """span id -> the editors whose layers held it (spans written by the review)."""
        return {i: c.split(",") for i, c in self.conn.execute(
            "SELECT id, came_from FROM spans WHERE doc_id = ? AND came_from IS NOT NULL", (doc_id,))}

    def review_of(self, doc_id: int) -> tuple[int, float, int] | None:
        """(editors, agreement score, things left to decide) of an article the review prepared."""
        return self.conn.execute("SELECT editors, score, disputed FROM reviews WHERE doc_id = ?",
                                 (doc_id,)).fetchone()

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
                             'updated_at) SELECT id, doc_id, start, "end", label, source, \'suggested\', score, '
                             f"created_by, updated_at FROM team.spans WHERE source != 'editor' AND doc_id IN ({mine})",
                             (editor,))
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
        conn.execute("UPDATE documents SET (answer, answered_by, answered_at) = (SELECT a.answer, a.editor, a.at "
                     "FROM team.layer_answers a WHERE a.doc_id = documents.id AND a.editor = ?) WHERE id IN "
                     "(SELECT doc_id FROM team.layer_answers WHERE editor = ?)", (editor, editor))

    # ------------------------------------------------------------------ merging

    def merge(self, src: Host, editor: str | None = None, who: str | None = None,
              only: set[int] | None = None, tokenizer: Callable[[str], Sequence[Token]] | None = None,
              add_labels: bool = False) -> MergeReport:
        """Brings an editor's project file (`src`, open) into this team's project as that editor's layer: their
        answers, spans and links (those they decided, and those they changed after the file was packed), and
        their change log. Articles the team's project lacks come in too (matched by their text's hash), with
        tokens made by `tokenizer` (so the team's tokens never depend on which file came first). The
        editor is `editor` if given, else the one the file was packed for, else each article's answerer. `only`:
        just these articles of the file (by its ids), as a window merges each article when it is answered.

        What left the file since an earlier merge (a span relabelled or taken back, an answer put back to pending)
        leaves the layer too, when the file had seen it: after any sequence of edits and merges, an editor's
        layer is what a fresh merge of their file gives. Labels and roles the team's scheme lacks are refused,
        or added with `add_labels` (as `import --add-labels` does)."""
        report = MergeReport(str(src.path))
        try:
            incoming = self._read_source(src, editor, only)
        except sqlite3.Error as exc:  # a damaged editor's file: named, the team's project untouched
            raise _source_error(src, exc) from None
        docs, spans, links, changes, worked, owner = (incoming[k] for k in (
            "docs", "spans", "links", "changes", "worked", "owner"))
        seen_there, last_there = incoming["seen"], incoming["last"]
        with self.store.write() as conn:
            report.labels_added = self._labels_from(src, spans, links, add_labels)
            team_id = self._documents_from(src, sorted(worked), owner, report, tokenizer)
            team_id.update(self._known_documents(src, sorted(set(owner) - worked)))
            self._assign_missing({d: owner[d] for d in worked}, team_id)
            seen_here: dict[tuple[str, int], set[str]] = defaultdict(set)
            for e, d, at in rows_in(conn, "SELECT editor, doc_id, at FROM layer_changes WHERE doc_id IN ({in})",
                                    sorted(set(team_id.values()))):
                seen_here[e, d].add(at)
            touched: set[tuple[str, int]] = set()
            offered: dict[str, list[tuple]] = {}  # kind -> the rows the file holds (as `put` takes them)
            before: dict[str, tuple[dict[tuple, tuple[str, str]], set[int], set[int]]] = {}  # see `put`
            has_removals = conn.execute("SELECT EXISTS (SELECT 1 FROM layer_removed)").fetchone()[0]

            def put(kind: str, table: str, keys: list[str], values: list[str],
                    rows: list[tuple[tuple, tuple[str, str], tuple, int]], words: Any) -> None:
                """rows: (key without doc and editor, (state, time), other values, src doc id)."""
                existing: dict[tuple, tuple[str, str]] = {}
                wanted = ", ".join(["editor", *(f'"{k}"' for k in keys), values[0], "at"])
                whose = {team_id[r[3]]: owner[r[3]] for r in rows}  # an article's layer this file writes to
                docs = sorted(whose)
                for d in docs:  # the editor's rows of the article (the table's key begins with both)
                    for row in conn.execute(f"SELECT {wanted} FROM {table} WHERE doc_id = ? AND editor = ?",
                                            (d, whose[d])):
                        existing[(d, *row[:-2])] = (row[-2], row[-1])
                removed = {(d, e, *json.loads(key)): at for d, e, key, at in rows_in(
                    conn, "SELECT doc_id, editor, key, at FROM layer_removed WHERE what = ? AND doc_id IN ({in})", docs,
                    before=[kind])} if has_removals else {}
                # the rows the layer had before (what the loop below changes are rows the file offers, never
                # removed), the articles that had any, and the articles read
                before[kind] = (existing, {k[0] for k in existing}, set(docs))
                offered[kind] = rows
                out = []
                for key, value, extra, src_doc in rows:
                    d, e = team_id[src_doc], owner[src_doc]
                    full = (d, e, *key)
                    if full not in existing and value[1] in seen_here[e, d]:
                        continue  # a change a file merged before had seen, and no longer held: an older copy's
                    gone = removed.get(full) if removed else None
                    if gone is not None and gone >= value[1] and gone not in seen_there[src_doc]:
                        continue  # an older copy of what a later file of this editor no longer holds (a file that
                        # saw the removal and holds the row again made it again)
                    take, conflict = _later(existing.get(full), value, seen_here[e, d], seen_there[src_doc])
                    if conflict:
                        old = existing[full]
                        won, lost = (value, old) if take else (old, value)
                        report.conflicts.append(Conflict(e, d, kind, words(key), f"{won[0]} at {won[1]}",
                                                         f"{lost[0]} at {lost[1]}"))
                    if take:
                        existing[full] = value
                        out.append((*full, *value, *extra))
                        getattr(report, kind + "s")[e] += 1
                        touched.add((e, d))
                cols = ", ".join(["doc_id", "editor", *(f'"{k}"' for k in keys), values[0], "at", *values[1:]])
                conn.executemany(f"INSERT OR REPLACE INTO {table}({cols}) VALUES ("
                                 f"{', '.join('?' * (3 + len(keys) + len(values)))})", out)

            put("answer", "layer_answers", [], ["answer"],
                [((), (docs[d][1], docs[d][3] or ""), (), d) for d in sorted(worked)
                 if docs[d][1] != Answer.PENDING.value],
                lambda key: "the article's answer")
            put("span", "layer_spans", ["start", "end", "label"], ["state", "source"],
                [((s, e, lb), (st, at), (source,), d) for d, s, e, lb, st, source, at in spans],
                lambda key: f"{key[2]} at {key[0]}-{key[1]}")
            put("link", "layer_links", LINK_KEY, ["state"],
                [((es, ee, el, a_s, ae, al, role), (st, at), (), d) for d, es, ee, el, a_s, ae, al, role, st, at
                 in links],
                lambda key: f"{key[6]}: {key[5]} at {key[3]}-{key[4]} of {key[2]} at {key[0]}-{key[1]}")
            self._remove_what_left({team_id[d]: (owner[d], d) for d in owner if d in team_id}, team_id, offered,
                                   before, seen_there, last_there, report, touched)
            self._links_follow_spans(touched, report)
            stamp = now()
            conn.executemany("INSERT OR REPLACE INTO layer_merges(doc_id, editor, at) VALUES (?, ?, ?)",
                             [(d, e, stamp) for e, d in sorted(touched)])
            for d, e in sorted({(d, owner[d]) for d in worked}):
                report.articles[e] += (e, team_id[d]) in touched
            rows = []
            for d, w, at, action, detail in changes:
                if d not in team_id:
                    continue
                e = owner[d]
                rows.append((_uid(e, docs[d][0], w, at, action, detail), team_id[d], e, w, at, action, detail))
            known = {r[0] for r in rows_in(conn, "SELECT uid FROM layer_changes WHERE uid IN ({in})",
                                           [r[0] for r in rows])}
            fresh = list({r[0]: r for r in rows if r[0] not in known}.values())
            conn.executemany("INSERT INTO layer_changes(uid, doc_id, editor, who, at, action, detail) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", fresh)
            report.changes.update(r[2] for r in fresh)
            if only is None or any(any(v.values()) for v in report.as_dict()["editors"].values()):
                self.store._log("merge", who, file=str(src.path), editors=report.as_dict()["editors"],
                                conflicts=len(report.conflicts), labels_added=report.labels_added)
        return report

    def _read_source(self, src: Host, editor: str | None, only: set[int] | None) -> dict[str, Any]:
        """What an editor's file holds for the merge, read before the team's project is written."""
        sconn = src.conn
        meta = dict(sconn.execute("SELECT key, value FROM project WHERE key IN ('editor', 'packed_at')"))
        default = check_editor_name(editor, "--editor") if editor else meta.get("editor")
        packed_at = meta.get("packed_at")
        docs = {r[0]: r[1:] for r in sconn.execute(
            "SELECT id, input_hash, answer, answered_by, answered_at FROM documents")}
        later = "state != 'suggested' OR (? IS NOT NULL AND coalesce(updated_at, '') > ?)"
        spans = sconn.execute(
            f'SELECT doc_id, start, "end", label, state, source, coalesce(updated_at, \'\') FROM spans WHERE {later}',
            (packed_at, packed_at)).fetchall()
        links = sconn.execute(
            'SELECT l.doc_id, e.start, e."end", e.label, a.start, a."end", a.label, l.role, l.state, '
            "coalesce(l.updated_at, '') FROM links l JOIN spans e ON e.id = l.event_id JOIN spans a ON "
            f"a.id = l.arg_id WHERE {later.replace('state', 'l.state').replace('updated_at', 'l.updated_at')}",
            (packed_at, packed_at)).fetchall()
        changes = sconn.execute(
            f"SELECT doc_id, who, at, action, detail FROM changes WHERE doc_id IS NOT NULL AND action NOT IN "
            f"({', '.join(repr(a) for a in NOT_WORK)}) ORDER BY id").fetchall()
        # every change the file holds, whatever it was: a layer row stamped with one of these times was seen by
        # this file, so when the file no longer holds it, the editor took it back
        seen: dict[int, set[str]] = defaultdict(set)
        anywhere: set[str] = set()
        last: dict[int, str] = {}
        not_work = ", ".join(repr(a) for a in NOT_WORK)
        for d, at in itertools.chain(((r[0], r[2]) for r in changes), sconn.execute(
                f"SELECT doc_id, at FROM changes WHERE doc_id IS NULL OR action IN ({not_work})")):
            if d is None:
                anywhere.add(at)
            else:
                seen[d].add(at)
                if at > last.get(d, ""):
                    last[d] = at
        worked = {d for d, (_, answer, *_r) in docs.items() if answer != Answer.PENDING.value}
        worked |= {r[0] for r in spans} | {r[0] for r in links}
        # the articles whose layer this file speaks for: all of a file packed for (or named as) one editor's,
        # else those some editor answered
        speaks = set(docs) if default else {d for d, r in docs.items() if r[2]}
        speaks |= worked
        if only is not None:
            worked &= only
            speaks &= only
            spans = [r for r in spans if r[0] in only]
            links = [r for r in links if r[0] in only]
            changes = [r for r in changes if r[0] in only]
        owner: dict[int, str] = {}
        for d in sorted(speaks):
            name = default or docs[d][2]
            if not name:
                if d not in worked:
                    continue
                raise InputError(f"{src.path}: article {d} holds annotations but no editor's name (the file was not "
                                 "packed for an editor, and nobody is named as its answerer); name one with --editor")
            owner[d] = check_editor_name(name, f"{src.path}: article {d}")
        for d in owner:
            seen[d] |= anywhere
        self._check_self_links(src, links)
        return {"docs": docs, "spans": spans, "links": links, "changes": changes, "worked": worked,
                "owner": owner, "seen": seen, "last": last}

    @staticmethod
    def _check_self_links(src: Host, links: list[tuple]) -> None:
        for r in links:
            if r[1:4] == r[4:7]:
                raise InputError(f"{src.path}: article {r[0]} links a span to itself ({r[3]} at {r[1]}-{r[2]} as "
                                 f"its own {r[7]}); nothing was merged")

    def _remove_what_left(self, speaks: dict[int, tuple[str, int]], team_id: dict[int, int],
                          offered: dict[str, list[tuple]],
                          before: dict[str, tuple[dict[tuple, tuple[str, str]], set[int], set[int]]],
                          seen: dict[int, set[str]], last: dict[int, str], report: MergeReport,
                          touched: set[tuple[str, int]]) -> None:
        """Inside the merge: the rows of an editor's layer of an article the file speaks for (`speaks`: team
        article -> (editor, the file's article)) that the file no longer holds though it saw them (their time is
        one of its changes) are removed, and remembered as removed (`layer_removed`) with the file's last change
        time, so an older copy of the file does not bring them back."""
        conn = self.conn
        for kind, table, keys in (("answer", "layer_answers", []), ("span", "layer_spans", ["start", "end", "label"]),
                                  ("link", "layer_links", LINK_KEY)):
            # the layer rows `put` read (and wrote), the articles that had rows before, the articles it read
            known, prior, read = before.get(kind, ({}, set(), set()))
            # what the file holds of the articles whose layer had rows before (none at an editor's first merge)
            held = {(team_id[r[3]], speaks[team_id[r[3]]][0], *r[0]) for r in offered.get(kind, ())
                    if team_id[r[3]] in prior}
            rows = [(*k, known[k][1]) for k in known.keys() - held if k[0] in prior]  # those it no longer holds
            cols = ", ".join(["doc_id", "editor", *(f'"{k}"' for k in keys), "at"])
            by_editor: dict[str, list[int]] = defaultdict(list)
            for d, (e, _src) in speaks.items():
                if d not in read:
                    by_editor[e].append(d)
            for e, docs in sorted(by_editor.items()):
                rows += rows_in(conn, f"SELECT {cols} FROM {table} WHERE editor = ? AND doc_id IN ({{in}})",
                                sorted(docs), before=[e])
            gone = []
            for row in rows:
                d, editor, key, at = row[0], row[1], tuple(row[2:-1]), row[-1]
                if d not in speaks:
                    continue
                mine, src_doc = speaks[d]
                if editor != mine or (d, editor, *key) in held or at not in seen[src_doc]:
                    continue
                gone.append((d, editor, key, last.get(src_doc, at)))
            if not gone:
                continue
            where = " AND ".join(["doc_id = ?", "editor = ?", *(f'"{k}" = ?' for k in keys)])
            conn.executemany(f"DELETE FROM {table} WHERE {where}", [(d, e, *k) for d, e, k, _ in gone])
            conn.executemany("INSERT INTO layer_removed(doc_id, editor, what, key, at) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT(doc_id, editor, what, key) DO UPDATE SET at = max(at, excluded.at)",
                             [(d, e, kind, _key(k), at) for d, e, k, at in gone])
            for d, e, _k, _at in gone:
                report.removed[e] += 1
                touched.add((e, d))

    def _links_follow_spans(self, touched: set[tuple[str, int]], report: MergeReport) -> None:
        """Inside the merge: an accepted link of a layer whose event or argument is not an accepted span of the
        same layer (two copies of one file, the later one without the span) is rejected with it."""
        span = ("SELECT 1 FROM layer_spans s WHERE s.doc_id = l.doc_id AND s.editor = l.editor AND s.state = "
                "'accepted' AND s.start = l.{0}_start AND s.\"end\" = l.{0}_end AND s.label = l.{0}_label")
        by_editor: dict[str, list[int]] = defaultdict(list)
        for e, d in sorted(touched):
            by_editor[e].append(d)
        for e, docs in by_editor.items():
            for i in range(0, len(docs), 500):
                part = docs[i:i + 500]
                n = self.conn.execute(
                    f"UPDATE layer_links AS l SET state = 'rejected' WHERE editor = ? AND doc_id IN "
                    f"({', '.join('?' * len(part))}) AND state = 'accepted' AND NOT "
                    f"(EXISTS ({span.format('event')}) AND EXISTS ({span.format('arg')}))", (e, *part)).rowcount
                report.removed[e] += n

    def _labels_from(self, src: Host, spans: list[tuple], links: list[tuple], add_labels: bool) -> list[str]:
        """Inside the merge: the labels and roles the incoming work uses, checked against the team's scheme. What
        the scheme lacks is refused (naming it), or with `add_labels` added from the file as `import
        --add-labels` adds it. Returns the labels added."""
        conn = self.conn
        used = {r[3] for r in spans} | {r[3] for r in links} | {r[6] for r in links}
        have = {r[0] for r in conn.execute("SELECT name FROM labels")}
        missing = sorted(used - have)
        if missing:
            try:
                rows = {r[0]: r for r in rows_in(
                    src.conn, "SELECT name, kind, colour, hotkey, description FROM labels WHERE name IN ({in})",
                    missing)}
            except sqlite3.Error as exc:
                raise _source_error(src, exc) from None
            ghosts = [n for n in missing if n not in rows]
            if ghosts:
                raise InputError(f"{src.path}: its spans use the label(s) {', '.join(ghosts)}, which its own label "
                                 "table lacks (the file is damaged or was written by hand); nothing was merged")
            if not add_labels:
                raise InputError(f"{src.path}: uses label(s) the team's scheme lacks: {', '.join(missing)}; nothing "
                                 "was merged (merge with --add-labels to add them to the team's scheme)")
            top = conn.execute("SELECT coalesce(max(position), -1) FROM labels").fetchone()[0]
            conn.executemany("INSERT INTO labels(name, kind, colour, hotkey, description, position) VALUES "
                             "(?, ?, ?, NULL, ?, ?)",
                             [(n, rows[n][1], rows[n][2], rows[n][4], top + 1 + i) for i, n in enumerate(missing)])
            self.store._scheme = None
        scheme = self.store.scheme
        problems: dict[tuple[str, str, str], str] = {}
        for r in links:
            if r[8] == "rejected":
                continue
            problem = scheme.link_problem(r[3], r[7], r[6])
            if problem:
                problems.setdefault((r[3], r[7], r[6]), problem)
        if problems:
            fixable = all(getattr(scheme.get(ev), "kind", None) == "event" for ev, _, _ in problems)
            if not (add_labels and fixable):
                said = "; ".join(f"{ev} {role} {arg}: {why}" for (ev, role, arg), why in sorted(problems.items())[:5])
                more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
                hint = " (merge with --add-labels to add the roles)" if fixable else ""
                raise InputError(f"{src.path}: links the team's scheme refuses: {said}{more}; nothing was "
                                 f"merged{hint}")
            for ev, role, arg in sorted(problems):
                scheme = scheme.with_link(ev, role, arg)
            self.store._write_scheme(scheme)
        return missing

    def _known_documents(self, src: Host, ids: list[int]) -> dict[int, int]:
        """The team's id of each of these articles of `src` the team's project has (matched by text hash)."""
        if not ids:
            return {}
        hashes = dict(rows_in(src.conn, "SELECT id, input_hash FROM documents WHERE id IN ({in})", ids))
        by_hash = dict(rows_in(self.conn, "SELECT input_hash, id FROM documents WHERE input_hash IN ({in})",
                               sorted(set(hashes.values()))))
        return {d: by_hash[h] for d, h in hashes.items() if h in by_hash}

    def _documents_from(self, src: Host, worked: list[int], owner: dict[int, str], report: MergeReport,
                        tokenizer: Callable[[str], Sequence[Token]] | None = None) -> dict[int, int]:
        """Inside the merge: the team's id of each article of `src` that holds work, matched by the hash of its
        text; the articles this project lacks are added, with tokens: `tokenizer`'s (the team's own, whichever
        file brings the article first), else the file's. An article of the team without tokens gets them too."""
        conn = self.conn
        hashes = dict(rows_in(src.conn, "SELECT id, input_hash FROM documents WHERE id IN ({in})", worked))
        by_hash = dict(rows_in(conn, "SELECT input_hash, id FROM documents WHERE input_hash IN ({in})",
                               list(hashes.values())))
        for d in worked:
            if hashes[d] in by_hash:
                continue
            row = src.conn.execute("SELECT external_id, title, text, meta, input_hash, source_file, created_at "
                                   "FROM documents WHERE id = ?", (d,)).fetchone()
            new = conn.execute("INSERT INTO documents(external_id, title, text, meta, input_hash, source_file, answer, "
                               "revision, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)", row).lastrowid
            if tokenizer is None:
                blob = src.conn.execute("SELECT data FROM tokens WHERE doc_id = ?", (d,)).fetchone()
                if blob:
                    conn.execute("INSERT INTO tokens(doc_id, data) VALUES (?, ?)", (new, blob[0]))
            by_hash[hashes[d]] = new
            report.new_articles[owner[d]] += 1
        if tokenizer is not None:
            ids = sorted({by_hash[hashes[d]] for d in worked})
            bare = [r for r in rows_in(conn, "SELECT id, text FROM documents WHERE id IN ({in}) AND id NOT IN "
                                             "(SELECT doc_id FROM tokens)", ids)]
            conn.executemany("INSERT INTO tokens(doc_id, data) VALUES (?, ?)",
                             [(i, pack_tokens(tokenizer(text))) for i, text in bare])
        return {d: by_hash[hashes[d]] for d in worked}

    def _assign_missing(self, owner: dict[int, str], team_id: dict[int, int]) -> None:
        """Inside the merge: an editor's work on an article makes it theirs, assigned or not."""
        self.conn.executemany("INSERT OR IGNORE INTO assignments(doc_id, editor) VALUES (?, ?)",
                              sorted({(team_id[d], e) for d, e in owner.items()}))


def _bounds(text: str, blob: bytes | None) -> tuple[Sequence[int], Sequence[int]]:
    """The tokens' offsets: those stored, else the text's words and punctuation marks."""
    if blob:
        return token_bounds(blob)
    found = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    return [s for s, _ in found], [e for _, e in found]


@dataclass
class ReviewReport:
    """What preparing the review did."""

    articles: int = 0  # articles prepared (answered in some editor's layer, not yet answered in gold)
    settled: int = 0  # of them, answered in gold at once: every editor agreed on everything
    disputed: int = 0  # of them, left for the reviewer
    spans_accepted: int = 0  # accepted into gold as agreed
    spans_disputed: int = 0  # left as suggestions, for the reviewer
    links_accepted: int = 0
    links_disputed: int = 0
    changed_since: int = 0  # articles prepared earlier whose editors' work changed since: left as they were
    reopened: int = 0  # articles prepared earlier, changed by a later merge, untouched by the reviewer: again
    waiting_articles: int = 0  # of the prepared, those an assigned editor has not answered yet (never settled)
    waiting: Counter = field(default_factory=Counter)  # editor -> articles waiting for their answer


def _share(support: int, editors: int, threshold: float) -> bool:
    return support >= threshold * editors - 1e-9
