"""URL recognition and canonicalization for the esf.se project bank.

Pure functions, no Scrapy: the spider, the mirror and the tests share them. The source's own
forms (the `?dnr=` detail URL, diarienummer, Kohesio ids) are in extract/identifiers.py.

* Detail pages (one project each):
  - `/resultat/projektbanken/projekt/?dnr=<diarienummer>` (all periods on today's site);
  - `/sv/Resultat/Projektbanken/Behallare-for-projekt/<Region>/<Slug>/` (2007–2013, older site).
* List pages: the start URL's path (and `…/page/N/` under it), queried with nothing but
  pagination parameters (`page`, `paged`, `sida`, WordPress' `query-N-page`, …) on top of the
  start URL's own query.
* Filter links (`Startår`, `Region`, `Programområde`, sort orders, …) are neither: a crawl never
  fans out over them.

One project, one request: `canonical_detail_url` keeps only `dnr`, unquotes it and writes it
back with `/` unescaped, so `?dnr=2019/00492` and `?dnr=2019%2F00492` are the same URL.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from projektbank.extract.identifiers import (
    DETAIL_PATH,
    DETAIL_PATH_RE,
    OLD_DETAIL_PATH_RE,
    detail_query,
    dnr_of,
    quote_dnr,
)

DEFAULT_START_URL = "https://www.esf.se/resultat/projektbanken/"

_OLD_REGION_RE = re.compile(
    r"^/sv/resultat/projektbanken/behallare-for-projekt/[^/?#]+/?$", re.IGNORECASE
)
# Pagination query parameters (names compared case-insensitively).
_PAGE_PARAM_RE = re.compile(
    r"^(?:page|paged|sida|pg|p|pagenum|pagenr|page_no|pageindex|query-\d+-page|[a-z0-9_-]*-page)$"
    # any other name about pages (`pageNumber`, `sidnr`, `currentPage`), but not a page size
    r"|^(?!.*(?:size|per|count|limit|storlek))[a-z0-9_-]*(?:page|sida|sidnr|sidnummer)[a-z0-9_-]*$",
    re.IGNORECASE,
)
_OFFSET_PARAM_RE = re.compile(r"^(?:start|offset|from|skip)$", re.IGNORECASE)
_PAGE_PATH_RE = re.compile(r"^(?:(?:page|sida)/)?(\d{1,6})/?$", re.IGNORECASE)


def _norm_netloc(parts) -> str:
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        return f"{host}:{port}"
    return host


def host_of(url: str) -> str:
    """Host (lower case, without port) of *url*."""
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{_norm_netloc(parts)}"


def _query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


@lru_cache(maxsize=1 << 16)  # the crawl asks for the same URLs at discovery and at archiving
def is_detail_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    if DETAIL_PATH_RE.match(parts.path):
        return dnr_of(url) is not None
    return bool(OLD_DETAIL_PATH_RE.match(parts.path))


def is_old_detail_url(url: str) -> bool:
    return bool(OLD_DETAIL_PATH_RE.match(urlsplit(url).path))


def is_old_region_url(url: str) -> bool:
    return bool(_OLD_REGION_RE.match(urlsplit(url).path))


@lru_cache(maxsize=1 << 16)
def canonical_detail_url(url: str) -> str:
    """One URL per project: scheme/host normalized, fragment dropped; `?dnr=` pages keep only
    `dnr` (with `/` unescaped); 2007–2013 pages lose their query and get a trailing slash."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = _norm_netloc(parts)
    m = OLD_DETAIL_PATH_RE.match(parts.path)
    if m:
        return urlunsplit((scheme, netloc, m.group(1) + "/", "", ""))
    dnr = dnr_of(url)
    if dnr is None:
        raise ValueError(f"not a detail URL: {url}")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((scheme, netloc, path, detail_query(dnr), ""))


def detail_url_for(dnr: str, base: str = DEFAULT_START_URL) -> str:
    """The detail URL of diarienummer *dnr* on the site of *base* (any URL of the site)."""
    return canonical_detail_url(f"{origin_of(base)}{DETAIL_PATH}?dnr={quote_dnr(dnr.strip())}")


# --- list pages -----------------------------------------------------------------------------

def _is_page_param(name: str, value: str) -> bool:
    if _PAGE_PARAM_RE.match(name) or _OFFSET_PARAM_RE.match(name):
        return value.strip().isdigit()
    return False


def list_base_path(start_url: str) -> str:
    """The list path of a start URL, without a trailing `page/N/`."""
    path = urlsplit(start_url).path or "/"
    if not path.endswith("/"):
        path += "/"
    m = re.match(r"^(.*/)(?:page|sida)/\d+/$", path, re.IGNORECASE)
    return m.group(1) if m else path


class ListScope:
    """Which URLs are pages of the list that starts at *start_url*.

    A list page has the start URL's path (optionally followed by `page/N/`, `sida/N/` or `N/`)
    and the start URL's query plus pagination parameters only. Anything else (a filter, a
    sort order, another section of the site) is out of scope.
    """

    def __init__(self, start_url: str):
        parts = urlsplit(start_url)
        self.origin = origin_of(start_url)
        self.base_path = list_base_path(start_url)
        self.base_query = {k: v for k, v in _query_pairs(parts.query) if not _is_page_param(k, v)}

    def canonical(self, url: str) -> str | None:
        """Canonical list-page URL for *url*, or None if *url* is not a page of this list."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or origin_of(url) != self.origin:
            return None
        path = parts.path or "/"
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            path += "/"
        if path.lower() != self.base_path.lower():
            rest = path[len(self.base_path):] if path.lower().startswith(self.base_path.lower()) else None
            if rest is None or not _PAGE_PATH_RE.match(rest):
                return None
        pairs = _query_pairs(parts.query)
        seen_names: set[str] = set()
        base = dict(self.base_query)
        page_pairs = []
        for key, value in pairs:
            if key in seen_names:
                return None  # repeated parameter: not a plain page link
            seen_names.add(key)
            if key in base:
                if base[key] != value:
                    return None  # a different filter value
                continue
            if _is_page_param(key, value):
                page_pairs.append((key, str(int(value))))
                continue
            return None  # a filter, a sort order, a search: never fan out
        if any(k not in seen_names for k in base):
            return None  # a filter of the start URL was dropped: another list
        query = urlencode(sorted(self.base_query.items()) + sorted(page_pairs))
        return urlunsplit((parts.scheme.lower(), _norm_netloc(parts), path, query, ""))


def is_filter_link(url: str) -> bool:
    """Heuristic used for reporting only: a URL with query parameters that are not pagination."""
    return any(
        not _is_page_param(k, v) and k.lower() != "dnr" for k, v in _query_pairs(urlsplit(url).query)
    )


# --- detail links on a page ---------------------------------------------------------------
# Matched on the lower-cased body (cheaper than IGNORECASE on 70 KB pages); the original
# bytes are sliced out at the same offsets.
_HREF_LOW = re.compile(rb"""href\s*=\s*["']([^"'<>]*(?:dnr=|ehallare-for-projekt/)[^"'<>]*)["']""")
_NEEDLES = (b"dnr=", b"ehallare-for-projekt/")
_WINDOW = 4096  # an href value longer than this around a needle is not followed


def detail_hrefs(body: bytes) -> list[bytes]:
    """The href values (as bytes) that _HREF_LOW finds, in page order; the regex runs only
    around the needles (a detail page has few), not over every attribute of a 70 KB page."""
    low = body.lower()
    spans: list[list[int]] = []
    for i in sorted(i for n in _NEEDLES for i in _find_all(low, n)):
        lo, hi = max(0, i - _WINDOW), i + _WINDOW
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [body[m.start(1):m.end(1)] for lo, hi in spans for m in _HREF_LOW.finditer(low, lo, hi)]


def _find_all(data: bytes, needle: bytes):
    i = data.find(needle)
    while i >= 0:
        yield i
        i = data.find(needle, i + 1)


def detail_links(base: str, body: bytes) -> list[str]:
    """Absolute URLs of the project pages a page links to (href attributes, in page order)."""
    out = []
    for raw in detail_hrefs(body):
        url = urljoin(base, raw.decode("utf-8", "replace").replace("&amp;", "&"))
        if is_detail_url(url):
            out.append(url)
    return out
