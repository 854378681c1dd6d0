from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from annotator.core.labels import load_scheme
from annotator.nlp import build_annotator
from annotator.nlp.pipeline import tokenize
from annotator.store import Store
from annotator.workflows.importing import import_paths
from annotator.workflows.preannotating import preannotate
from tests.conftest import SAMPLES


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The twelve sample articles, pre-annotated, built once and copied for each test."""
    path = tmp_path_factory.mktemp("base") / "base.db"
    store = Store(path)
    import_paths(store, [SAMPLES], tokenizer=tokenize)
    preannotate(store, build_annotator(load_scheme()))
    store.close()
    return path


@pytest.fixture
def project(sample_db, tmp_path) -> Path:
    import sqlite3

    target = tmp_path / "project.db"
    src = sqlite3.connect(sample_db)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


@pytest.fixture
def qsettings(tmp_path) -> QSettings:
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    s.setValue("editor", "tester")
    return s


@pytest.fixture
def messages(monkeypatch):
    """Message boxes are recorded instead of shown (they would wait for a click)."""
    from PySide6.QtWidgets import QMessageBox

    seen: list[tuple[str, str]] = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind,
                            staticmethod(lambda parent, title, text, *a, kind=kind, **k: seen.append((kind, text))))
    return seen


def open_window(qtbot, settings: QSettings, project: Path, size: tuple[int, int] | None = None):
    """The window on `project`, shown and active (`size`: resized first)."""
    from annotator.gui.main_window import MainWindow

    w = MainWindow(settings, "tester")
    qtbot.addWidget(w)
    assert w.open_project(project)
    if size is not None:
        w.resize(*size)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    return w


@pytest.fixture
def window(qtbot, project, qsettings, messages):
    return open_window(qtbot, qsettings, project)
