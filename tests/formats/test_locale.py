"""Files are read and written as UTF-8 whatever the computer's own encoding: on Windows it is a code page (cp1252),
and a file opened without `encoding="utf-8"` there would lose or refuse every é, ü and Arabic letter. The tests
switch this process's locale to plain ASCII ("C"), which Python then takes as the encoding of any file opened
without one, and take non-ASCII articles out through every format and back in."""

from __future__ import annotations

import json
import locale
from pathlib import Path

import pytest

from annotator.core.formats import EXPORT_FORMATS
from annotator.store import Store
from annotator.workflows.exporting import export
from annotator.workflows.importing import import_paths


def article(text: str, title: str, ext: str, *marks: tuple[str, str]) -> dict:
    spans = [{"start": text.index(w), "end": text.index(w) + len(w), "label": label} for w, label in marks]
    return {"text": text, "meta": {"title": title, "id": ext}, "answer": "accept", "spans": spans}


ARTICLES = [
    article("Les rebelles ont attaqué Kidal à l'aube.", "Kidal attaquée", "é-1",
            ("rebelles", "ACTOR"), ("attaqué", "ATTACK"), ("Kidal", "PLACE")),
    article("Gespräche in München über den Waffenstillstand.", "München", "ü-2",
            ("Gespräche", "TALKS"), ("München", "PLACE")),
    article("قصف مدفعي على حلب اليوم", "حلب", "ح-3", ("قصف", "ATTACK"), ("حلب", "PLACE")),
]


@pytest.fixture
def ascii_locale():
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert locale.getpreferredencoding(False) in ("ANSI_X3.4-1968", "ascii", "US-ASCII")
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, before)


def articles(store: Store) -> list[tuple]:
    out = []
    for row in store.documents.list_documents(limit=100):
        doc = store.documents.document(row.id)
        out.append((doc.text, [(doc.text[s.start:s.end], s.label) for s in store.annotations.spans(row.id)]))
    return sorted(out)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_non_ascii_articles_go_out_and_come_back_under_an_ascii_locale(fmt, ascii_locale, tmp_path, tokenize):
    source = tmp_path / "in.jsonl"
    source.write_bytes("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES).encode("utf-8"))
    first, second = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    try:
        report = import_paths(first, [source], fmt="prodigy", tokenizer=tokenize)
        assert (report.added, report.rejected) == (3, 0), [str(e) for e in report.errors]
        out: Path = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
        export(first, out, fmt=fmt, tokenizer=tokenize)
        back = import_paths(second, [out], "doccano" if fmt == "doccano-relations" else None, tokenizer=tokenize)
        assert back.rejected == 0, [str(e) for e in back.errors]
        if fmt == "conll":  # words, not the spacing: the same letters and labels
            assert [("".join(t.split()), s) for t, s in articles(second)] == \
                [("".join(t.split()), s) for t, s in articles(first)]
        else:
            assert articles(second) == articles(first)
        if fmt not in ("conll", "brat"):  # the formats that keep titles and ids
            expected = sorted((a["meta"]["title"], a["meta"]["id"]) for a in ARTICLES)
            assert sorted(titles(second)) == sorted(titles(first)) == expected
    finally:
        first.close()
        second.close()


def titles(store: Store) -> list[tuple[str, str]]:
    docs = [store.documents.document(row.id) for row in store.documents.list_documents(limit=100)]
    return [(doc.title, doc.external_id) for doc in docs]
