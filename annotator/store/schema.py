"""The database schema, as a list of migrations. The schema version is the number of migrations applied;
it is kept in `PRAGMA user_version` so that opening a database tells at once whether it is older or newer."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from annotator.core.effort import FAST_MS_PER_100_WORDS, KINDS, STAMP_STREAK, bucket_sql
from annotator.core.labels import DEFAULT_SCHEME, LabelScheme, load_scheme
from annotator.store.scheme_tables import read_rule_link_roles, write_guidelines, write_scheme

migrations = Migrations("annotator")


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db["project"].create({"key": str, "value": str}, pk="key")
    db["labels"].create(
        {"name": str, "kind": str, "colour": str, "hotkey": str, "description": str, "position": int},
        pk="name",
        not_null={"kind", "colour"},
    )
    db["documents"].create(
        {
            "id": int,
            "external_id": str,
            "title": str,
            "text": str,
            "meta": str,
            "input_hash": str,
            "source_file": str,
            "answer": str,
            "answered_by": str,
            "answered_at": str,
            "revision": int,
            "created_at": str,
        },
        pk="id",
        not_null={"text", "input_hash", "answer", "revision"},
        defaults={"answer": "pending", "revision": 0, "title": "", "meta": "{}"},
    )
    db["documents"].create_index(["input_hash"], unique=True)
    db["documents"].create_index(["answer", "id"])
    db["spans"].create(
        {
            "id": int,
            "doc_id": int,
            "start": int,
            "end": int,
            "label": str,
            "source": str,
            "state": str,
            "score": float,
            "created_by": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("doc_id", "documents", "id"), ("label", "labels", "name")],
        not_null={"doc_id", "start", "end", "label", "source", "state"},
    )
    db["spans"].create_index(["doc_id", "start", "end", "label"], unique=True)
    db["changes"].create(
        {"id": int, "doc_id": int, "span_id": int, "action": str, "who": str, "at": str, "detail": str},
        pk="id",
        not_null={"action", "at"},
    )
    db["changes"].create_index(["doc_id", "id"])
    db["preannotated"].create(
        {"doc_id": int, "pipeline": str, "at": str, "suggestions": int},
        pk=("doc_id", "pipeline"),
        foreign_keys=[("doc_id", "documents", "id")],
    )
    # token offsets live beside the documents: writing them never rewrites a document row
    db["tokens"].create({"doc_id": int, "data": bytes}, pk="doc_id", foreign_keys=[("doc_id", "documents", "id")],
                        not_null={"data"})
    db["documents"].enable_fts(["title", "text"], fts_version="FTS5", create_triggers=True, tokenize="unicode61")
    # sqlite-utils' update trigger re-indexes the text on every UPDATE of a document, even of its answer or
    # revision: only a change of title or text needs that
    db.execute('DROP TRIGGER "documents_au"')
    db.execute(
        'CREATE TRIGGER "documents_au" AFTER UPDATE OF "title", "text" ON "documents" BEGIN\n'
        '  INSERT INTO "documents_fts" ("documents_fts", rowid, "title", "text") '
        "VALUES('delete', old.rowid, old.\"title\", old.\"text\");\n"
        '  INSERT INTO "documents_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");\n'
        "END"
    )


@migrations(name="0002_changes_by_editor")
def m0002_changes_by_editor(db: Database) -> None:
    """Per-editor figures (stats, the window's pace) read the change log by editor and time."""
    db["changes"].create_index(["who", "at"], if_not_exists=True)


@migrations(name="0003_events")
def m0003_events(db: Database) -> None:
    """Events with their arguments: the roles each event label has (and which labels may fill them), and the
    links that join an event span to an argument span in a role. A link is never deleted, like a span: the
    editor's removal is the state 'rejected'."""
    db["roles"].create(
        {"event": str, "name": str, "fillers": str, "hotkey": str, "description": str, "position": int},
        pk=("event", "name"),
        foreign_keys=[("event", "labels", "name")],
        not_null={"fillers"},
    )
    db["links"].create(
        {
            "id": int,
            "doc_id": int,
            "event_id": int,
            "arg_id": int,
            "role": str,
            "source": str,
            "state": str,
            "score": float,
            "created_by": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("doc_id", "documents", "id"), ("event_id", "spans", "id"), ("arg_id", "spans", "id")],
        not_null={"doc_id", "event_id", "arg_id", "role", "source", "state"},
    )
    db["links"].create_index(["event_id", "arg_id", "role"], unique=True)
    db["links"].create_index(["doc_id"])
    db["links"].create_index(["arg_id"])


@migrations(name="0004_first_scheme")
def m0004_first_scheme(db: Database) -> None:
    """A new project's label scheme: the one it is made with (`Store(path, scheme=...)` hands it over as
    `db.first_scheme`), else the default. A project that has labels keeps them."""
    if not db["labels"].count:
        write_scheme(db, getattr(db, "first_scheme", None) or load_scheme())


@migrations(name="0005_counts")
def m0005_counts(db: Database) -> None:
    """The number of articles, and of each answer, kept by the database itself: triggers update them on every
    insert, delete and answer, whichever program makes the change, so that the window shows them without
    counting a million rows after each answer."""
    db.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("INSERT INTO counts(name, n) SELECT 'documents', count(*) FROM documents")
    db.execute("INSERT INTO counts(name, n) VALUES ('answer:pending', 0), ('answer:accept', 0), "
               "('answer:reject', 0), ('answer:ignore', 0)")
    db.execute("UPDATE counts SET n = (SELECT count(*) FROM documents d WHERE 'answer:' || d.answer = counts.name) "
               "WHERE name LIKE 'answer:%'")
    db.execute("""CREATE TRIGGER counts_insert AFTER INSERT ON documents BEGIN
        UPDATE counts SET n = n + 1 WHERE name IN ('documents', 'answer:' || NEW.answer); END""")
    db.execute("""CREATE TRIGGER counts_delete AFTER DELETE ON documents BEGIN
        UPDATE counts SET n = n - 1 WHERE name IN ('documents', 'answer:' || OLD.answer); END""")
    db.execute("""CREATE TRIGGER counts_answer AFTER UPDATE OF answer ON documents WHEN OLD.answer != NEW.answer
        BEGIN
        UPDATE counts SET n = n - 1 WHERE name = 'answer:' || OLD.answer;
        UPDATE counts SET n = n + 1 WHERE name = 'answer:' || NEW.answer; END""")


@migrations(name="0006_team")
def m0006_team(db: Database) -> None:
    """A team's project: which editors each article is assigned to, and each editor's work merged back from their
    own project files as their layer (answers, spans, links, change log). A layer's rows are keyed by what they
    are (the article, the editor, the offsets and label), never by another file's row ids, so merging a file
    twice, or files in any order, gives the same rows. The project's own spans, links and answers are the gold
    layer once reviewed: `came_from` names the editors whose layers held a span or link, `reviews` how well the
    editors of an article agreed and how much is left to decide."""
    db.execute("""CREATE TABLE assignments (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL,
        PRIMARY KEY (doc_id, editor)) WITHOUT ROWID""")
    db.execute("CREATE INDEX assignments_editor ON assignments(editor, doc_id)")
    db.execute("""CREATE TABLE layer_answers (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL, answer TEXT NOT NULL,
        at TEXT NOT NULL, PRIMARY KEY (doc_id, editor)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE layer_spans (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, label TEXT NOT NULL REFERENCES labels(name),
        state TEXT NOT NULL, source TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (doc_id, editor, start, "end", label)) WITHOUT ROWID""")
    db.execute("CREATE INDEX layer_spans_editor ON layer_spans(editor, doc_id)")
    db.execute("""CREATE TABLE layer_links (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL,
        event_start INTEGER NOT NULL, event_end INTEGER NOT NULL, event_label TEXT NOT NULL,
        arg_start INTEGER NOT NULL, arg_end INTEGER NOT NULL, arg_label TEXT NOT NULL, role TEXT NOT NULL,
        state TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (doc_id, editor, event_start, event_end, event_label, arg_start, arg_end, arg_label, role))
        WITHOUT ROWID""")
    db.execute("""CREATE TABLE layer_changes (
        uid TEXT PRIMARY KEY, doc_id INTEGER REFERENCES documents(id), editor TEXT NOT NULL, who TEXT,
        at TEXT NOT NULL, action TEXT NOT NULL, detail TEXT) WITHOUT ROWID""")
    db.execute("CREATE INDEX layer_changes_doc ON layer_changes(editor, doc_id, at)")
    db.execute("ALTER TABLE spans ADD COLUMN came_from TEXT")
    db.execute("ALTER TABLE links ADD COLUMN came_from TEXT")
    db.execute("""CREATE TABLE reviews (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id), editors INTEGER NOT NULL, score REAL NOT NULL,
        disputed INTEGER NOT NULL, at TEXT NOT NULL)""")
    db.execute("CREATE INDEX reviews_worst ON reviews(score, doc_id)")


def _tally(what: str, a: str, b: str, step: int) -> str:
    """A trigger's statement adding `step` to a tally (made when missing)."""
    return (f"INSERT INTO tallies(what, a, b, n) VALUES ('{what}', {a}, {b}, {step}) "
            f"ON CONFLICT(what, a, b) DO UPDATE SET n = n + {step};")


@migrations(name="0007_tallies")
def m0007_tallies(db: Database) -> None:
    """The statistics (`annotator stats`) kept by the database like the counts of 0005: spans by label and state,
    articles pre-annotated by pipeline, answers by editor, editors' changes by editor. Triggers keep them,
    whichever program makes the change, so a million articles' figures are read, not counted."""
    db.execute("""CREATE TABLE tallies (what TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (what, a, b)) WITHOUT ROWID""")
    db.execute("INSERT INTO tallies SELECT 'span', label, state, count(*) FROM spans GROUP BY label, state")
    db.execute("INSERT INTO tallies SELECT 'preannotated', pipeline, '', count(*) FROM preannotated GROUP BY pipeline")
    db.execute("INSERT INTO tallies SELECT 'answered', coalesce(answered_by, ''), answer, count(*) FROM documents "
               "WHERE answer != 'pending' GROUP BY 2, 3")
    db.execute("INSERT INTO tallies SELECT 'changes', coalesce(who, ''), '', count(*) FROM changes WHERE action "
               f"NOT IN {NOT_COUNTED} GROUP BY 2")
    span_old, span_new = ("OLD.label", "OLD.state"), ("NEW.label", "NEW.state")
    db.execute(f"CREATE TRIGGER tally_span_insert AFTER INSERT ON spans BEGIN {_tally('span', *span_new, 1)} END")
    db.execute(f"CREATE TRIGGER tally_span_delete AFTER DELETE ON spans BEGIN {_tally('span', *span_old, -1)} END")
    db.execute("CREATE TRIGGER tally_span_update AFTER UPDATE OF label, state ON spans WHEN OLD.label != NEW.label "
               f"OR OLD.state != NEW.state BEGIN {_tally('span', *span_old, -1)} {_tally('span', *span_new, 1)} END")
    db.execute("CREATE TRIGGER tally_pre_insert AFTER INSERT ON preannotated BEGIN "
               f"{_tally('preannotated', 'NEW.pipeline', NONE, 1)} END")
    db.execute("CREATE TRIGGER tally_pre_delete AFTER DELETE ON preannotated BEGIN "
               f"{_tally('preannotated', 'OLD.pipeline', NONE, -1)} END")
    db.execute("CREATE TRIGGER tally_pre_update AFTER UPDATE OF pipeline ON preannotated WHEN OLD.pipeline != "
               f"NEW.pipeline BEGIN {_tally('preannotated', 'OLD.pipeline', NONE, -1)} "
               f"{_tally('preannotated', 'NEW.pipeline', NONE, 1)} END")
    old_answer = ("coalesce(OLD.answered_by, '')", "OLD.answer")
    new_answer = ("coalesce(NEW.answered_by, '')", "NEW.answer")
    db.execute("CREATE TRIGGER tally_answer_insert AFTER INSERT ON documents WHEN NEW.answer != 'pending' BEGIN "
               f"{_tally('answered', *new_answer, 1)} END")
    db.execute("CREATE TRIGGER tally_answer_delete AFTER DELETE ON documents WHEN OLD.answer != 'pending' BEGIN "
               f"{_tally('answered', *old_answer, -1)} END")
    db.execute("CREATE TRIGGER tally_answer_old AFTER UPDATE OF answer, answered_by ON documents WHEN "
               "OLD.answer != 'pending' AND (OLD.answer != NEW.answer OR OLD.answered_by IS NOT NEW.answered_by) "
               f"BEGIN {_tally('answered', *old_answer, -1)} END")
    db.execute("CREATE TRIGGER tally_answer_new AFTER UPDATE OF answer, answered_by ON documents WHEN "
               "NEW.answer != 'pending' AND (OLD.answer != NEW.answer OR OLD.answered_by IS NOT NEW.answered_by) "
               f"BEGIN {_tally('answered', *new_answer, 1)} END")
    new_who, old_who = f"coalesce(NEW.who, {NONE})", f"coalesce(OLD.who, {NONE})"
    db.execute(f"CREATE TRIGGER tally_change_insert AFTER INSERT ON changes WHEN NEW.action NOT IN {NOT_COUNTED} "
               f"BEGIN {_tally('changes', new_who, NONE, 1)} END")
    db.execute(f"CREATE TRIGGER tally_change_delete AFTER DELETE ON changes WHEN OLD.action NOT IN {NOT_COUNTED} "
               f"BEGIN {_tally('changes', old_who, NONE, -1)} END")


@migrations(name="0008_by_label_and_editor")
def m0008_by_label_and_editor(db: Database) -> None:
    """The queue's filter by label: the articles holding a span of a label, read in id order from an index rather
    than by looking into every article's spans (a rare label among a million articles took seconds); and the
    editors of a team's layers found without reading every row of them."""
    db.execute("CREATE INDEX spans_label ON spans(label, doc_id)")
    db.execute("CREATE INDEX layer_answers_editor ON layer_answers(editor, doc_id)")


@migrations(name="0009_priorities")
def m0009_priorities(db: Database) -> None:
    """Active learning: how useful each article is to correct next, as the last pre-annotation with a trained
    model judged it (the model unsure of its spans, or at odds with the rules; see `Annotator.usefulness`).
    `rank` is minus that usefulness, so the queue's "most useful first" reads the index in its own order."""
    db.execute("""CREATE TABLE priorities (
        doc_id INTEGER PRIMARY KEY REFERENCES documents(id), rank REAL NOT NULL, pipeline TEXT NOT NULL,
        at TEXT NOT NULL)""")
    db.execute("CREATE INDEX priorities_rank ON priorities(rank, doc_id)")


@migrations(name="0010_layer_removals")
def m0010_layer_removals(db: Database) -> None:
    """What left an editor's file since an earlier merge (a span relabelled or taken back, an answer put back to
    pending): `layer_removed` remembers each removed row of a layer by its key, with the last change time of the
    file that removed it, so that an older copy of the file merged later does not bring it back. `layer_merges`
    is when a merge last changed an editor's layer of an article (the review reopens what changed after it)."""
    db.execute("""CREATE TABLE layer_removed (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL, what TEXT NOT NULL,
        key TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (doc_id, editor, what, key)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE layer_merges (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (doc_id, editor)) WITHOUT ROWID""")
    db.execute("CREATE INDEX layer_merges_at ON layer_merges(doc_id, at)")


GAINED_IN_0011 = ("AMOUNT",)  # the labels the default scheme gained with migration 0011


@migrations(name="0011_guidelines_and_amounts")
def m0011_guidelines_and_amounts(db: Database) -> None:
    """The scheme's guidelines kept in the project (examples and counter-examples per label, the guideline text),
    so that every editor's file and the team's project carry them. A project on the default scheme gets the
    labels the default scheme gained since it was made (AMOUNT), added to the roles that take them, and the
    default guidelines."""
    db.execute("""CREATE TABLE label_guidelines (
        label TEXT PRIMARY KEY REFERENCES labels(name), examples TEXT NOT NULL, counter_examples TEXT NOT NULL)
        WITHOUT ROWID""")
    first = getattr(db, "first_scheme", None)
    if first is not None:
        write_guidelines(db, first)
        return
    row = db.execute("SELECT value FROM project WHERE key = 'scheme'").fetchone()
    if row is None or row[0] != DEFAULT_SCHEME:
        return
    default = load_scheme()
    held = {r[0] for r in db.execute("SELECT name FROM labels")}
    new = [lb for lb in default.labels if lb.name in GAINED_IN_0011 and lb.name not in held]
    position = db.execute("SELECT coalesce(max(position), -1) + 1 FROM labels").fetchone()[0]
    keys = {r[0] for r in db.execute("SELECT hotkey FROM labels WHERE hotkey != ''")}
    new = [lb if lb.hotkey not in keys else replace(lb, hotkey="") for lb in new]  # a key in use stays its label's
    db["labels"].insert_all([{"name": lb.name, "kind": lb.kind, "colour": lb.colour, "hotkey": lb.hotkey,
                              "description": lb.description, "position": position + i}
                             for i, lb in enumerate(new)])
    added = {lb.name for lb in new}
    for label in default.labels:  # the roles the project has take the new labels the default gives them
        for role in label.roles:
            gained = [f for f in role.fillers if f in added]
            found = db.execute("SELECT fillers FROM roles WHERE event = ? AND name = ?",
                               (label.name, role.name)).fetchone()
            if gained and found is not None:
                fillers = json.loads(found[0])
                db.execute("UPDATE roles SET fillers = ? WHERE event = ? AND name = ?",
                           (json.dumps(fillers + [f for f in gained if f not in fillers]), label.name, role.name))
    write_guidelines(db, LabelScheme(default.name, [replace(lb, roles=()) for lb in default.labels
                                                    if lb.name in held | added], guidelines=default.guidelines))


@migrations(name="0012_notes")
def m0012_notes(db: Database) -> None:
    """Comments and flags: `notes` holds this project's own, one per article (span_id 0) and one per span, each
    a text and a flag (an empty text and no flag: taken back, kept so a merge can tell); `layer_notes` holds the
    editors' notes merged into a team's project, keyed like their spans (an article's note: start and end -1,
    no label), the note as JSON [text, flagged]. And an index of the spans a review wrote."""
    db.execute("""CREATE TABLE notes (
        doc_id INTEGER NOT NULL REFERENCES documents(id), span_id INTEGER NOT NULL, text TEXT NOT NULL,
        flagged INTEGER NOT NULL, who TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (doc_id, span_id)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE layer_notes (
        doc_id INTEGER NOT NULL REFERENCES documents(id), editor TEXT NOT NULL, start INTEGER NOT NULL,
        "end" INTEGER NOT NULL, label TEXT NOT NULL, note TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (doc_id, editor, start, "end", label)) WITHOUT ROWID""")
    # the spans a review wrote, by article: the window asks for them at each article it opens (whose work each
    # span was), and in a project without a review there are none to walk past
    db.execute("CREATE INDEX spans_review ON spans(doc_id) WHERE came_from IS NOT NULL")


NOT_COUNTED = "('import', 'preannotate')"  # the change log's entries that are no editor's work
NONE = "''"  # an empty key of a tally, in SQL
# since 0013: nor is opening an article, or the time left on it
NOT_COUNTED_NOW = "('import', 'preannotate', 'opened', 'left')"
MAX_RECORD_MS = 86_400_000  # a day: no one record of an editor's time is longer


# ---------------------------------------------------------------- 0013: where the work goes

def _add(what: str, a: str, b: str, n: str) -> str:
    """A statement adding `n` to a tally (made when missing)."""
    return (f"INSERT INTO tallies(what, a, b, n) VALUES ('{what}', {a}, {b}, {n}) "
            f"ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;")


def _add_if(what: str, a: str, b: str, n: str, when: str) -> str:
    """`_add`, only when `when` holds."""
    return (f"INSERT INTO tallies(what, a, b, n) SELECT '{what}', {a}, {b}, {n} WHERE {when} "
            f"ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;")


SPAN_OUTCOME = ("CASE WHEN {r}.source = 'editor' THEN CASE WHEN {r}.state = 'accepted' THEN 'drawn' ELSE 'undrawn' END "
                "WHEN {r}.state = 'suggested' THEN 'open' WHEN {r}.state = 'rejected' THEN 'deleted' "
                "WHEN coalesce({r}.first_label, {r}.label) = {r}.label AND coalesce({r}.first_at, {r}.start || ':' || "
                "{r}.\"end\") = {r}.start || ':' || {r}.\"end\" THEN 'kept' ELSE 'changed' END")
SPAN_ORIGIN = "CASE WHEN {r}.source = 'editor' THEN 'editor' ELSE coalesce({r}.origin, {r}.source) END"
LINK_OUTCOME = ("CASE WHEN {r}.source = 'editor' THEN CASE WHEN {r}.state = 'accepted' THEN 'drawn' ELSE 'undrawn' END "
                "WHEN {r}.state = 'suggested' THEN 'open' WHEN {r}.state = 'rejected' THEN CASE WHEN {r}.dropped "
                "THEN 'dropped' ELSE 'deleted' END ELSE 'kept' END")
KIND_COLUMNS = [f"k_{k}" for k in KINDS]


def _work_trigger(table: str, editor: str) -> str:
    """The trigger that keeps the effort figures from the `work` record of a change log entry (`table`:
    changes, or layer_changes for a merged editor's)."""
    w = "NEW.detail"
    kind = f"json_extract({w}, '$.work.kind')"
    # what another program wrote is bounded: a record's time is a whole number of milliseconds, 0 to a day; the
    # words of an article 0 or more; hidden 0 or 1
    ms = f"min(max(CAST(coalesce(json_extract({w}, '$.work.ms'), 0) AS INTEGER), 0), {MAX_RECORD_MS})"
    answer = f"json_extract({w}, '$.work.answer')"
    row = f"doc_id = NEW.doc_id AND editor = {editor}"
    side = "CASE WHEN hidden THEN 'without' ELSE 'with' END"
    edits = " + ".join(c for c in KIND_COLUMNS if c not in ("k_accept", "k_answer"))
    # accepted with every suggestion as it was: no edit, and it showed suggestions
    stamped = (f"({edits}) = 0 AND NOT hidden AND EXISTS (SELECT 1 FROM spans s WHERE s.doc_id = NEW.doc_id AND "
               "s.source != 'editor')")
    actions = " + ".join(KIND_COLUMNS)
    is_answer = f"{answer} IS NOT NULL"
    figures = ("CASE tallies.b WHEN 'articles' THEN 1 WHEN 'words' THEN e.words WHEN 'ms' THEN e.answer_ms "
               "ELSE e.answer_actions END")
    body = [
        # an article answered before: its answer's figures are taken back first
        f"UPDATE tallies SET n = n - 1 WHERE {is_answer} AND what = 'day' AND a = {editor} AND b = (SELECT "
        f"substr(answered_at, 1, 10) FROM effort WHERE {row} AND answer != 'pending');",
        f"UPDATE tallies SET n = n - 1 WHERE {is_answer} AND what = 'time' AND a = {editor} AND b = (SELECT "
        f"{bucket_sql('answer_ms')} FROM effort WHERE {row} AND answer != 'pending');",
        f"UPDATE tallies SET n = n - (SELECT {figures} FROM effort e WHERE e.{row}) WHERE {is_answer} AND "
        f"what = 'compare' AND a = (SELECT {side} FROM effort WHERE {row} AND answer != 'pending');",
        # the article's record
        f"INSERT INTO effort(doc_id, editor, ms, opened, {', '.join(KIND_COLUMNS)}, hidden, words) VALUES "
        f"(NEW.doc_id, {editor}, {ms}, {kind} = 'opened', "
        + ", ".join(f"{kind} = '{k}'" for k in KINDS)
        + f", CAST(coalesce(json_extract({w}, '$.work.hidden'), 0) AS INTEGER) != 0, "
        f"min(max(CAST(coalesce(json_extract({w}, '$.work.words'), 0) AS INTEGER), 0), 10000000)) "
        "ON CONFLICT(doc_id, editor) DO UPDATE SET ms = ms + excluded.ms, opened = opened + excluded.opened, "
        + ", ".join(f"{c} = {c} + excluded.{c}" for c in KIND_COLUMNS)
        + ", hidden = max(hidden, excluded.hidden), words = max(words, excluded.words);",
        f"UPDATE effort SET answer = {answer}, answered_at = NEW.at, answer_ms = ms, answer_actions = {actions} "
        f"WHERE {is_answer} AND {row};",
        # the editor's and the team's tallies
        f"INSERT INTO tallies(what, a, b, n) SELECT 'ms', {editor}, '', {ms} WHERE {ms} != 0 "
        "ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;",
        f"INSERT INTO tallies(what, a, b, n) SELECT 'act', {editor}, {kind}, 1 WHERE {kind} IN {tuple(KINDS)} "
        "ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;",
        f"INSERT INTO tallies(what, a, b, n) SELECT 'label_actions', json_extract({w}, '$.work.label'), {side}, 1 "
        f"FROM effort WHERE {row} AND {kind} IN {tuple(KINDS)} AND json_extract({w}, '$.work.label') IS NOT NULL "
        "ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;",
        # the answer's figures
        f"INSERT INTO tallies(what, a, b, n) SELECT 'day', {editor}, substr(answered_at, 1, 10), 1 FROM effort "
        f"WHERE {is_answer} AND {row} AND answer != 'pending' ON CONFLICT(what, a, b) DO UPDATE SET n = n + 1;",
        f"INSERT INTO tallies(what, a, b, n) SELECT 'time', {editor}, {bucket_sql('answer_ms')}, 1 FROM effort "
        f"WHERE {is_answer} AND {row} AND answer != 'pending' ON CONFLICT(what, a, b) DO UPDATE SET n = n + 1;",
        f"INSERT INTO tallies(what, a, b, n) SELECT 'compare', {side}, f.b, CASE f.b WHEN 'articles' THEN 1 WHEN "
        "'words' THEN words WHEN 'ms' THEN answer_ms ELSE answer_actions END FROM effort, (SELECT 'articles' AS b "
        "UNION ALL SELECT 'words' UNION ALL SELECT 'ms' UNION ALL SELECT 'actions') AS f "
        f"WHERE {is_answer} AND {row} AND answer != 'pending' "
        "ON CONFLICT(what, a, b) DO UPDATE SET n = n + excluded.n;",
        # care: a run of articles accepted with every suggestion as it was, and articles accepted unread
        # the run goes on with an article accepted with its suggestions as they were, is left as it was by one
        # accepted without edits that showed none (nothing suggested, or hidden), and ends with anything else
        f"INSERT OR IGNORE INTO tallies(what, a, b, n) SELECT 'streak', {editor}, '', 0 WHERE {is_answer};",
        f"UPDATE tallies SET n = (SELECT CASE WHEN e.answer = 'accept' AND {stamped} THEN n + 1 WHEN e.answer = "
        f"'accept' AND {edits} = 0 THEN n ELSE 0 END FROM effort e WHERE e.{row}) WHERE {is_answer} AND what = "
        f"'streak' AND a = {editor} AND b = '' AND (SELECT answer FROM effort WHERE {row}) != 'pending';",
        f"UPDATE effort SET flag = CASE WHEN answer != 'accept' THEN '' WHEN words > 0 AND answer_ms * 100 < words * "
        f"{FAST_MS_PER_100_WORDS} THEN 'fast' WHEN {stamped} AND (SELECT n FROM tallies WHERE what = 'streak' AND "
        f"a = {editor} AND b = '') >= {STAMP_STREAK} THEN 'stamped' ELSE '' END WHERE {is_answer} AND {row};",
    ]
    return (f"CREATE TRIGGER effort_{table} AFTER INSERT ON {table} WHEN NEW.doc_id IS NOT NULL AND "
            f"json_valid(NEW.detail) AND json_type({w}, '$.work') = 'object' BEGIN\n  " + "\n  ".join(body) + "\nEND")


@migrations(name="0013_effort")
def m0013_effort(db: Database) -> None:
    """Where the work goes (annotator.core.effort): each editor's work per article (`effort`: active time,
    actions by kind, the answer and the figures at it, a flag for the reviewer), kept by triggers from the `work`
    records of the change log, the project's own and the editors' a merge brings (a merged entry is inserted
    once: merging twice counts nothing twice); and what became of the suggestions, per label, rule pattern or
    model, and role, kept by triggers on the spans and links. A suggestion remembers where it came from
    (`origin`: its rule pattern's id, or the model) and what it was (`first_label`, `first_at`), so that one
    accepted after a change is told from one accepted as it was."""
    db.execute(f"""CREATE TABLE effort (
        doc_id INTEGER NOT NULL, editor TEXT NOT NULL, ms INTEGER NOT NULL DEFAULT 0,
        opened INTEGER NOT NULL DEFAULT 0, {', '.join(f'{c} INTEGER NOT NULL DEFAULT 0' for c in KIND_COLUMNS)},
        hidden INTEGER NOT NULL DEFAULT 0, words INTEGER NOT NULL DEFAULT 0, answer TEXT NOT NULL DEFAULT 'pending',
        answered_at TEXT, answer_ms INTEGER NOT NULL DEFAULT 0, answer_actions INTEGER NOT NULL DEFAULT 0,
        flag TEXT NOT NULL DEFAULT '', PRIMARY KEY (doc_id, editor)) WITHOUT ROWID""")
    db.execute("CREATE INDEX effort_flagged ON effort(doc_id) WHERE flag != ''")
    db.execute("CREATE TRIGGER effort_flag AFTER UPDATE OF flag ON effort WHEN OLD.flag != NEW.flag BEGIN "
               "UPDATE tallies SET n = n - 1 WHERE what = 'flag' AND a = OLD.editor AND b = OLD.flag; "
               "INSERT INTO tallies(what, a, b, n) SELECT 'flag', NEW.editor, NEW.flag, 1 WHERE NEW.flag != '' "
               "ON CONFLICT(what, a, b) DO UPDATE SET n = n + 1; END")
    db.execute(_work_trigger("changes", f"coalesce(NEW.who, {NONE})"))
    db.execute(_work_trigger("layer_changes", "NEW.editor"))
    # the editor's opening of an article, and the time left on it, are no change to count as one
    db.execute("DROP TRIGGER tally_change_insert")
    db.execute("DROP TRIGGER tally_change_delete")
    new_who, old_who = f"coalesce(NEW.who, {NONE})", f"coalesce(OLD.who, {NONE})"
    db.execute(f"CREATE TRIGGER tally_change_insert AFTER INSERT ON changes WHEN NEW.action NOT IN {NOT_COUNTED_NOW} "
               f"BEGIN {_tally('changes', new_who, NONE, 1)} END")
    db.execute(f"CREATE TRIGGER tally_change_delete AFTER DELETE ON changes WHEN OLD.action NOT IN {NOT_COUNTED_NOW} "
               f"BEGIN {_tally('changes', old_who, NONE, -1)} END")
    for column in ("origin", "first_label", "first_at"):
        db.execute(f"ALTER TABLE spans ADD COLUMN {column} TEXT")
    # a link removed with its span (or by its relabel) rather than by the editor's hand: no action of its own
    db.execute("ALTER TABLE links ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE spans SET first_label = label, first_at = start || ':' || \"end\" WHERE source != 'editor'")
    # a suggestion however it came (pre-annotation names it at once; an import, a merge) remembers what it was
    db.execute("CREATE TRIGGER first_of_suggestion AFTER INSERT ON spans WHEN NEW.source != 'editor' AND "
               "NEW.first_label IS NULL BEGIN UPDATE spans SET first_label = NEW.label, first_at = NEW.start || ':' "
               "|| NEW.\"end\" WHERE id = NEW.id; END")
    # a suggestion still a suggestion is no outcome yet: nothing is tallied for it (pre-annotation's inserts stay
    # as fast as they were; the suggestions left per label are the spans' own tallies)
    outcome, origin = SPAN_OUTCOME.format(r="NEW"), SPAN_ORIGIN.format(r="NEW")
    old_outcome, old_origin = SPAN_OUTCOME.format(r="OLD"), SPAN_ORIGIN.format(r="OLD")
    db.execute(f"INSERT INTO tallies SELECT 'outcome', coalesce(first_label, label), o, count(*) FROM (SELECT *, "
               f"{SPAN_OUTCOME.format(r='spans')} AS o FROM spans WHERE state != 'suggested') GROUP BY 2, 3")
    db.execute(f"INSERT INTO tallies SELECT 'origin', g, o, count(*) FROM (SELECT {SPAN_ORIGIN.format(r='spans')} AS "
               f"g, {SPAN_OUTCOME.format(r='spans')} AS o FROM spans WHERE state != 'suggested') GROUP BY 2, 3")
    db.execute(f"INSERT INTO tallies SELECT 'link', role, {LINK_OUTCOME.format(r='links')}, count(*) FROM links "
               "WHERE state != 'suggested' GROUP BY 2, 3")
    add_span = (_add_if("outcome", "coalesce(NEW.first_label, NEW.label)", outcome, "1", "NEW.state != 'suggested'")
                + _add_if("origin", origin, outcome, "1", "NEW.state != 'suggested'"))
    take_span = (_add_if("outcome", "coalesce(OLD.first_label, OLD.label)", old_outcome, "-1",
                         "OLD.state != 'suggested'")
                 + _add_if("origin", old_origin, old_outcome, "-1", "OLD.state != 'suggested'"))
    db.execute(f"CREATE TRIGGER outcome_span_insert AFTER INSERT ON spans WHEN NEW.state != 'suggested' BEGIN "
               f"{add_span} END")
    db.execute(f"CREATE TRIGGER outcome_span_delete AFTER DELETE ON spans WHEN OLD.state != 'suggested' BEGIN "
               f"{take_span} END")
    db.execute("CREATE TRIGGER outcome_span_update AFTER UPDATE OF label, start, \"end\", state, source ON spans WHEN "
               "(OLD.state != 'suggested' OR NEW.state != 'suggested') AND (OLD.label != NEW.label OR OLD.start != "
               "NEW.start OR OLD.\"end\" != NEW.\"end\" OR OLD.state != NEW.state OR OLD.source != NEW.source) "
               f"BEGIN {take_span} {add_span} END")
    add_link = _add_if("link", "NEW.role", LINK_OUTCOME.format(r="NEW"), "1", "NEW.state != 'suggested'")
    take_link = _add_if("link", "OLD.role", LINK_OUTCOME.format(r="OLD"), "-1", "OLD.state != 'suggested'")
    db.execute(f"CREATE TRIGGER outcome_link_insert AFTER INSERT ON links WHEN NEW.state != 'suggested' BEGIN "
               f"{add_link} END")
    db.execute(f"CREATE TRIGGER outcome_link_delete AFTER DELETE ON links WHEN OLD.state != 'suggested' BEGIN "
               f"{take_link} END")
    db.execute("CREATE TRIGGER outcome_link_update AFTER UPDATE OF state, source, role, dropped ON links WHEN "
               "(OLD.state != 'suggested' OR NEW.state != 'suggested') AND (OLD.state != NEW.state OR OLD.source != "
               f"NEW.source OR OLD.role != NEW.role OR OLD.dropped != NEW.dropped) BEGIN {take_link} {add_link} END")


@migrations(name="0014_rule_link_roles")
def m0014_rule_link_roles(db: Database) -> None:
    """The roles the rules suggest links in are the scheme's `rule_link_roles`, kept in the project beside its
    entity map. A project on the default scheme gets the default's (the rule's links in its other roles were more
    often wrong than right between the spans an editor keeps); any other keeps links in every role, as before. A
    new project's scheme writes its own."""
    if getattr(db, "first_scheme", None) is not None:
        return
    row = db.execute("SELECT value FROM project WHERE key = 'scheme'").fetchone()
    if row is None or row[0] != DEFAULT_SCHEME:
        return
    roles = load_scheme().rule_link_roles
    db.execute("INSERT OR IGNORE INTO project(key, value) VALUES ('rule_link_roles', ?)",
               (json.dumps(None if roles is None else sorted(roles)),))


# the default scheme's `rule_link_roles` as 0014 wrote them, and as 0015 makes them
ROLES_OF_0014 = ("attacker", "demonstrator", "time", "victim")
ROLES_OF_0015 = ("attacker", "demonstrator", "instrument", "participant", "time", "victim")


@migrations(name="0015_participant_and_instrument_links")
def m0015_participant_and_instrument_links(db: Database) -> None:
    """The default scheme's rules link in two more roles, participant and instrument: with a person's name
    suggested where it acts or is acted on beside an event's words, the rule's links there are right more often
    than wrong between spans an editor keeps, in every fold of the cross-validation that chose the others. A
    project on the default scheme still holding 0014's roles gets them; one whose roles were set otherwise keeps
    its own. A new project's scheme writes its own."""
    if getattr(db, "first_scheme", None) is not None:
        return
    row = db.execute("SELECT value FROM project WHERE key = 'scheme'").fetchone()
    if row is None or row[0] != DEFAULT_SCHEME:
        return
    row = db.execute("SELECT value FROM project WHERE key = 'rule_link_roles'").fetchone()
    if row is not None and isinstance(row[0], str) and read_rule_link_roles(row[0]) == frozenset(ROLES_OF_0014):
        db.execute("UPDATE project SET value = ? WHERE key = 'rule_link_roles'", (json.dumps(list(ROLES_OF_0015)),))


SCHEMA_VERSION = len(migrations._migrations)
