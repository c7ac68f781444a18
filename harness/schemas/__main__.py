"""``python -m harness.schemas``: regenerate the committed JSON Schemas."""

from harness.schemas import write_schemas

for written in write_schemas():
    print(written)
