"""The review: the gold layer prepared from the editors' layers, and a reviewer's decisions
(`store.team.prepare_review`, `take`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from annotator.core.agreement import ArticleWork, LinkKey, f1
from annotator.core.errors import InputError
from annotator.core.model import Answer
from annotator.store.sql import Repository, execute_in, now, rows_in


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


class Review(Repository):
    """The review, a part of `store.team` (annotator.store.team.Team), which gives it `editors()`."""

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
                    "c.doc_id = r.doc_id AND c.at > r.at AND c.action NOT IN ('review', 'opened', 'left')) "
                    "FROM reviews r JOIN documents d ON d.id = r.doc_id WHERE EXISTS (SELECT 1 FROM layer_merges m "
                    "WHERE m.doc_id = r.doc_id AND m.at > r.at) ORDER BY r.doc_id").fetchall():
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

    def take_rows(self, doc_id: int, editor: str, where: tuple[int, int] | None = None
                  ) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
        """What taking `editor`'s version of an article's open questions does: every span and link still to be
        decided (a suggestion the review wrote) accepted if it came from that editor, removed if not. As
        (id, label, state) of spans and (id, state) of links, for the session's Restore (so undo puts it back).

        With `where` (start, end), only the open spans overlapping those characters are decided, and the open
        links they hold: the version of one place. A link whose other end is still open elsewhere is left open."""
        sql = ("SELECT id, label, came_from FROM spans WHERE doc_id = ? AND state = 'suggested' AND came_from IS NOT "
               "NULL")
        params: list = [doc_id]
        if where is not None:
            sql += ' AND start < ? AND "end" > ?'
            params += [where[1], where[0]]
        spans = [(i, label, "accepted" if editor in c.split(",") else "rejected")
                 for i, label, c in self.conn.execute(sql + " ORDER BY id", params)]
        decided = {i: st for i, _, st in spans}
        standing = {i for i, st in decided.items() if st == "accepted"} | self._accepted(doc_id)
        links = []
        for i, ev, arg, c in self.conn.execute(
                "SELECT id, event_id, arg_id, came_from FROM links WHERE doc_id = ? AND state = 'suggested' AND "
                "came_from IS NOT NULL ORDER BY id", (doc_id,)):
            if where is not None:
                if ev not in decided and arg not in decided:
                    continue  # not at this place
                if decided.get(ev) != "rejected" and decided.get(arg) != "rejected" and not (
                        ev in standing and arg in standing):
                    continue  # its other end is still to be decided
            links.append((i, "accepted" if editor in c.split(",") and ev in standing and arg in standing
                          else "rejected"))
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
