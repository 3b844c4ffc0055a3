"""The label registry: Swedish label text → what it means.

Derived from the one schema (extract/schema.py): every column's `labels`, plus the labels that
are read but not a single column (`Projektperiod`) and the personal-data labels that are
recognised and deliberately not written. A label is recognised by its text only: case,
white space, dash style, a trailing colon and no-break spaces do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from projektbank.extract.schema import COLUMNS, PERIOD_LABEL, PERSONAL_LABELS, Column

_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")
_SPACES = re.compile(r"\s+")

MAPPED, PERIOD, PERSONAL = "mapped", "period", "personal"


@dataclass(frozen=True)
class Label:
    text: str                   # canonical label text, as in source-notes.md
    kind: str                   # mapped | period | personal
    column: Column | None = None


def label_key(text: str) -> str:
    """The comparison key of a label: casefolded, spaces and dashes unified, colon dropped."""
    t = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    t = t.rstrip(":：").strip()
    return _DASHES.sub("-", t).casefold()


@cache
def labels() -> dict[str, Label]:
    out: dict[str, Label] = {}
    for col in COLUMNS:
        for text in col.labels:
            out[label_key(text)] = Label(text, MAPPED, col)
    out[label_key(PERIOD_LABEL)] = Label(PERIOD_LABEL, PERIOD)
    for text in PERSONAL_LABELS:
        out[label_key(text)] = Label(text, PERSONAL)
    return out


@cache
def _prefixes() -> frozenset[str]:
    out = set()
    for key in labels():
        out.add(key[:4])
        for dash in "‐‑‒–—":  # `E–post`: label_key unifies dashes, so must the quick test
            out.add(key[:4].replace("-", dash))
    return frozenset(out)


def lookup(text: str) -> Label | None:
    # Most lines are not labels: a cheap test of the first four letters rejects them early.
    if len(text) > 60 or text[:4].casefold() not in _prefixes():
        return None
    return _lookup_key(text)


@lru_cache(maxsize=4096)
def _lookup_key(text: str) -> Label | None:
    """The slow path (label_key's regexes), cached: what passes the quick test is nearly always
    one of the few label spellings, and every page repeats them."""
    return labels().get(label_key(text))


@cache
def glued_prefixes() -> tuple[str, ...]:
    """Label texts, longest first: for renderings that glue label and value (2007–2013)."""
    return tuple(sorted((lab.text for lab in labels().values()), key=len, reverse=True))
