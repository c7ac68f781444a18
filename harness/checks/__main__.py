"""``python -m harness.checks``: print the check list (``docs/checks.md``)."""

from harness.checks.registry import checks_markdown

print(checks_markdown(), end="")
