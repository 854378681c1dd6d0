"""The layers stay apart: the headless core never pulls in Qt, and the store and readers never pull in spaCy."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(imports: str) -> set[str]:
    code = f"import sys\n{imports}\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_core_store_and_formats_load_neither_qt_nor_spacy():
    mods = loaded_after("import annotator.core, annotator.store, annotator.formats, annotator.workflows.importing")
    assert "PySide6" not in mods
    assert "spacy" not in mods and "thinc" not in mods


def test_command_line_loads_spacy_only_for_commands_that_need_it():
    mods = loaded_after("import annotator.cli")
    assert "spacy" not in mods and "PySide6" not in mods


def test_the_window_starts_without_pandas_which_stays_importable():
    """sqlite-utils imports pandas when Ray's extra has installed it: 0.6 s of every start-up, for nothing."""
    import importlib.util

    assert importlib.util.find_spec("pandas") is not None, "make install installs Ray's extra, and pandas with it"
    mods = loaded_after("import annotator.gui.main_window")
    assert "pandas" not in mods and "spacy" not in mods
    assert "pandas" in loaded_after("import annotator.store, sqlite_utils, pandas")
