"""Starting the window: settings, the editor's name, the project to open."""

from __future__ import annotations

import gc
import getpass
import os
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings, QThread, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from annotator.gui.main_window import MainWindow
from annotator.gui.workers import WarmUpWorker


def settings() -> QSettings:
    return QSettings("annotator", "annotator")


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some containers)
        return ""


def ask_editor_name(s: QSettings, parent=None) -> tuple[str, bool]:
    """The editor's name and whether it was chosen (False: the prompt was cancelled, so the login name is used
    for this session only, said in the status bar, and the prompt comes back next time)."""
    name = s.value("editor")
    if name:
        return str(name), True
    env = os.environ.get("ANNOTATOR_EDITOR")
    if env:
        s.setValue("editor", env)
        return env, True
    default = login_name() or os.environ.get("USER") or os.environ.get("USERNAME") or ""
    name, ok = QInputDialog.getText(parent, "Welcome to annotator",
                                    "Your name (every change you make is recorded under it):", text=default)
    name = (name or "").strip()
    if ok and name:
        s.setValue("editor", name)
        return name, True
    return default or "editor", False


def create_window(db: str | Path | None, s: QSettings | None = None, demo: Path | None = None) -> MainWindow:
    s = s or settings()
    name, chosen = ask_editor_name(s)
    window = MainWindow(s, name)
    if not chosen:
        window.statusBar().showMessage(f"No name given: your changes are recorded as {name} for now (File > Your "
                                       f"name… to change it)", 0)
    target = Path(db) if db else None
    last = s.value("last_project")
    if target is None and isinstance(last, str) and last and Path(last).exists():
        target = Path(str(s.value("last_project")))
    if target is None and demo is not None and demo.exists():
        target = demo
    if target is not None:
        window.open_project(target, create=not target.exists())
    return window


def install_error_hook(window: MainWindow) -> None:
    """An exception escaping a slot reaches the editor in the window, once, instead of the terminal at every
    timer tick; its traceback is printed once for a bug report."""
    printed: set[str] = set()

    def hook(kind, exc, tb) -> None:  # noqa: ANN001
        key = f"{kind.__name__}: {exc}"
        if key not in printed:
            printed.add(key)
            traceback.print_exception(kind, exc, tb)
        try:
            window.unexpected(exc)
        except Exception:  # pragma: no cover - never let the hook itself fail
            pass

    sys.excepthook = hook


def display_problem() -> str | None:
    """Why no window can be shown here (no display on Linux), in words a user can act on; None if it can."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("annotator gui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot "
            "open. Run it on a desktop session, or over SSH with `ssh -X`. Everything else works without a "
            "display: `annotator import`, `preannotate`, `export`, `stats`, `train` (see `annotator --help`).")


def settle_memory() -> None:
    """Puts what the program has built so far (Qt's wrappers, the project, spaCy once loaded) out of the garbage
    collector's walk: a full collection otherwise goes through all of it, a pause of a few milliseconds in the
    middle of opening an article or an edit. What is garbage now is collected first, so nothing is kept that
    should not be."""
    gc.collect()
    gc.freeze()


def run(db: str | None = None, demo: Path | None = None) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("annotator")
    window = create_window(db, demo=demo)
    install_error_hook(window)
    window.show()
    settle_memory()
    # spaCy loads in the background once the window shows (it is needed only for articles without tokens)
    thread = QThread()
    worker = WarmUpWorker()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.finished.connect(settle_memory)
    worker.failed.connect(thread.quit)
    QTimer.singleShot(300, thread.start)
    code = app.exec()
    thread.quit()
    thread.wait()
    return code
