"""The block finder: locate the label/value block among rendered lines by its known labels.

Markup does not matter: the lines come from extract/render.py, and which of them are labels
(known, glued or unknown) from extract/hits.py. Hits are grouped into clusters of nearby lines; the cluster with the most distinct known labels
is the block. Labels outside it (menus, a footer's `Telefon:`) are not fields. Inside the block,
label-shaped lines that the registry does not know are kept as unknown labels: `Label:` lines,
and colon-less lines in a label position of the block's layout (extract/layout.py). Every other
line inside the block is a value, a heading, or is listed in `Block.not_understood`: nothing
published vanishes silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from projektbank.extract.hits import Hit, glued_hit, known_hit, unknown_hit
from projektbank.extract.layout import (
    Layout,
    colonless_label,
    is_heading,
    label_shaped,
    layout_of,
    negligible,
)
from projektbank.extract.registry import MAPPED, PERIOD, PERSONAL, Label, labels
from projektbank.extract.render import Line

MIN_LABELS = 3      # distinct mapped labels that make a project block
MAX_GAP = 3         # a hit at most 3 lines after the previous one (value lines, a sub-heading)
MAX_EXTEND = 4      # unknown pairs after the last known label taken whatever their value's size
MAX_EXTEND_VALUE = 160  # beyond those, a pair's value is this short (a long one is description)



@dataclass
class Block:
    pairs: list[tuple[str, Label | None, str]] = field(default_factory=list)
    start: int = 0              # first line of the block
    end: int = 0                # one past the last line of the block
    glued: bool = False         # 2007–2013 glued rendering
    distinct_labels: int = 0
    not_understood: list[int] = field(default_factory=list)  # lines neither pair nor value
    masked: set[int] = field(default_factory=set)  # of those, lines right after personal data


def _clusters(hits: list[Hit]) -> list[list[Hit]]:
    clusters: list[list[Hit]] = []
    for hit in hits:
        if clusters and hit.index - clusters[-1][-1].index <= MAX_GAP:
            clusters[-1].append(hit)
        else:
            clusters.append([hit])
    # A cluster starts and ends with known labels: unknown ones only bridge.
    trimmed = []
    for c in clusters:
        known = [i for i, h in enumerate(c) if h.label is not None]
        if known:
            trimmed.append(c[known[0]: known[-1] + 1])
    return trimmed


_COUNTED = frozenset({MAPPED, PERIOD})  # the label kinds that make a block


def _distinct(cluster: list[Hit]) -> int:
    return len({h.label.text for h in cluster if h.label and h.label.kind in _COUNTED})


def _bridges(lines: list[Line], known: list[Hit | None]) -> list[Hit]:
    """Known hits plus unknown `Label:` lines: an unknown label inside the block keeps it whole."""
    out = []
    for i, line in enumerate(lines):
        hit = known[i]
        if hit is None and line.text.endswith(":"):
            hit = unknown_hit(i, line)
        if hit is not None:
            out.append(hit)
    return out


MERGE_GAP = 8       # neighbouring clusters this close, with no heading between, are one block
_HEADINGS = frozenset({"h1", "h2", "h3"})


def _merge_neighbours(lines: list[Line], clusters: list[list[Hit]], best: int) -> list[Hit]:
    """Join clusters split by a long value (a multi-paragraph `<dd>`) back into the block."""
    def joinable(a: list[Hit], b: list[Hit]) -> bool:
        gap = lines[a[-1].index + 1: b[0].index]
        first = lines[a[-1].index]
        # a heading between them ends the block, unless the labels themselves are headings
        # (`<h3>Region</h3><p>…</p>`: there an unknown `<h3>Utlysning</h3>` is a label)
        label_tags = {lines[h.index].tag for h in a} & {lines[h.index].tag for h in b}
        return (len(gap) <= MERGE_GAP and _distinct(b if b is not clusters[best] else a) >= 2
                and not any((line.tag in _HEADINGS and line.tag not in label_tags)
                            or line.chrome != first.chrome or line.region != first.region
                            for line in gap))

    lo = hi = best
    while lo > 0 and joinable(clusters[lo - 1], clusters[lo]):
        lo -= 1
    while hi + 1 < len(clusters) and joinable(clusters[hi], clusters[hi + 1]):
        hi += 1
    return [h for c in clusters[lo: hi + 1] for h in c]


def _best(lines: list[Line], clusters: list[list[Hit]]) -> list[Hit] | None:
    if not clusters:
        return None
    best = max(range(len(clusters)), key=lambda k: _distinct(clusters[k]))
    return _merge_neighbours(lines, clusters, best)


@cache
def _labels_with_colon() -> re.Pattern:
    texts = sorted({lab.text for lab in labels().values()}, key=len, reverse=True)
    def pattern(text: str) -> str:  # spaces and dashes as label_key() sees them
        parts = re.split(r"(\s+|-)", text)
        return "".join(r"\s*[-‐‑‒–—]\s*" if p == "-" else r"\s+" if p.isspace() else re.escape(p)
                       for p in parts if p)

    alternatives = "|".join(pattern(t) for t in texts)
    return re.compile(rf"(?:^|(?<=\s))(?:{alternatives})\s*[:：]", re.IGNORECASE)


def split_label_lines(lines: list[Line]) -> list[Line]:
    """`Startdatum: 2023-10-02 Slutdatum: 2026-09-30` on one line → one line per label."""
    out: list[Line] = []
    for line in lines:
        text = line.text
        if len(text) <= 400 and text.count(":") + text.count("：") >= 2:
            starts = [m.start() for m in _labels_with_colon().finditer(text)]
            if len(starts) >= 2 and starts[0] == 0:
                for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
                    out.append(Line([text[a:b].strip()], line.para, line.tag, line.region,
                                    line.chrome, line.row))
                continue
        out.append(line)
    return out


def find_block(lines: list[Line]) -> Block | None:
    known = [known_hit(i, line) for i, line in enumerate(lines)]
    glued = False
    best = _best(lines, _clusters(_bridges(lines, known)))
    distinct = 0 if best is None else _distinct(best)
    if distinct < MIN_LABELS:
        # 2007–2013 text renderings glue label and value: try that reading.
        ghits = [h for i, line in enumerate(lines) if (h := known[i] or glued_hit(i, line))]
        gbest = _best(lines, _clusters(ghits))
        distinct = 0 if gbest is None else _distinct(gbest)
        if distinct < MIN_LABELS:
            return None
        best, glued = gbest, True
    return _read_block(_Hits(lines, known, glued), best, distinct)


class _Hits:
    """Hits per line, each computed once (the block reader asks about a line several times)."""

    def __init__(self, lines: list[Line], known: list[Hit | None], glued: bool) -> None:
        self.lines, self.known, self.glued = lines, known, glued
        self._any: dict[int, Hit | None] = {}

    def known_or_glued(self, i: int) -> Hit | None:
        hit = self.known[i]
        if hit is None and self.glued:
            hit = glued_hit(i, self.lines[i])
        return hit

    def is_hit(self, i: int) -> bool:
        return self.any(i) is not None

    def any(self, i: int) -> Hit | None:
        hit = self._any.get(i, self)  # self: not computed yet
        if hit is self:
            hit = self._any[i] = self.known_or_glued(i) or unknown_hit(i, self.lines[i])
        return hit


def _label_only_or_known(hits: _Hits, i: int) -> bool:
    """Would line i end an empty value? (`Namn: Foo` as a value line is still a value.)"""
    if hits.known_or_glued(i):
        return True
    hit = hits.any(i)
    return hit is not None and hit.value is None


def _header_row(hits: _Hits, i: int) -> int:
    """k when lines i..i+k-1 are `th` labels and the next k lines are `td` values, else 0."""
    lines = hits.lines
    k = 0
    while (i + k < len(lines) and lines[i + k].tag == "th" and hits.known_or_glued(i + k)
           and hits.known_or_glued(i + k).value is None):
        k += 1
    if k < 2 or i + 2 * k > len(lines):
        return 0
    values = lines[i + k: i + 2 * k]
    if all(v.tag == "td" and not hits.known_or_glued(i + k + n) for n, v in enumerate(values)):
        return k
    return 0


def _read_block(hits: _Hits, cluster: list[Hit], distinct: int) -> Block:
    """The block's label/value pairs; `distinct`: _distinct(cluster)."""
    # One loop over the lines with one cursor: a pair's value ends where the next label, a
    # table row or a paragraph begins, so each step depends on where the previous one stopped.
    lines, glued = hits.lines, hits.glued
    start, last = cluster[0].index, cluster[-1].index
    # An unknown `Label:` + value just before the first known label belongs to the block too.
    while (start >= 2 and lines[start - 2].text.endswith(":")
           and unknown_hit(start - 2, lines[start - 2])
           and not hits.any(start - 1)):
        start -= 2
    block = Block(start=start, glued=glued, distinct_labels=distinct)
    layout = _LayoutOnce(lines, cluster, hits)
    n = len(lines)
    i = start
    extended = 0
    while i < n:
        if i <= last:
            hit = hits.any(i) or _stray_hit(hits, i, i < last, layout)
            if hit is None:
                if not negligible(lines[i]):
                    block.not_understood.append(i)  # named in a message by parse_page
                    if block.pairs and block.pairs[-1][1] and block.pairs[-1][1].kind == PERSONAL:
                        block.masked.add(i)  # maybe the rest of a contact: not shown
                i += 1
                continue
        else:
            # After the last known label: label-shaped unknown pairs (`Label:` lines), as many
            # as follow; beyond the first few only with a short value (a description paragraph
            # may start `Syfte: …`).
            hit = unknown_hit(i, lines[i]) if not is_heading(lines[i]) else None
            known = hits.known_or_glued(i) if hit is not None else None
            if known is not None and known.label.kind == PERSONAL:
                hit = known  # contact data (`Mobil: …`) stays personal data, not extra_fields
            if hit is None or (extended >= MAX_EXTEND and not _short_pair(lines, hit)):
                break
            extended += 1
        # (a header row starts with a `th`: most labels are not worth the call)
        row = _header_row(hits, i) if hit.value is None and lines[i].tag == "th" else 0
        if row:
            # A table whose header row holds the labels and the next row the values.
            for k in range(row):
                h = hits.known_or_glued(i + k)
                block.pairs.append((h.label_text, h.label, lines[i + row + k].text))
            i += 2 * row
            continue
        i += 1
        if hit.value is not None:
            value = hit.value
            row = lines[hit.index].row
        elif i < n and not _label_only_or_known(hits, i) and not (
                i <= last and _colonless(hits, i, layout, False)):
            values = [lines[i].text]
            para, row = lines[i].para, lines[i].row
            i += 1
            # Between labels every line is value, up to a colon-less label in a label position;
            # after the last label, only its paragraph; in a table, only the value's own cell.
            while (i < n and not hits.any(i) and (row == 0 or lines[i].row == row)
                   and (i <= last or (lines[i].para == para and not _section(lines[i].text)))
                   and (row == 0 or lines[i].para == para)
                   and not (i < last and _colonless(hits, i, layout, (i - hit.index) % 2 == 0))):
                values.append(lines[i].text)
                i += 1
            value = " ".join(v for v in values if v)
        else:
            value, row = "", 0  # empty value: the next line is already a label
        while row and i < n and lines[i].row == row and not hits.any(i):
            i += 1  # the rest of the table row (a help-text column) is not the value
        block.pairs.append((hit.label_text, hit.label, value))
    block.end = i
    return block


class _LayoutOnce:
    """The block's Layout, computed on first use (most blocks never need it)."""

    __slots__ = ("lines", "cluster", "hits", "value")

    def __init__(self, lines: list[Line], cluster: list[Hit], hits: _Hits) -> None:
        self.lines, self.cluster, self.hits, self.value = lines, cluster, hits, None

    def __call__(self) -> Layout:
        if self.value is None:
            self.value = layout_of(self.lines, self.cluster, self.hits.is_hit)
        return self.value


# Section headings that start the text after the block, never part of a value (a text rendering
# may have no blank line between the last value and `Sammanfattning`).
_SECTIONS = frozenset({"sammanfattning", "bakgrund", "in english", "beskrivning",
                       "projektbeskrivning", "om projektet"})


def _section(text: str) -> bool:
    return len(text) <= 18 and text.casefold() in _SECTIONS


def _colonless(hits: _Hits, i: int, layout: _LayoutOnce, label_position: bool) -> bool:
    return colonless_label(hits.lines, i, layout, hits.is_hit, label_position=label_position)


def _stray_hit(hits: _Hits, i: int, before_last: bool, layout: _LayoutOnce) -> Hit | None:
    """A line inside the block that no label test took: an unknown colon-less label in a label
    position, an inline `<span>Label</span><span>value</span>` pair, or (2007–2013) a known label
    glued to a value that starts in lower case (`E-postanna@…`)."""
    line = hits.lines[i]
    if before_last and _colonless(hits, i, layout, True):
        return Hit(i, line.text, None, None)
    if len(line.segments) > 1 and layout().inline_parts:
        parts = line.parts()
        if len(parts) > 1 and label_shaped(parts[0]):
            return Hit(i, parts[0], None, " ".join(parts[1:]))
    if hits.glued:
        return glued_hit(i, line, lower=True)
    return None


def _short_pair(lines: list[Line], hit: Hit) -> bool:
    """An unknown pair whose value (inline, or the next line) is short, as values are."""
    if hit.value is not None:
        return len(hit.value) <= MAX_EXTEND_VALUE
    nxt = hit.index + 1
    return nxt >= len(lines) or len(lines[nxt].text) <= MAX_EXTEND_VALUE
