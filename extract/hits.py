"""Label hits: which rendered lines are labels, and of what.

A line is a hit when
- the whole line is a known label (`Namn:`, `Namn`): its value is on the following line(s);
- it starts with `Known label:` and a value (`Namn: Foo`);
- its first segment is a known label and more segments follow (`<b>Namn:</b> Foo`,
  `<span>Projektfas</span><span>Förprojektering</span>`);
- on 2007–2013 text renderings, label and value glued (`ProjektfasFörprojektering`);
- or it is label-shaped but unknown to the registry (`Samarbetspartner:`): an unknown label.
The block finder (extract/block.py) decides which hits make the block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from projektbank.extract.registry import Label, glued_prefixes, lookup
from projektbank.extract.render import Line

_UNKNOWN_LABEL = re.compile(r"^[A-ZÅÄÖÉ0-9][\w\-–/() .,&]{0,45}$")


@dataclass(slots=True)
class Hit:
    index: int                  # line index
    label_text: str             # as published (colon stripped, spaces collapsed)
    label: Label | None         # None: unknown label
    value: str | None           # inline value; None: the value is on the following line(s)
    glued: bool = False


def _strip_label(text: str) -> str:
    return text.rstrip().rstrip(":：").rstrip()


def known_hit(i: int, line: Line) -> Hit | None:
    text = line.text
    if not text:
        return None
    found = _short_line_label(text) if len(text) <= 62 else _colon_label(text)
    if found:
        return Hit(i, *found)
    if len(line.segments) < 2:
        return None  # one segment: one part
    parts = line.parts()
    if len(parts) > 1:
        lab = lookup(parts[0])
        if lab:
            value = " ".join(parts[1:]).lstrip(":").strip()
            return Hit(i, _strip_label(parts[0]), lab, value)
    return None


@lru_cache(maxsize=8192)
def _short_line_label(text: str) -> tuple[str, Label, str | None] | None:
    """(label text, label, inline value) of a short line; cached, as every page repeats its
    label lines."""
    lab = lookup(text)
    if lab:
        return _strip_label(text), lab, None
    return _colon_label(text)


def _colon_label(text: str) -> tuple[str, Label, str] | None:
    """`Known label: value`."""
    colon = text.find(":")
    if 0 < colon <= 60:
        lab = lookup(text[:colon])
        if lab:
            return _strip_label(text[:colon]), lab, text[colon + 1:].strip()
    return None


def glued_hit(i: int, line: Line, lower: bool = False) -> Hit | None:
    """`ProjektfasFörprojektering`; `lower`: also a value starting in lower case
    (`E-postanna@…`), for a line already inside the block."""
    text = line.text
    if len(text) > 300:
        return None
    key_length, candidates = _glued_candidates()
    for prefix in candidates.get(text[:key_length], ()):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if rest and (rest[0].isspace() or (rest[0].islower() and not lower)
                         or rest[0] == ":"):
                continue
            lab = lookup(prefix)
            return Hit(i, prefix, lab, rest.strip(), glued=True)
    return None


@cache
def _glued_candidates() -> tuple[int, dict[str, tuple[str, ...]]]:
    """glued_prefixes() by their first k letters (k: the shortest label's length), longest
    first as there: a line is tried only against the labels it can start with."""
    k = min(len(prefix) for prefix in glued_prefixes())
    index: dict[str, tuple[str, ...]] = {}
    for prefix in glued_prefixes():
        index[prefix[:k]] = (*index.get(prefix[:k], ()), prefix)
    return k, index


def unknown_hit(i: int, line: Line) -> Hit | None:
    """A label-shaped line the registry does not know: `Samarbetspartner:` (+ value)."""
    text = line.text
    if text.endswith(":") and _UNKNOWN_LABEL.match(text[:-1].strip()):
        return Hit(i, _strip_label(text), None, None)
    parts = line.parts() if len(line.segments) > 1 else ()  # one segment: one part
    if len(parts) > 1 and parts[0].endswith(":") and _UNKNOWN_LABEL.match(parts[0][:-1].strip()):
        return Hit(i, _strip_label(parts[0]), None, " ".join(parts[1:]).strip())
    colon = text.find(": ")
    if 0 < colon <= 40 and _UNKNOWN_LABEL.match(text[:colon]) and len(text[:colon].split()) <= 4:
        return Hit(i, text[:colon].strip(), None, text[colon + 2:].strip())
    return None
