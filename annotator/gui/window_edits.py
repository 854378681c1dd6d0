"""The editor's commands on the open article: marking, accepting, deleting, answering, taking an editor's version
in review. Each runs as one undo step through the article session.

A part of `MainWindow` (annotator/gui/main_window.py), on its widgets and state."""

from __future__ import annotations

from collections.abc import Callable

from annotator.core.model import Answer
from annotator.core.session import Change
from annotator.gui.commands import AnswerCommand, EditCommand
from annotator.gui.plaintext import excerpt
from annotator.store.documents import REVIEW


def unseen_words(unseen: tuple[int, int]) -> str:
    """"3 suggested spans and 1 suggested link": what accepting took without the editor looking at it."""
    parts = [f"{n} suggested {what}{'s' if n != 1 else ''}" for n, what in zip(unseen, ("span", "link")) if n]
    return " and ".join(parts)


class EditsMixin:
    def take_version(self, editor: str) -> None:
        """Review: of what is left to decide in the open article, accept what `editor` had and remove the rest
        (one undo step)."""
        if self.session is None or self.session.doc_id is None or self.store is None or self._blocked():
            return
        doc_id = self.session.doc_id
        spans, links = self.store.team.take_rows(doc_id, editor)
        if not spans and not links:
            self.statusBar().showMessage("Nothing is left to decide in this article", 3000)
            return
        self.push_edit(f"take {editor}'s version", lambda: self.session.restore(doc_id, spans, links))

    def take_here(self) -> None:
        """Review: the version of the selected span's editor at this place: the open spans over the same words
        from the other editors' work removed, this one accepted, with the open links they hold (one undo
        step). Tab, or a click on another lane, picks another editor's version first."""
        if self.session is None or self.session.doc_id is None or self.store is None or self._blocked():
            return
        span = self.view.span(self.selected_span)
        editors = self.view.origins.get(span.id) if span is not None else None
        if span is None or not editors or span.state.value != "suggested":
            self.statusBar().showMessage("Select a span still to decide in a review first: its editor's version "
                                         "of those words is taken", 4000)
            return
        doc_id, span_id = self.session.doc_id, span.id
        spans, links = self.store.team.take_rows(doc_id, editors[0], (span.start, span.end))
        if self.push_edit(f"take {editors[0]}'s version here", lambda: self.session.restore(doc_id, spans, links)):
            self.select_span(span_id)
            others = sum(st == "rejected" for _, _, st in spans)
            self.statusBar().showMessage(f"Took {', '.join(editors)}'s {span.label} here"
                                         + (f"; {others} other version(s) removed" if others else ""), 4000)

    def show_agreement(self) -> None:
        from annotator.gui.agreement_view import AgreementDialog

        if self.store is None:
            return
        AgreementDialog(self.store, self).exec()

    def push_edit(self, text: str, action: Callable[[], Change]) -> bool:
        """Runs an editor's action as an undo step; whether it changed anything."""
        assert self.session is not None
        command = EditCommand(self.session, text, action, self.on_edit_error)
        self.undo_stack.push(command)
        return bool(command.change)

    def apply_label(self, label: str) -> None:
        if self.session is None or self.session.doc is None or self._blocked():
            return
        selection = self.view.selection_range()
        if selection is not None:
            start, end = selection
            if self.session.snap(start, end) is None:
                self.statusBar().showMessage("The selection holds no word", 3000)
                return
            self.push_edit(f"mark {label}", lambda: self.session.add_span(start, end, label))
            self.view.clear_selection()
        elif self.selected_span is not None:
            span_id = self.selected_span
            self.push_edit(f"relabel as {label}", lambda: self.session.relabel(span_id, label))
        else:
            self.statusBar().showMessage("Select some text or a span first", 3000)

    def accept_selected(self) -> None:
        if self.link_tool.active:
            self.link_tool.commit()
            return
        if self.session is None or self.selected_span is None:
            return
        span_id = self.selected_span
        span = self.view.span(span_id)
        if span is not None and span.state.value == "accepted":
            self.select_next_span(1)
            return
        self.push_edit("accept suggestion", lambda: self.session.accept(span_id))
        self.select_next_span(1)

    def delete_selected(self) -> None:
        if self.link_tool.active:
            self.link_tool.remove_current()
            return
        if self.session is None or self.selected_span is None:
            return
        span_id = self.selected_span
        ids = [s.id for s in self.view.spans]
        following = ids[ids.index(span_id) + 1] if span_id in ids and ids.index(span_id) + 1 < len(ids) else None
        self.push_edit("delete span", lambda: self.session.delete(span_id))
        if following is not None:
            self.select_span(following)

    def accept_all(self) -> None:
        if self.session is None or self.session.doc is None:
            return
        unseen = self.session.unseen()
        if self.push_edit("accept all suggestions", self.session.accept_all) and any(unseen):
            self.statusBar().showMessage(f"Accepted {unseen_words(unseen)} you never selected (Ctrl+Z takes it "
                                         "back)", 10000)

    def answer(self, answer: Answer) -> None:
        """Answers the open article (accepting accepts the suggestions shown) and goes to the next pending one."""
        if self.session is None or self.session.doc_id is None or self.store is None or self._blocked():
            return
        doc_id = self.session.doc_id
        unseen = self.session.unseen() if answer is Answer.ACCEPT else (0, 0)
        title = self.title_label.full_text()  # the window moves on: the message names the article it was about
        command = AnswerCommand(self.session, doc_id, answer, self.on_edit_error)
        self.undo_stack.push(command)
        if not command.done:
            return
        if self.queue is not None and not self.queue.by_id:  # the worst article still to decide, or the most
            target = next(iter(self.store.documents.document_ids(0, 1, self.queue.answer)), None)  # useful one
        else:
            target = self.store.documents.next_document(doc_id) or self.store.documents.next_document(0)
        if target is None:
            self.statusBar().showMessage("Nothing is left to review." if self.queue is not None
                                         and self.queue.answer == REVIEW else "Every article is answered.", 5000)
        else:
            self.open_document(target)
        if any(unseen):
            # the title cut, so that what matters (how to take it back) is not cut off at the window's edge
            self.statusBar().showMessage(f"Accepted “{excerpt(title, 50)}”, with {unseen_words(unseen)} you never "
                                         "selected (Ctrl+Z takes the answer back)", 10000)
