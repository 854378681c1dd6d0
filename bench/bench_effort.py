"""The editor's work per article, measured in the window itself: a scripted editor drives the real window (offscreen)
with key presses, clicks and mouse drags to turn each of the 40 hand-annotated Wikinews articles
(tests/fixtures/wikinews-gold.jsonl) into its gold spans, and for the 22 articles whose links were annotated, its
gold links; then it accepts the article (Ctrl+Enter). Every press, click and drag is one action. The database is
compared with the gold afterwards: a plan that does not reach it counts as a failure, not as a figure.

Two starts, side by side in the same run:
- with suggestions: the default pre-annotator's spans and links (the rules), which the editor corrects;
- from nothing: the same articles without pre-annotation (the baseline).

The shortest path the window offers, chosen per span: a suggestion exactly right costs nothing (Ctrl+Enter accepts
it); one with the right words and another label is a click and a label key; one that overlaps the gold is a click
and a drag per edge to move (and a label key if the label differs), when that is cheaper than drawing it; a span
to draw is a drag over the words and a label key, or, for an argument of an event in focus, a drag and Shift+the
role's key (it is marked with the label that fits and linked at once); a wrong suggestion is a click and Delete. A
link to add is Shift+the role's key and a click on the argument (and a click on the event first when it is not in
focus); a wrong link is Shift+the role's key (link mode starts on the linked filler), Tab to it if the role has
several, Delete, Escape.

"Before this issue" (issue 29) is the same path priced with the tools the window had before it: no edges to move
(a span with wrong edges is deleted, drawn again, and each of its links made again), link mode starting at the
nearest candidate (Tabs to reach a wrong link, and a click back on the event after Escape), and Shift+a role's key
on words marking them with the role's first label (a relabel after it when that label is wrong). Those are counted
from the path the scripted editor took, not driven.

--heldout [N] drives the articles of held-out set N instead (4 unless said: the rules were not written from them;
see bench_quality.py): the work a user gets on new articles.

Run: python bench/bench_effort.py [--articles N] [--heldout [N]]"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench_quality import HELDOUT_SETS, heldout_set
from common import OUT, ROOT, WIKINEWS

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOLD = ROOT / "tests" / "fixtures" / "wikinews-gold.jsonl"
Key = tuple[int, int, str]


@dataclass
class Tally:
    """The actions spent on articles, by kind and by label, now and as the window before issue 29 would have
    needed."""

    actions: Counter = field(default_factory=Counter)  # by kind
    ops: Counter = field(default_factory=Counter)  # actions by what they were for
    by_label: Counter = field(default_factory=Counter)
    before: int = 0  # the same corrections with the tools of before issue 29
    words: int = 0
    articles: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.actions.values())


def load_gold(limit: int | None,
              path: Path = GOLD) -> list[tuple[str, str, set[Key], set[tuple[Key, str, Key]] | None]]:
    texts = {a["id"]: (a["title"], a["text"]) for a in map(json.loads, WIKINEWS.open(encoding="utf-8"))}
    out = []
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        spans = {(s["start"], s["end"], s["label"]) for s in d["spans"]}
        links = ({(tuple(lk["event"]), lk["role"], tuple(lk["argument"])) for lk in d["links"]}
                 if "links" in d else None)
        out.append((d["id"], texts[d["id"]][1], spans, links))
    return out[:limit] if limit else out


def build(path: Path, articles, suggest: bool) -> None:
    from annotator.core.labels import load_scheme
    from annotator.core.model import Document, Record
    from annotator.nlp import build_annotator
    from annotator.nlp.pipeline import tokenize
    from annotator.store import Store
    from annotator.workflows.preannotating import preannotate

    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with Store(path) as store:
        store.documents.add_records([Record(Document(text=text, title=doc_id, external_id=doc_id,
                                                     tokens=tokenize(text)))
                                     for doc_id, text, _, _ in articles])
        if suggest:
            preannotate(store, build_annotator(load_scheme()))


class Editor:
    """Drives the window: every method is one action (a key press, a click or a drag), counted."""

    def __init__(self, app, window, tally: Tally) -> None:
        from PySide6.QtTest import QTest

        self.app, self.window, self.view, self.tally, self.QTest = app, window, window.view, tally, QTest
        self.scheme = window.store.scheme

    # ------------------------------------------------------------------ the view's geometry

    def _visible(self, start: int) -> None:
        """Scrolls the text to a place (scrolling is not counted: the editor reads on)."""
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.view.to_qt(start))
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        self.app.processEvents()

    def _point(self, pos: int, right: bool = False):
        from PySide6.QtCore import QPoint
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.view.to_qt(pos))
        rect = self.view.cursorRect(cursor)
        return QPoint(rect.center().x() + (-1 if right else 1), rect.center().y())

    op = ""  # what the actions are for, now

    def _count(self, kind: str, label: str) -> None:
        self.tally.actions[kind] += 1
        self.tally.by_label[label] += 1
        self.tally.ops[self.op] += 1

    # ------------------------------------------------------------------ actions

    def click_span(self, span_id: int, label: str, selects: bool = True) -> None:
        from PySide6.QtCore import QPoint, Qt

        span = self.view.span(span_id)
        self._visible(span.start)
        rect = self.view._span_rects(self.view.to_qt(span.start), self.view.to_qt(span.end))[0]
        y = self.view._lane_y(rect, self.view.lanes.get(span_id, 0))  # its own lane: no other span is there
        self.QTest.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(rect.center().x()),
                                                                                           int(y)))
        self._count("click", label)
        if selects and self.window.selected_span != span_id:
            raise RuntimeError(f"the click did not select {label} at {span.start}")

    def drag_text(self, start: int, end: int, label: str) -> None:
        from PySide6.QtCore import Qt

        self._visible(start)
        viewport = self.view.viewport()
        a, b = self._point(start), self._point(end, right=True)
        if self.view._edge_at(a) is not None:  # not an edge of the selected span: that would move it
            self.window.select_span(None)
        self.QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
        self.QTest.mouseMove(viewport, b)
        self.QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
        self._count("drag", label)
        if self.view.selection_range() is None:  # the scripted drag missed: the editor would drag again
            self.view.set_selection(start, end)

    def drag_edge(self, span_id: int, edge: str, to: int, label: str) -> None:
        from PySide6.QtCore import QPoint, Qt

        span = self.view.span(span_id)
        self._visible(span.start)
        rects = self.view._span_rects(self.view.to_qt(span.start), self.view.to_qt(span.end))
        rect = rects[0] if edge == "start" else rects[-1]
        grip = QPoint(int(rect.left()) + 1, int(rect.center().y())) if edge == "start" else QPoint(
            int(rect.right()) - 1, int(rect.center().y()))
        target = self._point(to, right=edge == "end")
        viewport = self.view.viewport()
        self.QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=grip)
        self.QTest.mouseMove(viewport, target)
        self.QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)
        self._count("drag", label)

    def key(self, key, label: str, shift: bool = False, ctrl: bool = False) -> None:
        from PySide6.QtCore import Qt

        mods = Qt.KeyboardModifier.NoModifier
        if shift:
            mods |= Qt.KeyboardModifier.ShiftModifier
        if ctrl:
            mods |= Qt.KeyboardModifier.ControlModifier
        self.QTest.keyClick(self.view, key, mods)
        self._count("key", label)

    def char_key(self, char: str, label: str, shift: bool = False) -> None:
        from PySide6.QtCore import Qt

        self.key(getattr(Qt.Key, f"Key_{char.upper()}"), label, shift=shift)


def plan_spans(shown, gold: set[Key]) -> tuple[list, list, list]:
    """(suggestions to delete, (span, gold key) to fix, gold keys to draw): the cheapest match of shown spans to the
    gold, exact matches first."""
    by_key = {(s.start, s.end, s.label): s for s in shown}
    keep = {k for k in gold if k in by_key}
    used = {by_key[k].id for k in keep}
    fixes, draws = [], []
    for g in sorted(gold - keep):
        best, cost = None, 4  # reusing must beat drawing (2) plus deleting the suggestion (2)
        for s in shown:
            if s.id in used or s.end <= g[0] or s.start >= g[1]:
                continue
            c = 1 + (s.start != g[0]) + (s.end != g[1]) + (s.label != g[2])
            if c < cost:
                best, cost = s, c
        if best is None:
            draws.append(g)
        else:
            used.add(best.id)
            fixes.append((best, g))
    deletes = [s for s in shown if s.id not in used]
    return deletes, fixes, draws


def work_article(editor: Editor, doc_id: int, text: str, gold: set[Key], links: set | None) -> None:
    """Turns the open article into its gold, as an editor would along the shortest path, and accepts it."""
    from PySide6.QtCore import Qt

    from annotator.core.linking import fitting_filler

    window, scheme, tally = editor.window, editor.scheme, editor.tally
    session = window.session
    hotkey = {lb.name: lb.hotkey for lb in scheme.labels}
    deletes, fixes, draws = plan_spans(list(session.spans), gold)
    # the links each suggestion held that the gold has (a fix keeps them; before issue 29 a resize was a delete
    # and a new span, and they were made again)
    final = {sp.id: (sp.start, sp.end, sp.label) for sp in session.spans}
    final.update({sp.id: g for sp, g in fixes})
    held = Counter()
    for lk in session.links:
        if links and (final.get(lk.event), lk.role, final.get(lk.argument)) in links:
            held[lk.event] += 1
            held[lk.argument] += 1
    editor.op = "delete a wrong suggestion"
    for s in sorted(deletes, key=lambda x: (x.start, -x.end, x.label)):  # in text order: Delete selects the next
        if window.selected_span != s.id:
            editor.click_span(s.id, s.label)
        editor.key(Qt.Key.Key_Delete, s.label)
    for s, g in fixes:
        editor.op = "fix a suggestion (edges, label)"
        if window.selected_span != s.id:
            editor.click_span(s.id, g[2])
        moved = 0
        if s.start != g[0]:
            editor.drag_edge(s.id, "start", g[0], g[2])
            moved += 1
        if s.end != g[1]:
            editor.drag_edge(s.id, "end", g[1], g[2])
            moved += 1
        if s.label != g[2]:
            editor.char_key(hotkey[g[2]], g[2])
        if moved:  # before: delete (a click and Delete), draw (a drag and the label's key), each link again (a
            # click on the event, Shift+the role's key, a click on the argument), instead of what it took here
            tally.before += 4 + held[s.id] * 3 - (1 + moved + (s.label != g[2]))
    # spans to draw: an argument of a gold link whose event is already there is drawn in its role (Shift+key)
    link_roles = {}
    if links:
        for ev, role, arg in sorted(links):
            link_roles.setdefault(arg, (ev, role))
    present = {(s.start, s.end, s.label): s.id for s in session.spans}
    for g in sorted(draws, key=lambda k: scheme.get(k[2]).kind != "event"):  # events first
        via = link_roles.get(g)
        role = None
        if via is not None and via[0] in present:
            ev_label = via[0][2]
            role = next((r for r in scheme.roles(ev_label) if r.name == via[1]), None)
        if role is not None and fitting_filler(role.fillers, text[g[0]:g[1]]) == g[2]:
            editor.op = "draw an argument in its role"
            event_id = present[via[0]]
            if window.selected_span != event_id:
                editor.click_span(event_id, g[2])
            editor.drag_text(g[0], g[1], g[2])
            editor.char_key(role.hotkey, g[2], shift=True)
            if role.fillers[0] != g[2]:
                tally.before += 2  # before: the role's first label, then a relabel (a click and a key)
        else:
            editor.op = "draw a span"
            editor.drag_text(g[0], g[1], g[2])
            editor.char_key(hotkey[g[2]], g[2])
        present = {(s.start, s.end, s.label): s.id for s in session.spans}
    if links is not None:
        work_links(editor, links)
    editor.op = "accept the article"
    editor.key(Qt.Key.Key_Return, "answer", ctrl=True)  # accept the article: its suggestions left are right


def work_links(editor: Editor, gold: set[tuple[Key, str, Key]]) -> None:
    from PySide6.QtCore import Qt

    window, session, scheme, tally = editor.window, editor.window.session, editor.scheme, editor.tally
    spans = {s.id: (s.start, s.end, s.label) for s in session.spans}
    ids = {k: i for i, k in spans.items()}
    have = {(spans[lk.event], lk.role, spans[lk.argument]): lk for lk in session.links
            if lk.event in spans and lk.argument in spans}
    wrong = [k for k in have if k not in gold]
    missing = [k for k in sorted(gold) if k not in have]
    by_event: dict[Key, dict[str, list]] = {}
    for k in wrong:
        by_event.setdefault(k[0], {}).setdefault(k[1], []).append(("remove", k))
    for k in missing:
        if k[0] in ids and k[2] in ids:
            by_event.setdefault(k[0], {}).setdefault(k[1], []).append(("add", k))
    for event, roles in sorted(by_event.items()):
        event_id = ids[event]
        for role_name, todo in sorted(roles.items()):
            role = next((r for r in scheme.roles(event[2]) if r.name == role_name), None)
            if role is None:
                continue
            for what, k in sorted(todo, key=lambda t: t[0] != "remove"):  # the wrong ones out first
                editor.op = "remove a wrong link" if what == "remove" else "add a link"
                tool = window.link_tool
                if not (tool.active and tool.role == role_name and tool.event_id == event_id):
                    if window.selected_span != event_id:
                        if tool.active:  # a click in link mode would link: Escape first
                            editor.key(Qt.Key.Key_Escape, event[2])
                        if window.selected_span != event_id:
                            editor.click_span(event_id, event[2])
                    editor.char_key(role.hotkey, event[2], shift=True)
                target = ids[k[2]]
                cands = [c.id for c in tool.candidates]
                if target not in cands:
                    continue
                if what == "remove":
                    steps = (cands.index(target) - tool.index) % len(cands)
                    for _ in range(min(steps, len(cands) - steps)):
                        editor.key(Qt.Key.Key_Tab if steps <= len(cands) - steps else Qt.Key.Key_Backtab, event[2])
                    editor.key(Qt.Key.Key_Delete, event[2])
                    # before: from the nearest candidate, and Escape left the selection on the candidate (a
                    # click back on the event, and an Escape before it)
                    old = min(cands.index(target), len(cands) - cands.index(target))
                    tally.before += old - min(steps, len(cands) - steps) + 2
                else:
                    editor.click_span(target, k[2][2], selects=False)  # link mode: a click on it links it


def run_one(label: str, path: Path, articles, tally: Tally) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow
    from annotator.store import Store

    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(OUT / f"effort-{label}.ini"), QSettings.Format.IniFormat)
    settings.clear()
    settings.setValue("editor", "bench")
    window = MainWindow(settings, "bench")
    window.resize(1400, 900)
    window.open_project(path)
    window.show()
    window.activateWindow()
    app.processEvents()
    editor = Editor(app, window, tally)
    ids = dict(window.store.conn.execute("SELECT external_id, id FROM documents"))
    for doc_id, text, gold, links in articles:
        window.open_document(ids[doc_id])
        app.processEvents()
        try:
            work_article(editor, ids[doc_id], text, gold, links)
        except RuntimeError as exc:
            tally.failed.append(f"{doc_id}: {exc}")
            continue
        tally.articles += 1
        tally.words += len(text.split())
    window.close()
    # what the database holds, against the gold
    with Store(path, readonly=True) as store:
        for doc_id, _, gold, links in articles:
            d = ids[doc_id]
            got = {(s.start, s.end, s.label) for s in store.annotations.spans(d, states=["accepted"])}
            if got != gold:
                tally.failed.append(f"{doc_id}: {len(gold - got)} gold span(s) missing, {len(got - gold)} extra")
                continue
            if links is not None:
                spans = {s.id: (s.start, s.end, s.label) for s in store.annotations.spans(d, states=["accepted"])}
                got_links = {(spans[lk.event], lk.role, spans[lk.argument]) for lk in
                             store.links.of_document(d, states=["accepted"])}
                if got_links != links:
                    tally.failed.append(f"{doc_id}: {len(links - got_links)} gold link(s) missing, "
                                        f"{len(got_links - links)} extra")


def main() -> int:
    limit = int(sys.argv[sys.argv.index("--articles") + 1]) if "--articles" in sys.argv else None
    held = heldout_set(sys.argv)
    articles = load_gold(limit, GOLD if held is None else HELDOUT_SETS[held])
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for label, suggest in (("suggestions", True), ("nothing", False)):
        path = OUT / f"effort-{'' if held is None else f'heldout{held}-'}{label}.db"
        build(path, articles, suggest)
        tally = Tally()
        t = time.perf_counter()
        run_one(label, path, articles, tally)
        results[label] = tally
        print(f"{label}: {tally.articles} articles driven in {time.perf_counter() - t:.0f} s")
    ok = True
    with_s, without = results["suggestions"], results["nothing"]
    for name, tally in results.items():
        if tally.failed:
            ok = False
            print(f"{name}: {len(tally.failed)} article(s) did not reach the gold: " + "; ".join(tally.failed[:5]))
    n_links = sum(len(lk) for *_, lk in articles if lk)
    which = "" if held is None else f"held-out (set {held}) "
    print(f"\n{len(articles)} {which}Wikinews articles, {sum(len(g) for _, _, g, _ in articles)} gold spans, "
          f"{n_links} gold links (on {sum(lk is not None for *_, lk in articles)} articles), {with_s.words} words")
    print(f"{'start':<30}{'actions':>9}{'/article':>10}{'/100 words':>12}   keys / clicks / drags")
    for name, tally in (("with suggestions", with_s), ("from nothing (baseline)", without)):
        per = tally.total / max(tally.articles, 1)
        print(f"{name:<30}{tally.total:>9}{per:>10.1f}{100 * tally.total / max(tally.words, 1):>12.1f}   "
              f"{tally.actions['key']} / {tally.actions['click']} / {tally.actions['drag']}")
    before = with_s.total + with_s.before
    print(f"{'with suggestions, before #29':<30}{before:>9}{before / max(with_s.articles, 1):>10.1f}"
          f"{100 * before / max(with_s.words, 1):>12.1f}   (the same path with the tools of before)")
    ratio = with_s.total / max(without.total, 1)
    cut = 1 - with_s.total / max(before, 1)
    print(f"\nwith suggestions / from nothing: {ratio:.2f} (goal <= 0.50) {'OK' if ratio <= 0.5 else 'BELOW GOAL'}")
    print(f"cut by this issue's tools: {cut:.0%} (goal >= 33%) {'OK' if cut >= 1 / 3 else 'BELOW GOAL'}")
    print(f"\n{'what the actions were for':<34}{'with':>7}{'nothing':>9}")
    for op in sorted(set(with_s.ops) | set(without.ops), key=lambda o: -with_s.ops[o]):
        print(f"{op:<34}{with_s.ops[op]:>7}{without.ops[op]:>9}")
    print(f"\n{'per label':<14}{'with':>7}{'nothing':>9}")
    for label in sorted(set(with_s.by_label) | set(without.by_label)):
        print(f"{label:<14}{with_s.by_label[label]:>7}{without.by_label[label]:>9}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
