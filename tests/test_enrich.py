"""Enrichment: code-list labels, cross-checks, municipalities and organisations in free text."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projektbank.extract import codelists as CL
from projektbank.extract.enrich import Published, enrich
from projektbank.extract.gazetteer import city_municipality
from projektbank.extract.mentions import scan
from projektbank.extract.normalize import programme_area_name
from projektbank.extract.schema import BY_NAME, ENRICHMENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("/work/shared/seed/000_16bc66c297f53783.txt")
LABELLED = ROOT / "samples" / "descriptions" / "labelled.jsonl"

SEED_MUNICIPALITIES = [
    ("Arjeplog", "2506"), ("Arvidsjaur", "2505"), ("Dorotea", "2425"), ("Gällivare", "2523"),
    ("Jokkmokk", "2510"), ("Kiruna", "2584"), ("Kramfors", "2282"), ("Pajala", "2521"),
    ("Lycksele", "2481"), ("Norsjö", "2417"), ("Sollefteå", "2283"), ("Sorsele", "2422"),
    ("Storuman", "2421"), ("Strömsund", "2313"), ("Vilhelmina", "2462"), ("Åsele", "2463"),
    ("Skellefteå", "2482"),
]


def _seed_description() -> str:
    if SEED.exists():
        text = SEED.read_text(encoding="utf-8")
        return text.split("Projektnummer:\n22-021-S03\n", 1)[1].strip()
    pytest.skip("seed file not available")


def _seed_record() -> dict:
    return {
        "programme_period": "2021-2027",
        "owner_name": "KOMMUNALFÖRBUNDET PARTNERSKAP INLAND-AKADEMI N",
        "owner_org_number": "222000-1289",
        "region": "Övre Norrland",
        "nuts2_code": "SE33",
        "programme_area": "D",
        "specific_objective": "D1",
        "intervention_field_code": "175",
        "beneficiary_city": "STORUMAN",
        "description": _seed_description(),
        "fields_raw": {"Projektägare organisationsnummer": "2220001289", "NUTS-2 kod": "SE33",
                       "Stödmottagare ort": "STORUMAN"},
        "project_name": "Koordinerad kompetensförstärkning i glesbygd",
        "validation_messages": [],
    }


def _munis(text: str, **kw) -> list[str]:
    rec = {"description": text, **kw}
    enrich(rec)
    return rec["municipalities"]


def _orgs(text: str) -> list[str]:
    rec = {"description": text}
    enrich(rec)
    return rec["organisations"]


# --------------------------------------------------------------------------- the seed


def test_seed_municipalities_exactly_the_17_in_order_with_codes():
    rec = _seed_record()
    assert enrich(rec) == []
    assert rec["municipalities"] == [n for n, _ in SEED_MUNICIPALITIES]
    assert rec["municipality_codes"] == [c for _, c in SEED_MUNICIPALITIES]
    assert rec["counties"] == ["Norrbottens län", "Västerbottens län", "Västernorrlands län",
                               "Jämtlands län"]


def test_seed_organisations():
    rec = _seed_record()
    enrich(rec)
    orgs = rec["organisations"]
    for name in ("Luleå tekniska universitet", "Umeå universitet", "Mittuniversitetet", "Vinnova",
                 "Lernia", "Region Västerbotten", "Lapplands kommunalförbund"):
        assert name in orgs
    assert orgs.index("Luleå tekniska universitet") < orgs.index("Umeå universitet") \
        < orgs.index("Mittuniversitetet") < orgs.index("Vinnova") < orgs.index("Lernia")
    # Umeå and Luleå are named only inside university names; Företagarna is not an organisation
    # of the listed kinds; 'Norrbottens kommuner' (lower case) is not the association.
    assert "Umeå" not in rec["municipalities"] and "Luleå" not in rec["municipalities"]
    assert not any(o.startswith("Företagarna") for o in orgs)
    assert "Norrbottens Kommuner" not in orgs
    assert len(orgs) == len(set(orgs))


def test_seed_code_labels():
    rec = _seed_record()
    enrich(rec)
    cpr = {r["code"]: r["label_en"] for r in CL.read_csv("cpr2021_dim1_intervention_field_134_182.csv")}
    assert rec["intervention_field_label"] == cpr["175"]
    assert rec["intervention_field_label"].startswith("Outermost regions: compensation")
    assert rec["programme_area_label"] == "Öka kapaciteten i den glesa geografin"
    assert rec["specific_objective_label"] == "Öka kapaciteten i den glesa geografin"
    assert rec["nuts2_name"] == "Övre Norrland"
    assert rec["owner_legal_form"] == "Stat, landsting (regioner), kommuner, församlingar"


def test_enrich_sets_all_enrichment_columns_and_nothing_else():
    rec = _seed_record()
    before = copy.deepcopy(rec)
    enrich(rec)
    assert set(rec) == set(before) | set(ENRICHMENT_COLUMNS)
    for key, value in before.items():
        assert rec[key] == value, key
    assert {c for c in ENRICHMENT_COLUMNS} == {
        name for name, col in BY_NAME.items() if col.group == "enrichment"}


def test_empty_record_gives_nulls_and_empty_lists():
    rec: dict = {}
    assert enrich(rec) == []
    for col in ("intervention_field_label", "programme_area_label", "specific_objective_label",
                "nuts2_name", "owner_legal_form"):
        assert rec[col] is None
    for col in ("municipalities", "municipality_codes", "counties", "organisations"):
        assert rec[col] == []


# --------------------------------------------------------------------------- labelled set


def _labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_labelled_set_is_big_and_tricky():
    rows = _labelled()
    assert len(rows) >= 40
    text = " ".join(r["text"] for r in rows)
    for needle in ("Ale kommun", "moraliska", "Habo", "Håbo", "Umeå universitet", "Kirunas",
                   "Upplands-Bro", "Malung-Sälen", "Upplands Väsby", "Lilla Edet", "Östra Göinge",
                   "Dals-Ed", "Öckerö", "Bjuv", "Mark och vatten", "Vara en del"):
        assert needle in text, needle
    assert any(r["beneficiary_city"] and r["beneficiary_city"].isupper() for r in rows)


def _micro(rows: list[dict], column: str) -> tuple[float, float, int, int, int]:
    tp = fp = fn = 0
    for r in rows:
        rec = {"description": r["text"], "owner_name": r.get("owner_name"),
               "beneficiary_city": r.get("beneficiary_city"), "fields_raw": {}}
        enrich(rec)
        got, exp = set(rec[column]), set(r[column])
        tp += len(got & exp)
        fp += len(got - exp)
        fn += len(exp - got)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


@pytest.mark.parametrize("column", ["municipalities", "organisations"])
def test_labelled_precision_recall(column, capsys):
    p, r, tp, fp, fn = _micro(_labelled(), column)
    with capsys.disabled():
        print(f"\n{column}: micro precision {p:.3f}, recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    assert p >= 0.97
    assert r >= 0.95


def test_labelled_order_of_first_mention():
    for row in _labelled():
        rec = {"description": row["text"], "owner_name": row.get("owner_name"),
               "beneficiary_city": row.get("beneficiary_city")}
        enrich(rec)
        if set(rec["municipalities"]) == set(row["municipalities"]):
            assert rec["municipalities"] == row["municipalities"], row["text"][:60]


# --------------------------------------------------------------------------- matching rules


def test_word_boundaries():
    assert _munis("Alla deltagare i projektet och all personal.") == []
    assert _munis("Projektet i Ale.") == ["Ale"]
    assert _munis("Vi diskuterar moraliska frågor.") == []
    assert _munis("Projektet i Mora.") == ["Mora"]
    assert _munis("Marknaden och arbetsmarknaden växer.") == []
    assert _munis("Orsaken är oklar. Ett berg av papper.") == []
    assert _munis("Medarbetare med erfarenhet.") == []          # Ed inside med
    assert _munis("Umeåregionen och Stockholmsområdet växer.") == []


def test_diacritics_are_significant():
    assert _munis("Projektet i Habo.") == ["Habo"]
    assert _munis("Projektet i Håbo.") == ["Håbo"]
    assert _munis("Projektet i Umea.") == []
    assert _munis("Projektet i Malmo.") == []


def test_inflected_forms():
    assert _munis("Kirunas omvandling") == ["Kiruna"]
    assert _munis("Umeå kommun och Skellefteås näringsliv") == ["Umeå", "Skellefteå"]
    assert _munis("Unga i Skellefteå.") == ["Skellefteå"]
    assert _munis("Storumans kommun") == ["Storuman"]
    assert _munis("Stockholms stad och Göteborgs Stad") == ["Stockholm", "Göteborg"]
    assert _munis("Borås och Västerås") == ["Borås", "Västerås"]


def test_organisation_names_hide_place_names():
    assert _munis("Umeå universitet och Luleå tekniska universitet") == []
    assert _orgs("Umeå universitet och Luleå tekniska universitet") == [
        "Umeå universitet", "Luleå tekniska universitet"]
    assert _munis("Region Västerbotten och Region Uppsala") == []
    assert _munis("i region Uppsala") == []                    # lower case: not the org, still hidden
    assert _orgs("i region Uppsala") == []
    assert _munis("Högskolan i Borås och Stockholms universitet") == []
    assert _munis("Hela Uppsala län och Stockholms län") == []
    assert _munis("Länsstyrelsen i Kalmar län") == []
    assert _orgs("Länsstyrelsen i Kalmar län") == ["Länsstyrelsen i Kalmar län"]
    assert _munis("Region Jämtland Härjedalen") == []
    assert _munis("Umeå universitetssjukhus") == ["Umeå"]       # not the university


def test_region_gotland_is_region_and_municipality():
    rec = {"description": "Region Gotland driver projektet."}
    enrich(rec)
    assert rec["municipalities"] == ["Gotland"]
    assert rec["organisations"] == ["Region Gotland"]
    assert rec["counties"] == ["Gotlands län"]


def test_common_words_only_when_capitalised():
    assert _munis("Projektet ska vara till nytta för mark och skog.") == []
    assert _munis("Vi samarbetar med Vara och Mark.") == ["Vara", "Mark"]
    assert _munis("Det finns en kil mellan dem och en lund vid ån.") == []
    assert _munis("Kil och Lund deltar.") == ["Kil", "Lund"]


def test_sentence_initial_common_words_need_context():
    assert _munis("Mark och vatten är resurser.") == []
    assert _munis("Vara en del av något är viktigt.") == []
    assert _munis("Bra. Berg och dalbana.") == []
    assert _munis("Vara kommun leder projektet.") == ["Vara"]
    assert _munis("Marks kommun leder projektet.") == ["Mark"]
    assert _munis("Mark, Borås och Ulricehamn samverkar.") == ["Mark", "Borås", "Ulricehamn"]
    assert _munis("Berg och Härjedalen deltar.") == ["Berg", "Härjedalen"]
    # names that are rarely words count at the start of a sentence
    assert _munis("Boden är en garnisonsstad. Lund har ett universitet.") == ["Boden", "Lund"]


def test_all_caps_text():
    assert _munis("PROJEKTET I KIRUNA OCH PAJALA") == ["Kiruna", "Pajala"]
    assert _munis("MARKS KOMMUN OCH ALE KOMMUN") == ["Mark", "Ale"]
    assert _munis("VI SKA VARA MED") == []
    assert _munis("", owner_name="UMEÅ UNIVERSITET") == []
    assert _munis("", owner_name="STORUMANS KOMMUN") == ["Storuman"]
    assert _munis("", owner_name="REGION UPPSALA") == []


def test_hyphens_and_multiword_names():
    assert _munis("Upplands-Bro och Upplands Bro") == ["Upplands-Bro"]
    assert _munis("Upplands Väsby och Upplands-Väsby") == ["Upplands Väsby"]
    assert _munis("Malung-Sälen, Malung Sälen") == ["Malung-Sälen"]
    assert _munis("Lilla Edet, Östra Göinge och Dals-Ed") == ["Lilla Edet", "Östra Göinge",
                                                               "Dals-Ed"]
    assert _munis("Pendling Kiruna-Gällivare och Mora–Orsa") == ["Kiruna", "Gällivare", "Mora",
                                                                  "Orsa"]
    assert _munis("i\u00a0Öckerö") == ["Öckerö"]


def test_web_and_mail_addresses_are_not_mentions():
    assert _munis("Se www.kiruna.se eller mejla info@pajala.se") == []
    assert _munis("Se kiruna.se") == []


def test_beneficiary_city_and_owner_order():
    rec = {"description": "Projektet i Lycksele.", "owner_name": "SORSELE KOMMUN",
           "beneficiary_city": "STORUMAN"}
    enrich(rec)
    assert rec["municipalities"] == ["Lycksele", "Sorsele", "Storuman"]
    assert city_municipality("STORUMAN") == "2421"
    assert city_municipality("upplands väsby") == "0114"
    assert city_municipality("BÅLSTA") is None
    assert city_municipality(None) is None


def test_short_forms_match_only_as_written():
    assert _orgs("Forskare vid LTU och UmU") == ["Luleå tekniska universitet", "Umeå universitet"]
    assert _orgs("ltu och umu") == []
    assert _orgs("LTU:s forskare") == ["Luleå tekniska universitet"]
    assert _orgs("Ett HB och DU") == []          # ambiguous short forms are not matched


def test_organisation_inflections_and_case():
    assert _orgs("Arbetsförmedlingens och Försäkringskassans handläggare") == [
        "Arbetsförmedlingen", "Försäkringskassan"]
    assert _orgs("Kontakt med polisen.") == []
    assert _orgs("Polisen och Skolverket deltar.") == ["Polismyndigheten", "Skolverket"]
    assert _orgs("Mälardalens högskola") == ["Mälardalens universitet"]   # former name
    assert _orgs("Chalmers och KTH") == ["Chalmers tekniska högskola", "Kungliga Tekniska högskolan"]


def test_generic_federation_names():
    assert _orgs("Samordningsförbundet Södra Dalarna finansierar.") == [
        "Samordningsförbundet Södra Dalarna"]
    assert _orgs("samordningsförbundet har ett uppdrag") == []
    assert _orgs("Tillsammans med Norra Skaraborgs kommunalförbund.") == [
        "Norra Skaraborgs kommunalförbund"]
    assert _orgs("Projektets kommunalförbund är aktivt.") == []
    assert _orgs("Kommunalförbundet Sydarkivera och Växjö") == ["Kommunalförbundet Sydarkivera"]
    assert _munis("Samordningsförbundet Umeå och Vännäs") == ["Vännäs"]
    assert _orgs("Regionförbundet i Kalmar län") == ["Regionförbundet i Kalmar län"]
    assert _munis("Regionförbundet i Kalmar län") == []


def test_each_once_in_order_of_first_mention():
    munis, orgs = scan("Kiruna, Pajala, Kiruna igen. Vinnova, Skolverket, Vinnova.")
    assert munis == ["2584", "2521"]
    assert orgs == ["Vinnova", "Skolverket"]


def test_minority_language_names():
    assert _munis("Giron och Jåhkåmåhkke") == ["Kiruna", "Jokkmokk"]
    assert _munis("Ylitornio i Finland") == []


def test_decomposed_unicode_is_normalised():
    assert _munis("Projektet i Ha\u030abo") == ["Håbo"]


_TOKENS = list("aåäöeAÅÄÖEUmeålrkiKvsnd -.,:\n") + [
    "Umeå", "Kiruna", "Mark", "Vara", "Ale", "Region ", " kommun", "universitet", "LTU", "s",
    "Samordningsförbundet ", " kommunalförbund", "Uppsala", " län", "Upplands-Bro", "İ"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_property_consistent_output(text):
    rec = {"description": text, "owner_name": text.upper(), "beneficiary_city": text[:10]}
    enrich(rec)
    munis, codes = rec["municipalities"], rec["municipality_codes"]
    assert len(munis) == len(codes) == len(set(codes))
    table = CL.municipalities()
    assert [table[c]["kommun"] for c in codes] == munis
    assert rec["counties"] == list(dict.fromkeys(table[c]["lan_name"] for c in codes))
    assert len(rec["organisations"]) == len(set(rec["organisations"]))
    assert all(o and o == o.strip() for o in rec["organisations"])


# --------------------------------------------------------------------------- labels, legal form


def test_labels_2014_2020():
    rec = {"programme_period": "2014-2020", "intervention_field_code": "118",
           "programme_area": "1", "specific_objective": "1.1"}
    assert enrich(rec) == []
    assert rec["intervention_field_label"].startswith("Improving the labour market relevance")
    assert rec["programme_area_label"] == "Kompetensförsörjning"
    assert rec["specific_objective_label"].startswith("Stärka kompetensen hos sysselsatta")


def test_label_notes_are_dropped():
    rec = {"programme_period": "2014-2020", "programme_area": "3"}
    enrich(rec)
    assert rec["programme_area_label"] == "Sysselsättningsinitiativet för unga (YEI)"
    rec = {"programme_period": "2014-2020", "programme_area": "4"}
    enrich(rec)
    assert rec["programme_area_label"] == "Tekniskt stöd"


def test_labels_2007_2013_from_published_text():
    rec = {"programme_period": "2007-2013", "programme_area": "1"}
    enrich(rec, Published(
        programme_area_name=programme_area_name("Programområde 1 Kompetensförsörjning")))
    assert rec["programme_area_label"] == "Kompetensförsörjning"
    assert rec["intervention_field_label"] is None


def test_unknown_codes_give_messages():
    rec = {"programme_period": "2021-2027", "intervention_field_code": "999",
           "programme_area": "Z", "specific_objective": "Z9", "nuts2_code": "SE99"}
    msgs = enrich(rec)
    assert rec["intervention_field_label"] is None and rec["programme_area_label"] is None
    assert "intervention_field_code: '999' is not in the 2021-2027 code list" in msgs
    assert "programme_area: 'Z' is not in the 2021-2027 code list" in msgs
    assert "specific_objective: 'Z9' is not in the 2021-2027 code list" in msgs
    assert "nuts2_code: SE99 is not a Swedish NUTS 2 code" in msgs


def test_every_esf_plus_specific_objective_code_has_a_label():
    codes = {r["code"] for r in CL.read_csv("se_esf_plus_2021_2027_specifikt_mal_codes.csv")}
    assert codes <= set(CL.specific_objective_labels("2021-2027"))


@pytest.mark.parametrize(("number", "form"), [
    ("212000-0142", "Stat, landsting (regioner), kommuner, församlingar"),
    ("556000-0000", "Aktiebolag"),
    ("802000-0000", "Ideella föreningar och stiftelser"),
    ("969000-0000", "Handelsbolag, kommanditbolag (och enkla bolag)"),
])
def test_legal_form_by_first_digit(number, form):
    rec = {"owner_org_number": number, "owner_name": "NÅGON"}
    assert enrich(rec) == []
    assert rec["owner_legal_form"] == form


def test_masked_personnummer_is_sole_trader():
    rec = {"owner_org_number": None, "owner_name": "FIRMA ANDERSSON",
           "fields_raw": {"Projektägare organisationsnummer": "[personnummer maskerat]"}}
    assert enrich(rec, Published(owner_number_personal=True)) == []
    assert rec["owner_legal_form"] == "Enskild näringsidkare"
    assert rec["owner_org_number"] is None
    assert rec["fields_raw"]["Projektägare organisationsnummer"] == "[personnummer maskerat]"
    personnummer_row = [r for r in CL.read_csv("se_orgnr_group_digit.csv")
                        if r["first_digit"] == "(personnummer)"][0]
    assert personnummer_row["group_sv"].startswith(CL.SOLE_TRADER)


def test_no_legal_form_without_number():
    rec = {"owner_org_number": None, "fields_raw": {"Projektägare organisationsnummer": "123"}}
    enrich(rec)
    assert rec["owner_legal_form"] is None


def test_unused_first_digit():
    rec = {"owner_org_number": "412345-6789"}
    msgs = enrich(rec)
    assert rec["owner_legal_form"] is None
    assert msgs == ["owner_org_number: first digit 4 is not a known organisation-number group"]


@pytest.mark.parametrize("owner", ["UMEÅ KOMMUN", "Österåkers kommun, Stats och kommunled",
                                   "Kommunalförbundet Sydarkivera", "REGION VÄSTERBOTTEN",
                                   "Region Uppsala, Avdelningen för regional utveckling"])
def test_municipal_owner_outside_group_2(owner):
    msgs = enrich({"owner_name": owner, "owner_org_number": "556677-8899"})
    assert len(msgs) == 1 and msgs[0].startswith("owner_org_number: owner ")
    assert "not in group 2" in msgs[0]
    assert enrich({"owner_name": owner, "owner_org_number": "212000-2627"}) == []


def test_kommunal_union_is_not_a_municipality():
    assert enrich({"owner_name": "KOMMUNAL", "owner_org_number": "802004-2469"}) == []
    assert enrich({"owner_name": "REGIONAL UTVECKLING I NORR AB",
                   "owner_org_number": "556677-8899"}) == []


# --------------------------------------------------------------------------- NUTS / region


def test_nuts_region_mismatch_message():
    msgs = enrich({"region": "Stockholm", "nuts2_code": "SE33"})
    assert msgs == ["nuts2_code: SE33 does not match region 'Stockholm' (expects SE11)"]


@pytest.mark.parametrize(("region", "code"), [
    ("Stockholm", "SE11"), ("Östra Mellansverige", "SE12"), ("Småland och Öarna", "SE21"),
    ("Sydsverige", "SE22"), ("Västsverige", "SE23"), ("Norra Mellansverige", "SE31"),
    ("Mellersta Norrland", "SE32"), ("Övre Norrland", "SE33")])
def test_nuts_region_match(region, code):
    rec = {"region": region, "nuts2_code": code}
    assert enrich(rec) == []
    assert rec["nuts2_name"] == CL.nuts2_names()[code]


def test_national_region():
    national = Published(nuts2_national=True)   # the page's NUTS-2 field said SE0
    assert enrich({"region": "ESF Nationellt", "nuts2_code": None}, national) == []
    assert enrich({"region": "ESF Nationellt", "nuts2_code": "SE33"}) == [
        "nuts2_code: SE33 does not match region 'ESF Nationellt' (expects none)"]
    assert enrich({"region": "Stockholm", "nuts2_code": None}, national) == [
        "nuts2_code: SE0 (national) does not match region 'Stockholm' (expects SE11)"]


def test_historical_region_name():
    assert enrich({"region": "Skåne-Blekinge", "programme_period": "2007-2013"}) == []
    assert enrich({"region": "Skåne-Blekinge", "nuts2_code": "SE33"}) == [
        "nuts2_code: SE33 does not match region 'Skåne-Blekinge' (expects SE22)"]


def test_unknown_region():
    assert enrich({"region": "Atlantis"}) == ["region: 'Atlantis' is not a known ESF Council region"]


# --------------------------------------------------------------------------- code lists


def test_codelist_loader_basics():
    assert CL.nuts2_names()["SE33"] == "Övre Norrland"
    assert len(CL.read_csv("se_kommuner.csv")) == 290
    assert len(CL.municipalities()) == 290
    assert len(CL.counties()) == 21


@pytest.mark.parametrize(("text", "high"), [
    ("high", True), ("high (label)", True), ("high (a-e checked against German text)", True),
    ("medium", False), ("medium-high (recalled; consistent …)", False), ("low", False),
    ("code high / SO medium", False), ("code high / suffix meaning inferred", False), ("", False),
])
def test_is_high_confidence(text, high):
    assert CL.is_high_confidence(text) is high


def test_compiled_lists_have_source_and_confidence():
    for name in ("se_organisations.csv", "se_specific_objective_labels.csv",
                 "se_kommuner_common_words.csv"):
        for row in CL.read_csv(name):
            assert row["source"].strip() and row["confidence"].strip(), (name, row)
    kommuner = {r["kommun"] for r in CL.read_csv("se_kommuner.csv")}
    aliases = {r["alias"] for r in CL.read_csv("se_kommuner_alternate_names.csv")}
    for row in CL.read_csv("se_kommuner_common_words.csv"):
        assert row["name"] in kommuner | aliases
        assert row["rule"] in ("cap", "strict")
    for row in CL.read_csv("se_organisations.csv"):
        assert row["case"] in ("any", "cap", "exact")


def test_codelists_markdown():
    md = CL.codelists_markdown()
    assert md.startswith("## Code lists")
    files = sorted(p.name for p in (ROOT / "extract" / "codelists").glob("*.csv"))
    for f in files:
        assert f"### `{f}`" in md, f
    assert "`175` Outermost regions" in md
    line_175 = next(line for line in md.splitlines() if line.startswith("- `175`"))
    assert "**unverified**" in line_175
    assert not any(line.startswith("- `163`") for line in md.splitlines())   # high confidence
    assert "CELEX 32021R1060" in md


# --------------------------------------------------------------------------- what enrichment reads


def test_enrichment_reads_typed_columns_not_label_text():
    """fields_raw is the audit trail: enrichment does not look labels up in it."""
    typed = {"programme_period": "2007-2013", "programme_area": "1", "region": "Stockholm",
             "owner_org_number": None, "owner_name": "FIRMA ANDERSSON"}
    with_raw = dict(typed, fields_raw={
        "Programområde": "Programområde 1 Kompetensförsörjning", "NUTS-2 kod": "SE0",
        "Projektägare organisationsnummer": "[personnummer maskerat]"})
    assert enrich(with_raw) == enrich(dict(typed)) == []
    assert with_raw["programme_area_label"] is None and with_raw["owner_legal_form"] is None


def test_an_esf_plus_area_letter_names_the_code_lists_period():
    rec = {"programme_area": "D", "specific_objective": "D1"}
    assert enrich(rec) == []
    assert rec["programme_area_label"] == "Öka kapaciteten i den glesa geografin"
    assert rec["specific_objective_label"] == "Öka kapaciteten i den glesa geografin"
