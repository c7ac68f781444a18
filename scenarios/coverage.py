"""Which fault of the mock proves which requirement of the suites, and how it shows.

``PROOFS[fault] = (requirement, level, extra pytest arguments)``: running the suites against
the embedded mock with that fault must report the requirement at that level ("error": the run
fails; "warning": the finding is reported, the run may pass). ``PENDING`` lists the faults no
suite catches yet. ``python -m scenarios.coverage`` prints the table kept in docs/coverage.md.
"""

from __future__ import annotations

PROOFS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "auth-ignored": ("T-AUTH-04", "error", ()),
    "auth-wrong-status": ("T-AUTH-04", "error", ()),
    "auth-raw-token": ("T-AUTH-03", "error", ()),
    "no-envelope": ("T-ENV-01", "error", ()),
    "no-timestamp": ("T-ENV-01", "error", ()),
    "status-code-string": ("T-ENV-01", "error", ()),
    "error-without-envelope": ("T-ENV-05", "warning", ()),
    "no-total-count": ("T-PAG-04", "error", ()),
    "no-x-limit": ("T-PAG-04", "error", ()),
    "link-on-last-page": ("T-PAG-04", "error", ()),
    "no-link": ("T-PAG-04", "error", ()),
    "link-drops-filters": ("T-PAG-04", "error", ()),
    "offset-off-by-one": ("T-PAG-01", "error", ()),
    "limit-ignored": ("T-PAG-05", "error", ()),
    "x-limit-is-count": ("T-PAG-04", "error", ()),
    "date-to-inclusive": ("T-PAG-02", "error", ()),
    "date-from-exclusive": ("T-PAG-02", "error", ()),
    "date-filter-ignored": ("T-PAG-02", "error", ()),
    "unstable-order": ("T-PAG-06", "warning", ()),
    "request-id-not-echoed": ("T-HDR-03", "error", ()),
    "wrong-content-type": ("T-HDR-01", "error", ()),
    "routing-headers-missing": ("T-ROUTE-01", "warning", ()),
    "cdr-2.1.1-shape": ("C-001", "error", ()),
    "cost-off": ("C-026", "error", ("--ocpi-option", "AMB-C-11=STRICT_FAIL")),
    "energy-total-off": ("C-010", "error", ("--ocpi-option", "AMB-C-11=STRICT_FAIL")),
    "time-in-seconds": ("C-011", "error", ()),
    "server-error": ("T-HTTP-02", "error", ()),
    "slow": ("H-HTTP-01", "error", ("--ocpi-timeout", "1")),
    "stall": ("H-HTTP-01", "error", ("--ocpi-timeout", "0.5")),
    "garbage-json": ("T-ENV-01", "error", ()),
    "huge-body": ("H-HTTP-02", "error", ()),
    "link-loop": ("H-PAG-01", "error", ()),
    "link-other-host": ("H-PAG-02", "error", ()),
    "no-location-header": ("T-CDR-02", "error", ()),
    "store-invalid": ("C-001", "error", ()),
    "duplicate-overwrites": ("C-005", "error", ()),
    "token-a-kept": ("T-AUTH-05", "error", ()),
}
# Faults no suite catches yet.
PENDING: tuple[str, ...] = ()


def table() -> str:
    """The requirement → proving fault table (Markdown)."""
    rows = ["| requirement | proving fault | shows as | extra options |", "|---|---|---|---|"]
    for fault, (requirement, level, extra) in sorted(PROOFS.items(), key=lambda i: i[1][0]):
        rows.append(f"| {requirement} | `{fault}` | {level} | {' '.join(extra) or '-'} |")
    for fault in PENDING:
        rows.append(f"| (no suite yet) | `{fault}` | - | - |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
