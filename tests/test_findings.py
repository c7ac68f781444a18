"""Folding findings: the same rule broken the same way in many places is one finding with a
count and examples, and a flood of distinct findings is bounded with every rule kept."""

from __future__ import annotations

from harness.findings import Finding, Level, fold_findings


def _missing(field: str, cdr: str, requirement: str = "C-001") -> Finding:
    found = Finding(requirement, Level.ERROR, f"required field '{field}' is missing", f"$.{field}")
    return found.on_object(f"CDR {cdr}", "page 1 #1")


def test_the_same_rule_broken_the_same_way_on_many_objects_is_one_finding() -> None:
    # Given one field missing in 150 CDRs
    findings = [_missing("cdr_location", f"CDR{i:04}") for i in range(150)]
    # When they are folded
    folded = fold_findings(findings)
    # Then one finding stands for them all, its count and first examples named
    assert len(folded) == 1
    assert folded[0].count == 150
    assert folded[0].examples == ("CDR CDR0000", "CDR CDR0001", "CDR CDR0002")
    assert folded[0].message.endswith(
        "(150 times, e.g. CDR CDR0000, CDR CDR0001, CDR CDR0002, ...)"
    )
    assert folded[0].to_dict()["count"] == 150


def test_another_field_another_level_or_another_requirement_is_another_finding() -> None:
    # Given findings that differ in what is wrong, not only in where
    findings = [
        _missing("cdr_location", "A"),
        _missing("cdr_location", "B"),
        _missing("total_cost", "A"),
        _missing("cdr_location", "C", requirement="C-002"),
        Finding(
            "C-001", Level.WARNING, "required field 'cdr_location' is missing", "$.cdr_location"
        ),
    ]
    # When they are folded
    folded = fold_findings(findings)
    # Then only the first two fold, and the order is the order first seen
    assert [(f.requirement, f.path, f.level, f.count) for f in folded] == [
        ("C-001", "$.cdr_location", Level.ERROR, 2),
        ("C-001", "$.total_cost", Level.ERROR, 1),
        ("C-002", "$.cdr_location", Level.ERROR, 1),
        ("C-001", "$.cdr_location", Level.WARNING, 1),
    ]


def test_list_indices_do_not_split_a_rule_and_a_single_finding_is_unchanged() -> None:
    # Given the same volume error in two periods of one CDR, and one finding alone
    volume = [
        Finding("C-008", Level.ERROR, "volume is negative", f"$.charging_periods[{i}].volume")
        for i in (0, 3)
    ]
    alone = Finding("T-HDR-03", Level.ERROR, "no X-Request-ID", "X-Request-ID")
    # When folded
    folded = fold_findings([*volume, alone])
    # Then the periods fold with their paths as examples, and the lone finding is as it was
    assert folded[0].count == 2
    assert folded[0].examples == ("$.charging_periods[0].volume", "$.charging_periods[3].volume")
    assert folded[1] is alone
    assert "count" not in alone.to_dict()


def _letters(number: int) -> str:
    """``number`` in letters: a value the folding does not read as a number."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word += chr(ord("a") + digit)
        if not number:
            return word


def test_numbers_in_a_message_are_the_values_of_one_place() -> None:
    # Given the same shape error with another value on each CDR
    findings = [
        Finding("T-TYPE-09", Level.ERROR, f"got the number {v}", "$.total_cost").on_object(
            f"CDR {i}", "page 1"
        )
        for i, v in enumerate(("3547.5982", "7.0338", "1e5"))
    ]
    # When folded, Then they are one finding
    assert [f.count for f in fold_findings(findings)] == [3]


def test_a_flood_of_distinct_findings_is_bounded_and_every_rule_stays() -> None:
    # Given 5,000 distinct messages under one rule, then one finding of another rule
    flood = [
        Finding("C-002", Level.ERROR, f"id '{_letters(i)}' is not unique", "$.id")
        for i in range(5000)
    ]
    last = Finding("T-PAG-01", Level.ERROR, "X-Total-Count missing", "X-Total-Count")
    # When folded with room for 10
    folded = fold_findings([*flood, last], keep=10)
    # Then 10 are kept, the other rule among them, and the first of the flood counts the rest
    assert len(folded) == 10
    assert last in folded
    assert folded[0].count == 1 + (5000 - 9)
    assert "(and 4991 more findings of this rule, not kept)" in folded[0].message
