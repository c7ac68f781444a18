"""The mock OCPI peer: a real HTTP server that plays CPO (CDR sender) and eMSP (CDR receiver),
with a SQLite store, seeded data and named faults. ``create_app(MockSettings(...))`` builds it;
``ocpi-mock`` serves it with uvicorn."""

from __future__ import annotations

from harness.mock.app import create_app
from harness.mock.faults import FAULTS, Fault, parse_faults
from harness.mock.settings import MockSettings
from harness.mock.store import Store, StoreError

__all__ = [
    "FAULTS",
    "Fault",
    "MockSettings",
    "Store",
    "StoreError",
    "create_app",
    "parse_faults",
]
