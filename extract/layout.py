"""The layout of a label block: where its labels sit, so that a colon-less label the registry does
not know can be told from a value line.

Real pages write unknown labels as they write the known ones: the 2016–2020 site puts each label
on its own line without a colon (`Utlysning` / `2015/00897` between `Region` and
`Projektägare`). Inside the block, a line shaped like a label (label_shaped) is a label when
- its block element is the one the known labels use and the values do not (`dt`/`dd`,
  `th`/`td`, `h3`/`p`);
- it is the first cell of a table row whose next cell holds the value;
- the block alternates label line / value line (most known labels have exactly one value line),
  the line sits where a label would (an even offset after the previous label) and has a value
  line of its own before the next label;
- the block writes label and value as separate inline pieces of one line
  (`<span>Projektfas</span><span>…</span>`) and so does this line (block.py reads that case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from projektbank.extract.render import Line

_COLONLESS = re.compile(r"[A-ZÅÄÖÉ][^\W\d_]*(?:[ \-–/&+][^\W\d_]*|\.){0,6}")
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "legend",
                           "summary"})
# Links and controls that sit between pairs on real pages and carry nothing.
_NEGLIGIBLE = re.compile(
    r"(visa|läs|se) (mer|fler|mindre|alla)( .{0,40})?|in english|read in english|tillbaka"
    r"|dela( sidan)?|skriv ut|stäng|öppna|[-–—:|•*]+", re.I)


@dataclass(frozen=True, slots=True)
class Layout:
    label_tag: str | None = None    # the label lines' element, never a value line's
    alternating: bool = False       # label line / one value line, label line / value line, …
    inline_parts: bool = False      # label and value are inline pieces of one line


def label_shaped(text: str) -> bool:
    """Short, capitalised words without digits, at most four, not a sentence, not an upper-case
    value (ESF+ pages write owners and towns in capitals: `GÄVLE KOMMUN`)."""
    return (len(text) <= 45 and _COLONLESS.fullmatch(text) is not None
            and len(text.split()) <= 4 and not text.isupper() and not text.endswith("."))


def is_heading(line: Line) -> bool:
    return line.tag in _HEADING_TAGS


def negligible(line: Line) -> bool:
    """A line inside the block that is not meant as data: a sub-heading, a "visa mer" link, or
    site chrome (a footer that only the second rendering, chrome kept, puts next to the block)."""
    return (not line.text or line.chrome or line.tag in _HEADING_TAGS
            or _NEGLIGIBLE.fullmatch(line.text) is not None)


def layout_of(lines: list[Line], cluster: list, is_hit) -> Layout:
    """The layout of the block made of `cluster` (block.Hit, in line order); `is_hit(i)`: line i
    holds a label (known or `Label:`). One pass over the hits (it runs on most pages)."""
    n = len(lines)
    label_tags: dict[str, int] = {}
    value_tags: set[str] = set()
    label_only = gaps = twos = inline = 0
    prev = -1  # line of the previous hit when it was label-only
    for h in cluster:
        if prev >= 0:
            gaps += 1
            twos += h.index - prev == 2
        prev = -1
        if h.label is None:
            continue
        line = lines[h.index]
        if h.value is None:
            if not h.glued:
                label_only += 1
                label_tags[line.tag] = label_tags.get(line.tag, 0) + 1
                if h.index + 1 < n and not is_hit(h.index + 1):
                    value_tags.add(lines[h.index + 1].tag)
                prev = h.index
        elif len(line.segments) > 1:
            after = line.text[len(h.label_text):len(h.label_text) + 1]
            inline += after not in (":", "：")
    label_tag = None
    if label_tags:
        tag = max(label_tags, key=label_tags.__getitem__)
        count = label_tags[tag]
        if tag and count >= 2 and 2 * count >= label_only and tag not in value_tags:
            label_tag = tag
    alternating = gaps >= 3 and 5 * twos >= 3 * gaps
    return Layout(label_tag, alternating, inline >= 3)


def colonless_label(lines: list[Line], i: int, get_layout, is_hit, *,
                    label_position: bool) -> bool:
    """Is line i an unknown colon-less label? `get_layout()`: the block's Layout (computed only
    when a line is label-shaped); `label_position`: a label would stand here in an alternating
    block (right after a complete pair, or at an even offset after a label)."""
    line = lines[i]
    if not label_shaped(line.text):
        return False
    layout = get_layout()
    if layout.label_tag is not None and line.tag == layout.label_tag:
        return True
    if line.tag and i > 0 and lines[i - 1].para == line.para:
        return False  # HTML: a line after a <br> continues its paragraph (a multi-line address)
    nxt = i + 1
    if nxt >= len(lines) or is_hit(nxt) or not lines[nxt].text:
        return False  # a label needs a value line of its own
    if line.row and lines[nxt].row == line.row and (i == 0 or lines[i - 1].row != line.row):
        return True   # the first cell of a row, its value in the next cell
    # where the labels have an element of their own, a line in another one is not a label
    return layout.label_tag is None and layout.alternating and label_position
