"""OCPI conformance test harness and mock OCPI peer (CDRs and tariffs; OCPI 2.1.1, 2.2.1, 2.3.0)."""

__version__ = "0.1.0"
