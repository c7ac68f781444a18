"""Judge OCPI objects with a schema source we did not write; run by that source's python.

Executed as a script by the python of a lab virtualenv (``tests/interop/lab.py``), never
imported by the harness's tests: the sources pin old pydantic, and ``ocpi-types`` is AGPL, so
they stay out of the harness's environment. Only the standard library and the source itself
are imported here.

    python runner.py --models ocpi-types --version 2.2.1 < objects.jsonl

Input: JSON lines ``{"id": ..., "kind": "cdr" | "tariff", "object": {...}}``.
Output: one JSON line per input line, in the same order::

    {"id": ..., "verdict": "accepted"}
    {"id": ..., "verdict": "refused", "errors": [{"path": "$.cdr_location.evse_uid",
                                                  "kind": "missing"}, ...]}

An error is reduced to a stable class: the JSON path with list indices written ``[]`` and a
short kind (``missing``, ``null``, ``enum``, ``not str``, a pydantic error type, ...), so the
same defect in two objects gives the same class whatever the values are.

Model families (``--models``):

- ``ocpi-types``: ``ocpi_types.v2_1_1`` / ``v2_2_1`` / ``v2_3_0``, dataclasses generated from
  JSON Schemas, read with ``Cdr.from_dict`` / ``Tariff.from_dict``. They raise a bare
  ``AssertionError`` or an enum's ``ValueError`` with no path, so the path is read back from
  the traceback (see ``_ocpi_types_error``).
- ``py_ocpi``: the pydantic 1 models of ``extrawest-ocpi`` and ``py-ocpi`` (both install a
  package named ``py_ocpi``), read with ``Model.parse_obj``; paths come from
  ``ValidationError.errors()``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import linecache
import re
import sys
from collections.abc import Callable, Iterable
from types import ModuleType, TracebackType
from typing import Any

Error = dict[str, str]
Judge = Callable[[str, Any], list[Error]]

# The line of a generated ``from_dict`` that reads one field: ``x = f(obj.get("x"))``.
_FIELD_READ = re.compile(r"""obj\.get\(["']([^"']+)["']\)""")
# Helpers of the generated module, and the JSON type each one asks for.
_HELPER_TYPES = {
    "from_str": "str",
    "from_float": "number",
    "from_int": "int",
    "from_bool": "bool",
    "from_list": "list",
    "from_dict": "object",
    "from_datetime": "datetime",
}


def _path(parts: Iterable[str | int]) -> str:
    """``$`` followed by the parts, every list index written ``[]``."""
    out = "$"
    for part in parts:
        out += "[]" if isinstance(part, int) or part == "[]" else f".{part}"
    return out


def _lenient_union() -> Callable[[list[Callable[[Any], Any]], Any], Any]:
    """A stand-in for the generated module's ``from_union`` with the same verdict (the value of
    the first alternative that reads it) that re-raises the error of the alternative that got
    furthest instead of a bare ``assert False``: without it an error inside an optional nested
    object would be reported at the object, not at the field that breaks it."""

    def rank(error: BaseException) -> tuple[bool, int]:
        frames = _frames(error.__traceback__)
        # "it is not None" says nothing about what is wrong with the value
        return frames[-1].tb_frame.f_code.co_name != "from_none", len(frames)

    def from_union(readers: list[Callable[[Any], Any]], value: Any) -> Any:
        errors: list[Exception] = []
        for read in readers:
            try:
                return read(value)
            except Exception as error:  # the original swallows every error the same way
                errors.append(error)
        raise max(errors, key=rank)

    return from_union


def _frames(tb: TracebackType | None) -> list[TracebackType]:
    out = []
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return out


def _ocpi_types_error(error: Exception, module: ModuleType) -> Error:
    """The class of an error raised by a generated ``from_dict``.

    Each ``from_dict`` frame of the traceback is at the line that reads one field (its name is
    in ``obj.get("...")``); a ``from_list`` frame is a list index. The innermost frame of the
    module names what failed: a helper (``from_str`` ...) that got the wrong JSON type, or a
    nested ``from_dict`` that got no object; an error raised in ``enum.py`` is an unknown
    value of an enum."""
    source = module.__file__
    every = _frames(error.__traceback__)
    frames = [tb for tb in every if tb.tb_frame.f_code.co_filename == source]
    # raised by Enum(value) called from the module (a field, or an item of a list of enums)
    by_enum = bool(frames) and any(
        tb.tb_frame.f_code.co_filename.endswith("enum.py")
        for tb in every[every.index(frames[-1]) + 1 :]
    )
    parts: list[str] = []
    parent: Any = None
    field: str | None = None
    for tb in frames:
        name = tb.tb_frame.f_code.co_name
        if name == "from_dict":
            line = linecache.getline(source or "", tb.tb_lineno)
            match = _FIELD_READ.search(line)
            if match is None:  # the isinstance(obj, dict) assertion on entry
                continue
            parent, field = tb.tb_frame.f_locals.get("obj"), match.group(1)
            parts.append(field)
        elif name == "from_list" and tb is not frames[-1]:  # innermost: it got no list
            parts.append("[]")
    innermost = frames[-1].tb_frame if frames else None
    # what the failing helper (from_str(x) ...) or nested from_dict(obj) was given
    value = innermost.f_locals.get("x", innermost.f_locals.get("obj")) if innermost else None
    helper = innermost.f_code.co_name if innermost else ""
    if isinstance(parent, dict) and field is not None and field not in parent:
        kind = "missing"
    elif by_enum:
        kind = "enum"
    elif value is None:
        kind = "null"
    elif helper in _HELPER_TYPES:
        kind = f"not {_HELPER_TYPES[helper]}"
    else:
        kind = f"{type(error).__name__} in {helper or '?'}"
    return {"path": _path(parts), "kind": kind}


def generated_judge(module: ModuleType) -> Judge:
    """The judge of a module of generated ``from_dict`` classes holding ``Cdr`` and
    ``Tariff`` (its ``from_union`` replaced by ``_lenient_union``)."""
    module.from_union = _lenient_union()  # type: ignore[attr-defined]
    readers = {"cdr": module.Cdr.from_dict, "tariff": module.Tariff.from_dict}

    def judge(kind: str, obj: Any) -> list[Error]:
        try:
            readers[kind](obj)
        except Exception as error:
            return [_ocpi_types_error(error, module)]
        return []

    return judge


def _ocpi_types_judge(version: str) -> Judge:
    return generated_judge(importlib.import_module(f"ocpi_types.v{version.replace('.', '_')}"))


# pydantic 1's generic types carry a message of the validator's own; what follows ':' or ';'
# in it is the offending value or the list of permitted ones
_GENERIC_TYPES = ("value_error", "type_error", "assertion_error")


def pydantic_error(error: dict[str, Any]) -> Error:
    """The class of one entry of a pydantic 1 ``ValidationError.errors()``."""
    kind = str(error["type"])
    if kind in _GENERIC_TYPES:
        reason = re.split(r"[:;]", str(error["msg"]), maxsplit=1)[0].strip()
        kind = f"{kind}: {reason}"
    return {"path": _path(error["loc"]), "kind": kind}


def _py_ocpi_judge(version: str) -> Judge:
    package = f"v_{version.replace('.', '_')}"
    cdrs = importlib.import_module(f"py_ocpi.modules.cdrs.{package}.schemas")
    tariffs = importlib.import_module(f"py_ocpi.modules.tariffs.{package}.schemas")
    pydantic = importlib.import_module("pydantic")
    models = {"cdr": cdrs.Cdr, "tariff": tariffs.Tariff}

    def judge(kind: str, obj: Any) -> list[Error]:
        try:
            models[kind].parse_obj(obj)
        except pydantic.ValidationError as error:
            return [pydantic_error(e) for e in error.errors()]
        return []

    return judge


JUDGES: dict[str, Callable[[str], Judge]] = {
    "ocpi-types": _ocpi_types_judge,
    "py_ocpi": _py_ocpi_judge,
}


def _unique(errors: list[Error]) -> list[Error]:
    seen = {(e["path"], e["kind"]): e for e in errors}
    return [seen[key] for key in sorted(seen)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", choices=sorted(JUDGES), required=True)
    parser.add_argument("--version", required=True, help="OCPI version, e.g. 2.2.1")
    args = parser.parse_args(argv)
    judge = JUDGES[args.models](args.version)
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            errors = judge(item["kind"], item["object"])
        except Exception as error:  # a source's own crash is a refusal, reported as such
            errors = [{"path": "$", "kind": f"crash: {type(error).__name__}"}]
        verdict: dict[str, Any] = {"id": item["id"], "verdict": "refused" if errors else "accepted"}
        if errors:
            verdict["errors"] = _unique(errors)
        sys.stdout.write(json.dumps(verdict) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
