"""One object, three versions: 2.2.1-shaped tariffs and CDRs rendered as 2.3.0 or 2.1.1.

2.3.0 renames money (Price{before_taxes, taxes}, PriceLimit{before_taxes, after_taxes}) and
adds ``tax_included``; 2.1.1 drops what 2.2 added (VAT, party, limits, validity, reservation and
current restrictions) and has only ASCII strings.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

# Restrictions 2.1.1 does not have.
_NOT_IN_211 = ("min_current", "max_current", "reservation")
# Letters that do not decompose into an ASCII letter and a mark.
_ASCII = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d",
     "Đ": "D", "œ": "oe", "Œ": "OE", "—": "-", "–": "-", "’": "'"}
)  # fmt: skip


def ascii_text(text: str) -> str:
    """``text`` in printable ASCII (2.1.1 strings): accents dropped, other letters spelt out,
    anything else replaced by '?'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" else "?" for c in plain)


def price_230(price: dict[str, float]) -> dict[str, Any]:
    """A 2.2.1 Price {excl_vat, incl_vat} as a 2.3.0 Price {before_taxes, taxes}."""
    excl = Decimal(repr(price["excl_vat"]))
    out: dict[str, Any] = {"before_taxes": float(excl)}
    if "incl_vat" in price:
        out["taxes"] = [{"name": "VAT", "amount": float(Decimal(repr(price["incl_vat"])) - excl)}]
    return out


def tariff_230(tariff: dict[str, Any], tax_included: str = "NO") -> dict[str, Any]:
    """A 2.2.1 tariff in 2.3.0 shape: PriceLimit limits and tax_included."""
    out: dict[str, Any] = {}
    for key, value in tariff.items():
        if key in ("min_price", "max_price"):
            limit = {"before_taxes": value["excl_vat"]}
            if "incl_vat" in value:
                limit["after_taxes"] = value["incl_vat"]
            out[key] = limit
        elif key == "elements":
            out[key] = value
            out["tax_included"] = tax_included
        else:
            out[key] = value
    return out


def cdr_230(cdr: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 CDR in 2.3.0 shape: Price{before_taxes, taxes} and 2.3.0 tariffs."""
    out: dict[str, Any] = {}
    for key, value in cdr.items():
        if key.startswith("total_") and key.endswith("cost"):
            out[key] = price_230(value)
        elif key == "tariffs":
            out[key] = [tariff_230(t) for t in value]
        else:
            out[key] = value
    return out


def tariff_211(tariff: dict[str, Any]) -> dict[str, Any]:
    """A 2.2.1 tariff without what 2.2 added (vat, party, type, limits, validity, reservation
    and current restrictions), its texts in ASCII."""
    elements = []
    for element in tariff["elements"]:
        out: dict[str, Any] = {
            "price_components": [
                {k: v for k, v in c.items() if k != "vat"} for c in element["price_components"]
            ]
        }
        restrictions = {
            k: v for k, v in element.get("restrictions", {}).items() if k not in _NOT_IN_211
        }
        if restrictions:
            out["restrictions"] = restrictions
        elements.append(out)
    result: dict[str, Any] = {"id": tariff["id"], "currency": tariff["currency"]}
    if "tariff_alt_text" in tariff:
        result["tariff_alt_text"] = [
            {"language": t["language"], "text": ascii_text(t["text"])}
            for t in tariff["tariff_alt_text"]
        ]
    if "tariff_alt_url" in tariff:
        result["tariff_alt_url"] = tariff["tariff_alt_url"]
    result["elements"] = elements
    result["last_updated"] = tariff["last_updated"]
    return result
