"""Every sample page against its expected record: one test per column, and every column pinned.

As web-poet fixtures do: a failure names the sample and the column, and a fixture holds the
whole record, or names the columns it leaves out (`"not_pinned": {"<column>": "<why>"}`), so a
change to any column fails here until the fixture is updated deliberately
(`python bench/parse_fixtures.py --update`, then read the diff).
"""

from __future__ import annotations

import pytest
from conftest import check_field, check_validation_columns, sample_cases
from projektbank.extract.schema import COLUMN_NAMES

# Keys of an expected file that are not columns.
FIXTURE_KEYS = ("validation_columns", "not_pinned", "reject", "reject_reason")

CASES = sample_cases()
FIELD_CASES = [
    pytest.param(path, column, value, id=f"{name}::{column}")
    for name, path, expected in CASES
    for column, value in expected.items()
    if column not in FIXTURE_KEYS
]


def unpinned_columns(expected: dict) -> list[str]:
    """What keeps a fixture from pinning the whole record: columns neither pinned nor named
    as left out (with a reason), and keys that are no column."""
    left_out = expected.get("not_pinned", {})
    pinned = set(expected) - set(FIXTURE_KEYS)
    problems = [f"{c}: neither pinned nor in not_pinned" for c in COLUMN_NAMES
                if c not in pinned and c not in left_out]
    problems += [f"{c}: not a column" for c in (pinned | set(left_out)) - set(COLUMN_NAMES)]
    problems += [f"{c}: pinned and in not_pinned" for c in pinned & set(left_out)]
    problems += [f"{c}: left out without a reason" for c, why in left_out.items()
                 if not (isinstance(why, str) and why.strip())]
    return problems


def test_there_are_enough_samples():
    names = [name for name, _, _ in CASES]
    assert len(names) >= 13
    periods = {exp["programme_period"] for _, _, exp in CASES}
    assert periods == {"2007-2013", "2014-2020", "2021-2027"}


@pytest.mark.parametrize("expected", [pytest.param(exp, id=name) for name, _, exp in CASES])
def test_sample_fixture_pins_the_whole_record(expected):
    assert unpinned_columns(expected) == []


def test_a_fixture_missing_a_column_is_caught():
    _, _, expected = CASES[0]
    assert unpinned_columns({k: v for k, v in expected.items() if k != "fetched_at"}) == [
        "fetched_at: neither pinned nor in not_pinned"]
    left_out = {k: v for k, v in expected.items() if k != "fetched_at"}
    assert unpinned_columns(dict(left_out, not_pinned={"fetched_at": "the file's mtime"})) == []
    assert unpinned_columns(dict(left_out, not_pinned={"fetched_at": ""})) == [
        "fetched_at: left out without a reason"]
    assert unpinned_columns(dict(expected, colour="red")) == ["colour: not a column"]


@pytest.mark.parametrize(("path", "column", "expected"), FIELD_CASES)
def test_sample_field(path, column, expected):
    check_field(path, column, expected)


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(path, exp.get("validation_columns", []), id=name) for name, path, exp in CASES])
def test_sample_validation_messages(path, expected):
    check_validation_columns(path, expected)
