"""Every sample page against its hand-written expected record: one test per field.

As web-poet fixtures do: a failure names the sample and the field.
"""

from __future__ import annotations

import pytest
from conftest import extract_sample, jsonable, sample_cases

CASES = sample_cases()
FIELD_CASES = [
    pytest.param(path, column, value, id=f"{name}::{column}")
    for name, path, expected in CASES
    for column, value in expected.items()
    if column != "validation_columns"
]


def test_there_are_enough_samples():
    names = [name for name, _, _ in CASES]
    assert len(names) >= 13
    periods = {exp["programme_period"] for _, _, exp in CASES}
    assert periods == {"2007-2013", "2014-2020", "2021-2027"}


@pytest.mark.parametrize(("path", "column", "expected"), FIELD_CASES)
def test_sample_field(path, column, expected):
    ex = extract_sample(path)
    assert ex.record is not None, ex.reject_reason
    got = jsonable(ex.record[column])
    if isinstance(expected, float) and isinstance(got, float):
        assert got == pytest.approx(expected)
    else:
        assert got == expected


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(path, exp.get("validation_columns", []), id=name) for name, path, exp in CASES])
def test_sample_validation_messages(path, expected):
    ex = extract_sample(path)
    own = [m for m in ex.record["validation_messages"] if m not in ex.enrichment_messages]
    assert {m.split(":", 1)[0] for m in own} == set(expected), own
