"""Blind test corpus: pages in markups, chromes and layouts the extractor was not built on.

samples/unseen/<name>.html|.txt, with <name>.meta.json (url, fetched_at, headers) and
<name>.expected.json (the record a perfect extractor gives: the columns each page is about written
by hand, the rest of the record added by `bench/parse_fixtures.py --update`). One test per page
per field, ids `name::field`, as in test_samples.py, and every column pinned; plus validation
messages and a check that personal data (contact names, e-mail addresses, phone numbers) appears
nowhere in the record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLES, check_field, check_validation_columns, extract_sample
from test_samples import FIXTURE_KEYS, unpinned_columns

UNSEEN = SAMPLES / "unseen"


def unseen_cases(*, reject: bool = False) -> list[tuple[str, Path, dict]]:
    cases = []
    for exp in sorted(UNSEEN.glob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        pages = [p for p in UNSEEN.glob(stem + ".*") if p.suffix in (".html", ".htm", ".txt")]
        assert len(pages) == 1, f"expected one page for {exp}"
        expected = json.loads(exp.read_text(encoding="utf-8"))
        if bool(expected.get("reject")) is not reject:
            continue  # {"reject": true}: a page that must give no record (see the end of file)
        cases.append((stem, pages[0], expected))
    return cases


CASES = unseen_cases()

FIELD_CASES = [
    pytest.param(path, column, value, id=f"{name}::{column}")
    for name, path, expected in CASES
    for column, value in expected.items()
    if column not in FIXTURE_KEYS
]

# Personal data published on the page; none of it may reach any column of the record.
PERSONAL = {
    "esf1420_dlwrapped_2018-00211_encodedurl": [
        "Lena Exempeldotter", "lena.exempeldotter@hylte.se"],
    "esf1420_drupal_h4p_2016-00345": ["Jonas Exempelsson", "jonas.exempelsson@orebro.se"],
    "esf1420_descfirst_plainp_2017-00502": [
        "Maria Exempelberg", "maria.exempelberg@jonkoping.se"],
    "esf1420_xhtml_xmldecl_2015-00733": ["Sara Exempelhed", "sara.exempelhed@stockholm.se"],
    "esf1420_textrender_2016-00412": ["Ahmed Exempelsson", "ahmed.exempelsson@kalmar.se"],
    "esf0713_aspnet_skane-blekinge_framtidsvagen-landskrona": [
        "Erik Exempelström", "erik.exempelstrom@landskrona.se", "0418-47 31 99"],
    "esf0713_textglued_mellersta-norrland_lyftet-ostersund": [
        "Karl Exempelgren", "karl.exempelgren@ostersund.se", "063-14 30 99"],
}
PERSONAL_LABELS = ("Kontaktperson", "E-post", "Telefonnummer", "Telefon")


def _path(name: str) -> Path:
    return next(path for n, path, _ in CASES if n == name)


def test_there_are_enough_unseen_pages():
    assert len(CASES) >= 14
    periods = {exp["programme_period"] for _, _, exp in CASES}
    assert periods == {"2007-2013", "2014-2020", "2021-2027"}
    assert set(PERSONAL) <= {name for name, _, _ in CASES}


@pytest.mark.parametrize(("path", "column", "expected"), FIELD_CASES)
def test_unseen_field(path, column, expected):
    check_field(path, column, expected)


@pytest.mark.parametrize("expected", [pytest.param(exp, id=name) for name, _, exp in CASES])
def test_unseen_fixture_pins_the_whole_record(expected):
    assert unpinned_columns(expected) == []


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(path, exp.get("validation_columns", []), id=name) for name, path, exp in CASES])
def test_unseen_validation_messages(path, expected):
    check_validation_columns(path, expected)


@pytest.mark.parametrize(("name", "strings"), [
    pytest.param(name, strings, id=name) for name, strings in PERSONAL.items()])
def test_unseen_personal_data_not_in_record(name, strings):
    ex = extract_sample(_path(name))
    assert ex.record is not None, ex.reject_reason
    dumped = json.dumps(ex.record, ensure_ascii=False, default=str)
    leaked = [s for s in strings if s in dumped]
    assert not leaked, leaked
    for column in ("fields_raw", "extra_fields"):
        keys = {k.casefold() for k in (ex.record[column] or {})}
        assert not keys & {label.casefold() for label in PERSONAL_LABELS}, (column, keys)


# ---------------------------------------------------------------------------------------
# Batch 2 (samples/unseen/b2_*): pages that must give no record, and personal data on
# b2 pages. An expected file `{"reject": true}` means: no record, a reject reason.
# ---------------------------------------------------------------------------------------

REJECT_CASES = unseen_cases(reject=True)

B2_PERSONAL = {
    "b2_esf1420_dt_multidd_2016-00288": [
        "Johan Exempelsson", "johan.exempelsson@malmo.se", "040-34 10 99"],
    "b2_esf1420_caption_table_sek_rate_2016-00154": [
        "Anna Exempelsdotter", "anna.exempelsdotter@falun.se"],
    "b2_esf1420_label_output_fullwidthcolon_2017-00611": [
        "Nils Exempelsson", "nils.exempelsson@regionvasterbotten.se"],
    "b2_esf1420_utf8bom_nocharset_drupalviews_2018-00402": [
        "Petra Exempelqvist", "petra.exempelqvist@norrkoping.se"],
    "b2_esf1420_latin1meta_cp1252bytes_2015-00219": [
        "Eva Exempelström", "eva.exempelstrom@gotland.se"],
    "b2_esf0713_titleh1differ_vastsverige_steg-for-steg-boras": [
        "Lars Exempelberg", "lars.exempelberg@boras.se", "033-35 70 99"],
}


def test_b2_reject_pages_present():
    assert len(REJECT_CASES) >= 3
    assert set(B2_PERSONAL) <= {name for name, _, _ in CASES}


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(path, exp, id=name) for name, path, exp in REJECT_CASES])
def test_unseen_reject(path, expected):
    ex = extract_sample(path)
    assert ex.record is None, {k: ex.record.get(k) for k in ("project_id", "project_name")}
    assert ex.reject_reason
    assert ex.reject_reason == expected["reject_reason"]   # pinned like a record's columns


@pytest.mark.parametrize(("name", "strings"), [
    pytest.param(name, strings, id=name) for name, strings in B2_PERSONAL.items()])
def test_unseen_b2_personal_data_not_in_record(name, strings):
    test_unseen_personal_data_not_in_record(name, strings)


# ---------------------------------------------------------------------------------------
# --- b3: batch 3 (samples/unseen/b3_*). Field values and validation messages are checked by
# the generic tests above; here: that the batch is there, and personal data on b3 pages.
# Notes on each b3 page's expectations: samples/unseen/<name>.notes.md (not a page suffix,
# so neither these tests nor `projektbank extract samples/` read them as pages).
# ---------------------------------------------------------------------------------------

B3_PERSONAL = {
    "b3_esf1420_hiddenprintcopy_2018-00633": [
        "Sofia Exempelsson", "sofia.exempelsson@vasteras.se"],
    "b3_esf1420_th_helpcolumn_2019-00812": [
        "Oskar Exempelsson", "oskar.exempelsson@linkoping.se"],
    "b3_esf1420_printversion_2017-00745": [
        "Henrik Exempelsson", "henrik.exempelsson@karlstad.se"],
    "b3_esf1420_endash_nospace_dotamount_colondash_2016-00517": [
        "Malin Exempelsson", "malin.exempelsson@eskilstuna.se"],
    "b3_esf1420_html4_uppercase_font_2015-00488": [
        "Per Exempelsson", "per.exempelsson@borlange.se"],
    "b3_esf0713_regiondisagree_ovre-norrland_fjallvagen": [
        "Anders Exempelsson", "anders.exempelsson@krokom.se", "0640-161 99"],
}


def test_b3_batch_present():
    b3 = {name for name, _, _ in CASES if name.startswith("b3_")}
    assert len(b3) >= 14
    assert set(B3_PERSONAL) <= b3


@pytest.mark.parametrize(("name", "strings"), [
    pytest.param(name, strings, id=name) for name, strings in B3_PERSONAL.items()])
def test_unseen_b3_personal_data_not_in_record(name, strings):
    test_unseen_personal_data_not_in_record(name, strings)
