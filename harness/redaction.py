"""Secrets and their redaction: a token is replaced by ``<token>`` raw, Base64-encoded and
URL-encoded (either way), wherever it appears in text or in the strings of JSON-like data.

Each recorder redacts with the secrets it knows; ``RUN_SECRETS`` collects every secret any
recorder of this process has learned (the run's token, and tokens learned later in a
credentials handshake), so that reports can redact again, late, what was recorded before a
secret was known.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import quote

REDACTED = "<token>"


class Secrets:
    """A set of secrets, redacted longest first (so a secret inside another goes too)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._longest_first: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._values)

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


def redact_log_records() -> None:
    """Every log record made in this process from now on carries its message with the run's
    secrets redacted (``RUN_SECRETS``): the HTTP library's debug traces print response headers
    as received, and a partner may echo the token there; pytest's --log-file and log capture
    write what the records say. Installed once (the plugin does it at configure)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacting", False):
        return

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if RUN_SECRETS:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a record whose arguments do not fit its format
                return record
            redacted = RUN_SECRETS.redact(message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return record

    redacting.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)
