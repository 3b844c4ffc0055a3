"""The source's identifiers and URL forms, in one place: the extractor and the crawler share them.

* Diarienummer (project ids as published): `22-021-S03` (ESF+, 2021–2027; a few have three
  digits after the S) and `2019/00492` (2014–2020). Each form names its programme period.
* 2007–2013 projects have none: their id is derived from the old site's page path,
  `ESF0713:<region>/<slug>` (or, without such a path, from the heading).
* Kohesio operation ids: `2021SE05SFPR001_<diarienummer>` (the ESF+ programme's CCI code, a
  three-digit suffix, an underscore and the diarienummer).
* Detail URLs: `/resultat/projektbanken/projekt/?dnr=<diarienummer>` (all periods on today's
  site; `?dnr=2019/00492` and `?dnr=2019%2F00492` are one project) and, on the older site,
  `/sv/Resultat/Projektbanken/Behallare-for-projekt/<Region>/<Slug>/`.

Pure and stdlib only: crawler/urls.py builds its URL scope on these.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from projektbank.extract.schema import P1420, P2127

# --- diarienummer ----------------------------------------------------------------------------

_ESF_PLUS = r"\d{2}-\d{3}-S\d{2,3}"
_ESF_2014 = r"20[12]\d/\d{5}"
DNR_ESF_PLUS = re.compile(rf"\b({_ESF_PLUS})\b")
DNR_ESF_2014 = re.compile(rf"\b({_ESF_2014})\b")
DNR_ANY = re.compile(rf"\b({_ESF_PLUS})\b|\b({_ESF_2014})\b")
# A heading that starts with a diarienummer: `22-021-S03 – Name`, `2019/00492: Name`.
TITLE_WITH_DNR = re.compile(
    rf"^\s*(?P<dnr>{_ESF_PLUS}|{_ESF_2014})\s*[-–—:]\s*(?P<name>.+)$")
DNR_FORMS = "NN-NNN-SNN or YYYY/NNNNN"
# What an `--ids` line may be when it is not one of the two forms (an id of another kind that
# the site still answers for): letters, digits and a few separators, never a URL.
_DNR_LOOSE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/_.:-]{2,40}$")


def diarienummer(text: str) -> str | None:
    """The diarienummer `text` is (inner spaces dropped: `22-021- S03`), or None."""
    v = text.replace(" ", "")
    return v if DNR_ESF_PLUS.fullmatch(v) or DNR_ESF_2014.fullmatch(v) else None


def period_of_diarienummer(dnr: str | None) -> str | None:
    """The programme period a diarienummer's form names, or None."""
    if not dnr:
        return None
    if DNR_ESF_PLUS.fullmatch(dnr):
        return P2127
    if DNR_ESF_2014.fullmatch(dnr):
        return P1420
    return None


def looks_like_dnr(text: str) -> bool:
    """An `--ids` line that may name a project: either form, or a plausible id of another kind."""
    text = text.strip()
    return bool(_DNR_LOOSE.match(text)) and not text.startswith(("http:", "https:"))


# --- programme areas -------------------------------------------------------------------------

def period_of_programme_area(code: str | None) -> str | None:
    """ESF+ names its programme areas with letters (`A`–`F`); the older periods use digits."""
    return P2127 if code and re.fullmatch(r"[A-F]", code) else None


# --- 2007–2013 projects ----------------------------------------------------------------------

ESF0713_PREFIX = "ESF0713:"
_OLD_SITE_PATH = re.compile(r"/behallare-for-projekt/(?P<path>[^?#]+?)/?$", re.I)


def old_site_path(path: str) -> str | None:
    """`…/Behallare-for-projekt/Stockholm/Vagvisaren/` → `Stockholm/Vagvisaren` (as written),
    from a URL's path or a saved file's path; None for any other path."""
    m = _OLD_SITE_PATH.search(path)
    return m.group("path") if m else None


def old_site_project_id(path: str) -> str:
    """The stable id of a 2007–2013 project from its old-site path (`old_site_path`)."""
    return ESF0713_PREFIX + unquote(path).strip("/").lower()


def heading_project_id(name: str) -> str:
    """The id of a 2007–2013 project known only by its heading."""
    return ESF0713_PREFIX + re.sub(r"[^0-9a-zåäö]+", "-", name.lower()).strip("-")


# --- Kohesio ---------------------------------------------------------------------------------

_KOHESIO_PREFIX = r"2021SE05SFPR\d{3}_"
_KOHESIO_ID = re.compile(rf"^\s*{_KOHESIO_PREFIX}(\S+)\s*$", re.IGNORECASE)
_KOHESIO_IN_TEXT = re.compile(rf"{_KOHESIO_PREFIX}([^\s,;\"'|]+)", re.IGNORECASE)


def kohesio_dnr(local_id: str) -> str | None:
    """`2021SE05SFPR001_22-021-S03` → `22-021-S03`; None for other programmes."""
    m = _KOHESIO_ID.match(local_id or "")
    return m.group(1) if m else None


def kohesio_dnrs_in(text: str) -> list[str]:
    """The diarienummer of every Kohesio operation id in free text (a CSV no dialect reads)."""
    return _KOHESIO_IN_TEXT.findall(text)


# --- detail URLs -----------------------------------------------------------------------------

DETAIL_PATH = "/resultat/projektbanken/projekt/"
DETAIL_PATH_RE = re.compile(r"^/(?:sv/)?resultat/projektbanken/projekt/?$", re.IGNORECASE)
# The older site's detail pages, as the crawler follows them (its canonical form: `/sv/…/`).
OLD_DETAIL_PATH_RE = re.compile(
    r"^(/sv/resultat/projektbanken/behallare-for-projekt/[^/?#]+/[^/?#]+)/?$", re.IGNORECASE)


def dnr_of(url: str) -> str | None:
    """The `dnr` query value of a URL (name in any case; unquoted, stripped), or None."""
    query = urlsplit(url).query if "?" in url else ""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() == "dnr":
            # parse_qsl unquotes once; a link may carry the value quoted twice (`%252F`)
            return unquote(value).strip() or None
    return None


def quote_dnr(dnr: str) -> str:
    """The diarienummer as written in a canonical detail URL (`/` left as is)."""
    return quote(dnr, safe="/-_.~:")


def detail_query(dnr: str) -> str:
    """The canonical detail URL's query: nothing but `dnr`."""
    return "dnr=" + quote_dnr(dnr)

