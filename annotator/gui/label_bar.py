"""Every label of the scheme as a button: its colour, its hotkey, its description as a tooltip; event labels and
argument labels in two groups."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from annotator.core.labels import LabelScheme
from annotator.gui.colours import label_colour, readable_on
from annotator.gui.flow_layout import FlowLayout
from annotator.gui.plaintext import esc, no_mnemonic


class LabelBar(QWidget):
    labelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = FlowLayout(self)
        self.layout_.setContentsMargins(6, 4, 6, 4)
        self.layout_.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_scheme(self, scheme: LabelScheme) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons.clear()
        for kind, title in (("event", "Events"), ("argument", "Arguments")):
            labels = scheme.of_kind(kind)
            if not labels:
                continue
            caption = QLabel(f"<b>{title}:</b>")
            self.layout_.addWidget(caption)
            for lb in labels:
                key = lb.hotkey.upper() if lb.hotkey else ""
                button = QPushButton(no_mnemonic(f"{lb.name} [{key}]" if key else lb.name))
                colour = label_colour(lb)
                button.setStyleSheet(
                    f"QPushButton {{ background: {colour.name()}; color: {readable_on(colour).name()}; "
                    "border-radius: 4px; padding: 3px 7px; font-weight: 600; }"
                    "QPushButton:pressed { border: 2px solid black; }")
                button.setToolTip(f"<b>{esc(lb.name)}</b> ({kind}) — key {esc(key) or 'none'}<br>"
                                  f"{esc(lb.description)}")
                button.setFocusPolicy(button.focusPolicy().NoFocus)
                button.clicked.connect(lambda _=False, name=lb.name: self.labelChosen.emit(name))
                self.layout_.addWidget(button)
                self.buttons[lb.name] = button
        self.updateGeometry()
