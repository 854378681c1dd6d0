"""A label scheme as its author writes it in TOML: every field read as written (or its default), and each
mistake refused with the file, the label and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import SchemeError
from annotator.core.labels import Label, Role, load_scheme, parse_scheme

FULL = """
name = "sports"
description = "Matches and transfers"
rule_link_roles = ["winner"]

[entity_map]
PERSON = "PLAYER"
ORG = "TEAM"

[labels.MATCH]
kind = "event"
colour = "#AABBCC"
hotkey = "M"
description = "A game played"

[labels.MATCH.roles.winner]
fillers = "TEAM"
hotkey = "W"
description = "Who won"

[labels.MATCH.roles.player]
fillers = ["PLAYER", "TEAM"]

[labels.PLAYER]
kind = "argument"
color = "#00ff00"

[labels.TEAM]
kind = "argument"
colour = "#0000ff"
hotkey = 7
"""


def test_every_field_of_a_scheme_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "my-file.toml"  # the name inside wins over the file's
    path.write_text(FULL, encoding="utf-8")
    scheme = load_scheme(path)
    assert (scheme.name, scheme.description, scheme.entity_map, scheme.rule_link_roles) == (
        "sports", "Matches and transfers", {"PERSON": "PLAYER", "ORG": "TEAM"}, frozenset({"winner"}))
    assert scheme.labels == [
        Label("MATCH", "event", "#aabbcc", "m", "A game played",
              (Role("winner", ("TEAM",), "w", "Who won"), Role("player", ("PLAYER", "TEAM"), "", ""))),
        Label("PLAYER", "argument", "#00ff00", "", "", ()),  # "color" is read as "colour"
        Label("TEAM", "argument", "#0000ff", "7", "", ()),
    ]


def test_what_a_scheme_leaves_out_has_its_default() -> None:
    scheme = parse_scheme({"labels": {"ATTACK": {"kind": "event", "colour": "#FF0000"}}}, "/somewhere/my-scheme.toml")
    assert (scheme.name, scheme.description, scheme.entity_map) == ("my-scheme", "", {})
    assert scheme.labels == [Label("ATTACK", "event", "#ff0000", "", "", ())]
    assert scheme.rule_link_roles is None  # the rules link in every role


@pytest.mark.parametrize(("data", "message"), [
    ({}, "mine.toml: a scheme needs a [labels.NAME] table for each label"),
    ({"labels": {}}, "mine.toml: a scheme needs a [labels.NAME] table for each label"),
    ({"labels": ["ATTACK"]}, "mine.toml: a scheme needs a [labels.NAME] table for each label"),
    ({"labels": {"attack": {"kind": "event", "colour": "#ff0000"}}},
     "mine.toml: label name 'attack' must be upper case letters, digits, _ or -"),
    ({"labels": {"1ATTACK": {"kind": "event", "colour": "#ff0000"}}},
     "mine.toml: label name '1ATTACK' must be upper case letters, digits, _ or -"),
    ({"labels": {"ATTACK": "event"}}, "mine.toml: [labels.ATTACK] must be a table"),
    ({"labels": {"ATTACK": {}}}, "mine.toml: label ATTACK: kind must be one of event, argument, got None"),
    ({"labels": {"ATTACK": {"kind": "event"}}}, "mine.toml: label ATTACK: colour must look like #rrggbb, got ''"),
    ({"labels": {"ATTACK": {"kind": "trigger"}}},
     "mine.toml: label ATTACK: kind must be one of event, argument, got 'trigger'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "red"}}},
     "mine.toml: label ATTACK: colour must look like #rrggbb, got 'red'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff00001"}}},
     "mine.toml: label ATTACK: colour must look like #rrggbb, got '#ff00001'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": 255}}},
     "mine.toml: label ATTACK: colour must look like #rrggbb, got 255"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "hotkey": "ab"}}},
     "mine.toml: label ATTACK: hotkey must be a single key, got 'ab'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "hotkey": 12}}},
     "mine.toml: label ATTACK: hotkey must be a single key, got '12'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": ["place"]}}},
     "mine.toml: label ATTACK: roles must be a table of [labels.NAME.roles.ROLE] tables"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": {"place": {}}}}},
     "scheme 'mine': label ATTACK: role 'place' names no label that may fill it"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": {"place": {"fillers": [1]}}}}},
     "mine.toml: label ATTACK: role 'place': fillers must be a list of label names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": {"place": {"fillers": {"PLACE": 1}}}}}},
     "mine.toml: label ATTACK: role 'place': fillers must be a list of label names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000"}}, "entity_map": ["GPE"]},
     "mine.toml: [entity_map] must map entity labels to label names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000"}}, "entity_map": {"GPE": 1}},
     "mine.toml: [entity_map] must map entity labels to label names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000"}}, "entity_map": {"GPE": "PLACE"}},
     "scheme 'mine': entity_map sends GPE to unknown label 'PLACE'"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "hotkey": "a"},
                 "ACTOR": {"kind": "argument", "colour": "#ff0000", "hotkey": "A"}}},
     "scheme 'mine': hotkey(s) used twice: a"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000"}}, "rule_link_roles": "time"},
     "mine.toml: rule_link_roles must be a list of role names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000"}}, "rule_link_roles": [1]},
     "mine.toml: rule_link_roles must be a list of role names"),
    ({"labels": {"ATTACK": {"kind": "event", "colour": "#ff0000", "roles": {"place": {"fillers": ["PLACE"]}}},
                 "PLACE": {"kind": "argument", "colour": "#00ff00"}}, "rule_link_roles": ["place", "time", "Who"]},
     "mine.toml: rule_link_roles names role(s) no event has: Who, time"),
])
def test_each_mistake_in_a_scheme_is_named_in_full(data: dict, message: str) -> None:
    with pytest.raises(SchemeError) as caught:
        parse_scheme(data, "mine.toml")
    assert str(caught.value) == message


def test_a_scheme_file_that_is_not_toml_or_not_there_is_named(tmp_path: Path) -> None:
    from annotator.core.resources import resources_dir

    bad = tmp_path / "bad.toml"
    bad.write_text("[labels.ATTACK\nkind = 'event'\n", encoding="utf-8")
    with pytest.raises(SchemeError, match=f"^{bad}: not a valid TOML scheme: "):
        load_scheme(bad)
    bad.write_bytes(b"name = \"\xff\"\n")
    with pytest.raises(SchemeError, match=f"^{bad}: not a valid TOML scheme: "):
        load_scheme(bad)
    with pytest.raises(SchemeError) as caught:
        load_scheme("no-such-scheme")
    known = ", ".join(sorted(p.stem for p in (resources_dir() / "schemas").glob("*.toml")))
    assert "conflict-news" in known
    assert str(caught.value) == f"no label scheme 'no-such-scheme' (a TOML file, or one of: {known})"


def test_a_scheme_file_is_found_by_its_path_with_or_without_an_ending_and_named_after_it(tmp_path: Path) -> None:
    plain = tmp_path / "newsroom"  # no ending: still the file, not a shipped scheme of that name
    plain.write_text('[labels.ATTACK]\nkind = "event"\ncolour = "#ff0000"\n', encoding="utf-8")
    scheme = load_scheme(plain)
    assert scheme.name == "newsroom" and [lb.name for lb in scheme.labels] == ["ATTACK"]
    bad = tmp_path / "broken.toml"
    bad.write_text('[labels.ATTACK]\nkind = "event"\n', encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(bad)
    assert str(caught.value) == f"{bad}: label ATTACK: colour must look like #rrggbb, got ''"
    assert load_scheme("conflict-news").name == "conflict-news"


def test_a_scheme_with_accents_loads_whatever_the_computers_encoding(tmp_path: Path) -> None:
    """On Windows the encoding of a file opened without one is a code page; here the locale is made ASCII."""
    import locale

    path = tmp_path / "fr.toml"
    path.write_text('description = "Événements"\n[labels.ATTAQUE]\nkind = "event"\ncolour = "#ff0000"\n'
                    'description = "attaqué"\n', encoding="utf-8")
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert locale.getpreferredencoding(False) in ("ANSI_X3.4-1968", "ascii", "US-ASCII")
        scheme = load_scheme(path)
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert (scheme.description, scheme.labels[0].description) == ("Événements", "attaqué")


def test_a_scheme_comes_back_from_the_project_file_exactly_as_written(tmp_path: Path) -> None:
    """Another handle (the window, the command line) reads the same scheme: names, kinds, colours, keys,
    descriptions, each event's roles in their order, the entity map."""
    from annotator.store import Store

    path = tmp_path / "sports.toml"
    path.write_text(FULL, encoding="utf-8")
    scheme = load_scheme(path)
    with Store(tmp_path / "p.db", scheme=scheme):
        pass
    with Store(tmp_path / "p.db", create=False) as store:
        back = store.scheme
    assert (back.name, back.description, back.entity_map) == (scheme.name, scheme.description, scheme.entity_map)
    assert back.labels == scheme.labels and back.rule_link_roles == frozenset({"winner"})
    assert back.with_link("MATCH", "loser", "TEAM").rule_link_roles == frozenset({"winner"})
    with Store(tmp_path / "default.db", scheme=parse_scheme({"labels": {"ATTACK": {"kind": "event",
                                                                                   "colour": "#ff0000"}}},
                                                            "plain.toml")):
        pass
    with Store(tmp_path / "default.db", create=False) as store:
        assert (store.scheme.name, store.scheme.description, store.scheme.entity_map) == ("plain", "", {})
        assert store.scheme.rule_link_roles is None


def test_the_roles_the_rules_link_in_reach_a_project_made_before_them_and_survive_another_programs_writing(
        tmp_path: Path) -> None:
    """Migration 0014: a project on the default scheme made before `rule_link_roles` gets the default's; one on
    another scheme keeps links in every role; what another program writes there that is no list of role names
    counts as every role, never an error."""
    import sqlite3

    from annotator.store import Store

    def made_before(path: Path, scheme) -> None:
        with Store(path, scheme=scheme):
            pass
        conn = sqlite3.connect(path)
        conn.execute("DELETE FROM project WHERE key = 'rule_link_roles'")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('0014_rule_link_roles', "
                     "'0015_participant_and_instrument_links')")
        conn.execute("PRAGMA user_version = 13")
        conn.commit()
        conn.close()

    made_before(tmp_path / "default.db", load_scheme())
    made_before(tmp_path / "sports.db", parse_scheme(__import__("tomllib").loads(FULL), "sports.toml"))
    with Store(tmp_path / "default.db") as store:
        assert store.scheme.rule_link_roles == load_scheme().rule_link_roles == frozenset(
            {"time", "victim", "attacker", "demonstrator", "participant", "instrument"})
    with Store(tmp_path / "sports.db") as store:
        assert store.scheme.rule_link_roles is None
    for written in ('{"time": 1}', '["time", 3]', "not json", "null"):
        conn = sqlite3.connect(tmp_path / "default.db")
        conn.execute("UPDATE project SET value = ? WHERE key = 'rule_link_roles'", (written,))
        conn.commit()
        conn.close()
        with Store(tmp_path / "default.db", create=False) as store:
            assert store.scheme.rule_link_roles is None, written


def test_learning_a_link_adds_the_role_or_the_filler_once_and_keeps_the_rest():
    from annotator.core.labels import load_scheme

    scheme = load_scheme()
    assert scheme.roles("NO SUCH LABEL") == ()
    attack = [(r.name, r.fillers) for r in scheme.roles("ATTACK")]
    same = scheme.with_link("ATTACK", "attacker", "ACTOR")  # allowed already: nothing changes
    assert [(r.name, r.fillers) for r in same.roles("ATTACK")] == attack
    more = scheme.with_link("ATTACK", "attacker", "WEAPON")  # a new filler of a role it has
    assert dict((r.name, r.fillers) for r in more.roles("ATTACK"))["attacker"] == \
        dict(attack)["attacker"] + ("WEAPON",)
    assert [r.name for r in more.roles("ATTACK")] == [name for name, _ in attack]
    new = more.with_link("ATTACK", "launcher", "ACTOR")  # a role it lacks, added last
    assert [(r.name, r.fillers) for r in new.roles("ATTACK")][-1] == ("launcher", ("ACTOR",))
    assert new.link_problem("ATTACK", "launcher", "ACTOR") is None and scheme.roles("ATTACK") == \
        load_scheme().roles("ATTACK")  # the scheme it came from is left as it was
    assert (new.name, new.description, new.entity_map) == (scheme.name, scheme.description, scheme.entity_map)
    assert [lb.name for lb in new.labels] == [lb.name for lb in scheme.labels]


def test_why_a_link_cannot_be_made_word_for_word() -> None:
    from annotator.core.labels import Label, LabelScheme, Role

    scheme = LabelScheme("t", [
        Label("PLACE", "argument", "#3cb44b", "l", ""), Label("ACTOR", "argument", "#4363d8", "c", ""),
        Label("ATTACK", "event", "#e6194b", "a", "", roles=(Role("place", ("PLACE",)),
                                                            Role("target", ("PLACE", "ACTOR")))),
        Label("RUMOUR", "event", "#f58231", "r", "")])
    assert scheme.link_problem("ATTACK", "place", "PLACE") is None
    assert scheme.link_problem("NOTHING", "place", "PLACE") == "unknown label 'NOTHING'"
    assert scheme.link_problem("PLACE", "place", "PLACE") == "PLACE is not an event label, so it has no roles"
    assert scheme.link_problem("ATTACK", "time", "PLACE") == "ATTACK has no role 'time' (its roles: place, target)"
    assert scheme.link_problem("RUMOUR", "time", "PLACE") == "RUMOUR has no role 'time' (its roles: none)"
    assert scheme.link_problem("ATTACK", "target", "ATTACK") == (
        "a span labelled ATTACK cannot be the target of ATTACK (it takes PLACE, ACTOR)")


def test_what_a_role_may_be_called_word_for_word() -> None:
    from annotator.core.labels import MAX_LABEL_LENGTH, role_problem

    assert role_problem("attacker") is None and role_problem("org-arg_x") is None
    assert role_problem("a" * MAX_LABEL_LENGTH) is None  # as long as a label may be
    rule = ("must be one word of letters, digits, _ or -, starting with a letter and not ending in a digit (brat "
            "numbers repeated roles: Target2)")
    assert role_problem("a" * (MAX_LABEL_LENGTH + 1)) == f"role name {'a' * 40!r} {rule}"
    assert role_problem("Target2") == f"role name 'Target2' {rule}"
    assert role_problem("two words") == f"role name 'two words' {rule}"
    assert role_problem(7) == "a role must be text, got int"


def test_a_scheme_defined_twice_over_is_refused_word_for_word() -> None:
    from annotator.core.errors import SchemeError
    from annotator.core.labels import Label, LabelScheme, Role

    place = Label("PLACE", "argument", "#3cb44b", "l", "")
    actor = Label("ACTOR", "argument", "#4363d8", "c", "")
    with pytest.raises(SchemeError) as caught:
        LabelScheme("t", [place, actor, Label("PLACE", "argument", "#000000", "x", "")])
    assert str(caught.value) == "scheme 't': label(s) defined twice: PLACE"
    with pytest.raises(SchemeError) as caught:
        LabelScheme("t", [place, actor, Label("ATTACK", "event", "#e6194b", "a", "", roles=(
            Role("site", ("PLACE",)), Role("who", ("ACTOR",)), Role("site", ("ACTOR",))))])
    assert str(caught.value).endswith("role 'site' defined twice")
    with pytest.raises(SchemeError) as caught:
        LabelScheme("t", [place, Label("ATTACK", "event", "#e6194b", "a", "", roles=(
            Role("site", ("PLACE", "TOWN", "VILLAGE")),))])
    assert str(caught.value).endswith("role 'site' may be filled by unknown label(s) TOWN, VILLAGE")


GUIDED = """name = "guided"
guidelines = "guide.md"
[labels.ATTACK]
kind = "event"
colour = "#e6194b"
examples = ["air strike", "shelling"]
counter_examples = ["a heart attack"]
[labels.ACTOR]
kind = "argument"
colour = "#42d4f4"
"""


def test_guidelines_are_read_from_the_markdown_file_beside_the_scheme_and_kept_in_the_project(tmp_path):
    from annotator.store import Store

    (tmp_path / "guided.toml").write_text(GUIDED, encoding="utf-8")
    (tmp_path / "guide.md").write_text("# Our rules\n\nMark the *fewest* words. <b>not bold</b>\n", encoding="utf-8")
    scheme = load_scheme(tmp_path / "guided.toml")
    assert scheme.guidelines.startswith("# Our rules")
    assert scheme.get("ATTACK").examples == ("air strike", "shelling")
    assert scheme.get("ATTACK").counter_examples == ("a heart attack",)
    assert scheme.get("ACTOR").examples == ()
    with Store(tmp_path / "p.db", scheme=scheme):
        pass
    # another handle reads them back from the project (an editor's file carries them without the TOML)
    (tmp_path / "guide.md").unlink()
    with Store(tmp_path / "p.db", create=False) as store:
        back = store.scheme
    assert back.guidelines == scheme.guidelines and back.labels == scheme.labels
    # a scheme given again without guidelines does not wipe them
    with Store(tmp_path / "p.db", create=False) as store:
        store.set_scheme(parse_scheme({"labels": {"ATTACK": {"kind": "event", "colour": "#e6194b"}}}, "bare.toml"))
    with Store(tmp_path / "p.db", create=False) as store:
        assert store.scheme.guidelines.startswith("# Our rules")
        assert store.scheme.get("ATTACK").examples == ("air strike", "shelling")


def test_a_markdown_file_of_the_same_name_is_the_guidelines_and_a_missing_named_one_is_an_error(tmp_path):
    (tmp_path / "plain.toml").write_text(GUIDED.replace('guidelines = "guide.md"\n', ""), encoding="utf-8")
    assert load_scheme(tmp_path / "plain.toml").guidelines == ""
    (tmp_path / "plain.md").write_text("Same name.", encoding="utf-8")
    assert load_scheme(tmp_path / "plain.toml").guidelines == "Same name."
    (tmp_path / "guided.toml").write_text(GUIDED, encoding="utf-8")
    with pytest.raises(SchemeError, match=r"guided.toml: its guidelines file .*guide.md does not exist"):
        load_scheme(tmp_path / "guided.toml")
    (tmp_path / "guide.md").write_bytes(b"\xff\xfe bad")
    with pytest.raises(SchemeError, match=r"guide.md: the scheme's guidelines cannot be read as UTF-8"):
        load_scheme(tmp_path / "guided.toml")
    bad = GUIDED.replace('examples = ["air strike", "shelling"]', "examples = [1, 2]")
    with pytest.raises(SchemeError, match="label ATTACK: examples must be a list of texts"):
        parse_scheme(__import__("tomllib").loads(bad), "bad.toml")


def test_the_default_scheme_describes_every_label_with_examples_and_counter_examples():
    scheme = load_scheme()
    for label in scheme.labels:
        assert label.examples and label.counter_examples, label.name
    assert "AMOUNT" in scheme.guidelines and scheme.guidelines.startswith("# Guidelines: conflict-news")


def test_migration_0014_killed_half_way_leaves_the_file_as_it_was_and_the_next_opening_makes_it(tmp_path: Path) -> None:
    """kill -9 of the program opening a project made before `rule_link_roles`, after migration 0014 wrote them
    but before the upgrade was committed: the file is the old project still (version 13, no roles, nothing
    half-written), and the next program to open it upgrades it, as yet another process reads it."""
    import json
    import sqlite3

    from annotator.store import Store

    path = tmp_path / "old.db"
    from annotator.store.schema import SCHEMA_VERSION
    from tests.conftest import json_from_another_process, run_until_killed

    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM project WHERE key = 'rule_link_roles'")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN ('0014_rule_link_roles', "
                 "'0015_participant_and_instrument_links')")
    conn.execute("PRAGMA user_version = 13")
    conn.commit()
    conn.close()
    killer = ("import os, signal, sys\n"
              "from annotator.store import database\n"
              "real = database.Store._set_meta\n"
              "def killing(self, key, value):\n"
              "    if key == 'schema_version':  # the last write of the upgrade, before it is committed\n"
              "        assert self.get_meta('rule_link_roles')  # 0014 wrote them\n"
              "        os.kill(os.getpid(), signal.SIGKILL)\n"
              "    return real(self, key, value)\n"
              "database.Store._set_meta = killing\n"
              "database.Store(sys.argv[1])\n")
    run_until_killed(killer, path)
    read = ("import json, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "print(json.dumps([c.execute('PRAGMA user_version').fetchone()[0], c.execute(\"SELECT value FROM project "
            "WHERE key = 'rule_link_roles'\").fetchone(), c.execute('PRAGMA integrity_check').fetchone()[0]]))\n")

    def seen() -> list:
        return json_from_another_process(read, path)

    assert seen() == [13, None, "ok"]
    with Store(path) as store:
        assert store.scheme.rule_link_roles == load_scheme().rule_link_roles
    version, roles, check = seen()
    assert (version, json.loads(roles[0]), check) == (
        SCHEMA_VERSION, ["attacker", "demonstrator", "instrument", "participant", "time", "victim"], "ok")


def test_migration_0015_gives_participant_and_instrument_links_to_projects_that_kept_the_defaults_roles(
        tmp_path: Path) -> None:
    """A project on the default scheme upgraded from schema 14, holding 0014's roles (in any order, as another
    program may write them), links in participant and instrument too, in this program and in another; one whose
    roles were set otherwise, one on another scheme, and one holding what is no list keep theirs."""
    import json
    import sqlite3
    import subprocess
    import sys

    from annotator.store import Store
    from annotator.store.schema import ROLES_OF_0014, ROLES_OF_0015, SCHEMA_VERSION

    assert frozenset(ROLES_OF_0015) == load_scheme().rule_link_roles  # the migration names the shipped list

    def at_14(name: str, roles: str, scheme=None) -> Path:
        path = tmp_path / name
        Store(path, scheme=scheme).close()
        conn = sqlite3.connect(path)
        conn.execute("UPDATE project SET value = ? WHERE key = 'rule_link_roles'", (roles,))
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_participant_and_instrument_links'")
        conn.execute("PRAGMA user_version = 14")
        conn.commit()
        conn.close()
        return path

    kept = at_14("kept.db", json.dumps(list(ROLES_OF_0014)))
    shuffled = at_14("shuffled.db", '["victim","time","demonstrator","attacker"]')
    own = at_14("own.db", json.dumps(["time", "victim"]))
    fewer = at_14("fewer.db", json.dumps(["attacker", "demonstrator", "time"]))
    broken = at_14("broken.db", "not json")
    sports = at_14("sports.db", json.dumps(list(ROLES_OF_0014)),
                   parse_scheme(__import__("tomllib").loads(FULL), "sports.toml"))
    new = frozenset(ROLES_OF_0015)
    for path, expected in ((kept, new), (shuffled, new), (own, frozenset({"time", "victim"})),
                           (fewer, frozenset({"attacker", "demonstrator", "time"})), (broken, None)):
        with Store(path) as store:
            assert store.scheme.rule_link_roles == expected, path.name
    # another process reads the upgraded file as this one wrote it, and the upgrade is done once
    read = ("import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "print(c.execute(\"SELECT value FROM project WHERE key = 'rule_link_roles'\").fetchone()[0])\n"
            "print(c.execute('PRAGMA user_version').fetchone()[0])\n")
    out = subprocess.run([sys.executable, "-c", read, str(kept)], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == [json.dumps(list(ROLES_OF_0015)), str(SCHEMA_VERSION)]
    with Store(sports) as store:  # another scheme that happened to name the same roles keeps them
        assert store.scheme.rule_link_roles == frozenset(ROLES_OF_0014)
