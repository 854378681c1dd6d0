"""The guidelines panel (F2): the project's scheme as an editor reads it while annotating. Each label with its
colour, key and description, what is marked with it and what is not (examples and counter-examples), an event's
roles with the labels that fill them, then the project's guideline text.

Everything here comes from the scheme a project was made with, so it is data: names, descriptions and examples
are inserted as plain text, and the guideline text as Markdown without HTML, with no links followed and no
images or other resources loaded."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from annotator.core.labels import Label, LabelScheme
from annotator.gui.colours import label_colour

MARKDOWN = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML


def anchor(label: str) -> str:
    return f"label-{label}"


class GuidelinesPanel(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setObjectName("guidelines")
        self.scheme: LabelScheme | None = None

    def loadResource(self, kind: int, name: QUrl) -> object:  # noqa: N802 (Qt's name)
        return None  # no image or style sheet a guideline names is ever read, from disk or elsewhere

    def set_scheme(self, scheme: LabelScheme) -> None:
        self.scheme = scheme
        self.clear()
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        heading = QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        heading.setFontPointSize(self.font().pointSizeF() * 1.3)
        cursor.insertText(f"Scheme: {scheme.name}", heading)
        if scheme.description:
            cursor.insertBlock()
            cursor.insertText(scheme.description, plain)
        for kind, title in (("event", "Events"), ("argument", "Arguments")):
            labels = scheme.of_kind(kind)
            if not labels:
                continue
            cursor.insertBlock()
            cursor.insertBlock()
            cursor.insertText(title, heading)
            for label in labels:
                self._insert_label(cursor, label)
        if scheme.guidelines.strip():
            cursor.insertBlock()
            cursor.insertBlock()
            cursor.insertText("Guidelines", heading)
            cursor.insertBlock()
            cursor.insertMarkdown(scheme.guidelines, MARKDOWN)
        else:
            cursor.insertBlock()
            cursor.insertBlock()
            cursor.insertText("This project's scheme has no guideline text: write it in a Markdown file beside the "
                              "scheme's TOML file (the same name, ending .md) and set the scheme again.", plain)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _insert_label(self, cursor: QTextCursor, label: Label) -> None:
        cursor.insertBlock()
        cursor.insertBlock()
        name = QTextCharFormat()
        name.setFontWeight(QFont.Weight.Bold)
        name.setBackground(label_colour(label))
        name.setForeground(QColor("#000000"))
        name.setAnchor(True)
        name.setAnchorNames([anchor(label.name)])
        cursor.insertText(f" {label.name} ", name)
        plain = QTextCharFormat()
        key = f"  key {label.hotkey.upper()}" if label.hotkey else ""
        cursor.insertText(f"{key}  ({label.kind})", plain)
        if label.description:
            cursor.insertBlock()
            cursor.insertText(label.description, plain)
        good = QTextCharFormat()
        good.setForeground(QColor("#1b5e20"))
        bad = QTextCharFormat()
        bad.setForeground(QColor("#b3261e"))
        for mark, examples, fmt in (("✓ mark", label.examples, good), ("✗ not", label.counter_examples, bad)):
            if examples:
                cursor.insertBlock()
                cursor.insertText(f"{mark}: ", fmt)
                cursor.insertText(" · ".join(f"“{e}”" for e in examples), plain)
        for role in label.roles:
            cursor.insertBlock()
            key = f"Shift+{role.hotkey.upper()} " if role.hotkey else ""
            cursor.insertText(f"    {key}{role.name} ({', '.join(role.fillers)})"
                              + (f": {role.description}" if role.description else ""), plain)

    def show_label(self, label: str | None) -> None:
        """Scrolls to a label's section (the label of the span in focus), or to the top."""
        if label is not None and self.scheme is not None and self.scheme.get(label) is not None:
            self.scrollToAnchor(anchor(label))
        else:
            self.verticalScrollBar().setValue(0)

    def label_at_top(self) -> str | None:
        """The first label whose section shows in the view (what a test reads)."""
        block = self.cursorForPosition(self.viewport().rect().topLeft()).block()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                names = it.fragment().charFormat().anchorNames()
                if names and names[0].startswith("label-"):
                    return names[0][len("label-"):]
                it += 1
            block = block.next()
        return None
