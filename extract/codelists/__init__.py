"""Official code lists shipped as package data (CSV with source and confidence columns).

Loaded lazily and cached; the CSVs are copies of ../shared/codelists/ with their provenance,
plus three lists compiled for the enrichment (extract/enrich.py):
`se_organisations.csv`, `se_specific_objective_labels.csv`, `se_kommuner_common_words.csv`.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled code list, as dicts of column → text."""
    with resources.files(__package__).joinpath(name).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def nuts2_names() -> dict[str, str]:
    """NUTS 2 code → Swedish name, for the Swedish NUTS 2021 level-2 regions."""
    return {r["nuts_code"]: r["name_sv"] for r in read_csv("se_nuts2021.csv") if r["level"] == "2"}


# --------------------------------------------------------------------------- confidence

_NOT_HIGH = re.compile(r"medium|low|infer|unverified|verify|hypothes|not seen|recalled", re.I)


def is_high_confidence(text: str | None) -> bool:
    """`high`, `high (label)`, `high (a-e checked …)` → True; `medium`, `code high / SO medium`,
    `medium-high (recalled …)`, empty → False."""
    t = (text or "").strip().lower()
    return t.startswith("high") and not _NOT_HIGH.search(t)


# --------------------------------------------------------------------------- lookups


@cache
def municipalities() -> dict[str, dict[str, str]]:
    """SCB municipality code → row of se_kommuner.csv (kommun, lan_code, lan_name, nuts2, …)."""
    return {r["kommunkod"]: r for r in read_csv("se_kommuner.csv")}


@cache
def counties() -> dict[str, dict[str, str]]:
    """County code → row of se_lan.csv."""
    return {r["lan_code"]: r for r in read_csv("se_lan.csv")}


@cache
def esf_region_nuts2() -> dict[str, str]:
    """ESF Council region name (case-folded) → NUTS 2 code. Also accepts the NUTS names
    (`Småland med öarna`). `ESF Nationellt` is absent: it has no NUTS 2 code."""
    out: dict[str, str] = {}
    for r in read_csv("se_nuts2021.csv"):
        if r["level"] == "2" and r["esf_radet_region"]:
            out[r["esf_radet_region"].casefold()] = r["nuts_code"]
            out[r["name_sv"].casefold()] = r["nuts_code"]
    out.update(_HISTORICAL_REGIONS)
    return out


# ESF Council region names of 2007–2013 that were renamed in 2014 (knowledge; the project bank's
# 2007–2013 pages use them): Skåne-Blekinge became Sydsverige (SE22).
_HISTORICAL_REGIONS = {"skåne-blekinge": "SE22", "skåne–blekinge": "SE22", "skåne blekinge": "SE22"}


NATIONAL_REGIONS = frozenset({"esf nationellt", "nationellt", "nationell", "esf nationell"})


@cache
def intervention_field_labels(period: str) -> dict[str, tuple[str, str]]:
    """Intervention field code → (English label, confidence) for a programme period."""
    if period == "2021-2027":
        return {r["code"]: (r["label_en"], r["confidence"])
                for r in read_csv("cpr2021_dim1_intervention_field_134_182.csv")}
    if period == "2014-2020":
        # No confidence column: labels transcribed from the official table (see its source).
        return {r["code"]: (r["label_en"], "high")
                for r in read_csv("esf_2014_2020_intervention_field_102_123.csv")}
    return {}


@cache
def programme_area_labels(period: str) -> dict[str, tuple[str, str]]:
    """Programme area code → (Swedish name, confidence)."""
    if period == "2021-2027":
        return {r["programomrade"]: (r["name_sv"], r["confidence"])
                for r in read_csv("se_esf_plus_2021_2027_programomraden.csv")
                if re.fullmatch(r"[A-Z]", r["programomrade"])}
    if period == "2014-2020":
        return {r["programomrade"]: (r["label_sv"], r["confidence"])
                for r in read_csv("se_esf_2014_2020_programomraden_mal.csv")
                if not r["specifikt_mal"] and r["programomrade"].isdigit()}
    return {}


@cache
def specific_objective_labels(period: str) -> dict[str, tuple[str, str]]:
    """Specific objective code → (label, confidence), from se_specific_objective_labels.csv."""
    return {r["code"]: (r["label"], r["confidence"])
            for r in read_csv("se_specific_objective_labels.csv") if r["period"] == period}


SOLE_TRADER = "Enskild näringsidkare"


@cache
def orgnr_groups() -> dict[str, str | None]:
    """First digit of an organisation number → legal-form group (Swedish); None for digits
    that no group uses (0, 4)."""
    out: dict[str, str | None] = {}
    for r in read_csv("se_orgnr_group_digit.csv"):
        if r["first_digit"].isdigit():
            out[r["first_digit"]] = None if r["group_sv"].startswith("(not used") else r["group_sv"]
    return out


# --------------------------------------------------------------------------- data dictionary

# file → (what it is, source when the file has no source column, label column(s), code column)
_LISTS: tuple[tuple[str, str, str | None, str, str], ...] = (
    ("se_kommuner.csv",
     "The 290 municipalities (kommuner) with SCB municipality code, county, NUTS 3/2 and ESF "
     "Council region; used for `municipalities`, `municipality_codes`, `counties`.",
     "SCB municipality and county codes (kommunkoder/länskoder); the file has no source column. "
     "Checked for consistency: code prefix = county code, municipalities per county match "
     "se_lan.csv.", "kommun", "kommunkod"),
    ("se_kommuner_alternate_names.csv",
     "Other spellings, `… stad` self-designations, exonyms and minority-language names of "
     "municipalities, matched in the description (except `Ylitornio`, also a Finnish "
     "municipality).",
     "Compiled from knowledge (no source column; see the `note` column: the `… stad` forms and "
     "the minority-language names are to be verified).", "kommun", "alias"),
    ("se_kommuner_common_words.csv",
     "Compiled for the enrichment: municipality names (and short aliases) that are also common "
     "words or names. `cap`: counted only when capitalised; `strict`: also not at the start of a "
     "sentence unless followed by `kommun`, a comma or `och <Name>`.", None, "name", "name"),
    ("se_lan.csv", "The 21 counties (län): code, name, ISO 3166-2, NUTS, ESF Council region.",
     "SCB county codes, ISO 3166-2:SE, Eurostat NUTS 2021; the file has no source column.",
     "lan_name", "lan_code"),
    ("se_nuts2021.csv",
     "NUTS 2021 regions of Sweden (levels 1–3) with the ESF Council region of each NUTS 2 "
     "region; `nuts2_name` and the NUTS/region cross-check. `SE0` is the project bank's code "
     "for `ESF Nationellt`, not a NUTS code.",
     "Eurostat NUTS 2021 classification; the file has no source column.", "name_sv", "nuts_code"),
    ("cpr2021_dim1_intervention_field_134_182.csv",
     "Intervention fields 134–182 (CPR 2021/1060 Annex I, dimension 1) for ESF+ 2021–2027: "
     "`intervention_field_label`. The file notes that labels are recalled from the official "
     "English text and not yet verified against it.", None, "label_en", "code"),
    ("esf_2014_2020_intervention_field_102_123.csv",
     "Intervention fields 102–123 (Commission Implementing Regulation 215/2014 Annex I) for ESF "
     "2014–2020: `intervention_field_label`. No confidence column: transcribed from a copy of "
     "the official table.", None, "label_en", "code"),
    ("se_esf_plus_2021_2027_programomraden.csv",
     "ESF+ 2021–2027 programme areas A–F: `programme_area_label`.", None, "name_sv",
     "programomrade"),
    ("se_esf_plus_2021_2027_specifikt_mal_codes.csv",
     "ESF+ 2021–2027 specific-objective codes (A1, A1A, …, D1) with the ESF+ Art. 4 point they "
     "belong to (several inferred).", None, "meaning", "code"),
    ("esf_plus_specific_objectives_art4.csv",
     "The 13 ESF+ specific objectives, Regulation 2021/1057 Art. 4(1)(a)–(m) (reference).", None,
     "label_en", "point"),
    ("se_esf_2014_2020_programomraden_mal.csv",
     "ESF 2014–2020 programme areas 1–5 and 7 (CARE) and specific objectives: "
     "`programme_area_label` (2014–2020). Rows marked `seen on pages` are codes seen on real "
     "project pages (React-EU 5.1; 7, 7.2, 7.3) whose labels have no source yet.", None, "label_sv", "programomrade,specifikt_mal"),
    ("se_specific_objective_labels.csv",
     "Compiled for the enrichment: one label per specific-objective code and period "
     "(`specific_objective_label`), taken from the two lists above; where the code list gives "
     "no Swedish label of the objective, the programme area's name.", None, "label", "code"),
    ("se_orgnr_group_digit.csv",
     "Legal-form group by the organisation number's first digit: `owner_legal_form`; a "
     "personnummer-shaped number is a sole trader (Enskild näringsidkare).", None, "group_sv",
     "first_digit"),
    ("se_higher_education_institutions.csv",
     "Swedish universities and university colleges: official Swedish and English names, short "
     "forms and former names, matched in the description for `organisations`. Two-letter short "
     "forms that are also common abbreviations (HB, HH, HV, SH, DU, JU, HJ, HIS) are not matched.",
     None, "name_sv", "name_sv"),
    ("se_organisations.csv",
     "Compiled for the enrichment: public agencies, the 21 regions, municipal federations and "
     "associations, and education companies named in descriptions, with aliases and short "
     "forms (`organisations`); `case`: `any`, `cap` (capitalised only), `exact` (as written). "
     "Also matched: `Samordningsförbundet <Name>`, `<Name>s kommunalförbund`, "
     "`Kommunalförbundet <Name>`, `Kommunförbundet <Name>`, `Regionförbundet <Name>`.",
     None, "name", "name"),
)


def _sources(rows: tuple[dict[str, str], ...]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        s = (r.get("source") or r.get("evidence") or "").strip()
        if s and s != "same" and not s.startswith("same;") and not s.startswith("same as"):
            seen.setdefault(s, None)
    return list(seen)


def _row_confidence(name: str, row: dict[str, str]) -> str | None:
    """The row's confidence text, or None when the list records none for its labels."""
    if "confidence" in row:
        return row["confidence"]
    if name == "se_higher_education_institutions.csv":
        return "from knowledge" if "knowledge" in (row.get("source") or "") else "high"
    return None


def codelists_markdown() -> str:
    """Markdown section for the data dictionary: every shipped code list, what it is, its
    source(s), and its labels whose confidence is not high (marked **unverified**)."""
    out = ["## Code lists", "",
           "Shipped as package data in `extract/codelists/` (CSV, UTF-8) with their source and "
           "confidence columns. A label whose confidence is not *high* is marked **unverified**.",
           ""]
    for name, what, fixed_source, label_col, code_col in _LISTS:
        rows = read_csv(name)
        out += [f"### `{name}`", "", what, ""]
        sources = [fixed_source] if fixed_source else _sources(rows)
        if not sources:
            out.append("Source: not recorded in the file.")
        elif len(sources) == 1:
            out.append(f"Source: {sources[0]}")
        else:
            out.append("Sources:")
            out += [f"- {s}" for s in sources[:12]]
            if len(sources) > 12:
                out.append(f"- … and {len(sources) - 12} more (see the file's `source` column)")
        out.append("")
        unverified = []
        has_conf = False
        for r in rows:
            conf = _row_confidence(name, r)
            if conf is None:
                continue
            has_conf = True
            if not is_high_confidence(conf):
                code = " ".join(r[c] for c in code_col.split(",") if r.get(c))
                label = r.get(label_col, "")
                shown = f"`{code}`" if code == label else f"`{code}` {label}"
                unverified.append(f"- {shown} — **unverified** (confidence: {conf.strip()})")
        if unverified:
            out.append(f"{len(unverified)} of {len(rows)} labels are not high confidence:")
            out.append("")
            out += unverified
        elif has_conf:
            out.append(f"All {len(rows)} labels are high confidence.")
        else:
            out.append(f"{len(rows)} rows; no per-label confidence recorded.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
