"""The window's commands: one QAction each (menu, toolbar, shortcut), the label and role keys, and the
keyboard cheat sheet made from the same actions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from annotator.core.labels import LabelScheme
from annotator.core.model import Answer
from annotator.gui.colours import use_safe_palette
from annotator.gui.plaintext import esc, no_mnemonic


class ActionsMixin:
    """The window's commands: one QAction each (menu, toolbar, shortcut), the label and role keys, and the
    keyboard cheat sheet made from the same actions.

    A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

    def _action(self, text: str, slot: Callable, shortcut: str | QKeySequence.StandardKey | list | None = None,
                tip: str = "", menu=None, toolbar=None, edits: bool = False) -> QAction:
        action = QAction(text, self)
        if edits:
            self.edit_actions.append(action)
        if shortcut is not None:
            if isinstance(shortcut, list):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{text.replace('&', '')} ({action.shortcut().toString()})" if shortcut else text)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        self.command_actions.append(action)  # the cheat sheet is made from these
        if menu is not None:
            menu.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        menu = self.menuBar()
        tools = self.addToolBar("Tools")
        tools.setObjectName("tools")
        file_menu = menu.addMenu("&File")
        self._action("&New project…", self.new_project, QKeySequence.StandardKey.New, "Create a project database",
                     file_menu)
        self._action("&Open project…", self.open_project_dialog, QKeySequence.StandardKey.Open,
                     "Open a project database", file_menu)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        self._action("&Export…", self.export_dialog, "Ctrl+E",
                     "Export the answered articles (Prodigy, doccano, Label Studio, brat, CoNLL or spaCy)", file_menu,
                     tools)
        self._action("Your na&me…", self.change_editor_dialog, None,
                     "Change the name your changes are recorded under", file_menu)
        file_menu.addSeparator()
        self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Close the window (everything is saved)",
                     file_menu)

        edit = menu.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.setStatusTip("Undo the last change (as far back as you like)")
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setStatusTip("Redo what was undone")
        self.redo_action.triggered.connect(self._redone)  # after the stack's own redo: connected before
        for a in (self.undo_action, self.redo_action):
            self.edit_actions.append(a)
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
            edit.addAction(a)
            tools.addAction(a)
        edit.addSeparator()
        self._action("&Accept suggestion", self.accept_selected, ["Return", "Enter"],
                     "Accept the selected suggestion", edit, edits=True)
        self._action("&Delete span", self.delete_selected, ["Delete", "Backspace"], "Remove the selected span", edit,
                     edits=True)
        self._action("Accept a&ll suggestions", self.accept_all, "Ctrl+Shift+A",
                     "Accept every remaining suggestion of the article", edit, tools, edits=True)
        narrow_start, narrow_end = ["{"], ["}"]
        for text, edge, step, keys, tip in (
                ("Widen span at its s&tart", "start", -1, ["["], "The selected span's start one word earlier"),
                ("Narrow span at it&s start", "start", 1, narrow_start, "The selected span's start one word later"),
                ("Widen span at its &end", "end", 1, ["]"], "The selected span's end one word later"),
                ("Narro&w span at its end", "end", -1, narrow_end, "The selected span's end one word earlier")):
            self._action(text, lambda edge=edge, step=step: self.move_edge(edge, step), keys, tip, edit, edits=True)
        self._action("Cancel lin&king", lambda: self.link_tool.cancel(), "Escape",
                     "Leave link mode without linking", edit)
        self._action("&Next span", lambda: self.select_next_span(1), None, "Select the next span (Tab)", edit)
        self._action("&Previous span", lambda: self.select_next_span(-1), None,
                     "Select the previous span (Shift+Tab)", edit)
        edit.addSeparator()
        self._action("&Find articles", self.focus_search, QKeySequence.StandardKey.Find, "Search the articles", edit)

        article = menu.addMenu("&Article")
        tools.addSeparator()
        self._action("&Accept article", lambda: self.answer(Answer.ACCEPT), ["Ctrl+Return", "Ctrl+Enter"],
                     "Mark the article done and go to the next pending one", article, tools, edits=True)
        self._action("&Reject article", lambda: self.answer(Answer.REJECT), "Ctrl+Backspace",
                     "Reject the article (not usable) and go to the next pending one", article, tools, edits=True)
        self._action("&Skip article", lambda: self.answer(Answer.IGNORE), "Ctrl+K",
                     "Skip the article for now and go to the next pending one", article, tools, edits=True)
        article.addSeparator()
        self._action("&Comment…", lambda: self.comment(), "Ctrl+M",
                     "A comment (and a flag) on the selected span, or on the article if none is selected", article,
                     edits=True)
        self._action("Comment on the ar&ticle…", lambda: self.comment(on_article=True), "Ctrl+Shift+M",
                     "A comment (and a flag) on the article", article, edits=True)
        self._action("&Flag for review", self.toggle_flag, "Ctrl+Shift+F",
                     "Flag the article for the reviewer (again: take the flag back)", article, edits=True)
        article.addSeparator()
        self._action("&Next article", lambda: self.go_to_article(1), ["Alt+Right", "Ctrl+PgDown"],
                     "The next article, without answering", article, tools)
        self._action("&Previous article", lambda: self.go_to_article(-1), ["Alt+Left", "Ctrl+PgUp"],
                     "The previous article, without answering", article, tools)

        self.labels_menu = menu.addMenu("&Labels")
        tools_menu = menu.addMenu("&Tools")
        self._action("Pre-annotate &this article", lambda: self.preannotate(current=True), "Ctrl+Shift+P",
                     "Suggest spans for the open article with spaCy", tools_menu, edits=True)
        self._action("Pre-annotate all &pending articles", lambda: self.preannotate(current=False), None,
                     "Suggest spans for every pending article, in the background", tools_menu, edits=True)
        tools_menu.addSeparator()
        self._action("Choose &model…", self.choose_model_dialog, None,
                     "Pre-annotate with a trained spaCy pipeline (annotator train) as well as the rules", tools_menu)
        self._action("Use the &rules only", lambda: self.set_model(None), None,
                     "Pre-annotate with the rule patterns alone", tools_menu)
        tools_menu.addSeparator()
        self._action("Pre-train on the &articles…", self.pretrain_dialog, None,
                     "Learn the model's token vectors from every article of the project, annotated or not, in the "
                     "background (spaCy pretrain); Train model… starts from them", tools_menu)
        self._action("Trai&n model…", self.train_dialog, None,  # t is this article's
                     "Train a span categoriser on the accepted articles, in the background", tools_menu)

        self.review_menu = menu.addMenu("&Review")
        self.review_actions: list[QAction] = []
        self._action("&Take this version", self.take_here, "Ctrl+T",
                     "Accept the selected span's editor's version of these words and remove the others'",
                     self.review_menu, edits=True)
        self._action("&Agreement…", self.show_agreement, None,
                     "The editors' agreement per label and their progress, as a chart", self.review_menu)
        view = menu.addMenu("&View")
        self._action("&Larger text", lambda: self.zoom(1), ["Ctrl++", "Ctrl+="], "Larger text", view)
        self._action("&Smaller text", lambda: self.zoom(-1), "Ctrl+-", "Smaller text", view)
        self._action("&Events overview", self.show_overview, "F3",
                     "Every event of the article with its roles: arrows go through them, the text follows, Enter "
                     "returns to the text", view)
        self.safe_colours = self._action("&Colour-blind-safe colours", self.toggle_safe_colours, None,
                                         "Label colours told apart with any colour vision (Okabe-Ito for events, "
                                         "Tol's muted for arguments)", view)
        self.safe_colours.setCheckable(True)
        self.safe_colours.setChecked(self.settings.value("view/safe_colours", False, type=bool))

        help_menu = menu.addMenu("&Help")
        self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", "The keyboard cheat sheet", help_menu)
        self._action("&Guidelines", self.toggle_guidelines, "F2",
                     "The scheme's guidelines beside the text, at the label of the span in focus (F2 again hides "
                     "them)", help_menu)
        self._action("&About", self.show_about, None, "About annotator", help_menu)
        self.label_actions: list[QAction] = []
        self._build_effort(file_menu, view)

    def _fill_label_filter(self, scheme: LabelScheme) -> None:
        """The queue's label filter lists this project's labels, events first; a label chosen before stays
        chosen if the project has it."""
        box = self.label_filter
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem("All labels", None)
        for kind in ("event", "argument"):
            for lb in scheme.of_kind(kind):
                box.addItem(lb.name, lb.name)
        box.setCurrentIndex(max(0, box.findData(chosen)) if chosen else 0)
        box.blockSignals(False)

    def _build_label_actions(self) -> None:
        for a in self.label_actions:
            self.removeAction(a)
        self.label_actions = []
        self.labels_menu.clear()
        assert self.store is not None
        scheme = self.store.scheme
        use_safe_palette(scheme if self.settings.value("view/safe_colours", False, type=bool) else None)
        self.label_bar.set_scheme(scheme)
        self._fill_label_filter(scheme)
        for kind in ("event", "argument"):
            for lb in scheme.of_kind(kind):
                action = QAction(no_mnemonic(lb.name), self)
                action.setStatusTip(lb.description)
                if lb.hotkey:
                    action.setShortcut(QKeySequence(lb.hotkey.upper() if lb.hotkey.isalpha() else lb.hotkey))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                action.triggered.connect(lambda checked=False, name=lb.name: self.apply_label(name))
                self.addAction(action)
                self.labels_menu.addAction(action)
                self.label_actions.append(action)
                action.setEnabled(self.problem is None)
            self.labels_menu.addSeparator()
        # Shift and a role's key links (or marks and links) in that role of the event in focus
        for key in sorted({r.hotkey for lb in scheme.labels for r in lb.roles if r.hotkey}):
            action = QAction(f"Link role {key.upper()}", self)
            action.setShortcut(QKeySequence(f"Shift+{key.upper()}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda checked=False, k=key: self.link_tool.start_by_key(k))
            action.setEnabled(self.problem is None)
            self.addAction(action)
            self.label_actions.append(action)

    def _build_review_actions(self) -> None:
        """Review > Take NAME's version (Alt+1 … Alt+9): one action per editor of a team's project."""
        for a in self.review_actions:
            self.removeAction(a)
            self.review_menu.removeAction(a)
        self.review_actions = []
        assert self.store is not None
        for i, name in enumerate(self.store.team.editors()[:9], start=1):
            action = QAction(f"Take {no_mnemonic(name)}'s version", self)
            action.setStatusTip(f"Of what is left to decide in this article, accept what {name} had and remove the "
                                "rest")
            action.setShortcut(QKeySequence(f"Alt+{i}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda checked=False, e=name: self.take_version(e))
            action.setEnabled(self.problem is None)
            self.addAction(action)
            self.review_menu.addAction(action)
            self.review_actions.append(action)

    def move_edge(self, edge: str, step: int) -> None:
        """Moves the selected span's start or end by one word (token): one undo step that keeps its label, state
        and links."""
        if self.session is None or self.selected_span is None or self._blocked():
            return
        span_id = self.selected_span
        self.push_edit("resize span", lambda: self.session.move_edge(span_id, edge, step))
        self.select_span(span_id)

    def toggle_safe_colours(self) -> None:
        """The colour-blind-safe palette on or off: the label bar, the text, the span list and the panels follow."""
        on = self.safe_colours.isChecked()
        self.settings.setValue("view/safe_colours", on)
        if self.store is None:
            return
        self._build_label_actions()
        self.guidelines.scheme = None  # built again, in the new colours, when next shown
        if self.guidelines_dock.isVisible():
            self.guidelines.set_scheme(self.store.scheme)
        if self.session is not None and self.session.doc is not None:
            self.refresh_spans(self.selected_span)
            self.refresh_overview(force=True)

    def drag_edge(self, span_id: int, start: int, end: int) -> None:
        """An edge of the selected span dragged with the mouse: the span now holds the words from `start` to `end`
        (snapped to whole words), one undo step that keeps its label, state and links."""
        if self.session is None or self._blocked():
            return
        self.push_edit("resize span", lambda: self.session.resize(span_id, start, end))
        self.select_span(span_id)

    def show_shortcuts(self) -> None:
        rows = [("Select text, then a label key", "mark the words as a span (snaps to whole words)")]
        if self.store is not None:
            for lb in self.store.scheme.labels:
                rows.append((lb.hotkey.upper(), f"{lb.name} — {lb.description}"))
        rows += [
            ("Click / Tab / Shift+Tab", "select a span (a click on a bar under the words: that bar's span)"),
            ("Label key on a selected span", "relabel it"),
            ("Drag an edge of the selected span", "move that edge to another word (one undo step; label, state "
             "and links kept)"),
            ("Shift+role key, with an event selected", "link in that role: Tab / Shift+Tab go through the spans "
             "that fit, nearest first; Enter links, Delete unlinks, Escape cancels; a click links the span "
             "clicked (the Event panel lists the roles and their keys)"),
            ("Select text, then Shift+role key", "mark it with the label that fits the role and link it to the "
             "event"),
        ]
        # every command with a key, as its action says it (menus, toolbar and this sheet share one action)
        for action in [self.undo_action, self.redo_action, *self.command_actions]:
            keys = " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            if keys:
                what = action.statusTip() or action.text().replace("&", "")
                rows.append((keys, what[:1].lower() + what[1:]))
        html = "<table cellpadding=3>" + "".join(
            f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in rows) + "</table>"
        # a dialog that scrolls: with a scheme of many labels the table is taller than a small screen
        box = QDialog(self)
        box.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(box)
        browser = QTextBrowser(box)
        browser.setOpenLinks(False)
        browser.setHtml(html)
        layout.addWidget(browser)
        close = QPushButton("Close", box)
        close.clicked.connect(box.close)
        layout.addWidget(close)
        screen = (self.screen() or box.screen()).availableGeometry()
        width = min(760, int(screen.width() * 0.9))
        browser.document().setTextWidth(width - 60)  # laid out at the dialog's width, to know its height
        wanted = int(browser.document().size().height()) + close.sizeHint().height() + 70
        box.resize(width, min(wanted, int(screen.height() * 0.85)))
        box.show()
        self.shortcuts_box = box
