"""Seeding the mock's store from the generator: ``cdrs`` CDRs per version, reproducible from
the seed, with last_updated values spread over 2025, and the tariffs they reference."""

from __future__ import annotations

import json

from harness.generate import CdrGenerator
from harness.mock.settings import MockSettings
from harness.mock.store import Store


def seed_store(store: Store, settings: MockSettings) -> None:
    """Fill the sender tables for each version, once per store (a restart on the same file
    keeps what is there). Each version's CDRs, tariffs and the mark that says it is seeded
    commit in one transaction: a crash while seeding leaves nothing to double on a restart."""
    if "cpo" not in settings.roles or settings.cdrs <= 0:
        return
    for version in settings.versions:
        key = f"seeded:{version}"
        wanted = f"{settings.seed}/{settings.profile}/{settings.cdrs}"
        stored = store.meta(key)
        if stored == wanted:
            continue
        if stored is not None:
            raise ValueError(
                f"the store was seeded for {version} with seed/profile/count "
                f"{stored}; use another --db or the same options"
            )
        generator = CdrGenerator(settings.seed, settings.profile, version)
        cdrs = [generator.cdr(i) for i in range(settings.cdrs)]
        tariffs: dict[str, dict[str, object]] = {}
        for cdr in cdrs:
            for tariff in cdr.get("tariffs") or []:
                tariffs.setdefault(json.dumps([tariff["id"], tariff["last_updated"]]), tariff)
        store.seed_sent(version, (key, wanted), {"sent_cdrs": cdrs, "tariffs": tariffs.values()})
