"""Label schemes are data: TOML files with one table per label."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from annotator.core.errors import SchemeError
from annotator.core.resources import resources_dir

KINDS = ("event", "argument")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME = re.compile(r"^[A-Z][A-Z0-9_-]*$")
# a role is one word that does not end in a digit: brat numbers a role's second filler as `Target2`
_ROLE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z_-])?$")

DEFAULT_SCHEME = "conflict-news"
MAX_LABEL_LENGTH = 100


def role_problem(name: object) -> str | None:
    """Why a role name cannot be used, or None."""
    if not isinstance(name, str):
        return f"a role must be text, got {type(name).__name__}"
    if not _ROLE.match(name) or len(name) > MAX_LABEL_LENGTH:
        return (f"role name {name[:40]!r} must be one word of letters, digits, _ or -, starting with a letter and "
                f"not ending in a digit (brat numbers repeated roles: Target2)")
    return None


def label_problem(name: object) -> str | None:
    """Why a label name cannot be used, or None. A label is written as one word in brat and CoNLL files
    (`T1<TAB>LABEL 0 5`, `B-LABEL`), so it may hold no whitespace or control characters."""
    if not isinstance(name, str):
        return f"a label must be text, got {type(name).__name__}"
    if not name:
        return "a label name is empty"
    if len(name) > MAX_LABEL_LENGTH:
        return f"label name {name[:40]!r}… is longer than {MAX_LABEL_LENGTH} characters"
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in name):
        return (f"label name {name!r} holds whitespace or control characters (brat and CoNLL files write a "
                f"label as one word; use _ or - instead)")
    return None


@dataclass(frozen=True, slots=True)
class Role:
    """A slot of an event: its name (ACE and KAIROS style: attacker, target, place), the labels of the spans
    that may fill it, the key that links a span in that role while the event is selected, and a description."""

    name: str
    fillers: tuple[str, ...]
    hotkey: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    kind: str
    colour: str
    hotkey: str
    description: str
    roles: tuple[Role, ...] = ()
    # the guidelines of the label: words that are marked with it, and words that look like it but are not
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)


@dataclass(slots=True)
class LabelScheme:
    name: str
    labels: list[Label]
    description: str = ""
    entity_map: dict[str, str] = field(default_factory=dict)
    guidelines: str = ""  # the project's guideline text (Markdown), kept beside the scheme's TOML file
    # the roles (by name) the rules suggest links in; None: every role. The shipped scheme names those whose rule
    # links were more often right than wrong between the spans an editor keeps (bench/bench_links.py)
    rule_link_roles: frozenset[str] | None = None
    _by_name: dict[str, Label] = field(init=False, repr=False, compare=False)
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [label.name for label in self.labels]
        self._by_name = {label.name: label for label in self.labels}
        self._names = frozenset(names)
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise SchemeError(f"scheme {self.name!r}: label(s) defined twice: {', '.join(sorted(dupes))}")
        keys = [label.hotkey for label in self.labels if label.hotkey]
        dupe_keys = {k for k in keys if keys.count(k) > 1}
        if dupe_keys:
            raise SchemeError(f"scheme {self.name!r}: hotkey(s) used twice: {', '.join(sorted(dupe_keys))}")
        for source, target in self.entity_map.items():
            if target not in names:
                raise SchemeError(f"scheme {self.name!r}: entity_map sends {source} to unknown label {target!r}")
        for label in self.labels:
            self._check_roles(label)

    def rule_links_in(self, role: str) -> bool:
        """Do the rules suggest links in this role (`rule_link_roles`; every role without it)?"""
        return self.rule_link_roles is None or role in self.rule_link_roles

    def _check_roles(self, label: Label) -> None:
        where = f"scheme {self.name!r}: label {label.name}"
        if label.roles and label.kind != "event":
            raise SchemeError(f"{where}: only event labels have roles")
        seen: set[str] = set()
        keys: set[str] = set()
        for role in label.roles:
            problem = role_problem(role.name)
            if problem:
                raise SchemeError(f"{where}: {problem}")
            if role.name in seen:
                raise SchemeError(f"{where}: role {role.name!r} defined twice")
            seen.add(role.name)
            if not role.fillers:
                raise SchemeError(f"{where}: role {role.name!r} names no label that may fill it")
            unknown = [f for f in role.fillers if f not in self._by_name]
            if unknown:
                raise SchemeError(f"{where}: role {role.name!r} may be filled by unknown label(s) "
                                  f"{', '.join(unknown)}")
            if role.hotkey:
                if len(role.hotkey) != 1:
                    raise SchemeError(f"{where}: role {role.name!r}: hotkey must be a single key, got "
                                      f"{role.hotkey!r}")
                if role.hotkey in keys:
                    raise SchemeError(f"{where}: role hotkey {role.hotkey!r} used twice")
                keys.add(role.hotkey)

    @property
    def names(self) -> frozenset[str]:
        return self._names

    def get(self, name: str) -> Label | None:
        return self._by_name.get(name)

    def of_kind(self, kind: str) -> list[Label]:
        return [label for label in self.labels if label.kind == kind]

    def roles(self, event_label: str) -> tuple[Role, ...]:
        label = self._by_name.get(event_label)
        return label.roles if label else ()

    def link_problem(self, event_label: str, role: str, argument_label: str) -> str | None:
        """Why a span labelled `argument_label` cannot fill `role` of an `event_label` span, or None."""
        label = self._by_name.get(event_label)
        if label is None:
            return f"unknown label {event_label!r}"
        if label.kind != "event":
            return f"{event_label} is not an event label, so it has no roles"
        found = label.role(role)
        if found is None:
            names = ", ".join(r.name for r in label.roles) or "none"
            return f"{event_label} has no role {role!r} (its roles: {names})"
        if argument_label not in found.fillers:
            return (f"a span labelled {argument_label} cannot be the {role} of {event_label} (it takes "
                    f"{', '.join(found.fillers)})")
        return None

    def with_link(self, event_label: str, role: str, argument_label: str) -> LabelScheme:
        """This scheme, with `role` of `event_label` allowed to be filled by `argument_label` (added if
        missing): how `import --add-labels` learns a file's roles."""
        labels = []
        for label in self.labels:
            if label.name == event_label:
                found = label.role(role)
                if found is None:
                    roles = label.roles + (Role(role, (argument_label,)),)
                elif argument_label in found.fillers:
                    roles = label.roles
                else:
                    roles = tuple(replace(r, fillers=r.fillers + (argument_label,)) if r.name == role else r
                                  for r in label.roles)
                label = replace(label, roles=roles)
            labels.append(label)
        return LabelScheme(self.name, labels, self.description, dict(self.entity_map), self.guidelines,
                           self.rule_link_roles)


def _texts(spec: dict, key: str, where: str) -> tuple[str, ...]:
    value = spec.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SchemeError(f"{where}: {key} must be a list of texts")
    return tuple(value)


def parse_scheme(data: dict, origin: str) -> LabelScheme:
    if not isinstance(data.get("labels"), dict) or not data["labels"]:
        raise SchemeError(f"{origin}: a scheme needs a [labels.NAME] table for each label")
    labels = []
    for name, spec in data["labels"].items():
        if not _NAME.match(name):
            raise SchemeError(f"{origin}: label name {name!r} must be upper case letters, digits, _ or -")
        if not isinstance(spec, dict):
            raise SchemeError(f"{origin}: [labels.{name}] must be a table")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise SchemeError(f"{origin}: label {name}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        colour = spec.get("colour", spec.get("color", ""))
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise SchemeError(f"{origin}: label {name}: colour must look like #rrggbb, got {colour!r}")
        hotkey = str(spec.get("hotkey", ""))
        if len(hotkey) > 1:
            raise SchemeError(f"{origin}: label {name}: hotkey must be a single key, got {hotkey!r}")
        roles = _parse_roles(spec.get("roles", {}), f"{origin}: label {name}")
        where = f"{origin}: label {name}"
        labels.append(Label(name, kind, colour.lower(), hotkey.lower(), str(spec.get("description", "")), roles,
                            _texts(spec, "examples", where), _texts(spec, "counter_examples", where)))
    entity_map = data.get("entity_map", {})
    if not isinstance(entity_map, dict) or not all(isinstance(v, str) for v in entity_map.values()):
        raise SchemeError(f"{origin}: [entity_map] must map entity labels to label names")
    link_roles = data.get("rule_link_roles")
    if link_roles is not None:
        if not isinstance(link_roles, list) or not all(isinstance(r, str) for r in link_roles):
            raise SchemeError(f"{origin}: rule_link_roles must be a list of role names")
        known = {r.name for lb in labels for r in lb.roles}
        unknown = sorted(set(link_roles) - known)
        if unknown:
            raise SchemeError(f"{origin}: rule_link_roles names role(s) no event has: {', '.join(unknown)}")
    return LabelScheme(
        name=str(data.get("name", Path(origin).stem)),
        labels=labels,
        description=str(data.get("description", "")),
        entity_map=dict(entity_map),
        rule_link_roles=None if link_roles is None else frozenset(link_roles),
    )


def _parse_roles(data: object, where: str) -> tuple[Role, ...]:
    if not isinstance(data, dict):
        raise SchemeError(f"{where}: roles must be a table of [labels.NAME.roles.ROLE] tables")
    roles = []
    for role, spec in data.items():
        if not isinstance(spec, dict):
            raise SchemeError(f"{where}: role {role!r} must be a table with fillers = [...]")
        fillers = spec.get("fillers", [])
        if isinstance(fillers, str):
            fillers = [fillers]
        if not isinstance(fillers, list) or not all(isinstance(f, str) for f in fillers):
            raise SchemeError(f"{where}: role {role!r}: fillers must be a list of label names")
        roles.append(Role(role, tuple(fillers), str(spec.get("hotkey", "")).lower(),
                          str(spec.get("description", ""))))
    return tuple(roles)


def load_scheme(name_or_path: str | Path = DEFAULT_SCHEME) -> LabelScheme:
    """A scheme by name (from resources/schemas) or by path to a TOML file."""
    schemes_dir = resources_dir() / "schemas"
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = schemes_dir / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in schemes_dir.glob("*.toml")))
        raise SchemeError(f"no label scheme {str(name_or_path)!r} (a TOML file, or one of: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: not a valid TOML scheme: {exc}") from None
    scheme = parse_scheme(data, str(path))
    scheme.guidelines = _guidelines(data, path)
    return scheme


def _guidelines(data: dict, path: Path) -> str:
    """The guideline text of a scheme file: the Markdown file its `guidelines` key names (beside it), else the
    Markdown file of the same name beside it, if there is one."""
    named = data.get("guidelines")
    if named is not None and not isinstance(named, str):
        raise SchemeError(f"{path}: guidelines must name a Markdown file beside the scheme")
    guide = path.parent / named if named else path.with_suffix(".md")
    if not guide.is_file():
        if named:
            raise SchemeError(f"{path}: its guidelines file {guide} does not exist")
        return ""
    try:
        return guide.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{guide}: the scheme's guidelines cannot be read as UTF-8 text: {exc}") from None


def model_choice(names: Sequence[str], sources: Mapping[str, str], use_rules: bool = True) -> str:
    """In words, whose suggestions pre-annotation makes for each label when it runs a trained model beside the
    rules: `sources` is what training chose on its dev articles ("rules", "model" or "both" per label; a label
    not named: both)."""
    if not use_rules:
        return "the model alone"
    by: dict[str, list[str]] = {}
    for label in names:
        by.setdefault(sources.get(label, "both"), []).append(label)
    if set(by) == {"both"}:
        return "the model and the rules for every label"
    if lost_everywhere(sources) and set(by) == {"rules"}:
        return "the rules alone: the model scored below them on every label of its dev articles"
    words = {"model": "the model", "both": "the model and the rules", "rules": "the rules"}
    return "; ".join(f"{words[k]} for {', '.join(by[k])}" for k in ("model", "both", "rules") if k in by)


def lost_everywhere(sources: Mapping[str, str]) -> bool:
    """Training chose the rules for every label: the model scored below them on all of its dev articles' labels
    (pre-annotation then keeps to the rules unless the editor insists)."""
    return bool(sources) and set(sources.values()) == {"rules"}
