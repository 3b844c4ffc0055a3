"""Every sample page against its hand-written expected record: one test per field.

As web-poet fixtures do: a failure names the sample and the field.
"""

from __future__ import annotations

import pytest
from conftest import check_field, check_validation_columns, sample_cases

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
    check_field(path, column, expected)


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(path, exp.get("validation_columns", []), id=name) for name, path, exp in CASES])
def test_sample_validation_messages(path, expected):
    check_validation_columns(path, expected)
