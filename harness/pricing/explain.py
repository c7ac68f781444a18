"""Words and tables for a Pricing: one sentence per line, a breakdown table for the CLI."""

from __future__ import annotations

from decimal import Decimal

from harness.pricing.result import GROUP_FIELDS, Cost, Line, Pricing

#: The dimensions whose amounts fall into each cost group.
GROUP_DIMENSIONS: dict[str, str] = {
    "fixed": "FLAT",
    "energy": "ENERGY",
    "time": "TIME",
    "parking": "PARKING_TIME",
    "reservation": "RESERVATION_TIME and reservation FLAT",
}
_UNITS = {"ENERGY": "kWh", "TIME": "h", "PARKING_TIME": "h", "RESERVATION_TIME": "h", "FLAT": ""}


_MICRO = Decimal("0.000001")


def number(value: Decimal | None) -> str:
    """A decimal for people: no exponent, no trailing zeros, at most 6 decimals (the engine
    keeps every digit; volumes in hours make long fractions); '-' when unknown."""
    if value is None:
        return "-"
    if value.adjusted() > 15:  # no real amount runs past quadrillions: show the magnitude
        return format(value, ".6e")
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        value = value.quantize(_MICRO)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def describe_line(line: Line) -> str:
    """One priced line as a sentence: what, how much, by which element, for how much."""
    unit = _UNITS.get(line.dimension, "")
    where = f"period {line.period} {line.dimension}"
    if line.element is None:
        tariff = f"tariff {line.tariff_id}" if line.tariff_id else "no tariff"
        return f"{where} {number(line.volume)} {unit}: free ({tariff}, no element matched)"
    if line.dimension == "FLAT":
        quantity = "fee"
    else:
        rounded = "" if line.billed == line.volume else f" billed {number(line.billed)} {unit}"
        quantity = f"{number(line.volume)} {unit}{rounded}"
    vat = "" if line.vat is None else f" vat {number(line.vat)}%"
    return (
        f"{where} {quantity} x {number(line.price)}{vat} (tariff {line.tariff_id} element "
        f"{line.element}, step_size {line.step_size}) = {number(line.cost.excl)} excl / "
        f"{number(line.cost.incl)} incl"
    )


def describe_group(pricing: Pricing, group: str) -> str:
    """How a cost group's amount was reached, line by line."""
    lines = [describe_line(line) for line in pricing.lines if line.group == group]
    return "; ".join(lines) if lines else "nothing priced"


def describe_total(pricing: Pricing) -> str:
    """The total as the sum of its groups and the min/max adjustments."""
    parts = [
        f"{GROUP_DIMENSIONS[group]} {number(cost.excl)}"
        for group, cost in pricing.subtotals.items()
        if any(line.group == group for line in pricing.lines)
    ]
    parts += [
        f"{a.limit} of tariff {a.tariff_id} moved {number(a.before.excl)} to {number(a.after.excl)}"
        for a in pricing.adjustments
    ]
    return ", ".join(parts) if parts else "nothing priced"


def breakdown(pricing: Pricing) -> str:
    """The breakdown table printed by ``ocpi-harness price``."""
    rows = [("period", "dimension", "tariff/el.", "volume", "billed", "price", "excl", "incl")]
    for line in pricing.lines:
        element = "-" if line.element is None else f"{line.tariff_id}/{line.element}"
        rows.append(
            (
                str(line.period),
                line.dimension,
                element,
                number(line.volume),
                number(line.billed),
                number(line.price),
                number(line.cost.excl),
                number(line.cost.incl),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    for group, cost in pricing.subtotals.items():
        if any(line.group == group for line in pricing.lines):
            out.append(f"{GROUP_FIELDS[group]}: {_pair(cost)}")
    for adjustment in pricing.adjustments:
        out.append(
            f"{adjustment.limit} of tariff {adjustment.tariff_id}: "
            f"{_pair(adjustment.before)} -> {_pair(adjustment.after)}"
        )
    out.append(f"total_cost: {_pair(pricing.total)}")
    out.extend(f"note: {note}" for note in pricing.notes)
    out.extend(f"not priced: {reason}" for reason in pricing.unpriced)
    return "\n".join(out)


def _pair(cost: Cost) -> str:
    return f"{number(cost.excl)} excl / {number(cost.incl)} incl"
