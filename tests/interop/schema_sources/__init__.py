"""Independent OCPI schema sources run over our fixtures and generated objects (see
``tests/interop/test_schema_sources.py``)."""
