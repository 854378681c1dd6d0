"""Fixtures the team's tests share."""

from __future__ import annotations

import pytest

from annotator.core.model import Document, Record
from annotator.store import Store
from tests.workflows.test_team import TEXTS, suggestions


@pytest.fixture
def team(tmp_path, tokenize) -> Store:
    """A team's project of six short articles, each with four suggestions (the attacker, the attack, the town,
    the police)."""
    store = Store(tmp_path / "team.db")
    store.documents.add_records([Record(Document(text=t, title=f"article {i}", tokens=tokenize(t)), suggestions(t))
                                 for i, t in enumerate(TEXTS)])
    yield store
    store.close()
