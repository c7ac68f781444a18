"""Conformance reports from one run: the HTML report (pytest-html, with the harness's
sections and per-test evidence), JUnit XML properties, and the JSON summary
(``summary.schema.json``). See docs/reports.md."""
