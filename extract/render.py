"""Page → lines, as a text browser would show it, whatever the markup.

Block elements (p, div, dt, dd, td, li, h1 …) start a new line; `<br>` starts a new line in the
same paragraph; inline elements stay on the line but keep their boundaries as separate
segments, so `<span>Projektfas</span><span>Förprojektering</span>` can still be split.
Site chrome (nav, footer, cookie banners, breadcrumbs, sidebars, forms, scripts) is skipped;
the block finder can ask for a second rendering that keeps it.

Plain-text renderings (like the seed) become lines directly: one line per text line,
paragraphs separated by blank lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from projektbank.extract.normalize import clean_text

BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details dialog div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main nav ol p pre
section summary table tbody td tfoot th thead tr ul
""".split())

# Never text: their content is code, data or controls.
SKIP_TAGS = frozenset("script style noscript template head svg iframe object select option "
                      "button input textarea canvas map video audio title meta link".split())

# Not <form>: ASP.NET/EPiServer pages (the old esf.se) wrap the whole page in one.
CELL_TAGS = frozenset({"td", "th"})
CHROME_TAGS = frozenset({"nav", "footer", "header", "aside", "dialog"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                          "dialog", "alertdialog"})
CHROME_TOKENS = frozenset("""
nav navbar navigation menu menus submenu megamenu footer foot cookie cookies consent gdpr
breadcrumb breadcrumbs crumbs sidebar share sharing social skip banner topbar toolbar
offcanvas modal popup
sidfot sidhuvud meny huvudmeny navigering brodsmulor brödsmulor smulor kakor kakbanner
delning dela sidopanel sidokolumn
""".split())
# Whole class names that hide content (a token like `hidden` alone would also match
# Drupal's `field--label-hidden`, which hides only a field's label).
HIDDEN_CLASSES = frozenset("""
hidden d-none visually-hidden visuallyhidden sr-only screen-reader-text screenreader is-hidden
element-invisible u-hidden hide
""".split())
# Containers that are never chrome themselves, whatever their classes say
# (WordPress puts `has-main-navigation` and the like on <body>).
NEVER_CHROME = frozenset({"html", "body", "main", "article"})
CONTENT_TAGS = frozenset({"main", "article"})

_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


class Line:
    """One rendered line: its text, and the inline segments it was made of."""

    __slots__ = ("segments", "para", "tag", "region", "chrome", "text", "_parts", "row")

    def __init__(self, segments: list[str], para: int, tag: str, region: int = 0,
                 chrome: bool = False, row: int = 0, text: str | None = None) -> None:
        self.segments = segments  # text pieces; a boundary wherever an inline element starts/ends
        self.para = para          # lines split only by <br> share a paragraph number
        self.tag = tag            # the block element holding the line ("" for plain text)
        self.region = region      # id of the nearest <main>/<article> (0: the page body)
        self.chrome = chrome      # inside site chrome (only when chrome is kept)
        self.row = row            # table row (<tr>) the line's cell belongs to; 0: none
        # `text`: the segments already joined, when the caller has them
        self.text = clean_text("".join(segments) if text is None else text)
        self._parts: list[str] | None = None

    def parts(self) -> list[str]:
        """Non-blank segments, whitespace-collapsed."""
        if self._parts is None:
            segs = self.segments
            self._parts = [self.text] if len(segs) == 1 else [
                t for t in (clean_text(s) for s in segs) if t]
        return self._parts

    def __repr__(self) -> str:
        return f"Line({self.segments!r}, para={self.para}, tag={self.tag!r})"


def is_chrome(el: etree._Element) -> bool:
    tag = el.tag
    if tag in NEVER_CHROME:
        return False
    if tag in CHROME_TAGS:
        return True
    # One call for the attribute names, then a value only for the names that can tell
    # (most content elements have no attributes, or only ones that never mark chrome).
    names = el.keys()
    if not names or _CHROME_ATTRIBUTES.isdisjoint(names):
        return False
    get = el.get
    if "hidden" in names or ("aria-hidden" in names and get("aria-hidden") == "true"):
        return True
    if "style" in names:
        style = get("style")
        if style and _HIDDEN_STYLE.search(style):
            return True
    if "role" in names:
        role = get("role")
        if role and role.lower() in CHROME_ROLES:
            return True
    if "class" in names:
        classes = get("class")
        if classes and _chrome_classes(classes):
            return True
    if "id" in names:
        ident = get("id")
        return bool(ident) and _chrome_id(ident)
    return False


# The attributes is_chrome reads.
_CHROME_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style", "role", "class", "id"})


@lru_cache(maxsize=4096)
def _chrome_classes(classes: str) -> bool:
    """A class attribute that marks chrome or hidden content (pages repeat them: cached)."""
    names = classes.lower().split()
    return not (HIDDEN_CLASSES.isdisjoint(names)
                and CHROME_TOKENS.isdisjoint(_TOKEN_SPLIT.split(" ".join(names))))


@lru_cache(maxsize=4096)
def _chrome_id(ident: str) -> bool:
    """An id that names chrome (`main-menu`, `site_footer`); cached like the classes."""
    return not CHROME_TOKENS.isdisjoint(_TOKEN_SPLIT.split(ident.lower()))


def parse_html(page: str | bytes) -> etree._Element:
    """lxml's HTML parser (libxml2: fast, forgiving of broken markup); bytes must be UTF-8."""
    return parse_html_checked(page)[0]


def parse_html_checked(page: str | bytes) -> tuple[etree._Element, str | None]:
    """The parsed page, and why libxml2 stopped reading it early (None: it read it all).

    `huge_tree`: a text node over 10 MB and nesting up to 2048 levels are read whole (the
    input is bounded before it gets here: the crawl's and extract's page limits); nesting
    deeper than 2048 levels stops libxml2, and the reason says so."""
    data = page if isinstance(page, bytes) else page.encode("utf-8", "surrogatepass")
    root = etree.fromstring(data, _PARSER)
    problem = None
    log = _PARSER.error_log
    if log:
        for err in log:
            if err.type == _RESOURCE_LIMIT:
                msg = err.message.split(",")[0].strip()
                problem = f"libxml2 stopped reading the page ({msg}); the rest is not read"
                break
    if root is None:  # nothing but whitespace or comments
        root = etree.fromstring(b"<html><body></body></html>", _PARSER)
    return root, problem


# Plain etree elements: lxml.html's element classes cost a Python call per element.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                           no_network=True, huge_tree=True)
_RESOURCE_LIMIT = etree.ErrorTypes.ERR_RESOURCE_LIMIT


def render_html(root: etree._Element, skip_chrome: bool = True) -> list[Line]:
    """Lines of the page; chrome skipped, or (skip_chrome=False) kept and marked."""
    # One function on purpose: the hottest loop of the extractor (every element of every page),
    # its state (the pending line, the tag/region/row stacks) kept in locals of one frame.
    lines: list[Line] = []
    chrome_stack: list[bool] = []  # only when chrome is kept: which open elements are chrome
    in_chrome = 0
    segs: list[str] = []
    para = 0
    region_stack: list[int] = [0]
    block_stack: list[str] = []
    cell_starts: list[int] = []  # len(lines) when each open td/th began
    rows: list[int] = [0]        # open <tr> ids
    row_count = 0

    def flush(soft: bool = False) -> None:
        """End the pending line (kept unless it is all white space); a new paragraph unless soft."""
        nonlocal segs, para
        if segs:
            text = "".join(segs)
            if not text.isspace():
                tag = block_stack[-1] if block_stack else ""
                lines.append(Line(segs, para, tag, region_stack[-1], in_chrome > 0,
                                  rows[-1] if tag in CELL_TAGS else 0, text))
            segs = []
        if not soft:
            para += 1

    walker = etree.iterwalk(root, events=("start", "end"))
    skipping = False  # after skip_subtree() the very next event is that element's end
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            if tag in SKIP_TAGS or (skip_chrome and is_chrome(el)):
                walker.skip_subtree()
                skipping = True
                if tag in BLOCK_TAGS:
                    flush()
                continue
            if not skip_chrome:
                c = is_chrome(el)
                if c:
                    flush()
                chrome_stack.append(c)
                in_chrome += c
            if tag in BLOCK_TAGS:
                flush()
                block_stack.append(tag)
                if tag in CELL_TAGS:
                    cell_starts.append(len(lines))
                elif tag == "tr":
                    row_count += 1
                    rows.append(row_count)
                elif tag in CONTENT_TAGS:
                    region_stack.append(len(lines) + 1)  # a fresh id per content region
            elif tag == "br":
                flush(soft=True)
            text = el.text
            if text:
                segs.append(text)
        else:
            if skipping:
                skipping = False
            else:
                if tag in BLOCK_TAGS:
                    flush()
                    if tag in CELL_TAGS:
                        if cell_starts.pop() == len(lines):
                            # an empty cell still holds its place: a header row's labels pair
                            # with the next row's cells by position
                            lines.append(Line([], para, tag, region_stack[-1], in_chrome > 0,
                                              rows[-1]))
                    elif tag == "tr":
                        rows.pop()
                    elif tag in CONTENT_TAGS:
                        region_stack.pop()
                    block_stack.pop()
                if not skip_chrome and chrome_stack.pop():
                    flush()
                    in_chrome -= 1
            tail = el.tail
            if tail:
                segs.append(tail)
    flush()
    return lines


def render_text(text: str) -> list[Line]:
    lines: list[Line] = []
    para = 0
    for raw in text.splitlines():
        if raw.strip():
            lines.append(Line([raw], para, ""))
        else:
            para += 1
    return lines


_LOOKS_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|table|dl|section|main|article|span|h1)\b",
                         re.I)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text[:8192]))
