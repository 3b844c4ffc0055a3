"""Municipalities and organisations named in free text: `scan(text)`.

The enrichment (extract/enrich.py) calls it on a record's description and owner name; the names
it looks for are in extract/gazetteer.py.

Matching names in text
----------------------
One Aho–Corasick automaton (pyahocorasick) holds every surface form: municipality names and
aliases, organisation names, aliases and short forms, county names (blockers) and the keywords
of generic organisation names (`Samordningsförbundet <Name>`, `<Name>s kommunalförbund`).
It is built once, lazily, and runs over the lower-cased text. Every key starts with a boundary
character (space, newline, punctuation; the text gets a leading space), so a hit starts at a
word start: `Ale` is not found in `kvalitet`, and short keys do not flood the loop with hits
inside words. Per hit, in Python:

- end of word: the next character is not a letter or digit, or is a genitive `s` followed by
  one (`Kirunas`, `Umeå universitets`, `LTU:s` works because `:` ends the word); a name followed
  by `.se` or preceded by `@`/`.` (a web or e-mail address) is not a mention;
- case: municipality names that are common words (`se_kommuner_common_words.csv`) count only
  when capitalised, some (`Mark`, `Vara`, `Berg`, `Ed`) not at the start of a sentence either
  unless the context shows a place (`… kommun`, a comma, `och <Name>`); in all-caps text such a
  name needs `KOMMUN`/`STAD` after it. Short forms (`LTU`, `UmU`) match only as written.
  Diacritics are never folded (Håbo ≠ Habo).
- overlaps: leftmost-longest wins, so `Umeå universitet`, `Region Västerbotten`, `Högskolan i
  Borås` and `Stockholms län` hide the place name inside them.
"""

from __future__ import annotations

import operator
import re
import unicodedata

from projektbank.extract.gazetteer import (
    ANY,
    BLOCK,
    EXACT,
    MUNI,
    ORG,
    STRICT,
    TRIGGERS,
    Entry,
    tables,
)

# Characters skipped when looking back for the start of a sentence.
_OPENERS = " \t\xa0\u202f\"'“”„‘’«»([{"
_SENTENCE_END = ".!?\n•*:;"


# --------------------------------------------------------------------------- matching


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):   # a character that lower-cases to two (İ): keep it as is
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0 or text[i] in _SENTENCE_END:
        return True
    # a dash with space before it: a bullet or a clause start
    return text[i] in "-–—" and (i == 0 or text[i - 1] in " \n\t")


_PLACE_CONTEXT = re.compile(r"(?:(?i: (?:kommun|stad)\b)|\s*[,/&]| (?:och|samt|eller) [A-ZÅÄÖ])")
_PLACE_CONTEXT_CAPS = re.compile(r" (?:kommun|stad)\b", re.I)
_NAME_WORD = re.compile(r"[A-ZÅÄÖÉÜ][\w-]*")


def _ends_word(low: str, e: int) -> int:
    """Index after the name and an optional genitive s, or -1 if the word goes on.
    `e` is the index just after the name in the (1-shifted) lower-cased text."""
    n = len(low)
    if e >= n:
        return e
    c = low[e]
    if c.isalnum():
        if c == "s" and (e + 1 >= n or not low[e + 1].isalnum()):
            return e + 1
        return -1
    if c == "." and e + 1 < n and low[e + 1].isalpha():    # kiruna.se
        return -1
    return e


def _accept(entry: Entry, text: str, s: int, e: int) -> bool:
    """Case rules for a candidate text[s:e] (original text, name without genitive)."""
    case = entry.case
    if case == ANY:
        return True
    surface = text[s:e]
    if case == EXACT:
        return surface in entry.exact
    if not surface[:1].isupper():
        return False
    if entry.kind != MUNI:
        return True
    if len(surface) > 1 and surface.isupper():          # all caps: ALE KOMMUN, MARKS KOMMUN
        rest = text[e:e + 12]
        if rest[:1] in "sS":
            rest = rest[1:]
        return bool(_PLACE_CONTEXT_CAPS.match(rest))
    if case == STRICT and _sentence_initial(text, s):
        rest = text[e:e + 40]
        if rest[:1] == "s":
            rest = rest[1:]
        return bool(_PLACE_CONTEXT.match(rest))
    return True


_DEFINITE_GENITIVE = re.compile(r".*(?:ets|ens|ernas|arnas|ornas|nas)$")


def _forward_name(text: str, e: int) -> int:
    """End of the capitalised name after a keyword (`Samordningsförbundet Södra Dalarna`,
    `Regionförbundet i Kalmar län`), or -1 when no capitalised word follows."""
    pos = e + 3 if text.startswith(" i ", e) else e + 1
    if pos == e + 1 and not text.startswith(" ", e):
        return -1
    end = -1
    for _ in range(4):
        m = _NAME_WORD.match(text, pos)
        if not m or m.group().lower() in ("och", "samt", "i"):
            break
        end = m.end()
        for tail in (" län", " stad", " kommun"):  # `… Stockholms stad`, `… i Kalmar län`
            if text.startswith(tail, end) and not text[end + len(tail):end + len(tail) + 1].isalnum():
                end += len(tail)
                break
        else:
            tail = None
        if tail:
            break
        for sep in (" – ", " - ", " "):
            if text.startswith(sep, end):
                pos = end + len(sep)
                break
        else:
            break
    return end


def _generic(text: str, low: str, s: int, e: int, keyword: str) -> tuple[int, int, str] | None:
    """`Samordningsförbundet Umeå`, `Lapplands kommunalförbund`: span and name, or None."""
    if TRIGGERS[keyword] > 0:
        if e < len(low) and low[e].isalnum():
            return None
        end = _forward_name(text, e)
        if end < 0:
            return None
        name = " ".join(text[s:end].split())
        return s, end, name[0].upper() + name[1:]
    e2 = _ends_word(low, e)
    if e2 < 0 or s < 2 or text[s - 1] != " ":
        return None
    # one or two capitalised words before, the last in the genitive
    j = s - 1
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "-"):
        j -= 1
    word = text[j:s - 1]
    if len(word) < 3 or not word[0].isupper() or not word.endswith("s"):
        return None
    if _sentence_initial(text, j) and _DEFINITE_GENITIVE.match(word.lower()):
        return None       # `Projektets kommunalförbund`
    start = j
    if j >= 2 and text[j - 1] == " ":
        k = j - 1
        while k > 0 and text[k - 1].isalpha():
            k -= 1
        prev = text[k:j - 1]
        if prev[:1].isupper() and not _sentence_initial(text, k):
            start = k
    return start, e, " ".join(text[start:e].split())


_SORT_KEY = operator.itemgetter(0, 1, 2)     # leftmost, then longest, then listed before generic


def scan(text: str | None, *, organisations: bool = True) -> tuple[list[str], list[str]]:
    """Municipality codes and organisation names in `text`, each once, in order of mention."""
    if not text:
        return [], []
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    t = tables()
    padded = " " + text
    low = _lower(padded)
    cands: list[tuple[int, int, int, tuple]] = []
    n = len(low)
    for end, (length, flag, entries) in t.automaton.iter(low):
        s = end - length + 1                  # start of the name in padded
        e = end + 1                           # just after the name
        if flag == 0:
            m = _generic(padded, low, s, e, entries[0].value)
            if m is not None:      # generic names lose ties against listed names
                cands.append((m[0], -m[1], 1, (Entry(ORG, m[2]),)))
            continue
        # end of word, with an optional genitive s (inlined _ends_word: the hot path)
        e2 = e
        if e < n:
            c = low[e]
            if c.isalnum():
                if c != "s" or (e + 1 < n and low[e + 1].isalnum()):
                    continue
                e2 = e + 1
            elif c == "." and e + 1 < n and low[e + 1].isalpha():      # kiruna.se
                continue
        before = padded[s - 1]
        if before == "@" or (before == "." and s >= 2 and padded[s - 2].isalnum()):
            continue
        if flag == 2:
            entries = tuple(en for en in entries if en.kind == BLOCK or _accept(en, padded, s, e))
            if not entries:
                continue
        cands.append((s, -e2, 0, entries))
    if not cands:
        return [], []
    cands.sort(key=_SORT_KEY)
    munis: list[str] = []
    orgs: list[str] = []
    last = -1
    for s, neg_e, _, entries in cands:
        if s < last:
            continue
        last = -neg_e
        for en in entries:
            if en.kind == MUNI:
                if en.value not in munis:
                    munis.append(en.value)
            elif en.kind == ORG and organisations:
                if en.value not in orgs:
                    orgs.append(en.value)
    return munis, orgs
