"""Normalizers: published text → typed value.

Each normalizer takes the published value (already whitespace-collapsed) and returns
`(value, message)`: the typed value (None when it cannot be read) and a message saying what
looked wrong (None when nothing did). Explicit formats first; dateparser only as a counted
fallback for dates no explicit format reads.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from projektbank.extract import identifiers as ids
from projektbank.extract.schema import ALL_PERIODS, COLUMNS
from stdnum import luhn

Result = tuple[object, str | None]


def clean_text(text: str) -> str:
    """Collapse every kind of white space (no-break, thin, tabs, newlines) to one space."""
    # Most text is clean already: return it as is (splitting a paragraph into words to join
    # them again is slow). Every white space but the plain space is non-printable, and so are
    # the soft hyphen and the zero-width space: printable text with single inner spaces has
    # nothing to collapse, strip or remove, and in NFC nothing to compose.
    if (type(text) is str and text.isprintable() and "  " not in text
            and not text.startswith(" ") and not text.endswith(" ")
            and (text.isascii() or unicodedata.is_normalized("NFC", text))):
        return text
    if "\u00ad" in text or "\u200b" in text:  # soft hyphen, zero-width space: invisible
        text = text.replace("\u00ad", "").replace("\u200b", "")
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        # `ä` written as `a` + combining diaeresis would hide labels and names: compose it
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())  # str.split() knows every Unicode space, NBSP included


def text(value: str) -> Result:
    return (value or None), None


_CODE = re.compile(r"[0-9A-Za-zÅÄÖåäö.\-_/]{1,32}")


def code(value: str) -> Result:
    """A short code (`D1`, `1.2`, `2021SE05SFPR`): no inner spaces, kept as published."""
    if not value:
        return None, None
    v = value.replace(" ", "")
    if not _CODE.fullmatch(v):
        return value, "does not look like a code"
    return v, None


# --- identifiers -----------------------------------------------------------------------

def diarienummer(value: str) -> Result:
    """A diarienummer in one of the source's forms (extract/identifiers.py); any other id is
    kept as published, with a message."""
    if not value:
        return None, None
    dnr = ids.diarienummer(value)
    if dnr:
        return dnr, None
    return value, f"not a known diarienummer form ({ids.DNR_FORMS})"


_NUMBER_SEPARATORS = re.compile(r"[\s\-–+]")


def org_number(value: str) -> Result:
    """Swedish organisation number → `NNNNNN-NNNN` (python-stdnum's Luhn check).

    A personnummer-shaped number (third digit below 2: a month) belongs to a sole trader and is
    personal data: the caller masks it (see `is_personnummer`).
    """
    if not value:
        return None, None
    digits = _NUMBER_SEPARATORS.sub("", value)
    if len(digits) == 12 and digits.startswith("16"):  # 16NNNNNNNNNN: century-style orgnr
        digits = digits[2:]
    if not digits.isdigit() or len(digits) not in (10, 12):
        return None, f"'{value}' is not a 10-digit organisation number"
    if is_personnummer(digits):
        return None, "personnummer-shaped number (sole trader): masked"
    if not luhn.is_valid(digits):
        return None, f"'{value}' fails the organisation-number check digit"
    return f"{digits[:6]}-{digits[6:]}", None


def is_personnummer(value: str) -> bool:
    """True for a number shaped like a personnummer: 12 digits, or 10 with 3rd digit < 2."""
    digits = _NUMBER_SEPARATORS.sub("", value or "")
    if not digits.isdigit():
        return False
    if len(digits) == 12:
        return not digits.startswith("16")
    return len(digits) == 10 and int(digits[2]) < 2


_SPACE = re.compile(r"\s")
_POSTAL_CODE = re.compile(r"[1-9]\d{4}")


def postal_code(value: str) -> Result:
    if not value:
        return None, None
    digits = _SPACE.sub("", value)
    if digits.upper().startswith("SE-"):
        digits = digits[3:]
    if _POSTAL_CODE.fullmatch(digits):
        return f"{digits[:3]} {digits[3:]}", None
    return None, f"'{value}' is not a Swedish postal code (NNN NN)"


def is_national_nuts(value: str) -> bool:
    """`SE0`: the project bank's code for the whole country (ESF Nationellt), not a NUTS code."""
    return value.replace(" ", "").upper() == "SE0"


def nuts2(value: str) -> Result:
    if not value:
        return None, None
    v = value.replace(" ", "").upper()
    if is_national_nuts(v):
        return None, "SE0 (ESF Nationellt) is not a NUTS code"
    from projektbank.extract.codelists import nuts2_names

    if v in nuts2_names():
        return v, None
    return None, f"'{value}' is not a Swedish NUTS 2 code"


_INTERVENTION = re.compile(r"\s*(\d{3})\b")


def intervention_code(value: str) -> Result:
    if not value:
        return None, None
    m = _INTERVENTION.match(value)
    if m:
        return m.group(1), None
    return None, f"'{value}' is not a 3-digit intervention field code"


_AREA_PREFIX = re.compile(r"^programområde\s*", re.I)
_AREA_CODE = re.compile(r"^([A-Fa-f]|\d)(?:\b|$)")


# Names published in place of a code (2014–2020 pages: `Programområde: React-EU`, with specific
# objective 5.1): the code list's area 5 is React-EU.
_AREA_NAMES = {"react-eu": "5", "react eu": "5", "reacteu": "5"}


def programme_area(value: str) -> Result:
    """`D`, `1`, `Programområde 1 Kompetensförsörjning` → `1`; `React-EU` → `5`."""
    if not value:
        return None, None
    v = _AREA_PREFIX.sub("", value).strip()
    named = _AREA_NAMES.get(v.casefold().replace("–", "-"))
    if named:
        return named, None
    m = _AREA_CODE.match(v)
    if m:
        return m.group(1).upper(), None
    return value, "programme area code not recognised"


_NAME_AFTER_NUMBER = re.compile(r"\s*(?:Programområde\s*)?\d+\s*[:.\-–]?\s*(.+)")


def programme_area_name(value: str) -> str | None:
    """The name written after an area's number (2007–2013: `Programområde 1
    Kompetensförsörjning` → `Kompetensförsörjning`), or None."""
    m = _NAME_AFTER_NUMBER.match(value or "")
    return m.group(1).strip() if m else None


# Funds the project bank names (`Berörd fond`, `Fond`): ESF+ today; the older funds' names.
FUNDS = frozenset({"ESF+", "ESF", "FEAD", "Europeiska socialfonden", "Europeiska socialfonden+",
                   "Europeiska socialfonden plus"})
_FUNDS_KEY = {f.casefold(): f for f in FUNDS}


def fund(value: str) -> Result:
    """`ESF+` as published; a value not in FUNDS (a cut `ES`) is kept with a message."""
    if not value:
        return None, None
    if value.casefold() in _FUNDS_KEY:
        return value, None
    return value, f"'{value}' is not in the fund list ({', '.join(sorted(FUNDS))})"


_PROGRAMME_PERIOD = re.compile(r"(20[0-2]\d)\s*[-–—/]\s*(20[12]\d)")


def programme_period(value: str) -> Result:
    """`2021-2027`, `2021–2027` → `2021-2027` (one of the schema's ALL_PERIODS)."""
    if not value:
        return None, None
    m = _PROGRAMME_PERIOD.fullmatch(clean_text(value))
    if m and f"{m.group(1)}-{m.group(2)}" in ALL_PERIODS:
        return f"{m.group(1)}-{m.group(2)}", None
    return None, f"'{value}' is not a programme period ({', '.join(ALL_PERIODS)})"


_OWNER_ORGNR = re.compile(r"^(?:16)?(\d{6})-?(\d{4})\s*[,;:]?\s+(?=\S)")


def owner_org_prefix(value: str) -> tuple[str | None, str, bool]:
    """`2220000265, GR Arbetsmarknad` → (`222000-0265`, `GR Arbetsmarknad`, False).

    A leading 10-digit number is an organisation number when it passes the check digit; a
    personnummer-shaped one is cut off too (third value True: the caller masks it). Anything
    else (`176 Arbetsmarknads- och socialförvaltningen`: a cost-centre code) stays in the name:
    (None, value, False).
    """
    m = _OWNER_ORGNR.match(value or "")
    if not m:
        return None, value, False
    digits, rest = m.group(1) + m.group(2), value[m.end():]
    if is_personnummer(digits):
        return None, rest, True
    if not luhn.is_valid(digits):
        return None, value, False
    return f"{digits[:6]}-{digits[6:]}", rest, False


# --- numbers ---------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<num>\d{1,3}(?:[ .]\d{3})+|\d+)(?:,(?P<dec>\d{1,2}))?$")
_CURRENCY = re.compile(r"\s*(kr\.?|kronor|sek|:-)\s*$", re.I)
_CURRENCY_PREFIX = re.compile(r"^(sek|kr)\s*", re.I)
_THOUSANDS = re.compile(r"[ .]")


def amount_sek(value: str) -> Result:
    """`10 998 524`, `500 000 kr`, `1 234 567,00 SEK` → int (whole kronor)."""
    if not value:
        return None, None
    v = _CURRENCY.sub("", clean_text(value)).strip()
    v = _CURRENCY_PREFIX.sub("", v)
    m = _AMOUNT.match(v)
    if not m:
        return None, f"'{value}' is not an amount in SEK"
    n = int(_THOUSANDS.sub("", m.group("num")))
    dec = m.group("dec")
    if dec and int(dec):
        return round(n + int(dec) / 10 ** len(dec)), f"'{value}' rounded to whole kronor"
    return n, None


_GROUPED_INT = re.compile(r"\d{1,3}(?:[ .]\d{3})+|\d+")


def integer(value: str) -> Result:
    """`0`, `1 240`, `1.240` (thousands grouped by three); `12.0` is not a whole count."""
    if not value:
        return None, None
    v = clean_text(value)
    if _GROUPED_INT.fullmatch(v):
        return int(_THOUSANDS.sub("", v)), None
    return None, f"'{value}' is not a whole number"


_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)%?")


def percent(value: str) -> Result:
    """`40%`, `40 %`, `62,5 %`, `40` → float percent."""
    if not value:
        return None, None
    v = clean_text(value).replace("procent", "%").replace(" ", "")
    m = _PERCENT.fullmatch(v)
    if not m:
        return None, f"'{value}' is not a percentage"
    pct = float(m.group(1).replace(",", "."))
    if pct > 100:
        return pct, f"'{value}' is above 100%"
    return pct, None


_YES = {"ja", "yes", "j", "sant", "true"}
_NO = {"nej", "no", "n", "falskt", "false"}


def yes_no(value: str) -> Result:
    if not value:
        return None, None
    v = value.strip().casefold()
    if v in _YES:
        return True, None
    if v in _NO:
        return False, None
    return None, f"'{value}' is not Ja/Nej"


# --- dates -----------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "augusti": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SLASHED = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_TEXTUAL = re.compile(r"(?:\w+dag(?:en)?\s+(?:den\s+)?)?(\d{1,2})(?:\s*:?e)?\.?\s+([a-zåäö]+)\.?\s+(\d{4})",
                      re.I)

FALLBACK_NOTE = "read by the dateparser fallback"


def date_value(value: str) -> Result:
    """ISO dates, `2023/01/02`, `02.01.2023`, `2 januari 2023`; dateparser as counted fallback."""
    if not value:
        return None, None
    v = clean_text(value)
    for pattern, order in ((_ISO, "ymd"), (_SLASHED, "ymd"), (_DMY, "dmy"), (_COMPACT, "ymd")):
        m = pattern.fullmatch(v)
        if m:
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            return _make_date(y, mo, d, value)
    m = _TEXTUAL.fullmatch(v)
    if m and m.group(2).casefold() in MONTHS:
        return _make_date(int(m.group(3)), MONTHS[m.group(2).casefold()], int(m.group(1)), value)
    return _dateparser_fallback(value)


def _make_date(y: int, mo: int, d: int, published: str) -> Result:
    try:
        return date(y, mo, d), None
    except ValueError:
        return None, f"'{published}' is not a valid date"


def _dateparser_fallback(value: str) -> Result:
    import dateparser  # slow to import and to run: only for what the explicit formats miss

    parsed = dateparser.parse(value, languages=["sv"], settings={
        "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False})
    if parsed is None:
        return None, f"'{value}' is not a date"
    return parsed.date(), f"'{value}' {FALLBACK_NOTE}"


_ISO_PAIR = re.compile(r"(\d{4}-\d{2}-\d{2})\s*-\s*(\d{4}-\d{2}-\d{2})")
_PERIOD_SPLIT = re.compile(r"\s+(?:-|–|—|till|to|t\.o\.m\.?)\s+|\s*[–—]\s*", re.I)


def period(value: str) -> tuple[object, object, list[tuple[str, str]]]:
    """`2020-01-01 - 2021-12-31`, `2008-08-25 till 2009-02-25` → (start, end, messages), each
    message as (column, text)."""
    if not value:
        return None, None, []
    parts = _PERIOD_SPLIT.split(clean_text(value))
    if len(parts) != 2:
        m = _ISO_PAIR.fullmatch(clean_text(value))  # `2016-08-01-2019-03-31`: unambiguous
        if m:
            parts = [m.group(1), m.group(2)]
    if len(parts) != 2:
        return None, None, [("start_date", f"'{value}' is not a period 'start - end'")]
    (start, m1), (end, m2) = date_value(parts[0]), date_value(parts[1])
    return start, end, [(col, m) for col, m in (("start_date", m1), ("end_date", m2)) if m]


NORMALIZERS = {
    "text": text, "code": code, "diarienummer": diarienummer, "org_number": org_number,
    "postal_code": postal_code, "nuts2": nuts2, "intervention_code": intervention_code,
    "programme_area": programme_area, "amount_sek": amount_sek, "integer": integer,
    "percent": percent, "yes_no": yes_no, "date": date_value, "fund": fund,
    "programme_period": programme_period,
}


def _by_column() -> dict[str, object]:
    """Column name → its normalizer. Checked at import: a schema column naming no normalizer,
    or a normalizer no column names, stops the extractor before it reads a page."""
    named = {c.normalizer for c in COLUMNS if c.normalizer}
    unknown, unused = named - NORMALIZERS.keys(), NORMALIZERS.keys() - named
    if unknown or unused:
        raise ImportError(f"extract/schema.py and NORMALIZERS disagree: columns name "
                          f"{sorted(unknown)} (no such normalizer); {sorted(unused)} named by "
                          "no column")
    return {c.name: NORMALIZERS[c.normalizer] for c in COLUMNS if c.normalizer}


NORMALIZER_OF = _by_column()
