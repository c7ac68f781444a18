"""The independent schema sources, and how one is asked for its verdicts.

Each source runs ``runner.py`` with the python of its own lab virtualenv (``lab_python``), so
its pinned pydantic (or its AGPL code) never enters the harness's environment.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.interop.lab import EXTRAWEST, OCPI_TYPES, PY_OCPI, Library, lab_python
from tests.interop.schema_sources.compare import Subject, Verdict

RUNNER = Path(__file__).resolve().parent / "runner.py"
DIFFERENCES = Path(__file__).resolve().parents[1] / "schema_differences.json"


@dataclass(frozen=True)
class Source:
    """A schema source: the lab library holding it, and the runner's model family."""

    library: Library
    models: str  # runner.py --models
    # it reports every error of an object (pydantic), not only the first (ocpi-types)
    every_error: bool

    @property
    def key(self) -> str:
        return self.library.key


SOURCES = (
    Source(OCPI_TYPES, "ocpi-types", every_error=False),
    Source(EXTRAWEST, "py_ocpi", every_error=True),
    Source(PY_OCPI, "py_ocpi", every_error=True),
)


def verdicts(
    source: Source, version: str, objects: list[tuple[Subject, Any]]
) -> dict[str, Verdict]:
    """The source's verdict on each object, by id (one runner process for them all)."""
    lines = "".join(
        json.dumps({"id": s.id, "kind": s.kind, "object": o}) + "\n" for s, o in objects
    )
    command = [str(lab_python(source.library)), str(RUNNER), "--models", source.models,
               "--version", version]  # fmt: skip
    done = subprocess.run(
        command, input=lines, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{source.key} {version}: runner.py exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    out = {}
    for line in done.stdout.splitlines():
        answer = json.loads(line)
        out[answer["id"]] = Verdict.of(answer.get("errors", []))
    return out


def load_differences() -> dict[str, Any]:
    """The recorded known differences."""
    recorded: dict[str, Any] = json.loads(DIFFERENCES.read_text(encoding="utf-8"))
    return recorded
