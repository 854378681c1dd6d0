"""Comments and flags (`store.notes`): an editor's note on an article or on one of its spans, a text and a flag
(Prodigy's flag, brat's notes, Potato's memos). Each change is an edit like any other: one transaction that
moves the article's revision on, checked against it, and logged in the change log; undo sets the note back.

A note taken back is kept as an empty text without a flag, so that a merge of the editor's file can tell it was
taken back. In a team's project, the editors' notes are in `layer_notes` (see annotator.store.merging), keyed by
their span's offsets and label (an article's note: -1, -1 and no label)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.errors import DatabaseError, InputError
from annotator.store.sql import Repository, now, rows_in

ARTICLE = 0  # the span id of an article's own note
MAX_NOTE = 10_000  # characters
NO_SPAN = (-1, -1, "")  # an article's note in a layer: its key where a span's offsets and label would be
EMPTY = json.dumps(["", False])  # a taken-back note in a layer


@dataclass(frozen=True)
class Note:
    span_id: int  # ARTICLE for the article's own note
    text: str
    flagged: bool
    who: str | None = None
    at: str = ""

    def __bool__(self) -> bool:
        return bool(self.text.strip()) or self.flagged


@dataclass(frozen=True)
class EditorNote:
    """An editor's note in a team's project: whose, on which span (None: the article), what."""

    editor: str
    span: tuple[int, int, str] | None
    text: str
    flagged: bool


class Notes(Repository):
    """`store.notes`."""

    def of_document(self, doc_id: int) -> dict[int, Note]:
        """span id (ARTICLE for the article) -> its note, for the notes not taken back."""
        return {r[0]: Note(r[0], r[1], bool(r[2]), r[3], r[4]) for r in self.conn.execute(
            "SELECT span_id, text, flagged, who, updated_at FROM notes WHERE doc_id = ? AND (text != '' OR flagged) "
            "ORDER BY span_id", (doc_id,))}

    def note(self, doc_id: int, span_id: int = ARTICLE) -> Note:
        row = self.conn.execute("SELECT text, flagged, who, updated_at FROM notes WHERE doc_id = ? AND span_id = ?",
                                (doc_id, span_id)).fetchone()
        return Note(span_id, row[0], bool(row[1]), row[2], row[3]) if row else Note(span_id, "", False)

    def set(self, doc_id: int, span_id: int, text: str, flagged: bool, who: str | None,
            expected_revision: int | None = None) -> Note:
        """Sets the note of an article (span_id ARTICLE) or of one of its spans; an empty text without a flag
        takes it back. Returns the note it had before."""
        if len(text) > MAX_NOTE:
            raise InputError(f"a note holds at most {MAX_NOTE:,} characters (this one has {len(text):,})")
        if "\x00" in text:
            raise InputError("a note cannot hold a NUL character")
        with self.store.write() as conn:
            if conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                raise DatabaseError(f"no document {doc_id}")
            if span_id != ARTICLE and conn.execute("SELECT 1 FROM spans WHERE id = ? AND doc_id = ?",
                                                   (span_id, doc_id)).fetchone() is None:
                raise DatabaseError(f"no span {span_id} in document {doc_id}")
            before = self.note(doc_id, span_id)
            if (before.text, before.flagged) == (text, flagged):
                return before
            self.store.bump(doc_id, expected_revision)
            conn.execute("INSERT OR REPLACE INTO notes(doc_id, span_id, text, flagged, who, updated_at) VALUES "
                         "(?, ?, ?, ?, ?, ?)", (doc_id, span_id, text, int(flagged), who, now()))
            self.store._log("note", who, doc_id, span_id or None, text=text, flagged=flagged,
                            before=[before.text, before.flagged])
        return before

    def of_editors(self, doc_id: int) -> list[EditorNote]:
        """The editors' notes on an article in a team's project (those not taken back)."""
        out = []
        for editor, start, end, label, note in self.conn.execute(
                'SELECT editor, start, "end", label, note FROM layer_notes WHERE doc_id = ? AND note != ? '
                'ORDER BY editor, start, "end", label', (doc_id, EMPTY)):
            text, flagged = json.loads(note)
            out.append(EditorNote(editor, None if (start, end, label) == NO_SPAN else (start, end, label), text,
                                  bool(flagged)))
        return out

    def marks(self, ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
        """article id -> (flagged, commented) for these articles, counting the article's own notes, its spans'
        (not removed) and, in a team's project, the editors'."""
        out: dict[int, tuple[bool, bool]] = {}
        for d, flagged, commented in rows_in(
                self.conn, "SELECT n.doc_id, max(n.flagged), max(n.text != '') FROM notes n LEFT JOIN spans s ON "
                           "s.id = n.span_id WHERE n.doc_id IN ({in}) AND (n.span_id = 0 OR s.state != 'rejected') "
                           "GROUP BY n.doc_id", ids):
            out[d] = (bool(flagged), bool(commented))
        for d, note in rows_in(self.conn, "SELECT doc_id, note FROM layer_notes WHERE doc_id IN ({in}) AND note != ?",
                               ids, after=[EMPTY]):
            text, flagged = json.loads(note)
            had = out.get(d, (False, False))
            out[d] = (had[0] or bool(flagged), had[1] or bool(text.strip()))
        return out

    def for_export(self, ids: Sequence[int], editor: str | None = None) -> dict[int, dict]:
        """article id -> what its notes add to an export's `meta`: `flagged` (the article's flag) and `comments`
        (each note's text, with its flag, and the span it is on as [start, end, label]). The project's own notes,
        or with `editor`, that editor's layer in a team's project. Notes on removed spans are left out."""
        out: dict[int, dict] = {}

        def add(d: int, span: tuple[int, int, str] | None, text: str, flagged: bool) -> None:
            meta = out.setdefault(d, {})
            if span is None and flagged:
                meta["flagged"] = True
            if text.strip() or (span is not None and flagged):
                item: dict = {"text": text}
                if span is not None:
                    item["span"] = list(span)
                if flagged:
                    item["flagged"] = True
                meta.setdefault("comments", []).append(item)

        if editor is None:
            for d, span_id, text, flagged, start, end, label in rows_in(
                    self.conn, 'SELECT n.doc_id, n.span_id, n.text, n.flagged, s.start, s."end", s.label FROM notes n '
                               "LEFT JOIN spans s ON s.id = n.span_id WHERE n.doc_id IN ({in}) AND (n.text != '' OR "
                               "n.flagged) AND (n.span_id = 0 OR s.state != 'rejected') ORDER BY n.doc_id, s.start, "
                               "n.span_id", ids):
                add(d, None if span_id == ARTICLE else (start, end, label), text, bool(flagged))
        else:
            for d, start, end, label, note in rows_in(
                    self.conn, 'SELECT n.doc_id, n.start, n."end", n.label, n.note FROM layer_notes n WHERE n.doc_id '
                               "IN ({in}) AND n.editor = ? AND n.note != ? AND (n.start = -1 OR EXISTS (SELECT 1 "
                               "FROM layer_spans s WHERE s.doc_id = n.doc_id AND s.editor = n.editor AND s.start = "
                               'n.start AND s."end" = n."end" AND s.label = n.label AND s.state = \'accepted\')) '
                               "ORDER BY n.doc_id, n.start", ids, after=[editor, EMPTY]):
                text, flagged = json.loads(note)
                add(d, None if (start, end, label) == NO_SPAN else (start, end, label), text, bool(flagged))
        return {d: meta for d, meta in out.items() if meta}
