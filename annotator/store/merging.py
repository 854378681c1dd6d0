"""Merging an editor's project file into the team's project as their layer (`store.team.merge`).

An editor's layer is keyed by what its rows are (the article, the editor, offsets, label, role), never by the
row ids of the file it came from: merging a file twice adds nothing, and files merged in any order give the
same rows. Per span, link and answer the later change wins; when two files of one editor changed the same
thing and neither had seen the other's change (work on two machines), the merge report lists it. What left the
file since an earlier merge leaves the layer: after any sequence of edits and merges, the layer is what a
fresh merge of the file gives."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import DatabaseError, InputError
from annotator.core.model import Answer, Token
from annotator.core.tokens import pack_tokens
from annotator.store.sql import Host, Repository, now, rows_in, sqlite_error

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
    notes: Counter = field(default_factory=Counter)  # comments and flags
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
                            "notes": self.notes[e], "changes": self.changes[e], "removed": self.removed[e]}
                        for e in self.editors},
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


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _uid(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


class Merging(Repository):
    """The merge, a part of `store.team` (annotator.store.team.Team)."""

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
        docs, spans, links, notes, changes, worked, owner = (incoming[k] for k in (
            "docs", "spans", "links", "notes", "changes", "worked", "owner"))
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
            put("note", "layer_notes", ["start", "end", "label"], ["note"],
                [((s, e, lb), (json.dumps([text, bool(flagged)]), at), (), d) for d, s, e, lb, text, flagged, at
                 in notes],
                lambda key: "the article's note" if key[0] == -1 else f"the note on {key[2]} at {key[0]}-{key[1]}")
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
        # every change the file holds, whatever it was: a layer row stamped with one of these times was seen by
        # this file, so when the file no longer holds it, the editor took it back; the editor's work among them
        # goes to the layer's change log
        changes = []
        seen: dict[int, set[str]] = defaultdict(set)
        anywhere: set[str] = set()
        last: dict[int, str] = {}
        for d, who_, at, action, detail in sconn.execute("SELECT doc_id, who, at, action, detail FROM changes "
                                                          "ORDER BY id"):
            if d is None:
                anywhere.add(at)
                continue
            seen[d].add(at)
            if at > last.get(d, ""):
                last[d] = at
            if action not in NOT_WORK:
                changes.append((d, who_, at, action, detail))
        # the editor's notes (all of them: a file holds no one else's), on the article or on a span they hold; a
        # note on a span changed when the span last did too (relabelled or resized, it sits under another key)
        notes = sconn.execute(
            'SELECT n.doc_id, coalesce(s.start, -1), coalesce(s."end", -1), coalesce(s.label, \'\'), n.text, '
            "n.flagged, max(n.updated_at, coalesce(s.updated_at, n.updated_at)) FROM notes n LEFT JOIN spans s ON "
            "s.id = n.span_id AND n.span_id != 0 WHERE n.span_id = 0 OR s.id IS NOT NULL").fetchall() \
            if _has_table(sconn, "notes") else []
        worked = {d for d, (_, answer, *_r) in docs.items() if answer != Answer.PENDING.value}
        worked |= {r[0] for r in spans} | {r[0] for r in links} | {r[0] for r in notes}
        # the articles whose layer this file speaks for: all of a file packed for (or named as) one editor's,
        # else those some editor answered
        speaks = set(docs) if default else {d for d, r in docs.items() if r[2]}
        speaks |= worked
        if only is not None:
            worked &= only
            speaks &= only
            spans = [r for r in spans if r[0] in only]
            links = [r for r in links if r[0] in only]
            notes = [r for r in notes if r[0] in only]
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
        return {"docs": docs, "spans": spans, "links": links, "notes": notes, "changes": changes, "worked": worked,
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
        span_key = ["start", "end", "label"]
        for kind, table, keys in (("answer", "layer_answers", []), ("span", "layer_spans", span_key),
                                  ("link", "layer_links", LINK_KEY), ("note", "layer_notes", span_key)):
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
