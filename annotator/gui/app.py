"""Starting the window: settings, the editor's name, the project to open."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QThread, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from annotator.gui.main_window import MainWindow
from annotator.gui.workers import WarmUpWorker


def settings() -> QSettings:
    return QSettings("annotator", "annotator")


def ask_editor_name(s: QSettings, parent=None) -> str:
    name = s.value("editor")
    if name:
        return str(name)
    default = os.environ.get("ANNOTATOR_EDITOR") or os.environ.get("USER") or os.environ.get("USERNAME") or ""
    if os.environ.get("ANNOTATOR_EDITOR"):
        name = default
    else:
        name, ok = QInputDialog.getText(parent, "Welcome to annotator",
                                        "Your name (every change you make is recorded under it):", text=default)
        name = (name or "").strip() if ok else ""
    name = name or default or "editor"
    s.setValue("editor", name)
    return name


def create_window(db: str | Path | None, s: QSettings | None = None, demo: Path | None = None) -> MainWindow:
    s = s or settings()
    window = MainWindow(s, ask_editor_name(s))
    target = Path(db) if db else None
    if target is None and s.value("last_project") and Path(str(s.value("last_project"))).exists():
        target = Path(str(s.value("last_project")))
    if target is None and demo is not None and demo.exists():
        target = demo
    if target is not None:
        window.open_project(target, create=not target.exists())
    return window


def run(db: str | None = None, demo: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("annotator")
    window = create_window(db, demo=demo)
    window.show()
    # spaCy loads in the background once the window shows (it is needed only for articles without tokens)
    thread = QThread()
    worker = WarmUpWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    QTimer.singleShot(300, thread.start)
    code = app.exec()
    thread.quit()
    thread.wait()
    return code
