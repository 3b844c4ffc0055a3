"""Title and description: the heading above the block and the free text after it."""

from __future__ import annotations

import re

from lxml import etree
from projektbank.extract.block import Block
from projektbank.extract.normalize import clean_text
from projektbank.extract.render import Line, is_chrome

# Lines that end the main content or are not part of the description.
_STOP = re.compile(
    r"^(dela( sidan| projektet)?|senast (uppdaterad|ändrad)|sidan (senast )?(uppdaterad|ändrad)"
    r"|tillbaka( till)?|relaterade (projekt|nyheter|sidor)|till toppen|skriv ut"
    r"|hittade du (det|vad) du sökte)\b"
    # the site's contact block: a footer that chrome detection did not recognise
    r"|^(telefon|tel|fax|e-?post|postadress|besöksadress|organisationsnummer|org\.? ?nr)\s*:",
    re.I)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = re.compile(r"^(in english|read in english|english summary|läs mer|visa (mer|fler))$", re.I)


def html_title(root: etree._Element, lines: list[Line], block: Block) -> str | None:
    """The first <h1> outside site chrome: from the rendered lines when it is there."""
    for line in lines[: block.start]:
        if line.tag == "h1" and not line.chrome:
            return line.text
    for h1 in root.iter("h1"):
        el, chrome = h1, False
        while el is not None:
            if is_chrome(el):
                chrome = True
                break
            el = el.getparent()
        if not chrome:
            text = clean_text("".join(h1.itertext()))
            if text:
                return text
    return None


def text_title(lines: list[Line], block: Block) -> str | None:
    """Without an <h1>: the last line before the block (the seed's `22-021-S03 - Namn`)."""
    for line in reversed(lines[max(0, block.start - 3):block.start]):
        text = line.text
        if text and not text.endswith(":"):
            return text
    return None


def description(lines: list[Line], block: Block) -> str | None:
    """Paragraphs after the block in the same content region, a blank line between them.

    Site chrome never counts. When nothing follows the block (a facts box after the text, or
    in a sidebar), the text between the heading and the block is the description instead.
    """
    region = lines[block.start].region if block.start < len(lines) else 0
    after = _paragraphs(lines[block.end:], region)
    if after:
        return after
    heading = next((i for i, line in enumerate(lines[: block.start])
                    if line.tag == "h1" and not line.chrome), None)
    if heading is None:
        return None
    end = block.start
    while end > heading + 1 and lines[end - 1].tag in _HEADING_TAGS:
        end -= 1  # the facts box's own heading (`Projektfakta`) is not description
    return _paragraphs(lines[heading + 1: end], 0)


def _paragraphs(lines: list[Line], region: int) -> str | None:
    paras: list[list[str]] = []
    last_para = None
    # 2007–2013: "In English" (a link, sometimes with an English text under it) comes before
    # the Swedish sections; what lies between it and "Sammanfattning" is not the description.
    # (casefold never shortens a text: the length test spares casefolding every paragraph)
    texts = [line.text for line in lines]
    english = next((i for i, t in enumerate(texts)
                    if len(t) <= 10 and t.casefold() == "in english"), None)
    swedish = next((i for i, t in enumerate(texts)
                    if len(t) <= 14 and t.casefold() == "sammanfattning"), None)
    if english is not None and swedish is not None and english < swedish:
        lines = lines[:english] + lines[swedish:]
    for line in lines:
        if region and line.region != region:
            break
        text = line.text
        if not text or line.chrome:
            continue
        if _STOP.match(text):
            break
        if _SKIP.match(text):
            continue
        # plain text: consecutive lines form one paragraph; HTML: each block is one, and
        # lines split only by <br> stay in their paragraph
        if paras and line.para == last_para:
            paras[-1].append(text)
        else:
            paras.append([text])
        last_para = line.para
    return "\n\n".join(" ".join(p) for p in paras) or None
