"""Personal data by pattern: labels that name a contact (person, e-mail, phone, mobile) in any
casing or compound, and values that are e-mail addresses, Swedish phone numbers or
personnummer, wherever they sit (fields_raw, extra_fields, the description).

Masked in place: `[e-post]`, `[telefon]`, and `[personnummer maskerat]` (always, also with
`personal_data=True`). Organisation numbers (NNNNNN-NNNN with a month digit ≥ 2) are not
personnummer, dates and amounts are not phone numbers.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

EMAIL_MASK, PHONE_MASK = "[e-post]", "[telefon]"
MASKED_PERSONNUMMER = "[personnummer maskerat]"

# A label naming contact data: kontakt…, e-post/epost/e-mail/mejl, telefon/tel/tfn, mobil,
# projektledare, handläggare, personnummer (compounds and any order: `Kontaktperson e-post`,
# `Projektledare telefon`, `E-postadress`, `Mobilnr`).
_PERSONAL_LABEL = re.compile(
    r"kontakt|e-?post|e-?mail|mejl|\bmail|telefon|\btel\b|\btel\.|\btfn|mobil|projektledar|"
    r"personnummer|\bpnr\b", re.I)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Swedish numbers: +46 / 0046 and 7-9 digits, or a 0-prefixed area code with a separator
# (08-579 171 00, 070-123 45 67, 031 12 34 56) or a 10-digit mobile (0701234567)
_PHONE = re.compile(
    r"(?<![\w+/.,-])(?:(?:\+|00)46[\s\u00a0-]*(?:\(0\)[\s\u00a0-]*)?[1-9](?:[\s\u00a0-]?\d){6,8}"
    r"|(?!\d\d?[-./]\d\d?[-./](?:19|20)?\d\d(?!\d))0[1-9]\d{0,3}(?:[\s\u00a0]*[-–][\s\u00a0]*|[\s\u00a0]+)\d(?:[\s\u00a0-]?\d){4,7}"
    r"|07\d{8})(?![\w/-]|[.,]\d)")
_PNR = re.compile(r"(?<![\w-])((?:19|20)?)(\d{6})[-+\s]?(\d{4})(?![\w-])")
_QUICK = re.compile(r"@|\d(?:[\s\u00a0\-–]?\d){3}")   # an e-mail, or four digits near each other


def is_personal_label(text: str) -> bool:
    return len(text) <= 80 and _PERSONAL_LABEL.search(text) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_valid_personnummer(century: str, ymd: str, last4: str) -> bool:
    """YYMMDD (a real date, or a samordningsnummer: day + 60) and the Luhn check digit."""
    yy, mm, dd = int(ymd[:2]), int(ymd[2:4]), int(ymd[4:6])
    if dd > 60:
        dd -= 60
    try:
        date(int(century or "19") * 100 + yy if century else 1900 + yy, mm, dd)
    except ValueError:
        try:
            date(2000, mm, dd)   # 29 February of a year we cannot place
        except ValueError:
            return False
    return _luhn(ymd + last4)


def _pnr(m: re.Match) -> str:
    return MASKED_PERSONNUMMER if is_valid_personnummer(*m.groups()) else m.group(0)


@lru_cache(maxsize=8192)
def _mask_cached(text: str, personal_data: bool) -> str:
    out = _PNR.sub(_pnr, text)
    if not personal_data:
        if "@" in out:
            out = _EMAIL.sub(EMAIL_MASK, out)
        out = _PHONE.sub(PHONE_MASK, out)
    return out


def mask(text: str | None, personal_data: bool = False) -> str | None:
    """*text* with personnummer masked, and (unless personal_data) e-mail addresses and phone
    numbers too; unchanged text is returned as is."""
    if not text or not _QUICK.search(text):
        return text
    if len(text) > 4096:
        return _mask_cached.__wrapped__(text, personal_data)
    return _mask_cached(text, personal_data)
