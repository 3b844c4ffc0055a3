"""Enrichment: labels from the code lists, cross-checks, and places and organisations in the text.

`enrich(record, published)` sets the enrichment columns of a record (schema group
"enrichment") and returns validation messages (`"<column>: <message>"`). It reads the record's
typed columns, and `Published`: the few things a page states that no column keeps (set by the
field reader in extract/page.py). It changes no other column. Names in the free text are
found by extract/mentions.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from projektbank.extract import codelists as CL
from projektbank.extract.gazetteer import city_municipality, names_a_region, places
from projektbank.extract.identifiers import period_of_programme_area
from projektbank.extract.mentions import scan
from projektbank.extract.schema import P0713


@dataclass(frozen=True)
class Published:
    """What the page published that the typed columns do not keep, as the normalizers read it."""

    owner_number_personal: bool = False    # the organisation-number field held a personnummer
    nuts2_national: bool = False           # the NUTS-2 field said `SE0` (the whole country)
    programme_area_name: str | None = None  # the name written after the area's number


NOTHING_PUBLISHED = Published()


def _label(code: str | None, table: dict[str, tuple[str, str]], period: str | None,
           msgs: list[str], code_column: str) -> str | None:
    if not code:
        return None
    hit = table.get(code)
    if hit is None:
        if table:
            msgs.append(f"{code_column}: '{code}' is not in the {period} code list")
        return None
    return _display_label(hit[0])


_NOTE = re.compile(r"\s*\(([^;()]*);[^()]*\)$")


@lru_cache(maxsize=1024)
def _display_label(text: str) -> str:
    """A code list's label without its notes (a few labels, on every page: cached).

    Code-list notes are not part of a label: `Tekniskt stöd (inferred)`,
    `Sysselsättningsinitiativet för unga (YEI; only Sydsverige, …)` → `… (YEI)`."""
    return _NOTE.sub(r" (\1)", text.removesuffix(" (inferred)"))


_KOMMUN_OWNER = re.compile(r"\bkommun(?:en)?\b|\bkommunalförbund(?:et)?\b", re.I)


def _legal_form(record: dict, published: Published, msgs: list[str]) -> str | None:
    number = record.get("owner_org_number")
    owner = record.get("owner_name") or ""
    if number:
        digit = number[0]
        form = CL.orgnr_groups().get(digit)
        if form is None:
            msgs.append(f"owner_org_number: first digit {digit} is not a known organisation-"
                        "number group")
        if digit != "2" and (_KOMMUN_OWNER.search(owner) or names_a_region(owner)):
            msgs.append(f"owner_org_number: owner '{owner}' looks like a municipality, region or "
                        f"municipal federation but {number} is not in group 2 (Stat, landsting, "
                        "kommuner)")
        return form
    if published.owner_number_personal:
        if _KOMMUN_OWNER.search(owner):
            msgs.append(f"owner_org_number: owner '{owner}' looks like a municipality but its "
                        "number is a personnummer")
        return CL.SOLE_TRADER
    return None


def _nuts_check(record: dict, published: Published, msgs: list[str]) -> None:
    region = (record.get("region") or "").strip()
    code = record.get("nuts2_code")
    if not region:
        return
    key = region.casefold()
    if key in CL.NATIONAL_REGIONS:
        if code:
            msgs.append(f"nuts2_code: {code} does not match region '{region}' (expects none)")
        return
    expected = CL.esf_region_nuts2().get(key)
    if expected is None:
        msgs.append(f"region: '{region}' is not a known ESF Council region")
        return
    if code and code != expected:
        msgs.append(f"nuts2_code: {code} does not match region '{region}' (expects {expected})")
    elif not code and published.nuts2_national:
        msgs.append(f"nuts2_code: SE0 (national) does not match region '{region}' "
                    f"(expects {expected})")


def _code_labels(record: dict, published: Published, msgs: list[str]) -> None:
    # Code lists are per period; an ESF+ area letter names the period when the page did not.
    period = record.get("programme_period") or period_of_programme_area(
        record.get("programme_area"))
    record["intervention_field_label"] = _label(
        record.get("intervention_field_code"), CL.intervention_field_labels(period or ""),
        period, msgs, "intervention_field_code")
    area = record.get("programme_area")
    if period == P0713 and area:   # no code list: the page names the area after its number
        record["programme_area_label"] = published.programme_area_name
    else:
        record["programme_area_label"] = _label(
            area, CL.programme_area_labels(period or ""), period, msgs, "programme_area")
    record["specific_objective_label"] = _label(
        record.get("specific_objective"), CL.specific_objective_labels(period or ""), period,
        msgs, "specific_objective")


def enrich(record: dict, published: Published = NOTHING_PUBLISHED) -> list[str]:
    """Set the enrichment columns of `record` in place; return validation messages."""
    msgs: list[str] = []
    _code_labels(record, published, msgs)

    nuts = record.get("nuts2_code")
    record["nuts2_name"] = CL.nuts2_names().get(nuts) if nuts else None
    if nuts and record["nuts2_name"] is None:
        msgs.append(f"nuts2_code: {nuts} is not a Swedish NUTS 2 code")
    _nuts_check(record, published, msgs)

    record["owner_legal_form"] = _legal_form(record, published, msgs)

    codes, orgs = scan(record.get("description"))
    owner_codes, _ = scan(record.get("owner_name"), organisations=False)
    for c in owner_codes:
        if c not in codes:
            codes.append(c)
    city = city_municipality(record.get("beneficiary_city"))
    if city and city not in codes:
        codes.append(city)
    names, counties = places(codes)
    record["municipalities"] = names
    record["municipality_codes"] = codes
    record["counties"] = counties
    record["organisations"] = orgs
    return msgs
