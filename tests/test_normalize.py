"""Normalizers: unit cases and hypothesis properties for dates, amounts, org numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from projektbank.extract import identifiers as ids
from projektbank.extract import normalize as N
from projektbank.extract.schema import COLUMNS
from stdnum import luhn


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-01-02", date(2023, 1, 2)),
    ("2023-1-2", date(2023, 1, 2)),
    ("2 januari 2023", date(2023, 1, 2)),
    ("31 december 2024", date(2024, 12, 31)),
    ("1 okt. 2022", date(2022, 10, 1)),
    ("2023/01/02", date(2023, 1, 2)),
    ("02.01.2023", date(2023, 1, 2)),
    ("20230102", date(2023, 1, 2)),
    ("", None),
])
def test_dates(text, expected):
    value, message = N.date_value(text)
    assert value == expected
    assert message is None


def test_invalid_date_gives_message():
    value, message = N.date_value("2023-02-30")
    assert value is None and "not a valid date" in message


def test_dateparser_fallback_is_counted():
    value, message = N.date_value("januari 2, 2023")
    assert value == date(2023, 1, 2)
    assert N.FALLBACK_NOTE in message


def test_unparseable_date():
    value, message = N.date_value("snart")
    assert value is None and message


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_date_roundtrip_iso_and_swedish(d):
    months = {v: k for k, v in N.MONTHS.items() if len(k) > 4 or k in ("mars", "maj", "juni", "juli")}
    assert N.date_value(d.isoformat()) == (d, None)
    assert N.date_value(f"{d.day} {months[d.month]} {d.year}") == (d, None)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2020-01-01 - 2021-12-31", date(2020, 1, 1), date(2021, 12, 31)),
    ("2008-08-25 till 2009-02-25", date(2008, 8, 25), date(2009, 2, 25)),
    ("2008-08-25 – 2009-02-25", date(2008, 8, 25), date(2009, 2, 25)),
])
def test_period(text, start, end):
    assert N.period(text) == (start, end, [])


def test_period_without_separator():
    s, e, msgs = N.period("2020-01-01")
    assert (s, e) == (None, None) and msgs


@pytest.mark.parametrize(("text", "expected"), [
    ("10 998 524", 10998524), ("10\u00a0998\u00a0524", 10998524), ("500 000 kr", 500000),
    ("983 000 kr", 983000), ("1 234 567,00 kr", 1234567), ("0", 0), ("12345", 12345),
    ("SEK 2 000", 2000), ("2 000 SEK", 2000), ("2 000:-", 2000), ("1.234.567", 1234567),
])
def test_amounts(text, expected):
    assert N.amount_sek(text) == (expected, None)


@pytest.mark.parametrize("text", ["tio kronor", "12 34", "1,5 mnkr", "-"])
def test_bad_amounts(text):
    value, message = N.amount_sek(text)
    assert value is None and message


@given(st.integers(min_value=0, max_value=10**12),
       st.sampled_from([" ", "\u00a0", "\u202f"]), st.sampled_from(["", " kr", " SEK", "\u00a0kr"]))
def test_amount_property(n, sep, suffix):
    grouped = f"{n:,}".replace(",", sep)
    assert N.amount_sek(grouped + suffix) == (n, None)


def test_amount_with_ore_rounds_with_message():
    value, message = N.amount_sek("1 000,50 kr")
    assert value == 1000 or value == 1001
    assert "rounded" in message


@pytest.mark.parametrize(("text", "expected"), [("40%", 40.0), ("40 %", 40.0), ("62,5 %", 62.5),
                                                ("90", 90.0), ("", None)])
def test_percent(text, expected):
    assert N.percent(text) == (expected, None)


def test_percent_bad():
    assert N.percent("fyrtio")[0] is None


@pytest.mark.parametrize(("text", "expected"), [("Ja", True), ("Nej", False), ("ja", True),
                                                ("NEJ", False), ("", None)])
def test_yes_no(text, expected):
    assert N.yes_no(text) == (expected, None)


def test_yes_no_bad():
    value, message = N.yes_no("Kanske")
    assert value is None and message


@pytest.mark.parametrize(("text", "expected"), [
    ("2220001289", "222000-1289"), ("222000-1289", "222000-1289"),
    ("16 222000-1289", "222000-1289"), ("162220001289", "222000-1289")])
def test_org_number(text, expected):
    assert N.org_number(text) == (expected, None)


def test_org_number_bad_check_digit():
    value, message = N.org_number("2220001288")
    assert value is None and "check digit" in message


def test_personnummer_is_masked_not_returned():
    value, message = N.org_number("7811052385")
    assert value is None and "personnummer" in message
    assert N.is_personnummer("7811052385")
    assert N.is_personnummer("197811052385")
    assert not N.is_personnummer("2220001289")


@st.composite
def org_numbers(draw):
    body = draw(st.integers(min_value=0, max_value=10**9 - 1))
    digits = f"{body:09d}"
    third = draw(st.integers(min_value=2, max_value=9))
    digits = digits[:2] + str(third) + digits[3:]
    return digits + luhn.calc_check_digit(digits)


@given(org_numbers(), st.sampled_from(["", "-", " - ", " "]))
def test_org_number_property(number, sep):
    text = number[:6] + sep + number[6:]
    assert N.org_number(text) == (f"{number[:6]}-{number[6:]}", None)
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert N.org_number(wrong)[0] is None


@pytest.mark.parametrize(("text", "expected"), [("92381", "923 81"), ("923 81", "923 81"),
                                                ("SE-923 81", "923 81")])
def test_postal_code(text, expected):
    assert N.postal_code(text) == (expected, None)


def test_postal_code_bad():
    assert N.postal_code("9238")[0] is None


def test_nuts():
    assert N.nuts2("SE33") == ("SE33", None)
    value, message = N.nuts2("SE0")
    assert value is None and "not a NUTS code" in message
    assert N.nuts2("SE99")[0] is None


@pytest.mark.parametrize(("text", "expected"), [
    ("D", "D"), ("1", "1"), ("Programområde 1 Kompetensförsörjning", "1"),
    ("Programområde 2 Öka övergångarna till arbete", "2"), ("a", "A")])
def test_programme_area(text, expected):
    assert N.programme_area(text) == (expected, None)


@pytest.mark.parametrize(("text", "expected"), [("175", "175"), ("175 Stöd till …", "175")])
def test_intervention_code(text, expected):
    assert N.intervention_code(text) == (expected, None)


def test_integer():
    assert N.integer("0") == (0, None)
    assert N.integer("1 240") == (1240, None)
    assert N.integer("många")[0] is None


def test_diarienummer_period():
    assert ids.period_of_diarienummer("22-021-S03") == "2021-2027"
    assert ids.period_of_diarienummer("2019/00492") == "2014-2020"
    assert ids.period_of_diarienummer("x") is None


def test_every_column_names_a_normalizer_and_every_normalizer_a_column():
    named = {c.normalizer for c in COLUMNS if c.normalizer}
    assert named == set(N.NORMALIZERS)
    assert set(N.NORMALIZER_OF) == {c.name for c in COLUMNS if c.normalizer}
    assert all(N.NORMALIZER_OF[c.name] is N.NORMALIZERS[c.normalizer]
               for c in COLUMNS if c.normalizer)


@pytest.mark.parametrize("change", ["misspelt", "unused"])
def test_a_registry_out_of_step_with_the_schema_stops_the_import(change, monkeypatch):
    registry = dict(N.NORMALIZERS)
    if change == "misspelt":
        registry["amount"] = registry.pop("amount_sek")   # a column names `amount_sek`
    else:
        registry["currency"] = N.text                     # no column names it
    monkeypatch.setattr(N, "NORMALIZERS", registry)
    with pytest.raises(ImportError, match="amount_sek" if change == "misspelt" else "currency"):
        N._by_column()


def test_programme_area_name_and_national_nuts():
    assert N.programme_area_name("Programområde 1 Kompetensförsörjning") == "Kompetensförsörjning"
    assert N.programme_area_name("2: Öka övergångarna till arbete") == "Öka övergångarna till arbete"
    assert N.programme_area_name("D") is None
    assert N.is_national_nuts("SE0") and N.is_national_nuts("se 0")
    assert not N.is_national_nuts("SE01")
