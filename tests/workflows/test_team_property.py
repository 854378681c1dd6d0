"""Random sequences of an editor's edits, answers and merges (Hypothesis stateful testing): after every merge,
each editor's layer equals what one fresh merge of their file gives, and the gold a review prepares from the
layers equals the gold prepared from fresh merges of every file."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from annotator.core.errors import AnnotatorError
from annotator.core.model import Answer, Document, Record
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.editing import EditSession
from annotator.workflows.team import merge, pack
from tests.workflows.test_team import TEXTS, suggestions
from tests.workflows.test_team_gold import layers

EDITORS = ("ana", "ben")
LABELS = ("ATTACK", "DEATH", "ACTOR", "PLACE", "TARGET")


def gold(path: Path) -> dict[str, list[tuple]]:
    """The team's own (gold) annotations, keyed by the article's text, without times and row ids."""
    conn = sqlite3.connect(path)
    try:
        return {
            "answers": sorted(conn.execute("SELECT text, answer FROM documents")),
            "spans": sorted(conn.execute('SELECT d.text, s.start, s."end", s.label, s.state, s.came_from FROM spans s '
                                         "JOIN documents d ON d.id = s.doc_id"), key=repr),
            "links": sorted(conn.execute(
                'SELECT d.text, e.start, e."end", e.label, a.start, a."end", a.label, l.role, l.state, l.came_from '
                "FROM links l JOIN spans e ON e.id = l.event_id JOIN spans a ON a.id = l.arg_id JOIN documents d ON "
                "d.id = l.doc_id"), key=repr),
            "reviews": sorted(conn.execute("SELECT d.text, r.editors, r.score, r.disputed FROM reviews r JOIN "
                                           "documents d ON d.id = r.doc_id")),
        }
    finally:
        conn.close()


def copy_of(src: Path, dest: Path) -> Path:
    """A consistent copy of a project that may be open (SQLite's backup, WAL included)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dest


def _accept(s, pick, _):
    found = [sp for sp in s.spans if sp.state.value == "suggested"]
    if found:
        s.accept(found[pick % len(found)].id)


def _delete(s, pick, _):
    if s.spans:
        s.delete(s.spans[pick % len(s.spans)].id)


def _relabel(s, pick, label):
    if s.spans:
        s.relabel(s.spans[pick % len(s.spans)].id, label)


def _link(s, pick, role):
    events = [sp for sp in s.spans if sp.label == "ATTACK"]
    others = [sp for sp in s.spans if sp.label != "ATTACK"]
    if events and others:
        s.add_link(events[0].id, others[pick % len(others)].id, role)


def _unlink(s, pick, _):
    if s.links:
        s.remove_link(s.links[pick % len(s.links)].id)


def _answer(s, pick, _):
    s.set_answer([Answer.ACCEPT, Answer.REJECT, Answer.IGNORE, Answer.PENDING][pick % 4])


EDITS = {"accept": _accept, "delete": _delete, "relabel": _relabel, "link": _link, "unlink": _unlink,
         "answer": _answer}
OPS = st.one_of(
    st.tuples(st.sampled_from(["accept", "delete", "unlink", "answer"]), st.integers(0, 1), st.integers(0, 20),
              st.none()),
    st.tuples(st.just("relabel"), st.integers(0, 1), st.integers(0, 20), st.sampled_from(LABELS)),
    st.tuples(st.just("link"), st.integers(0, 1), st.integers(0, 20),
              st.sampled_from(["attacker", "target", "place"])))


class MergeMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="merge-machine-"))
        self.team_path = self.dir / "team.db"
        with Store(self.team_path) as team:
            team.documents.add_records([Record(Document(text=t, title=f"a{i}", tokens=tokenize(t)),
                                               suggestions(t)) for i, t in enumerate(TEXTS)])
            team.team.assign(list(EDITORS), 2)
            self.files = {}
            for e in EDITORS:
                self.files[e] = self.dir / f"{e}.db"
                pack(team, e, self.files[e])
            team.backup(self.dir / "base.db")
        self.merged: set[str] = set()
        self.merges: dict[str, int] = {e: 0 for e in EDITORS}  # merges of each editor's file so far
        self.copies: dict[str, int] = {}  # an older copy of each editor's file: the merges made before it

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def _work(self, editor: str, ops: list[tuple]) -> None:
        """The editor's edits in their file, through the session as the window makes them."""
        with Store(self.files[editor]) as store:
            session = EditSession(store, editor)
            ids = sorted(r[0] for r in store.conn.execute("SELECT id FROM documents"))
            for kind, doc, pick, value in ops:
                session.open(ids[doc % len(ids)])
                try:
                    EDITS[kind](session, pick, value)
                except AnnotatorError:
                    pass  # an edit the store refuses (a link the scheme does not allow): nothing changed

    @rule(editor=st.sampled_from(EDITORS), ops=st.lists(OPS, min_size=1, max_size=5))
    def work(self, editor, ops):
        self._work(editor, ops)

    @rule(editor=st.sampled_from(EDITORS), ops=st.lists(OPS, max_size=5))
    def work_then_merge(self, editor, ops):
        self._work(editor, ops)
        with Store(self.team_path) as team:
            merge(team, [self.files[editor]])
        self.merged.add(editor)
        self.merges[editor] = self.merges.get(editor, 0) + 1
        # the file as this merge saw it: what a fresh merge is compared with until the next merge
        copy_of(self.files[editor], self.dir / f"{editor}.at-merge.db")

    @rule(editor=st.sampled_from(EDITORS))
    def copy_file(self, editor):
        """The editor copies their file to a laptop and leaves it there (an ancestor of what they go on with)."""
        copy_of(self.files[editor], self.dir / f"{editor}.copy.db")
        self.copies[editor] = self.merges[editor]

    @rule(editor=st.sampled_from(EDITORS))
    def merge_older_copy(self, editor):
        """The laptop's copy, older than the file merged since: merging it changes nothing (it never brings back
        what the newer file took out)."""
        if self.copies.get(editor) is None or self.copies[editor] >= self.merges[editor]:
            return
        before = {e: layers(self.team_path, e) for e in EDITORS}
        with Store(self.team_path) as team:
            merge(team, [self.dir / f"{editor}.copy.db"])
        after = {e: layers(self.team_path, e) for e in EDITORS}
        assert {e: {k: v for k, v in t.items() if k != "layer_changes"} for e, t in after.items()} == \
            {e: {k: v for k, v in t.items() if k != "layer_changes"} for e, t in before.items()}

    @invariant()
    def layers_equal_fresh_merges_and_so_does_gold(self):
        if not getattr(self, "merged", None):
            return
        fresh = copy_of(self.dir / "base.db", self.dir / "fresh.db")
        with Store(fresh) as t:
            for e in sorted(self.merged):
                merge(t, [self.dir / f"{e}.at-merge.db"])
        for e in EDITORS:
            assert layers(self.team_path, e) == layers(fresh, e), e
        # the gold a review prepares from the layers now, and from the fresh merges
        ours = copy_of(self.team_path, self.dir / "ours.db")
        for path in (ours, fresh):
            with Store(path) as t:
                t.team.prepare_review(1.0, "rita")
        assert gold(ours) == gold(fresh)
        ours.unlink()
        fresh.unlink()


MergeMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=10, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_layers_and_gold_equal_fresh_merges = MergeMachine.TestCase
