"""parse_page on markups, label orders and inputs the samples do not have.

The block must be found by its labels whatever the tags; labels outside it are not fields;
bad input gives a reject reason, never an exception.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from projektbank.extract import parse_page
from projektbank.extract.personal import MASKED_PERSONNUMMER

URL = "https://www.esf.se/resultat/projektbanken/projekt/?dnr=23-107-S04"
WHEN = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)

FIELDS = [
    ("Diarienummer", "23-107-S04"), ("Namn", "Vägar in i vården"),
    ("Projektägare", "GÄVLE KOMMUN"), ("Projektägare organisationsnummer", "2120003468"),
    ("Startdatum", "2023-09-01"), ("Slutdatum", "2026-08-31"),
    ("Unionens medfinansieringsgrad", "60 %"), ("Programområde", "A"), ("Specifikt mål", "A2B"),
    ("Region", "Norra Mellansverige"), ("NUTS-2 kod", "SE31"), ("Stödmottagare postnr", "80184"),
    ("Stödmottagare ort", "GÄVLE"), ("Interventionstyp", "140"), ("Antal deltagare", "120"),
    ("Sekundärtema - Motverka barnfattigdom", "Nej"), ("Insats av strategisk betydelse", "Ja"),
    ("Land som berörs", "Sverige"), ("Berörd fond", "ESF+"), ("Program CCI", "2021SE05SFPR"),
]
DESCRIPTION = ["Projektet ska ge fler vuxna en väg in i vårdyrken i Gävle och Sandviken.",
               "Deltagarna får språkstöd, praktik och handledning."]

CHROME_TOP = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">
<title>{title}</title><script type="application/ld+json">{{"name": "Namn: fel"}}</script>
<style>.x{{color:red}}</style></head><body>
<div class="cookie-notice"><p>Cookies</p><p>Den här hemsidan använder cookies.</p></div>
<header class="site-header"><nav><ul><li><a href="/region/">Region</a></li>
<li><a href="/po/">Programområde</a></li><li><a href="/namn/">Namn</a></li>
<li><a>Projektägare</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">Start</a> / Projektbanken</div>"""
CHROME_BOTTOM = """<footer><p>Telefon:</p><p>08-579 171 00</p><p>Organisationsnummer:</p>
<p>202100-5349</p><p>Region:</p><p>Stockholm</p><p>Namn:</p><p>ESF-rådet</p></footer>
</body></html>"""


def block(markup: str, fields: list[tuple[str, str]]) -> str:
    if markup == "dl":
        return "<dl>" + "".join(f"<dt>{k}:</dt><dd>{v}</dd>" for k, v in fields) + "</dl>"
    if markup == "table":
        return "<table><tbody>" + "".join(
            f"<tr><th scope='row'>{k}</th><td>{v}</td></tr>" for k, v in fields) + "</tbody></table>"
    if markup == "grid":
        return "".join(f"<div class='row'><div class='col-4'>{k}</div><div class='col-8'>{v}</div></div>"
                       for k, v in fields)
    if markup == "pbr":
        return "".join(f"<p><b>{k}:</b><br>{v}</p>" for k, v in fields)
    if markup == "li":
        return "<ul>" + "".join(f"<li><strong>{k}:</strong> {v}</li>" for k, v in fields) + "</ul>"
    if markup == "spans":
        return "".join(f"<span class='k'>{k}:</span><span class='v'>{v}</span><br>" for k, v in fields)
    if markup == "sections":
        return "".join(f"<section><h3>{k}</h3><div><span>{v}</span></div></section>" for k, v in fields)
    if markup == "inline-text":
        return "<div>" + "".join(f"{k}: {v}<br>" for k, v in fields) + "</div>"
    if markup == "upper-nbsp":
        return "<dl>" + "".join(f"<dt>{k.upper().replace(' ', '&nbsp;')}&nbsp;:</dt><dd>\n  {v}\n</dd>"
                                for k, v in fields) + "</dl>"
    raise ValueError(markup)


def page(markup: str, fields=FIELDS, description=DESCRIPTION, main=True) -> bytes:
    title = f"{fields[0][1]} - Vägar in i vården"
    body = (f"<h1>{title}</h1>" + block(markup, fields)
            + "".join(f"<p>{p}</p>" for p in description)
            + "<div class='share'><p>Dela sidan</p></div>")
    if main:
        body = f"<main id='content'><article>{body}</article></main>"
    return (CHROME_TOP.format(title=title) + body + CHROME_BOTTOM).encode()


MARKUPS = ["dl", "table", "grid", "pbr", "li", "spans", "sections", "inline-text", "upper-nbsp"]


@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("main", [True, False])
def test_markups_give_the_same_record(markup, main):
    fields = FIELDS[:]
    random.Random(markup).shuffle(fields)  # label order differs between snapshots
    ex = parse_page(URL, page(markup, fields, main=main), WHEN)
    assert ex.record is not None, ex.reject_reason
    r = ex.record
    assert r["project_id"] == "23-107-S04"
    assert r["programme_period"] == "2021-2027"
    assert r["project_name"] == "Vägar in i vården"
    assert r["owner_org_number"] == "212000-3468"
    assert r["start_date"] == date(2023, 9, 1) and r["end_date"] == date(2026, 8, 31)
    assert r["eu_cofinancing_rate_pct"] == 60.0
    assert r["participants"] == 120 and r["strategic_importance"] is True
    assert r["child_poverty_theme"] is False
    assert r["beneficiary_postal_code"] == "801 84" and r["nuts2_code"] == "SE31"
    assert r["description"] == "\n\n".join(DESCRIPTION)
    assert len(r["fields_raw"]) == len(FIELDS)
    assert r["extra_fields"] == {}
    assert not [m for m in ex.messages if not m.startswith(("municipalities", "organisations"))
                and m not in ex.enrichment_messages]


def test_labels_outside_the_block_are_not_fields():
    ex = parse_page(URL, page("dl"), WHEN)
    raw = ex.record["fields_raw"]
    assert "Telefon" not in raw and "Organisationsnummer" not in raw
    assert raw["Region"] == "Norra Mellansverige"
    assert raw["Namn"] == "Vägar in i vården"


def test_unknown_label_in_block_goes_to_extra_fields():
    fields = FIELDS[:5] + [("Samverkanspart", "Region Gävleborg")] + FIELDS[5:]
    ex = parse_page(URL, page("dl", fields), WHEN)
    assert ex.record["extra_fields"] == {"Samverkanspart": "Region Gävleborg"}
    assert ex.unknown_labels == ["Samverkanspart"]
    assert any(m.startswith("extra_fields:") for m in ex.messages)


def test_unknown_label_at_block_end_is_kept():
    fields = FIELDS + [("Senast ändrad", "2024-05-01")]
    ex = parse_page(URL, page("dl", fields), WHEN)
    assert ex.record["extra_fields"] == {"Senast ändrad": "2024-05-01"}
    assert ex.record["description"] == "\n\n".join(DESCRIPTION)


def test_empty_values():
    fields = [(k, "" if k in ("Stödmottagare ort", "Antal deltagare") else v) for k, v in FIELDS]
    for markup in ("dl", "table", "pbr"):
        ex = parse_page(URL, page(markup, fields), WHEN)
        r = ex.record
        assert r["beneficiary_city"] is None and r["participants"] is None, markup
        assert r["fields_raw"]["Stödmottagare ort"] == "", markup
        assert r["interventi" + "on_field_code"] == "140"


def test_personnummer_is_masked_everywhere():
    fields = [(k, "7811052385" if k == "Projektägare organisationsnummer" else v) for k, v in FIELDS]
    ex = parse_page(URL, page("dl", fields), WHEN)
    assert ex.record["owner_org_number"] is None
    assert ex.record["fields_raw"]["Projektägare organisationsnummer"] == MASKED_PERSONNUMMER
    assert "7811052385" not in repr(ex.record)


@pytest.mark.parametrize("label", ["Projektägare organisationsnummer", "Projektägare org.nr."])
def test_a_personnummer_owner_is_a_sole_trader_under_any_spelling(label):
    """Enrichment reads what the field said, not a label's text: every spelling counts."""
    fields = [(label if k == "Projektägare organisationsnummer" else k,
               "7811052385" if k == "Projektägare organisationsnummer" else v) for k, v in FIELDS]
    rec = parse_page(URL, page("dl", fields), WHEN).record
    assert rec["owner_org_number"] is None and rec["fields_raw"][label] == MASKED_PERSONNUMMER
    assert rec["owner_legal_form"] == "Enskild näringsidkare"


def test_personal_data_is_not_written():
    fields = FIELDS + [("Kontaktperson", "Anna Andersson"), ("E-post", "anna@example.se"),
                       ("Telefonnummer", "070-123 45 67")]
    ex = parse_page(URL, page("table", fields), WHEN)
    text = repr(ex.record)
    assert "Anna" not in text and "anna@" not in text and "070-123" not in text
    assert sorted(ex.ignored_labels) == ["E-post", "Kontaktperson", "Telefonnummer"]


def test_windows_1252_without_declaration():
    html = page("dl").decode().replace('<meta charset="utf-8">', "")
    ex = parse_page(URL, html.encode("cp1252"), WHEN)
    assert ex.record["owner_name"] == "GÄVLE KOMMUN"
    assert ex.record["project_name"] == "Vägar in i vården"


def test_declared_charset_that_lies_falls_back():
    html = page("dl").decode()
    ex = parse_page(URL, html.encode("cp1252"), WHEN, {"Content-Type": "text/html; charset=utf-8"})
    assert ex.record["owner_name"] == "GÄVLE KOMMUN"
    assert any(m.startswith("encoding:") for m in ex.messages)


def test_same_bytes_same_record():
    body = page("grid")
    assert parse_page(URL, body, WHEN).record == parse_page(URL, body, WHEN).record


def test_glued_2007_text_rendering():
    text = ("Äldreliv Nordost\n\nProgramområdeProgramområde 1 Kompetensförsörjning\n"
            "ProjektfasGenomförande\nProjektägareÖsteråkers kommun\nKontaktperson[namn]\n"
            "Beviljat ESF-stöd983 000 kr\nTotal projektbudget1 966 000 kr\n"
            "Projektperiod2009-01-01 till 2010-06-30\nRegionStockholm\nIn English\n\n"
            "Sammanfattning\n\nProjektet ska utveckla äldreomsorgen.\n\n"
            "Bakgrund\n\nRegionen har brist på undersköterskor.\n")
    url = "https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/Stockholm/Aldreliv-Nordost/"
    r = parse_page(url, text.encode(), WHEN, {"Content-Type": "text/plain"}).record
    assert r["project_id"] == "ESF0713:stockholm/aldreliv-nordost"
    assert r["programme_period"] == "2007-2013"
    assert r["project_name"] == "Äldreliv Nordost"
    assert r["programme_area"] == "1" and r["project_phase"] == "Genomförande"
    assert r["esf_grant_sek"] == 983000 and r["total_budget_sek"] == 1966000
    assert r["end_date"] == date(2010, 6, 30)
    assert r["description"] == ("Sammanfattning\n\nProjektet ska utveckla äldreomsorgen.\n\n"
                                "Bakgrund\n\nRegionen har brist på undersköterskor.")
    assert "Kontaktperson" not in r["fields_raw"]


def test_dnr_from_heading_and_url_when_no_label():
    fields = [(k, v) for k, v in FIELDS if k not in ("Diarienummer", "Projektnummer")]
    r = parse_page(URL, page("dl", [("Namn", "Vägar in i vården")] + fields[1:]), WHEN).record
    assert r["project_id"] == "23-107-S04"  # from the heading
    url = "https://www.esf.se/resultat/projektbanken/projekt/?dnr=2019%2F00492"
    html = page("dl", fields).replace(b"<h1>", b"<h1 hidden>")
    r = parse_page(url, html, WHEN).record
    assert r["project_id"] == "2019/00492"


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty"),
    (b"   \n ", "empty"),
    (bytes(range(256)) * 40, "binary"),
    ("<html><body><h1>Nyhet</h1><p>Region: Stockholm</p><p>Idag beviljades 40 projekt "
     "stöd.</p><p>Telefon: 08-1</p></body></html>".encode(), "no project block"),
])
def test_bad_input_is_a_reject(body, reason):
    ex = parse_page(URL, body, WHEN)
    assert ex.record is None and reason in ex.reject_reason


def test_truncated_page_still_gives_what_it_has():
    body = page("dl")
    cut = body[: body.index(b"Interventionstyp")]
    ex = parse_page(URL, cut, WHEN)
    assert ex.record is not None and ex.record["project_id"] == "23-107-S04"
    assert ex.record["intervention_field_code"] is None


def test_end_before_start_is_flagged():
    fields = [(k, "2020-01-01" if k == "Slutdatum" else v) for k, v in FIELDS]
    ex = parse_page(URL, page("dl", fields), WHEN)
    assert any(m.startswith("end_date:") for m in ex.messages)


def test_facts_in_a_sidebar_and_description_in_main():
    facts = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in FIELDS)
    html = (CHROME_TOP.format(title="x") + "<div class='layout'><main><h1>23-107-S04 - Vägar in i "
            "vården</h1>" + "".join(f"<p>{p}</p>" for p in DESCRIPTION) + "</main>"
            f"<aside class='sidebar project-facts'><dl>{facts}</dl></aside></div>" + CHROME_BOTTOM)
    ex = parse_page(URL, html.encode(), WHEN)
    assert ex.record["project_name"] == "Vägar in i vården"
    assert ex.record["nuts2_code"] == "SE31"
    assert ex.record["description"] == "\n\n".join(DESCRIPTION)


def test_description_before_the_facts():
    facts = "".join(f"<tr><td>{k}:</td><td>{v}</td></tr>" for k, v in FIELDS)
    html = (CHROME_TOP.format(title="x") + "<div id='content'><h1>23-107-S04 - Vägar in i vården</h1>"
            + "".join(f"<p>{p}</p>" for p in DESCRIPTION) + f"<h2>Fakta</h2><table>{facts}</table>"
            "</div>" + CHROME_BOTTOM)
    ex = parse_page(URL, html.encode(), WHEN)
    assert ex.record["participants"] == 120
    assert ex.record["description"] == "\n\n".join(DESCRIPTION)  # not the box heading "Fakta"


def test_multi_paragraph_value_keeps_the_block_whole():
    fields = FIELDS[:10] + [("Stödmottagarens adress", "<p>Rådhuset</p><p>Drottninggatan 1</p>"
                                                        "<p>Box 801</p><p>801 84 Gävle</p>")] + FIELDS[10:]
    ex = parse_page(URL, page("dl", fields), WHEN)
    r = ex.record
    assert r["beneficiary_address"] == "Rådhuset Drottninggatan 1 Box 801 801 84 Gävle"
    assert len(r["fields_raw"]) == len(fields)
    assert r["description"] == "\n\n".join(DESCRIPTION)


def test_decomposed_unicode_is_composed():
    import unicodedata

    html = unicodedata.normalize("NFD", page("dl").decode())
    r = parse_page(URL, html.encode(), WHEN).record
    assert r["owner_name"] == "GÄVLE KOMMUN"
    assert r["fields_raw"]["Projektägare"] == "GÄVLE KOMMUN"


def test_header_row_table_pairs_by_position_even_with_an_empty_cell():
    head = ["Diarienummer", "Namn", "Stödmottagare ort", "Projektägare", "Startdatum"]
    vals = ["23-107-S04", "Vägar in i vården", "", "GÄVLE KOMMUN", "2023-09-01"]
    rest = [(k, v) for k, v in FIELDS if k not in head]
    table = ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>"
             "<tbody><tr>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr></tbody></table>")
    html = page("dl", rest).replace(b"<dl>", table.encode() + b"<dl>")
    r = parse_page(URL, html, WHEN).record
    assert r["owner_name"] == "GÄVLE KOMMUN" and r["start_date"] == date(2023, 9, 1)
    assert r["fields_raw"]["Stödmottagare ort"] == "" and r["beneficiary_city"] is None
    assert r["nuts2_code"] == "SE31"


def test_empty_table_cell_is_an_empty_value():
    fields = [(k, "" if k == "Antal deltagare" else v) for k, v in FIELDS]
    r = parse_page(URL, page("table", fields), WHEN).record
    assert r["participants"] is None and r["fields_raw"]["Antal deltagare"] == ""
    assert r["strategic_importance"] is True


def test_2007_english_text_before_the_swedish_sections_is_not_description():
    html = ("<html><body><h1>Nya vägar</h1><div><span>Programområde</span><span>Programområde 1 "
            "Kompetensförsörjning</span></div><div><span>Projektfas</span><span>Genomförande</span>"
            "</div><div><span>Projektägare</span><span>Karlstads kommun</span></div>"
            "<div><span>Region</span><span>Norra Mellansverige</span></div>"
            "<h2>In English</h2><p>New ways in Värmland.</p><h2>Sammanfattning</h2>"
            "<p>Projektet ger nya vägar.</p></body></html>")
    url = "https://www.esf.se/sv/Resultat/Projektbanken/Behallare-for-projekt/Varmland/Nya-vagar/"
    r = parse_page(url, html.encode(), WHEN).record
    assert r["description"] == "Sammanfattning\n\nProjektet ger nya vägar."


def test_integer_is_not_fooled_by_a_decimal_point():
    from projektbank.extract.normalize import integer

    assert integer("12.0")[0] is None and integer("1.240") == (1240, None)


def test_personal_data_only_when_asked():
    fields = FIELDS + [("Kontaktperson", "Anna Andersson"), ("E-post", "anna@example.se")]
    body = page("table", fields)
    assert "Kontaktperson" not in parse_page(URL, body, WHEN).record["fields_raw"]
    raw = parse_page(URL, body, WHEN, personal_data=True).record["fields_raw"]
    assert raw["Kontaktperson"] == "Anna Andersson" and raw["E-post"] == "anna@example.se"
    masked = [(k, "7811052385" if k == "Projektägare organisationsnummer" else v) for k, v in fields]
    r = parse_page(URL, page("table", masked), WHEN, personal_data=True).record
    assert "7811052385" not in repr(r)  # a personnummer stays masked even then
