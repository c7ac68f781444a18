"""Compare our verdicts on OCPI objects with a schema source's, against the recorded list.

Pure data in, data out (no harness import, no subprocess), so the logic is unit-tested in the
normal test run (``tests/test_schema_crosscheck_logic.py``) while the sources themselves run
only in the interop lab.

A *verdict* is accepted, or refused with error classes ``(path, kind)``. Two verdicts differ
when one side accepts what the other refuses; the difference is described by the refusing
side's classes:

- ``source refuses``: we accept, the source refuses; one class per error of the source (its
  JSON path and kind, as ``runner.py`` reduces them);
- ``source accepts``: we refuse, the source accepts; one class per error of our model (JSON
  path and pydantic error type).

A source that reports every error of an object (pydantic) would hide what else it thinks of
an object behind one of its own defects: extrawest-ocpi refuses every 2.1.1 CDR for a field
name, so it "agrees" with us on every CDR we refuse. For such a source the errors in a
recorded ``source refuses`` entry are set aside before verdicts are compared: an object we
refuse and the source refuses only for recorded reasons counts as ``source accepts``. (A
source that stops at its first error, ocpi-types, is compared as it answers.)

A recorded *entry* (``tests/interop/schema_differences.json``) names a direction, the object
kind, one or more classes and the objects that show them, with who is right and why. An
object's difference is *known* when every class it shows is in an entry of its source and
version; anything else is *new*. An entry is *stale* when one of its classes no longer occurs,
or its object list is not exactly the objects that show its classes: the list stays true.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["source refuses", "source accepts"]
DIRECTIONS: tuple[Direction, ...] = ("source refuses", "source accepts")
# harness: our verdict is the spec's (a defect of the source); source: the source's is (a
# defect of ours); both: the object is invalid and both say so at different layers (the source
# in its types, we in a check: our model accepts it, a check refuses it); ambiguous: the spec
# leaves it open, and a named option of ours (harness/options.py) decides
WHO = ("harness", "source", "both", "ambiguous")


@dataclass(frozen=True, order=True)
class ErrorClass:
    """What one side found wrong, reduced to be stable: JSON path (indices as ``[]``), kind."""

    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.path} {self.kind}"


@dataclass(frozen=True)
class Verdict:
    """Accepted (no errors) or refused with its error classes."""

    errors: tuple[ErrorClass, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.errors

    @classmethod
    def of(cls, errors: Iterable[tuple[str, str] | Mapping[str, str]]) -> Verdict:
        classes = {
            ErrorClass(e["path"], e["kind"]) if isinstance(e, Mapping) else ErrorClass(*e)
            for e in errors
        }
        return cls(tuple(sorted(classes)))


@dataclass(frozen=True)
class Subject:
    """One object tried: a fixture (its manifest path) or a generated one (``gen/...``)."""

    id: str
    kind: str  # cdr | tariff
    ours: Verdict
    expected: str | None = None  # the manifest's verdict (and layer) for a fixture
    # the JSON paths (indices as ``[]``) that hold a value other than null, for ``has:``
    paths: frozenset[str] = frozenset()


@dataclass(frozen=True, order=True)
class ClassKey:
    """One class of difference: direction, object kind and the refusing side's error class."""

    direction: Direction
    kind: str
    error: ErrorClass

    def __str__(self) -> str:
        return f"{self.direction} ({self.kind}): {self.error}"


@dataclass(frozen=True)
class Entry:
    """A recorded class of known differences (one element of a source/version list)."""

    direction: Direction
    kind: str
    title: str
    classes: tuple[ErrorClass, ...]
    # which objects show it, out of those of its kind on its side (we accept them for "source
    # refuses", we refuse them for "source accepts"): ids, patterns of ids where * and ? are
    # wildcards (``gen/cdr/no-vat/*``, ``*``), or ``has:<path>`` for the objects holding it
    objects: tuple[str, ...]
    who_is_right: str
    why: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        if data.get("direction") not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}: {data}")
        if data.get("who_is_right") not in WHO:
            raise ValueError(f"who_is_right must be one of {WHO}: {data}")
        if not str(data.get("why", "")).strip():
            raise ValueError(f"an entry says why: {data}")
        return cls(
            direction=data["direction"],
            kind=data["kind"],
            title=data["title"],
            classes=tuple(ErrorClass(c["path"], c["kind"]) for c in data["classes"]),
            objects=tuple(data["objects"]),
            who_is_right=data["who_is_right"],
            why=data["why"],
        )

    def class_keys(self) -> set[ClassKey]:
        return {ClassKey(self.direction, self.kind, c) for c in self.classes}

    def label(self) -> str:
        return f"{self.title!r}, {self.direction} ({self.kind})"


@dataclass
class Comparison:
    """The outcome for one source and version."""

    tried: int = 0
    same: int = 0
    # every class of difference seen, with the objects that show it
    seen: dict[ClassKey, set[str]] = field(default_factory=dict)
    # objects whose verdict differs, and the direction
    differing: dict[str, Direction] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def count(self, direction: Direction) -> int:
        return sum(1 for d in self.differing.values() if d == direction)

    @property
    def ok(self) -> bool:
        return not self.new and not self.stale


def difference_keys(
    subject: Subject, theirs: Verdict, set_aside: frozenset[ClassKey] = frozenset()
) -> tuple[Direction | None, set[ClassKey]]:
    """The direction and classes of the difference between our verdict and the source's
    (``None`` and nothing when they agree). ``set_aside``: the source's recorded refusals,
    ignored when we refuse the object too (see the module's docstring)."""
    if subject.ours.accepted:
        if theirs.accepted:
            return None, set()
        return "source refuses", {
            ClassKey("source refuses", subject.kind, e) for e in theirs.errors
        }
    remaining = [
        e for e in theirs.errors if ClassKey("source refuses", subject.kind, e) not in set_aside
    ]
    if remaining:
        return None, set()
    return "source accepts", {
        ClassKey("source accepts", subject.kind, e) for e in subject.ours.errors
    }


def _selects(pattern: str, subject: Subject) -> bool:
    if pattern.startswith("has:"):
        return pattern.removeprefix("has:") in subject.paths
    if "*" not in pattern and "?" not in pattern:
        return subject.id == pattern
    # ids hold "[]" (derived objects' paths): a bracket is itself, never a set of characters
    return fnmatch.fnmatchcase(subject.id, pattern.replace("[", "[[]"))


def _listed(patterns: Iterable[str], subjects: Iterable[Subject]) -> set[str]:
    pats = list(patterns)
    return {s.id for s in subjects if any(_selects(p, s) for p in pats)}


def _side(entry: Entry, subjects: Iterable[Subject]) -> list[Subject]:
    """The objects an entry's list is read against: its kind, on its side of our verdict."""
    accepted = entry.direction == "source refuses"
    return [s for s in subjects if s.kind == entry.kind and s.ours.accepted == accepted]


def compare(
    subjects: Iterable[Subject],
    theirs: Mapping[str, Verdict],
    recorded: Iterable[Entry],
    every_error: bool = True,
) -> Comparison:
    """Every subject's verdict against the source's, checked against the recorded entries.
    ``every_error``: the source reports all of an object's errors, not only the first."""
    entries = list(recorded)
    known: dict[ClassKey, Entry] = {}
    for entry in entries:
        for key in entry.class_keys():
            if key in known:
                raise ValueError(f"{key} is recorded twice")
            known[key] = entry
    set_aside = frozenset(k for k in known if k.direction == "source refuses" and every_error)
    result = Comparison()
    tried = list(subjects)
    for subject in tried:
        result.tried += 1
        verdict = theirs.get(subject.id)
        if verdict is None:
            result.new.append(f"{subject.id}: the source gave no verdict")
            continue
        direction, keys = difference_keys(subject, verdict, set_aside)
        if direction is None:
            result.same += 1
            continue
        result.differing[subject.id] = direction
        for key in keys:
            result.seen.setdefault(key, set()).add(subject.id)
        unknown = sorted(str(k) for k in keys if k not in known)
        if unknown:
            expected = f" (manifest: {subject.expected})" if subject.expected else ""
            result.new.append(f"{subject.id}{expected}: {'; '.join(unknown)}")
    for entry in entries:
        for key in sorted(entry.class_keys()):
            if key not in result.seen:
                result.stale.append(f"no object shows it any more: {key}")
        showing: set[str] = set().union(*(result.seen.get(k, set()) for k in entry.class_keys()))
        side = _side(entry, tried)
        listed = _listed(entry.objects, side)
        if showing - listed:
            result.stale.append(f"{entry.label()}: also shown by {sorted(showing - listed)}")
        if listed - showing:
            result.stale.append(f"{entry.label()}: listed, not shown by {sorted(listed - showing)}")
        unmatched = [p for p in entry.objects if not _listed([p], side)]
        if unmatched:
            result.stale.append(f"{entry.label()}: selects no object tried: {unmatched}")
    return result


def entries_of(recorded: Mapping[str, Any], source: str, version: str) -> list[Entry]:
    """The entries recorded for one source and version (``schema_differences.json`` layout)."""
    raw = recorded["sources"].get(source, {}).get("versions", {}).get(version, [])
    return [Entry.from_json(e) for e in raw]


def _groups(object_id: str) -> list[str]:
    """The patterns an id can be written with, coarsest first: ``*``, ``gen/cdr/*``,
    ``gen/cdr/dc-fast/*``; ``*``, ``cdr/*``, ``cdr/invalid/*`` for fixtures."""
    parts = object_id.split("/")
    prefix = 2 if parts[0] in ("gen", "drop", "null") else 1
    return ["*", *("/".join(parts[:n]) + "/*" for n in range(prefix, len(parts)))]


def compress(showing: set[str], ids: Iterable[str]) -> list[str]:
    """``showing`` written with the coarsest id patterns that match no other of ``ids``."""
    universe = [Subject(i, "", Verdict()) for i in ids]
    out: list[str] = []
    covered: set[str] = set()
    for object_id in sorted(showing):
        if object_id in covered:
            continue
        for pattern in [*_groups(object_id), object_id]:
            matched = _listed([pattern], universe) if pattern.endswith("*") else {object_id}
            if matched <= showing:
                out.append(pattern)
                covered |= matched
                break
    return out


def draft_entries(
    comparison: Comparison, subjects: Iterable[Subject], recorded: Iterable[Entry] = ()
) -> list[dict[str, Any]]:
    """An entry for each class seen and not yet recorded, for a person to merge and judge:
    what a failing test prints, so that recording a difference starts from the facts."""
    tried = list(subjects)
    known = set().union(*(entry.class_keys() for entry in recorded))

    def side(key: ClassKey) -> list[str]:
        accepted = key.direction == "source refuses"
        return [s.id for s in tried if s.kind == key.kind and s.ours.accepted == accepted]

    return [
        {
            "direction": key.direction,
            "kind": key.kind,
            "title": "?",
            "classes": [{"path": key.error.path, "kind": key.error.kind}],
            "objects": compress(showing, side(key)),
            "who_is_right": "?",
            "why": "?",
        }
        for key, showing in sorted(comparison.seen.items())
        if key not in known
    ]
