"""Official code lists shipped as package data (CSV with source and confidence columns).

Loaded lazily and cached; the CSVs are copies of ../shared/codelists/ with their provenance.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled code list, as dicts of column → text."""
    with resources.files(__package__).joinpath(name).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def nuts2_names() -> dict[str, str]:
    """NUTS 2 code → Swedish name, for the Swedish NUTS 2021 level-2 regions."""
    return {r["nuts_code"]: r["name_sv"] for r in read_csv("se_nuts2021.csv") if r["level"] == "2"}
