"""Issue 19: the mock against partners that send what no valid client sends."""

from __future__ import annotations

import pytest

from harness.generate import CdrGenerator
from tests.mock_helpers import auth, mock_client


@pytest.mark.parametrize("version", ["2.1.1", "2.2.1", "2.3.0"])
@pytest.mark.parametrize("faults", [(), ("store-invalid",)])
def test_a_cdr_with_an_empty_id_is_refused_and_nothing_is_stored(
    version: str, faults: tuple[str, ...]
) -> None:
    # Given an eMSP mock (also one that stores invalid CDRs on purpose)
    cdr = CdrGenerator("empty-id", "default", version).cdr(0)
    with mock_client(roles=("emsp",), versions=(version,), faults=faults) as client:
        url = f"/ocpi/{version}/emsp/cdrs"
        # When a CDR with an empty id is posted, Then it is refused with 2001
        answer = client.post(url, json={**cdr, "id": ""}, headers=auth(version))
        assert answer.json()["status_code"] == 2001, answer.text
        assert "id" in answer.json()["status_message"]
        # And the same CDR with its id is still accepted (nothing was stored half-way)
        accepted = client.post(url, json=cdr, headers=auth(version))
        assert accepted.status_code == 201, accepted.text
        assert client.get(accepted.headers["Location"], headers=auth(version)).status_code == 200
