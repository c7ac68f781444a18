"""Which fault of the mock proves which requirement of the suites, and how it shows.

``PROOFS[fault] = (requirement, level, extra pytest arguments)``: running the suites against
the embedded mock with that fault must report the requirement the fault breaks (its entry in
the mock's fault table, ``harness.mock.faults``) at that level ("error": the run fails;
"warning": the finding is reported, the run may pass). ``PENDING`` lists the faults no suite
catches yet. ``python -m scenarios.coverage`` prints the table kept in docs/coverage.md.
"""

from __future__ import annotations

from harness.mock.faults import FAULTS

# fault -> (level it shows at, extra pytest arguments)
_SHOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "auth-ignored": ("error", ()),
    "auth-wrong-status": ("error", ()),
    "auth-raw-token": ("error", ()),
    "auth-bearer-accepted": ("error", ()),
    "versions-open": ("error", ()),
    "no-envelope": ("error", ()),
    "no-timestamp": ("error", ()),
    "status-code-string": ("error", ()),
    "error-without-envelope": ("warning", ()),
    "no-total-count": ("error", ()),
    "no-x-limit": ("error", ()),
    "link-on-last-page": ("error", ()),
    "empty-link-on-last-page": ("error", ()),
    "no-link": ("error", ()),
    "link-drops-filters": ("error", ()),
    "offset-off-by-one": ("error", ()),
    "limit-ignored": ("error", ()),
    "paging-params-crash": ("error", ()),
    "x-limit-is-count": ("error", ()),
    "date-to-inclusive": ("error", ()),
    "date-from-exclusive": ("error", ()),
    "date-filter-ignored": ("error", ()),
    "unstable-order": ("warning", ()),
    "request-id-not-echoed": ("error", ()),
    "wrong-content-type": ("error", ()),
    "routing-headers-missing": ("warning", ()),
    "routing-headers-not-swapped": ("error", ()),
    "cdr-2.1.1-shape": ("error", ()),
    "cost-off": ("error", ()),
    "energy-total-off": ("error", ()),
    "time-in-seconds": ("error", ()),
    "server-error": ("error", ()),
    "slow": ("error", ("--ocpi-timeout", "0.3")),
    "stall": ("error", ("--ocpi-timeout", "0.2")),
    "garbage-json": ("error", ()),
    "huge-body": ("error", ()),
    "link-loop": ("error", ()),
    "link-other-host": ("error", ()),
    "no-location-header": ("error", ()),
    "non-json-accepted": ("error", ()),
    "store-invalid": ("error", ()),
    "invalid-refused-without-envelope": ("error", ()),
    "duplicate-overwrites": ("error", ()),
    "token-a-kept": ("error", ()),
}
PROOFS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    fault: (FAULTS[fault].requirement, level, extra) for fault, (level, extra) in _SHOWS.items()
}
# The other requirements a fault breaks too, in truth (each checked by hand against what the
# fault does): every requirement not named here nor the fault's own must come out pass,
# blocked, partial, warning or skipped, never failed (no cascade: tests/test_scenarios_meta.py).
ALSO: dict[str, tuple[str, ...]] = {
    # nothing is refused, so TOKEN_A still opens the modules after a registration
    "auth-ignored": ("T-AUTH-05",),
    # the 2.1.1 shape has plain numbers where 2.2+ has Price objects
    "cdr-2.1.1-shape": ("T-TYPE-09",),
    # the looping Link is on the last page too, and repeats limit=100000 above X-Limit
    "link-loop": ("T-PAG-04", "T-PAG-05"),
    # a Link on the last page leads past what X-Total-Count implies, to the page limit
    "link-on-last-page": ("H-PAG-01",),
    # neither X-Request-ID nor X-Correlation-ID is echoed
    "request-id-not-echoed": ("T-HDR-04",),
    # total_time in seconds is not the session's duration in hours either
    "time-in-seconds": ("C-010",),
}
# Faults no suite catches yet.
PENDING: tuple[str, ...] = ()


def table() -> str:
    """The requirement → proving fault table (Markdown)."""
    rows = [
        "| requirement | proving fault | shows as | extra options | also breaks |",
        "|---|---|---|---|---|",
    ]
    for fault, (requirement, level, extra) in sorted(PROOFS.items(), key=lambda i: i[1][0]):
        also = ", ".join(ALSO.get(fault, ())) or "-"
        rows.append(f"| {requirement} | `{fault}` | {level} | {' '.join(extra) or '-'} | {also} |")
    for fault in PENDING:
        rows.append(f"| (no suite yet) | `{fault}` | - | - | - |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(table(), end="")
