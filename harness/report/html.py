"""The harness's sections of the pytest-html report, rendered from the run summary: the verdict
box at the top, the table per requirement, and the "what to fix" list for the partner. Every
value is escaped; nothing is fetched from elsewhere (the report stays self-contained)."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """<style>
.ocpi-verdict{border:2px solid;padding:.6em 1em;margin:.5em 0;border-radius:4px}
.ocpi-verdict.pass{border-color:#2a7a2a;background:#eef8ee}
.ocpi-verdict.fail{border-color:#b22;background:#fbeeee}
.ocpi-verdict.inconclusive{border-color:#a80;background:#fdf5dc}
.ocpi-verdict h2{margin:.2em 0}
.ocpi-facts td{padding:0 1em 0 0}
table.ocpi-requirements,table.ocpi-findings{border-collapse:collapse;margin:.5em 0}
.ocpi-requirements td,.ocpi-requirements th,.ocpi-findings td,.ocpi-findings th{
border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.ocpi-outcome-fail,.ocpi-outcome-error,.ocpi-level-error{background:#fbe3e3}
.ocpi-outcome-warning,.ocpi-level-warning{background:#fdf5dc}
.ocpi-outcome-xfail{background:#eee8f8}
.ocpi-outcome-blocked,.ocpi-outcome-partial,.ocpi-outcome-na{background:#eef1f5}
.ocpi-outcome-pass{background:#e8f5e8}
.ocpi-exchange pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:4px;
max-height:30em;overflow:auto}
.ocpi-curl{border-left:3px solid #468}
</style>"""


def verdict_html(summary: dict[str, Any]) -> str:
    """The box at the top: verdict, target, version, role, seed, date, and the counts."""
    target = summary["target"]
    counts = summary["counts"]
    verdict = summary["verdict"]
    tests = counts["tests"]
    findings = counts["findings"]
    facts = [
        ("judged", target.get("judged", "the target's server side")),
        ("target", target["url"]),
        ("OCPI version", target["version"]),
        ("role", target["role"] or "cpo and emsp"),
        ("seed", f"{summary['seed']} (replay with --ocpi-seed {summary['seed']})"),
        ("generated", summary["generated"]),
        ("fails on", f"findings at {summary['fail_on']} level and above"),
        (
            "tests",
            ", ".join(f"{tests[o]} {o}" for o in tests if o != "total" and tests[o])
            + f" (of {tests['total']})",
        ),
        ("findings", ", ".join(f"{findings[level]} {level}" for level in findings)),
        (
            "requirements",
            ", ".join(f"{n} {o}" for o, n in counts["requirements"].items() if n) or "-",
        ),
    ]
    if target["mock_faults"]:
        facts.append(("embedded mock faults", ", ".join(target["mock_faults"])))
    if summary.get("skipped_checks"):
        facts.append(("checks switched off", ", ".join(summary["skipped_checks"])))
    for role, found in sorted(target["fingerprint"].items()):
        endpoints = ", ".join(
            f"{e['identifier']}{'/' + e['role'] if e.get('role') else ''}"
            for e in found.get("endpoints", [])
        )
        facts.append(
            (
                f"discovered ({role})",
                f"versions {', '.join(found.get('versions', [])) or '-'}; endpoints "
                f"{endpoints or '-'}",
            )
        )
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>" for k, v in facts)
    word = {
        "pass": "the target conforms",
        "fail": "the target does not conform",
        "inconclusive": "no test passed, so nothing was shown either way",
    }[verdict]
    return (
        f'{STYLE}<div class="ocpi-verdict {verdict}" id="ocpi-verdict" data-verdict="{verdict}">'
        f"<h2>Verdict: {verdict.upper()}: {word}</h2>"
        f'<table class="ocpi-facts">{rows}</table></div>'
    )


def requirements_html(summary: dict[str, Any]) -> str:
    """One row per requirement the run touched: id, title, section with its spec link, level,
    outcome and the tests that cover it."""
    rows = []
    for r in summary["requirements"]:
        tests = "<br>".join(escape(t) for t in _grouped(r["tests"]))
        rows.append(
            f'<tr class="ocpi-outcome-{r["outcome"].replace("/", "")}" '
            f'data-requirement="{escape(r["id"])}">'
            f"<td>{escape(r['id'])}</td><td>{escape(r['title'])}</td>"
            f'<td><a href="{escape(r["spec_url"])}">{escape(r["section"])}</a></td>'
            f"<td>{escape(r['level'])}</td><td>{escape(r['outcome'])}</td><td>{tests}</td></tr>"
        )
    return (
        '<h2 id="ocpi-requirements">Requirements</h2>'
        '<table class="ocpi-requirements"><thead><tr><th>id</th><th>title</th>'
        "<th>spec section</th><th>level</th><th>outcome</th><th>tests</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def to_fix_html(summary: dict[str, Any]) -> str:
    """What the partner should fix, grouped by requirement: root causes first (what blocks
    the most other findings), then errors, then warnings."""
    items = summary["to_fix"]
    if not items:
        return '<h2 id="ocpi-to-fix">What to fix</h2><p>Nothing: no finding fails or warns.</p>'
    parts = ['<h2 id="ocpi-to-fix">What to fix</h2><ol class="ocpi-to-fix">']
    for item in items:
        messages = "".join(
            f"<li>{escape(m['message'])}{_times(m['count'])}</li>" for m in item["messages"]
        )
        if item["more_messages"]:
            messages += f"<li>and {item['more_messages']} other message(s)</li>"
        blocks = (
            f" <i>root cause: {item['blocks']} other requirement(s) could not be judged</i>"
            if item["blocks"]
            else ""
        )
        parts.append(
            f'<li class="ocpi-level-{item["severity"]}" data-requirement="'
            f'{escape(item["requirement"])}"><b>{escape(item["requirement"])}</b> '
            f"({escape(item['level'])}, {escape(item['severity'])}): {escape(item['title'])} "
            f'<a href="{escape(item["spec_url"])}">{escape(item["section"])}</a>{blocks}'
            f"<ul>{messages}</ul></li>"
        )
    parts.append("</ol>")
    return "".join(parts)


def _times(count: int) -> str:
    return f" (×{count})" if count > 1 else ""


def _grouped(nodeids: list[str]) -> list[str]:
    """Test ids with the cases of one parametrized test folded into one line."""
    cases: dict[str, int] = {}
    for nodeid in nodeids:
        base = nodeid.split("[", 1)[0]
        cases[base] = cases.get(base, 0) + 1
    return [base if n == 1 else f"{base} ({n} cases)" for base, n in cases.items()]
