"""Secrets and their redaction: a token is replaced by ``<token>`` raw, Base64-encoded and
URL-encoded (either way), wherever it appears in text or in the strings of JSON-like data.

Each recorder redacts with the secrets it knows; ``RUN_SECRETS`` collects every secret any
recorder of this process has learned (the run's token, and tokens learned later in a
credentials handshake), so that reports can redact again, late, what was recorded before a
secret was known.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

REDACTED = "<token>"


class Secrets:
    """A set of secrets, redacted longest first (so a secret inside another goes too)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._longest_first: list[str] = []

    def __repr__(self) -> str:  # never the values: pytest --showlocals prints reprs
        return f"Secrets({len(self._values)} values)"

    def add(self, token: str) -> None:
        """Redact ``token`` raw, Base64-encoded and URL-encoded from now on."""
        if not token:
            return
        encoded = base64.b64encode(token.encode()).decode()
        self._values |= {token, encoded, quote(token, safe=""), quote(encoded, safe="")}
        self._longest_first = sorted(self._values, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by the placeholder."""
        for secret in self._longest_first:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def redact_data(self, value: Any) -> Any:
        """JSON-like data with every string value redacted; keys and other values unchanged (a
        key is the harness's own structure, and a short token found inside one would break it:
        ``test`` in ``tests``). Done before the data is serialised or escaped, so that the
        output stays well-formed."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact_data(v) for v in value)
        return value


RUN_SECRETS = Secrets()
