"""The ``ocpi-harness`` command line."""
