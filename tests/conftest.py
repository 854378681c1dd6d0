"""Shared fixtures. Qt must never look for a display in tests."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNOTATOR_EDITOR", "tester")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    """../shared beside the checkout (also from the copy mutation testing runs in, one folder deeper)."""
    for parent in ROOT.parents:
        if (parent / "shared" / "data").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _shared()
WIKINEWS = SHARED / "data" / "wikinews" / "articles.jsonl"
FORMATS = SHARED / "fixtures" / "formats"
SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(db_path: Path):
    from annotator.store import Store

    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def tokenize():
    from annotator.nlp.pipeline import tokenize as tok

    return tok


@pytest.fixture(scope="session")
def rules():
    from annotator.core.labels import load_scheme
    from annotator.nlp import build_annotator

    return build_annotator(load_scheme())


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
