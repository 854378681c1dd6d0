"""Text from data (titles, label names, file names, error messages) shown as plain text. Qt guesses rich text
in tooltips, message boxes and labels, and renders `&` in menu and button text as a shortcut marker: a title
such as `<img src=/some/file>` would load a local image. Everything from data goes through these."""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def plain(text: str) -> str:
    """`text` as rich text that shows exactly these characters (for tooltips and message boxes)."""
    return Qt.convertFromPlainText(str(text), Qt.WhiteSpaceMode.WhiteSpaceNormal)


def esc(text: str) -> str:
    """`text` escaped for a piece of rich text we build ourselves."""
    return html.escape(str(text), quote=False)


def no_mnemonic(text: str) -> str:
    """`text` for a menu entry or button, where `&` would mark a shortcut key."""
    return str(text).replace("&", "&&")


def excerpt(text: str, limit: int = 80) -> str:
    """A span's words on one line, shortened to `limit` characters (with an ellipsis)."""
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"
