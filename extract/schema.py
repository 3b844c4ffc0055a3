"""The one schema: every column of a project record, in output order.

Each column has its name, its logical type, the Swedish source label(s) it is read from,
the normalizer that turns the published text into the typed value, and a description.
The Parquet schema (pipelines/arrow_schema.py), the CSV column order, validation, the label
registry (extract/registry.py), `schema.json` and `docs/fields.md` are all derived from here.

Column names are a contract with analysts: add columns, never rename.
This module imports nothing heavy (no pyarrow) so the CLI stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass

# Logical types. pipelines/arrow_schema.py maps them to Arrow types.
STRING = "string"          # free text or identifier
CATEGORY = "category"      # low-cardinality string, dictionary-encoded in Parquet
DATE = "date"              # date32
FLOAT = "float"            # float64
INT = "int"                # int64
BOOL = "bool"              # bool
TIMESTAMP = "timestamp"    # timestamp[us, UTC]
MAP = "map"                # map<string, string>
LIST = "list"              # list<string>


# Programme periods, oldest first: `Column.periods` says in which of them the source publishes
# (or the extractor derives) a column, so that fill rates compare like with like.
P0713, P1420, P2127 = "2007-2013", "2014-2020", "2021-2027"
ALL_PERIODS: tuple[str, ...] = (P0713, P1420, P2127)
NEW = (P1420, P2127)          # the label sets of today's site (2014–2020 and ESF+)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    labels: tuple[str, ...] = ()      # Swedish source labels, exactly as published
    normalizer: str | None = None     # name of a function in extract/normalize.py
    group: str = "field"      # field | derived | enrichment | provenance | history | audit
    codelist: str | None = None       # package data the column is checked against / derived from
    key: bool = False                 # a key column: fill rate watched by run assertions
    # programme periods whose pages publish it (derived columns: every period)
    periods: tuple[str, ...] = ALL_PERIODS


C = Column

COLUMNS: tuple[Column, ...] = (
    C("project_id", STRING,
      "Project identifier as published: the diarienummer (`22-021-S03`, `2019/00492`). "
      "From `Diarienummer`, else `Projektnummer`, else the heading or the URL's `dnr`. "
      "2007–2013 pages have none: a stable id derived from the page URL (`ESF0713:<region>/<slug>`).",
      labels=("Diarienummer", "Projektnummer"), normalizer="diarienummer", group="derived", key=True),
    C("programme_period", CATEGORY,
      "Programme period: `2021-2027` (ESF+), `2014-2020` or `2007-2013`; from the diarienummer's "
      "form, the label set or `Programperiod` (which must agree with the diarienummer: a message "
      "when it does not).", labels=("Programperiod",), normalizer="programme_period",
      group="derived", key=True),
    C("project_name", STRING,
      "Project name (`Namn`; without it, the page heading unless that is generic, e.g. "
      "`Projekt`: 2007–2013 and the 2016–2020 site).", labels=("Namn",), normalizer="text",
      key=True),
    C("owner_name", STRING,
      "Project owner (beneficiary organisation) as published; ESF+ pages write it in upper case "
      "and sometimes cut it short. A leading organisation number (`2220000265, GR …`) that passes "
      "the check digit goes to `owner_org_number` and is not part of the name; any other "
      "prefix (a cost-centre code `176 …`) stays.", labels=("Projektägare",), normalizer="text",
      key=True),
    C("owner_org_number", STRING,
      "Owner's Swedish organisation number as `NNNNNN-NNNN`; null when the check digit fails or the "
      "number is a personnummer (masked; published text stays in `fields_raw` unless personal).",
      labels=("Projektägare organisationsnummer", "Projektägare org.nr.", "Projektägare org.nr"), normalizer="org_number",
      periods=NEW),
    C("country", CATEGORY, "Country concerned (`Sverige`).", labels=("Land som berörs",),
      normalizer="text", periods=(P2127,)),
    C("fund", CATEGORY, "Fund concerned (`ESF+`); a value not in the fund list (`ESF+`, `ESF`, "
      "`FEAD`, …) is kept with a message.", labels=("Berörd fond", "Fond"), normalizer="fund",
      periods=(P2127,)),
    C("programme_cci", CATEGORY,
      "Programme CCI code as on the page (`2021SE05SFPR`; Kohesio writes `2021SE05SFPR001`).",
      labels=("Program CCI",), normalizer="code", periods=(P2127,)),
    C("start_date", DATE, "Start date (`Startdatum`, or the first half of `Projektperiod`).",
      labels=("Startdatum",), normalizer="date", key=True),
    C("end_date", DATE, "End date (`Slutdatum`, or the second half of `Projektperiod`).",
      labels=("Slutdatum",), normalizer="date", key=True),
    C("eu_cofinancing_rate_pct", FLOAT,
      "EU co-financing rate in percent (`40%` → 40.0).",
      labels=("Unionens medfinansieringsgrad",), normalizer="percent", periods=NEW),
    C("programme_area", CATEGORY,
      "Programme area code: `A`–`F` (ESF+), `1`–`5`, `7` (2014–2020; `React-EU` → `5`, the "
      "code list's React-EU area); `Programområde 1 Kompetensförsörjning` → `1` (2007–2013). "
      "A code not in the period's code list is kept with a message.",
      labels=("Programområde",), normalizer="programme_area"),
    C("specific_objective", CATEGORY,
      "Specific objective code (`D1`, `A2B`, `1.2`, `7.3`).", labels=("Specifikt mål",),
      normalizer="code", periods=NEW),
    C("child_poverty_theme", BOOL,
      "Secondary theme: counteracting child poverty (`Ja`/`Nej`).",
      labels=("Sekundärtema - Motverka barnfattigdom",), normalizer="yes_no", periods=(P2127,)),
    C("region", CATEGORY,
      "ESF Council region (`Övre Norrland`, `ESF Nationellt`, `Stockholm`).", labels=("Region",),
      normalizer="text"),
    C("nuts2_code", CATEGORY,
      "NUTS 2 (2021) code (`SE33`); null for the project bank's `SE0` (national), which is not a "
      "NUTS code.", labels=("NUTS-2 kod",), normalizer="nuts2", codelist="se_nuts2021.csv",
      periods=(P2127,)),
    C("beneficiary_postal_code", STRING, "Beneficiary postal code as `NNN NN`.",
      labels=("Stödmottagare postnr", "Stödmottagarens postnummer"), normalizer="postal_code",
      periods=NEW),
    C("beneficiary_city", STRING, "Beneficiary postal town as published (often upper case).",
      labels=("Stödmottagare ort", "Stödmottagarens ort"), normalizer="text", periods=(P2127,)),
    C("beneficiary_address", STRING, "Beneficiary street address.",
      labels=("Stödmottagarens address", "Stödmottagarens adress"), normalizer="text",
      periods=(P1420,)),
    C("beneficiary_country", CATEGORY,
      "The beneficiary's country (`Stödmottagarens land`, ESF+ pages of a later layout); not "
      "`country`, the country the project concerns.", labels=("Stödmottagarens land",),
      normalizer="text", periods=(P2127,)),
    C("intervention_field_code", CATEGORY,
      "Intervention field (category of intervention) code, 3 digits (`175`, `118`).",
      labels=("Interventionstyp",), normalizer="intervention_code", periods=NEW),
    C("participants", INT,
      "Number of participants (`Antal deltagare`; 2014–2020: planned, `Planerat antal deltagare`).",
      labels=("Antal deltagare", "Planerat antal deltagare"), normalizer="integer", periods=NEW),
    C("strategic_importance", BOOL, "Operation of strategic importance (`Ja`/`Nej`).",
      labels=("Insats av strategisk betydelse",), normalizer="yes_no", periods=(P2127,)),
    C("total_budget_sek", INT, "Total project budget in SEK.", labels=("Total projektbudget",),
      normalizer="amount_sek"),
    C("esf_grant_sek", INT, "Granted ESF support in SEK.", labels=("Beviljat ESF-stöd",),
      normalizer="amount_sek"),
    C("project_phase", CATEGORY, "Project phase (2007–2013: `Förprojektering`, `Genomförande`).",
      labels=("Projektfas",), normalizer="text", periods=(P0713,)),
    C("call_id", STRING,
      "The call (utlysning) the project was granted under, its diarienummer as published "
      "(`2015/00897`; `Utlysning`, the 2016–2020 site).", labels=("Utlysning",),
      normalizer="code", periods=(P1420,)),
    C("description", STRING,
      "The free-text description after the label block; paragraphs separated by a blank line "
      "(2007–2013: the `Sammanfattning` and `Bakgrund` sections). A page cut off in transfer "
      "is kept as a row with a `page: truncated …` message (the text may end mid-sentence); "
      "cut inside the label block, the cut value stays in `fields_raw` and is not used for its "
      "column. A page cut before the block is a reject (`…; the page is truncated`).",
      group="derived"),
    # --- enrichment from code lists and the free text (extract/enrich.py) ---
    C("intervention_field_label", STRING,
      "English label of the intervention field code (CPR 2021/1060 Annex I, or Reg. 215/2014 "
      "for 2014–2020).", group="enrichment", periods=NEW,
      codelist="cpr2021_dim1_intervention_field_134_182.csv, esf_2014_2020_intervention_field_102_123.csv"),
    C("programme_area_label", STRING, "Swedish name of the programme area.", group="enrichment",
      codelist="se_esf_plus_2021_2027_programomraden.csv, se_esf_2014_2020_programomraden_mal.csv"),
    C("specific_objective_label", STRING, "Label of the specific objective.", group="enrichment",
      codelist="se_esf_plus_2021_2027_specifikt_mal_codes.csv, se_esf_2014_2020_programomraden_mal.csv",
      periods=NEW),
    C("nuts2_name", STRING, "Swedish name of the NUTS 2 region.", group="enrichment",
      codelist="se_nuts2021.csv", periods=(P2127,)),
    C("owner_legal_form", CATEGORY,
      "Legal-form group of the owner from the organisation number's first digit "
      "(a personnummer-shaped number: sole trader).", group="enrichment",
      codelist="se_orgnr_group_digit.csv", periods=NEW),
    C("municipalities", LIST,
      "Official names of municipalities named in the description, owner name and beneficiary "
      "city, each once, in order of first mention.", group="enrichment", codelist="se_kommuner.csv"),
    C("municipality_codes", LIST, "SCB codes of `municipalities`, same order.", group="enrichment",
      codelist="se_kommuner.csv"),
    C("counties", LIST, "Counties (län) of `municipalities`, each once.", group="enrichment",
      codelist="se_lan.csv"),
    C("organisations", LIST,
      "Universities and colleges, public agencies, regions and municipal federations named in "
      "the description (official names).", group="enrichment",
      codelist="se_higher_education_institutions.csv"),
    # --- provenance ---
    C("source_url", STRING, "URL the page was fetched from (or the saved file's path).",
      group="provenance"),
    C("fetched_at", TIMESTAMP, "When the page was fetched (UTC).", group="provenance"),
    C("content_sha256", STRING, "SHA-256 of the page body bytes as received.", group="provenance"),
    C("extractor_version", STRING, "Version of the extractor that made the record.",
      group="provenance"),
    # --- history (scheduled crawls; null in a one-off extract) ---
    C("first_seen", DATE, "Crawl date on which the project was first seen (latest view of a "
      "crawl history; null outside one).", group="history"),
    C("last_seen", DATE, "Crawl date on which the project was last seen.", group="history"),
    # --- audit ---
    C("fields_raw", MAP,
      "Every label → value exactly as published (personal data withheld).", group="audit"),
    C("extra_fields", MAP, "Labels in the block that the registry does not know, with values.",
      group="audit"),
    C("validation_messages", LIST,
      "What looked wrong, one message per problem: `column: message`. A line inside the label "
      "block that is neither a pair nor part of a value is named as `fields_raw: line not "
      "understood …` (e-mail addresses and long digit runs masked); the extract summary and "
      "`crawl_report.json` count them (`lines_not_understood`).", group="audit"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

# Columns that are not business data: changes in them are not changes of a project.
PROVENANCE_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in COLUMNS if c.group in ("provenance", "history"))

# Columns that extract/enrich.py sets from the code lists and the free text.
ENRICHMENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.group == "enrichment")

# Labels read but not mapped to a single column.
PERIOD_LABEL = "Projektperiod"   # split into start_date / end_date

# Personal data: recognised, deliberately not written (not even to fields_raw) unless asked.
PERSONAL_LABELS: tuple[str, ...] = (
    "Kontaktperson", "E-post", "Telefonnummer", "Telefon",
    # other spellings of contact data: an unknown label would put them in extra_fields
    "Mobil", "Mobilnummer", "Mobiltelefon", "E-postadress", "Telefonnr")


# The three label sets (source-notes.md): labels that only one programme period uses.
ESF_PLUS_ONLY_LABELS = frozenset({
    "Land som berörs", "Berörd fond", "Program CCI", "Diarienummer",
    "Projektägare organisationsnummer", "Startdatum", "Slutdatum", "NUTS-2 kod",
    "Sekundärtema - Motverka barnfattigdom", "Stödmottagare ort", "Antal deltagare",
    "Insats av strategisk betydelse",
    # the later ESF+ layout's spellings (source-notes.md, "Seen on real pages")
    "Fond", "Projektägare org.nr.", "Stödmottagarens postnummer", "Stödmottagarens ort",
    "Stödmottagarens land"})
ESF_2014_ONLY_LABELS = frozenset({
    "Planerat antal deltagare", "Stödmottagarens address", "Stödmottagarens adress", "Utlysning"})
ESF_2007_ONLY_LABELS = frozenset({"Projektfas", "Telefonnummer"})


def arrow_type_name(col: Column) -> str:
    """Human-readable Arrow type, for the data dictionary."""
    return {
        STRING: "string", CATEGORY: "dictionary<int32, string>", DATE: "date32",
        FLOAT: "float64", INT: "int64", BOOL: "bool", TIMESTAMP: "timestamp[us, UTC]",
        MAP: "map<string, string>", LIST: "list<string>",
    }[col.type]
