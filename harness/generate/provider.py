"""The Faker provider: ``fake.add_provider(OcpiProvider)``, then ``fake.ocpi_cdr(...)``.

Each call draws a seed from Faker's own random source, so ``fake.seed_instance(n)`` makes the
sequence of objects reproducible the way every Faker provider is.
"""

from __future__ import annotations

from typing import Any

from faker.providers import BaseProvider

from harness.generate.cdrs import CdrGenerator
from harness.generate.profiles import PROFILES
from harness.versions import DEFAULT_VERSION


class OcpiProvider(BaseProvider):
    """OCPI objects for Faker: CDRs (priced by the cost oracle) and tariffs."""

    def ocpi_cdr(self, version: str = DEFAULT_VERSION, profile: str = "default") -> dict[str, Any]:
        """A CDR of ``version`` for a session of ``profile`` (see ``ocpi_profiles``)."""
        seed = self.generator.random.getrandbits(64)
        return CdrGenerator(seed, profile, version).cdr(0)

    def ocpi_tariff(
        self, version: str = DEFAULT_VERSION, profile: str = "default"
    ) -> dict[str, Any]:
        """A tariff of ``version`` of the kind ``profile`` uses."""
        seed = self.generator.random.getrandbits(64)
        return CdrGenerator(seed, profile, version).tariff(0)

    def ocpi_profile(self) -> str:
        """The name of a random profile of the scenario catalogue."""
        return str(self.random_element(sorted(PROFILES)))

    def ocpi_profiles(self) -> list[str]:
        """Every profile name, in catalogue order."""
        return list(PROFILES)
