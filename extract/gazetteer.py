"""The gazetteer: every name `scan` (extract/mentions.py) looks for, from the code lists.

Municipality names and aliases, universities (names, former names, short forms), agencies,
regions, municipal federations and county boards, county names (blockers: `Uppsala län` is
not a mention of Uppsala) and the keywords of generic organisation names, in one Aho–Corasick
automaton built once, lazily; and the lookups the enrichment needs (a municipality's name and
county, a beneficiary city's municipality, the regions' names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ahocorasick
from projektbank.extract import codelists as CL

# Entry kinds
MUNI, ORG, BLOCK, TRIGGER = 0, 1, 2, 3
# Case rules
ANY, CAP, STRICT, EXACT = 0, 1, 2, 3

# Characters that may precede a name: a key is stored once per character.
_BOUNDARY_BEFORE = " \n\t\r\xa0\u202f([{\"'“”„‘’«»/-–—,;:•*&+#"

# Short forms of universities that are also common abbreviations or words: not matched.
_AMBIGUOUS_SHORT_FORMS = frozenset({"HB", "HH", "HV", "SH", "DU", "JU", "HJ", "HIS"})
# Aliases not used for matching text.
_SKIP_ALIASES = frozenset({"Ylitornio"})  # also a municipality in Finland

# Generic organisation names built around a keyword.
TRIGGERS = {
    # keyword: direction (+1 forward: "Samordningsförbundet Umeå"; -1 backward: "Lapplands kommunalförbund")
    "samordningsförbundet": 1, "kommunalförbundet": 1, "kommunförbundet": 1,
    "regionförbundet": 1, "kommunalförbund": -1, "kommunförbund": -1,
}


@dataclass(frozen=True)
class Entry:
    kind: int
    value: str            # MUNI: SCB code; ORG: canonical name; TRIGGER: keyword
    case: int = ANY
    exact: frozenset[str] = frozenset()   # EXACT: the accepted spellings


@dataclass(frozen=True)
class Tables:
    automaton: ahocorasick.Automaton
    muni_name: dict[str, str]       # code → official name
    muni_county: dict[str, str]     # code → county name
    city_lookup: dict[str, str]     # normalised whole name → code (beneficiary city)
    region_names: tuple[str, ...]   # the 21 regions' names and former names, lower case


# --------------------------------------------------------------------------- building


def _variants(name: str) -> set[str]:
    """Lower-cased spellings of a name: hyphen and space interchangeable in multi-part names."""
    low = " ".join(name.lower().split())
    out = {low}
    if "-" in low:
        out.add(low.replace("-", " "))
    if " " in low:
        out.add(low.replace(" ", "-"))
    return out


class _Keys:
    """Surface form (lower case) → the entries it names, in the order they were added (the
    order `scan` reports names in when one form names several)."""

    def __init__(self) -> None:
        self.keys: dict[str, list[Entry]] = {}

    def add(self, name: str, entry: Entry, variants: bool = True) -> None:
        forms = _variants(name) if variants else {name.lower()}
        for form in forms:
            lst = self.keys.setdefault(form, [])
            if entry not in lst:
                lst.append(entry)

    def automaton(self) -> ahocorasick.Automaton:
        auto = ahocorasick.Automaton()
        for form, entries in self.keys.items():
            entries_t = tuple(entries)
            # flag 0: trigger; 1: every entry matches in any case (no per-hit check); 2: check case
            flag = 0 if entries_t[0].kind == TRIGGER else (
                1 if all(en.case == ANY or en.kind == BLOCK for en in entries_t) else 2)
            value = (len(form), flag, entries_t)
            for b in _BOUNDARY_BEFORE:
                auto.add_word(b + form, value)
        auto.make_automaton()
        return auto


def _add_municipalities(keys: _Keys) -> dict[str, str]:
    """Municipality names and aliases; returns the beneficiary-city lookup (name → code)."""
    rules = {r["name"]: (STRICT if r["rule"] == "strict" else CAP)
             for r in CL.read_csv("se_kommuner_common_words.csv")}
    city_lookup: dict[str, str] = {}
    for code, r in CL.municipalities().items():
        keys.add(r["kommun"], Entry(MUNI, code, rules.get(r["kommun"], ANY)))
        for v in _variants(r["kommun"]):
            city_lookup[v] = code
    for r in CL.read_csv("se_kommuner_alternate_names.csv"):
        alias = r["alias"]
        if alias in _SKIP_ALIASES:
            continue
        keys.add(alias, Entry(MUNI, r["kommunkod"], rules.get(alias, ANY)))
        for v in _variants(alias):
            city_lookup.setdefault(v, r["kommunkod"])
    # Counties: a county is not a mention of the municipality in its name (Uppsala län).
    for r in CL.read_csv("se_lan.csv"):
        keys.add(r["lan_name"], Entry(BLOCK, r["lan_name"]))
    return city_lookup


def _add_universities(keys: _Keys) -> None:
    for r in CL.read_csv("se_higher_education_institutions.csv"):
        name = r["name_sv"]
        names = [name, r["name_en"]]
        for former in re.split(r"\s*\+\s*", re.sub(r"\([^)]*\)", "", r["former_or_alt_names"])):
            former = former.strip()
            if former and former[0].isupper():
                names.append(former)
        for n in names:
            if n:
                keys.add(n, Entry(ORG, name, ANY))
        for short in filter(None, (s.strip() for s in r["short_forms"].split(";"))):
            if short in _AMBIGUOUS_SHORT_FORMS:
                continue
            if short[0].isupper() and short[1:].islower():   # Chalmers, Konstfack, Uniarts
                keys.add(short, Entry(ORG, name, CAP))
            else:
                keys.add(short, Entry(ORG, name, EXACT, frozenset({short})), variants=False)


def _add_organisations(keys: _Keys) -> set[str]:
    """Agencies, regions, municipal federations, companies, county boards; returns the regions'
    names and aliases (lower case)."""
    region_orgs = set()
    case_of = {"any": ANY, "cap": CAP, "exact": EXACT}
    for r in CL.read_csv("se_organisations.csv"):
        name, case = r["name"], case_of[r["case"]]
        if r["kind"] == "region":
            region_orgs.update(n.lower() for n in [name, *r["aliases"].split(";")] if n)
        names = [name] + [a.strip() for a in r["aliases"].split(";") if a.strip()]
        for n in names:
            if case == EXACT:
                keys.add(n, Entry(ORG, name, EXACT, frozenset({n})), variants=False)
            else:
                keys.add(n, Entry(ORG, name, case))
            if r["kind"] == "region":
                keys.add(n, Entry(BLOCK, name))   # `region Uppsala` in lower case still hides Uppsala
        for short in filter(None, (s.strip() for s in r["short_forms"].split(";"))):
            keys.add(short, Entry(ORG, name, EXACT, frozenset({short})), variants=False)
    for r in CL.read_csv("se_lan.csv"):
        full, short = r["lan_name"], r["lan_name_short"]
        canonical = "Länsstyrelsen Skåne" if short == "Skåne" else f"Länsstyrelsen i {full}"
        for n in (canonical, f"Länsstyrelsen i {short}", f"Länsstyrelsen {short}",
                  f"Länsstyrelsen {full}", f"Länsstyrelsen i {full}"):
            keys.add(n, Entry(ORG, canonical, CAP))
            keys.add(n, Entry(BLOCK, canonical))
    return region_orgs


@cache
def tables() -> Tables:
    keys = _Keys()
    city_lookup = _add_municipalities(keys)
    _add_universities(keys)
    region_orgs = _add_organisations(keys)
    # Keywords of generic names (`Samordningsförbundet <Name>`); `Region Gotland` is both a
    # region and the municipality Gotland (se_kommuner_alternate_names.csv).
    for word in TRIGGERS:
        keys.add(word, Entry(TRIGGER, word), variants=False)
    munis = CL.municipalities()
    return Tables(keys.automaton(), {code: r["kommun"] for code, r in munis.items()},
                   {code: r["lan_name"] for code, r in munis.items()}, city_lookup,
                   tuple(sorted(region_orgs)))


def city_municipality(city: str | None) -> str | None:
    """SCB code of a beneficiary postal town that is a municipality's name (`STORUMAN`)."""
    if not city:
        return None
    return tables().city_lookup.get(" ".join(city.lower().split()))


def places(codes: list[str]) -> tuple[list[str], list[str]]:
    """The official names of municipality codes, and their counties (each once), in order."""
    t = tables()
    counties: list[str] = []
    for c in codes:
        county = t.muni_county[c]
        if county not in counties:
            counties.append(county)
    return [t.muni_name[c] for c in codes], counties


def names_a_region(owner: str) -> bool:
    """`REGION UPPSALA, …`, `Västra Götalandsregionen`: one of the 21 regions."""
    low = owner.lower()
    return any(low == r or low.startswith((r + ",", r + " ")) for r in tables().region_names)
