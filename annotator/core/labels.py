"""Label schemes are data: TOML files with one table per label."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
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

DEFAULT_SCHEME = "conflict-news"
MAX_LABEL_LENGTH = 100


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
class Label:
    name: str
    kind: str
    colour: str
    hotkey: str
    description: str


@dataclass(slots=True)
class LabelScheme:
    name: str
    labels: list[Label]
    description: str = ""
    entity_map: dict[str, str] = field(default_factory=dict)
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

    @property
    def names(self) -> frozenset[str]:
        return self._names

    def get(self, name: str) -> Label | None:
        return self._by_name.get(name)

    def of_kind(self, kind: str) -> list[Label]:
        return [label for label in self.labels if label.kind == kind]


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
        labels.append(Label(name, kind, colour.lower(), hotkey.lower(), str(spec.get("description", ""))))
    entity_map = data.get("entity_map", {})
    if not isinstance(entity_map, dict) or not all(isinstance(v, str) for v in entity_map.values()):
        raise SchemeError(f"{origin}: [entity_map] must map entity labels to label names")
    return LabelScheme(
        name=str(data.get("name", Path(origin).stem)),
        labels=labels,
        description=str(data.get("description", "")),
        entity_map=dict(entity_map),
    )


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
    return parse_scheme(data, str(path))
