"""The check registry: every conformance check, with the requirement ids it can emit, the
versions and roles it applies to, and the evidence it needs.

A check is a pure function (exchanges, objects, the version profile in; findings out)
declared with ``@check(...)``. The declaration is data the rest of the harness reads: the
check list of ``--ocpi-list-checks`` and ``docs/checks.md``, the test that every declared
requirement is proven by a failing case, ``--ocpi-skip-check NAME``, and the evidence a check
``needs`` (what must have succeeded before it can judge: a check whose evidence is missing is
blocked by what failed, it does not fail).

Every finding a registered check returns carries the check's name (``Finding.check``); a
finding passed through from another registered check keeps that check's name.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal, ParamSpec, get_args

from harness.findings import Finding
from harness.requirements import get_requirement
from harness.roles import ROLES, Role
from harness.versions import SUPPORTED_VERSIONS, Version

__all__ = [
    "CHECKS",
    "CheckSpec",
    "Evidence",
    "UndeclaredRequirement",
    "all_checks",
    "check",
    "checks_markdown",
    "strict_declarations",
]

Evidence = Literal[
    "discovery",  # the versions and version details were read and name the endpoint
    "response",  # one answer of the target, as received
    "refusals",  # answers to requests with no, a wrong or a wrongly encoded token
    "list page",  # one page of a list endpoint
    "offset pages",  # two pages of a list at offsets 0 and 1
    "complete crawl",  # every page of a list, to its end
    "two complete crawls",  # the same list crawled in small and in large pages, to the end
    "date-window crawls",  # the list crawled with date_from and with date_to, to the end
    "object",  # one CDR or tariff as received
    "well-formed fields",  # the fields the check reads passed the schema
    "push answer",  # the answer to a CDR POSTed to a receiver
    "stored CDR read back",  # the CDR fetched again from the Location the receiver gave
    "registration",  # the credentials POST and the tokens it gave
    "incoming requests",  # what the partner's client sent to the harness's receiver
]
EVIDENCE: tuple[Evidence, ...] = get_args(Evidence)

P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One registered check."""

    name: str
    title: str  # the first line of its docstring
    module: str
    requirements: tuple[str, ...]
    versions: tuple[Version, ...]
    roles: tuple[Role, ...]
    needs: tuple[Evidence, ...]

    def applies(self, version: str, role: str | None) -> bool:
        """Whether the check is meant for ``version`` and ``role`` (None: any role)."""
        return version in self.versions and (role is None or role in self.roles)


class UndeclaredRequirement(AssertionError):
    """A check returned a finding of a requirement it does not declare (strict mode)."""


CHECKS: dict[str, CheckSpec] = {}
_STRICT = [False]


def strict_declarations(on: bool = True) -> None:
    """Make a check that returns a finding of an undeclared requirement raise (the harness's
    own tests turn this on, so a declaration that falls behind its check fails a test)."""
    _STRICT[0] = on


def check(
    *,
    requirements: tuple[str, ...],
    needs: tuple[Evidence, ...],
    versions: tuple[Version, ...] = SUPPORTED_VERSIONS,
    roles: tuple[Role, ...] = ROLES,
    name: str | None = None,
) -> Callable[[Callable[P, Iterable[Finding]]], Callable[P, list[Finding]]]:
    """Register a check: its findings come back as a list, each naming the check."""

    def register(func: Callable[P, Iterable[Finding]]) -> Callable[P, list[Finding]]:
        spec = _spec(func, name or func.__name__, requirements, needs, versions, roles)

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> list[Finding]:
            found = list(func(*args, **kwargs))
            if not found:
                return found
            if _STRICT[0]:
                _enforce(spec, found)
            return [f if f.check is not None else replace(f, check=spec.name) for f in found]

        return run

    return register


def _spec(
    func: Callable[..., object],
    name: str,
    requirements: tuple[str, ...],
    needs: tuple[Evidence, ...],
    versions: tuple[Version, ...],
    roles: tuple[Role, ...],
) -> CheckSpec:
    for rid in requirements:
        get_requirement(rid)  # a KeyError names a misspelled id at import
    unknown = [n for n in needs if n not in EVIDENCE] + [
        v for v in versions if v not in SUPPORTED_VERSIONS
    ]
    if unknown or not requirements or not needs:
        raise ValueError(f"check {name}: declare requirements and needs; unknown {unknown}")
    known = CHECKS.get(name)
    if known is not None and known.module != func.__module__:
        raise ValueError(f"check {name} is registered twice ({known.module}, {func.__module__})")
    # The same module imported again (pytester's in-process runs drop the modules they
    # imported) declares its checks again: the new declaration replaces the old one.
    doc = (func.__doc__ or "").strip()
    spec = CheckSpec(
        name,
        " ".join(doc.split("\n\n")[0].split()) if doc else name,
        func.__module__,
        requirements,
        versions,
        roles,
        needs,
    )
    CHECKS[name] = spec
    return spec


def _enforce(spec: CheckSpec, found: list[Finding]) -> None:
    for finding in found:
        if finding.check is None and finding.requirement not in spec.requirements:
            raise UndeclaredRequirement(
                f"check {spec.name} returned {finding.requirement}, which it does not "
                f"declare ({', '.join(spec.requirements)})"
            )


def all_checks() -> dict[str, CheckSpec]:
    """Every registered check, by name (imports every module of ``harness.checks`` once)."""
    import harness.checks as package

    for info in pkgutil.iter_modules(package.__path__, "harness.checks."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    return dict(sorted(CHECKS.items()))


def checks_markdown() -> str:
    """The check list as Markdown (``docs/checks.md``, ``--ocpi-list-checks``)."""
    checks = all_checks()
    lines = [
        "# Checks",
        "",
        "<!-- generated from harness/checks/registry.py by `python -m harness.checks`; "
        "do not edit -->",
        "",
        "Every conformance check of the harness, from its registry. A check is a pure "
        "function in `harness/checks/`; it emits findings of the requirements it names, and "
        "needs the evidence it names. Switch one off with `--ocpi-skip-check NAME`.",
        "",
        f"{len(checks)} checks.",
        "",
        "| check | what it checks | requirements | versions | roles | needs | module |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in checks.values():
        title = spec.title.replace("|", "\\|")
        versions = "all" if spec.versions == SUPPORTED_VERSIONS else ", ".join(spec.versions)
        roles = "both" if spec.roles == ROLES else ", ".join(spec.roles)
        lines.append(
            f"| `{spec.name}` | {title} | "
            f"{', '.join(spec.requirements)} | {versions} | {roles} | "
            f"{', '.join(spec.needs)} | `{spec.module.removeprefix('harness.checks.')}` |"
        )
    return "\n".join(lines) + "\n"
