"""Deadline arithmetic of the retention rules: calendar months, leap days, missing dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier_format.errors import DossierError
from dossier_format.retention_rules import (
    BEWAREN,
    DEFAULT_RULES,
    FALLBACK_RULE,
    ONBEPAALD,
    VERLOPEN,
    RetentionConfig,
    RetentionFacts,
    Term,
    add_months,
    decide,
    decide_after_administratie,
    dump_config,
    facts_from_dossier,
    longest_term,
    parse_config,
    plan,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year: 31 Jan + 1 month = 29 Feb
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day + 1 year: last day of February
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # + 4 years lands on a leap day again
        (D(2023, 3, 31), 1, D(2023, 4, 30)),
        (D(2023, 12, 15), 1, D(2024, 1, 15)),  # year rollover
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
    ],
)
def test_add_months_clamps_to_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)), st.integers(0, 120))
def test_add_months_never_shortens_a_term_by_more_than_the_month_end(
    start: dt.date, months: int
) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + dt.timedelta(days=1)).day == 1)


def test_term_parse_and_add() -> None:
    assert Term.parse("5 jaar").after(D(2020, 8, 1)) == D(2025, 8, 1)
    assert Term.parse("8 weken").after(D(2025, 8, 1)) == D(2025, 9, 26)
    assert Term.parse("1 maand").after(D(2025, 1, 31)) == D(2025, 2, 28)
    assert Term.parse("0 dagen").after(D(2025, 1, 31)) == D(2025, 1, 31)
    assert str(Term.parse("2 Jaren")) == "2 jaar"
    for bad in ("vijf jaar", "5", "5 eeuwen", ""):
        with pytest.raises(ValueError):
            Term.parse(bad)


def left(on: dt.date, toelating: dt.date | None = None, adviezen: bool = False) -> RetentionFacts:
    return RetentionFacts(
        uitschrijving=on, toelating_vervolgschool=toelating, has_adviezen=adviezen
    )


def test_administratie_five_years_then_eight_weeks() -> None:
    facts = left(D(2020, 7, 10))
    keep = decide("ll-a", "administratie", facts, DEFAULT_RULES, D(2025, 7, 10))
    assert keep.state == BEWAREN
    assert keep.deadline == D(2025, 7, 10)
    assert keep.uiterlijk == D(2025, 9, 4)
    gone = decide("ll-a", "administratie", facts, DEFAULT_RULES, D(2025, 7, 11))
    assert gone.state == VERLOPEN and not gone.te_laat
    late = decide("ll-a", "administratie", facts, DEFAULT_RULES, D(2025, 9, 5))
    assert late.state == VERLOPEN and late.te_laat
    assert "uiterlijk 2025-09-04" in late.reason


def test_leap_day_uitschrijving_expires_on_first_of_march() -> None:
    facts = left(D(2024, 2, 29))
    on_28 = decide("ll-a", "administratie", facts, DEFAULT_RULES, D(2029, 2, 28))
    assert on_28.state == BEWAREN and on_28.deadline == D(2029, 2, 28)
    on_1_march = decide("ll-a", "administratie", facts, DEFAULT_RULES, D(2029, 3, 1))
    assert on_1_march.state == VERLOPEN


def test_okr_counts_from_admission_at_next_school() -> None:
    facts = left(D(2022, 7, 15), toelating=D(2022, 9, 1))
    assert decide("x", "okr", facts, DEFAULT_RULES, D(2024, 9, 1)).state == BEWAREN
    item = decide("x", "okr", facts, DEFAULT_RULES, D(2024, 9, 2))
    assert item.state == VERLOPEN and item.rule_ids == ("okr",)


def test_okr_without_admission_date_falls_back_to_the_longest_term() -> None:
    """An OKR whose admission date is never recorded is not kept forever: it is undetermined
    (the reason asks for the date and names the fallback date) until the pupil's longest
    other term ends (the administratie: 5 years after leaving), and expires after it."""
    facts = left(D(2020, 7, 10))
    waiting = decide("x", "okr", facts, DEFAULT_RULES, D(2025, 7, 10))
    assert waiting.state == ONBEPAALD
    assert waiting.deadline == D(2025, 7, 10)  # shown as "termijn tot"
    assert "toelating" in waiting.reason and "vul die in" in waiting.reason
    assert "2025-07-10" in waiting.reason and "administratie" in waiting.reason
    gone = decide("x", "okr", facts, DEFAULT_RULES, D(2025, 7, 11))
    assert gone.state == VERLOPEN and gone.deadline == D(2025, 7, 10)
    assert gone.rule_ids == (FALLBACK_RULE, "okr")  # the log records "vangnet"
    assert "vangnet" in gone.reason
    # Expires exactly with the administratie, so one sweep destroys both.
    admin = decide("x", "administratie", facts, DEFAULT_RULES, D(2025, 7, 11))
    assert admin.state == VERLOPEN and admin.deadline == gone.deadline
    # A recorded date always wins over the fallback (here: an earlier end).
    dated = left(D(2020, 7, 10), toelating=D(2020, 9, 1))
    assert decide("x", "okr", dated, DEFAULT_RULES, D(2022, 9, 2)).state == VERLOPEN


def test_malformed_admission_date_falls_back_too() -> None:
    facts = facts_from_dossier(
        {"inschrijving": {"uitgeschreven": "2020-07-10", "toegelaten_vervolgschool": "2020-02-30"}}
    )
    item = decide("x", "okr", facts, DEFAULT_RULES, D(2024, 1, 1))
    assert item.state == ONBEPAALD and "2020-02-30" in item.reason
    assert decide("x", "okr", facts, DEFAULT_RULES, D(2025, 7, 11)).state == VERLOPEN


def test_no_fallback_without_a_readable_date_of_leaving() -> None:
    facts = facts_from_dossier({"inschrijving": {"uitgeschreven": "2010-13-01"}})
    item = decide("x", "okr", facts, DEFAULT_RULES, D(2060, 1, 1))
    assert item.state == ONBEPAALD and item.deadline is None


def test_the_fallback_is_the_longest_term_of_the_pupil() -> None:
    long_zorg = tuple(
        replace(r, termijn=Term(7, "jaar")) if r.id == "zorg" else r for r in DEFAULT_RULES
    )
    until, rule = longest_term(left(D(2020, 1, 1)), long_zorg) or (None, None)
    assert (until, rule and rule.id) == (D(2027, 1, 1), "zorg")
    assert decide("x", "okr", left(D(2020, 1, 1)), long_zorg, D(2026, 1, 1)).state == ONBEPAALD
    assert longest_term(RetentionFacts(), DEFAULT_RULES) is None  # enrolled


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2080, 12, 31)),
    st.booleans(),
)
def test_the_fallback_never_destroys_before_every_uitschrijving_term_has_run(
    left_on: dt.date, today: dt.date, adviezen: bool
) -> None:
    facts = left(left_on, adviezen=adviezen)
    item = decide("x", "okr", facts, DEFAULT_RULES, today)
    admin = decide("x", "administratie", facts, DEFAULT_RULES, today)
    assert item.deadline == admin.deadline
    assert admin.deadline is not None
    assert item.state == (VERLOPEN if today > admin.deadline else ONBEPAALD)


def test_parts_left_after_the_administratie_keep_a_recorded_term_or_expire() -> None:
    kept = decide_after_administratie(
        "x", "zorg", D(2025, 1, 1), (D(2027, 1, 1), "zorg"), D(2026, 1, 1)
    )
    assert kept.state == BEWAREN and kept.deadline == D(2027, 1, 1) and kept.rule_ids == ("zorg",)
    late = decide_after_administratie(
        "x", "zorg", D(2025, 1, 1), (D(2027, 1, 1), "zorg"), D(2027, 1, 2)
    )
    assert late.state == VERLOPEN and late.rule_ids == ("zorg",)
    orphan = decide_after_administratie("x", "okr", D(2025, 1, 1), None, D(2025, 1, 2))
    assert orphan.state == VERLOPEN and orphan.rule_ids == (FALLBACK_RULE,)
    assert "administratie is vernietigd" in orphan.reason and "2025-01-01" in orphan.reason


def test_enrolled_pupil_keeps_everything() -> None:
    for part in ("administratie", "zorg", "okr", "werkaantekeningen/ib-1"):
        item = decide("x", part, RetentionFacts(), DEFAULT_RULES, D(2040, 1, 1))
        assert item.state == BEWAREN and item.deadline is None
        assert "ingeschreven" in item.reason


def test_zorg_two_years_or_three_with_advice_decisions() -> None:
    plain = decide("x", "zorg", left(D(2020, 6, 30)), DEFAULT_RULES, D(2022, 7, 1))
    assert plain.state == VERLOPEN and plain.rule_ids == ("zorg",)
    facts = left(D(2020, 6, 30), adviezen=True)
    advised = decide("x", "zorg", facts, DEFAULT_RULES, D(2022, 7, 1))
    assert advised.state == BEWAREN
    assert advised.deadline == D(2023, 6, 30)
    assert advised.rule_ids == ("adviezen", "zorg")  # the binding (latest) rule first


def test_werkaantekeningen_go_the_day_after_leaving() -> None:
    facts = left(D(2025, 7, 4))
    part = "werkaantekeningen/lk-7"
    assert decide("x", part, facts, DEFAULT_RULES, D(2025, 7, 4)).state == BEWAREN
    assert decide("x", part, facts, DEFAULT_RULES, D(2025, 7, 5)).state == VERLOPEN


def test_malformed_date_is_undetermined_with_reason() -> None:
    facts = facts_from_dossier({"inschrijving": {"uitgeschreven": "2020-13-45"}})
    assert "geen geldige datum" in facts.problems["uitschrijving"]
    item = decide("x", "administratie", facts, DEFAULT_RULES, D(2030, 1, 1))
    assert item.state == ONBEPAALD and "2020-13-45" in item.reason


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"inschrijving": None},
        {"inschrijving": "gisteren"},
        {"inschrijving": {"uitgeschreven": 12}},
        {"okr": [1, 2], "aanvragen": "ja"},
        {"aanvragen": [1, {"besluit": None}]},
    ],
)
def test_facts_never_raise_on_odd_shapes(data: dict[str, object]) -> None:
    facts = facts_from_dossier(data)
    for part in ("administratie", "okr", "zorg"):
        decide("x", part, facts, DEFAULT_RULES, D(2030, 1, 1))  # no exception


def test_facts_from_dossier_reads_dates_and_advice() -> None:
    facts = facts_from_dossier(
        {
            "inschrijving": {
                "uitgeschreven": D(2021, 7, 9),
                "toegelaten_vervolgschool": "2021-09-01",
            },
            "aanvragen": [{"soort": "tlv", "besluit": "toegekend"}],
        }
    )
    assert facts == RetentionFacts(D(2021, 7, 9), D(2021, 9, 1), True, {})
    pending = facts_from_dossier({"aanvragen": [{"soort": "tlv", "besluit": "open"}]})
    assert not pending.has_adviezen


def test_unknown_part_kind_is_undetermined() -> None:
    item = decide("x", "geheim", left(D(2000, 1, 1)), DEFAULT_RULES, D(2030, 1, 1))
    assert item.state == ONBEPAALD


def test_plan_sorts_and_covers_every_part() -> None:
    items = plan(
        {
            "ll-b": (left(D(2020, 1, 1)), ["zorg", "administratie"]),
            "ll-a": (RetentionFacts(), ["okr"]),
        },
        DEFAULT_RULES,
        D(2023, 1, 1),
    )
    assert [(i.pupil_id, i.part, i.state) for i in items] == [
        ("ll-a", "okr", BEWAREN),
        ("ll-b", "administratie", BEWAREN),
        ("ll-b", "zorg", VERLOPEN),
    ]
    assert items[2].to_dict()["termijn_tot"] == "2022-01-01"


def test_config_round_trip_and_school_terms() -> None:
    config = RetentionConfig(DEFAULT_RULES, "ib-1", D(2026, 11, 22))
    text = dump_config(config)
    assert parse_config(text) == config
    changed = parse_config(
        text.replace(
            "termijn: 2 jaar\n  na: uitschrijving", "termijn: 3 jaar\n  na: uitschrijving", 1
        )
    )
    zorg = next(r for r in changed.rules if r.id == "zorg")
    assert zorg.termijn == Term(3, "jaar")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("termijn: 5 jaar", "termijn: vijf jaar", "geen termijn"),
        ("onderdeel: okr", "onderdeel: rapport", "onbekend onderdeel"),
        ("na: toelating_vervolgschool", "na: geboorte", "onbekende gebeurtenis"),
        ("formaat: zorgkluis-bewaartermijnen/1", "formaat: x/9", "formaat"),
        ("id: werkaantekeningen\n", "id: zorg\n", "twee keer"),
    ],
)
def test_config_errors_are_dutch(old: str, new: str, message: str) -> None:
    text = dump_config(RetentionConfig(DEFAULT_RULES, "ib-1", D(2026, 11, 22)))
    assert old in text
    with pytest.raises(DossierError) as info:
        parse_config(text.replace(old, new, 1))
    assert message in info.value.message


def test_config_must_cover_every_part() -> None:
    rules = [r for r in DEFAULT_RULES if r.id != "werkaantekeningen"]
    text = dump_config(RetentionConfig(tuple(rules), "ib-1", D(2026, 1, 1)))
    with pytest.raises(DossierError, match="werkaantekeningen"):
        parse_config(text)


def test_every_default_names_its_source() -> None:
    for rule in DEFAULT_RULES:
        assert rule.bron and rule.omschrijving
    seed_backed = {r.id for r in DEFAULT_RULES if r.bron == "003 §4.3"}
    assert seed_backed == {"administratie", "okr", "adviezen"}


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)),
    st.dates(min_value=D(2000, 1, 1), max_value=D(2080, 12, 31)),
    st.sampled_from(["administratie", "zorg", "okr", "werkaantekeningen/x"]),
    st.booleans(),
)
def test_expiry_is_monotonic_and_never_before_the_full_term(
    left_on: dt.date, today: dt.date, part: str, adviezen: bool
) -> None:
    facts = left(left_on, toelating=left_on, adviezen=adviezen)
    item = decide("x", part, facts, DEFAULT_RULES, today)
    tomorrow = decide("x", part, facts, DEFAULT_RULES, today + dt.timedelta(days=1))
    if item.state == VERLOPEN:
        assert tomorrow.state == VERLOPEN
    assert item.deadline is not None
    assert item.state == (VERLOPEN if today > item.deadline else BEWAREN)
    # Never earlier than the shortest whole term of every applicable rule.
    for rule in DEFAULT_RULES:
        if rule.id in item.rule_ids:
            assert item.deadline >= rule.termijn.after(left_on)
