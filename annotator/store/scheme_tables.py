"""The project's label scheme written into its tables: labels, name, description, entity map, the roles the rules
link in, event roles and guidelines. The migrations write a new project's scheme with these, and the store writes
an edited one."""

from __future__ import annotations

import json

from sqlite_utils import Database

from annotator.core.labels import LabelScheme


def write_scheme(db: Database, scheme: LabelScheme) -> None:
    """The scheme's labels (added, or updated where they exist: a label in use is never removed), its name,
    description and entity map, and its event labels' roles."""
    db["labels"].insert_all(
        [{"name": lb.name, "kind": lb.kind, "colour": lb.colour, "hotkey": lb.hotkey, "description": lb.description,
          "position": i} for i, lb in enumerate(scheme.labels)],
        replace=True,
    )
    db.conn.executemany("INSERT OR REPLACE INTO project(key, value) VALUES (?, ?)", [
        ("scheme", scheme.name), ("scheme_description", scheme.description),
        ("entity_map", json.dumps(scheme.entity_map)), ("rule_link_roles", json.dumps(
            None if scheme.rule_link_roles is None else sorted(scheme.rule_link_roles)))])
    write_roles(db, scheme)
    if db["label_guidelines"].exists():  # a new project writes its scheme before migration 0011 makes the table
        write_guidelines(db, scheme)


def write_guidelines(db: Database, scheme: LabelScheme) -> None:
    """The scheme's guidelines: each label's examples and counter-examples, and the guideline text. What the
    scheme leaves empty keeps what the project had (a scheme without guidelines never wipes them)."""
    db["label_guidelines"].insert_all(
        [{"label": lb.name, "examples": json.dumps(list(lb.examples), ensure_ascii=False),
          "counter_examples": json.dumps(list(lb.counter_examples), ensure_ascii=False)}
         for lb in scheme.labels if (lb.examples or lb.counter_examples)], replace=True)
    if scheme.guidelines.strip():
        db.conn.execute("INSERT OR REPLACE INTO project(key, value) VALUES ('guidelines', ?)", (scheme.guidelines,))


def write_roles(db: Database, scheme: LabelScheme) -> None:
    """The roles of the scheme's event labels, replacing those labels' roles (links keep their role name)."""
    names = [lb.name for lb in scheme.labels if lb.roles]
    db.conn.executemany("DELETE FROM roles WHERE event = ?", [(n,) for n in names])
    db["roles"].insert_all(  # those events' roles were deleted just above: nothing here is already there
        [{"event": lb.name, "name": r.name, "fillers": json.dumps(list(r.fillers)), "hotkey": r.hotkey,
          "description": r.description, "position": i}
         for lb in scheme.labels for i, r in enumerate(lb.roles)])


def read_rule_link_roles(value: str | None) -> frozenset[str] | None:
    """The scheme's rule link roles as the project holds them (JSON, or null for every role); what another program
    wrote there that is not a list of names counts as every role."""
    try:
        roles = json.loads(value) if value else None
    except ValueError:
        return None
    if isinstance(roles, list) and all(isinstance(r, str) for r in roles):
        return frozenset(roles)
    return None
