"""The everyday-act forms as a teacher or intern begeleider uses them: readable labels in
both languages, no preset judgements, the focus where typing starts, Dutch dates, people to
tick that the checks recognise, plans described, numbers stored as numbers.

The Pilot tests run the real app on a copy of the demo vault and fill the forms with keys."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, Select, SelectionList, Static

from dossier_format import checks, codec
from tui import i18n
from tui.acts import (
    FormError,
    acts,
    apply_act,
    convert,
    field_label,
    open_plans,
    parse_date,
)
from tui.dialogs.form import FormDialog
from tui.screens.dossier import DossierScreen
from vault import demo

TODAY = datetime.date(2026, 11, 20)
FIXTURE = Path(__file__).parent / "fixtures" / "dossier.yaml"


@pytest.fixture
def text() -> str:
    return FIXTURE.read_text()


def all_acts(text: str, **extra: Any) -> dict:
    data = codec.load_fast(text)
    return acts(TODAY, "ib-jansen", [1, 2, 3, 4], open_plans(data), 3, **extra)


# -- without the app ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "23-11-2026",
        "23-11-26",
        "23/11/2026",
        "23.11.2026",
        "2026-11-23",
        "23/11/26",
        " 23-11-2026 ",
    ],
)
def test_dates_are_read_as_dutch_users_type_them(typed: str) -> None:
    assert parse_date(typed) == datetime.date(2026, 11, 23)
    assert parse_date("3-9-2026") == datetime.date(2026, 9, 3)


@pytest.mark.parametrize(
    ("typed", "problem", "words"),
    [
        ("31-02-2026", "impossible_date", "bestaat niet"),
        ("2026-13-01", "impossible_date", "bestaat niet"),
        ("morgen", "date", "geen datum"),
        ("23-11", "date", "geen datum"),
        ("23-11-2026-1", "date", "geen datum"),
    ],
)
def test_a_bad_date_is_refused_in_dutch_naming_the_field(
    text: str, typed: str, problem: str, words: str
) -> None:
    act = all_acts(text)["niveau"]
    with pytest.raises(FormError) as refused:
        apply_act(text, act, {"niveau": "4", "vanaf": typed, "reden": "Zorgteam"})
    assert (refused.value.field, refused.value.problem) == ("vanaf", problem)
    assert "'Geldt vanaf'" in str(refused.value) and words in str(refused.value)


def test_dates_are_stored_as_iso_dates(text: str) -> None:
    new = apply_act(
        text,
        all_acts(text)["niveau"],
        {
            "niveau": "4",
            "vanaf": "23-11-26",
            "reden": "Zorgteam",
            "ouders_geinformeerd": "24/11/2026",
        },
    )
    assert "vanaf: 2026-11-23\n" in new and "ouders_geinformeerd: 2026-11-24\n" in new


@pytest.mark.parametrize(
    ("typed", "stored", "line"),
    [("38", 38, "score: 38\n"), ("7,5", 7.5, "score: 7.5\n"), ("E4", "E4", "score: E4\n")],
)
def test_a_toets_score_is_stored_as_a_number(text: str, typed: str, stored: Any, line: str) -> None:
    new = apply_act(
        text, all_acts(text)["toets"], {"toets": "DMT", "datum": "20-11-2026", "score": typed}
    )
    score = codec.load_fast(new)["toetsen"][-1]["score"]
    assert score == stored and type(score) is type(stored)
    assert line in new


@pytest.mark.parametrize(
    ("act_id", "key"),
    [
        ("plan", "soort"),
        ("evaluatie", "uitkomst"),
        ("bespreking", "soort"),
        ("gesprek", "thema"),
        ("toestemming", "voor"),
        ("toestemming", "schriftelijk"),
    ],
)
def test_a_required_choice_has_no_preset_and_is_refused_when_not_chosen(
    text: str, act_id: str, key: str
) -> None:
    act = all_acts(text)[act_id]
    spec = next(f for f in act.fields if f.key == key)
    assert spec.required and spec.default == ""
    # Everything else filled in (defaults, and text where typing is needed).
    values = {f.key: f.default or ("x" if f.kind in ("text", "list") else "") for f in act.fields}
    values.update({"plan": "pl-3", "uitkomst": "voldoende", "soort": "groepsplan", "thema": "zorg"})
    values.update({"voor": "bot", "schriftelijk": "ja", "niveau": "3"})
    values[key] = ""
    with pytest.raises(FormError) as refused:
        convert(act, values)
    assert refused.value.field == key
    assert str(refused.value) == f"Kies een waarde bij '{field_label(act_id, key)}'."


def test_every_field_has_a_readable_label_in_both_languages(text: str) -> None:
    try:
        for language in i18n.LANGUAGES:
            i18n.set_language(language)
            for act in all_acts(text).values():
                for spec in act.fields:
                    label = field_label(act.id, spec.key)
                    assert i18n.has(f"form.label.{act.id}.{spec.key}") or i18n.has(
                        f"form.label.{spec.key}"
                    ), (act.id, spec.key)
                    assert "_" not in label and label[0].isupper(), label
        i18n.set_language("en")
        assert field_label("plan", "evaluatie_gepland") == "Evaluation planned"
    finally:
        i18n.set_language("nl")
    assert field_label("plan", "evaluatie_gepland") == "Evaluatie gepland"


def test_open_plans_are_described_by_soort_start_and_hulpvraag(text: str) -> None:
    described = open_plans(codec.load_fast(text))
    assert list(described) == ["pl-3"]
    assert described["pl-3"].startswith("pl-3 · handelingsplan · 02-09-2024 · Welke aanpak")
    plan = codec.load_fast(text)["plannen"][2]
    assert plan["hulpvraag"][:18] in described["pl-3"]
    assert len(described["pl-3"]) <= 58 and described["pl-3"].endswith("…")
    # The evaluation form shows that text; the only open plan needs no choosing.
    spec = all_acts(text)["evaluatie"].fields[0]
    assert spec.labels["pl-3"] == described["pl-3"] and spec.default == "pl-3"


def test_aanwezig_offers_the_betrokkenen_parents_and_outsiders(text: str) -> None:
    data = codec.load_fast(text)
    act = acts(
        TODAY, "ib-jansen", [1, 2, 3, 4], [], 3, dossier=data, staff={"mw-bakker": "Eva Bakker"}
    )
    spec = next(f for f in act["bespreking"].fields if f.key == "aanwezig")
    assert spec.kind == "multi"
    assert set(spec.choices) >= {"mw-bakker", "mw-demir", "ib-jansen", "dir-smit", "ouders"}
    assert spec.labels["mw-bakker"] == "Eva Bakker (leerkracht)"
    assert spec.labels["ib-jansen"] == "ib-jansen (intern begeleider, jij)"
    assert "orthopedagoog (extern)" in spec.choices
    # The plans from a bare id list are described from the dossier too.
    described = acts(TODAY, "ib-jansen", [1], ["pl-3"], dossier=data)["evaluatie"].fields[0]
    assert "handelingsplan" in described.labels["pl-3"]


# -- in the app -----------------------------------------------------------------------------


async def open_dossier(pilot: Any, kit: Any, pupil_id: str) -> DossierScreen:
    await kit.settle(pilot)
    pilot.app.open_pupil(pupil_id)
    await kit.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DossierScreen)
    return screen


async def open_form(pilot: Any, key: str) -> FormDialog:
    await pilot.press(key)
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, FormDialog)
    return form


async def choose(pilot: Any, typed: str) -> None:
    """Open the focused choice, type to find the option, take it."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*typed, "enter")
    await pilot.pause()


async def tick(pilot: Any, form: FormDialog, key: str, value: str) -> None:
    """In the focused list of people, move to `value` and tick it."""
    people = form.query_one(f"#field-{key}", SelectionList)
    assert form.focused is people
    target = next(
        i for i in range(people.option_count) if people.get_option_at_index(i).value == value
    )
    await pilot.press("home", *["down"] * target, "space")
    await pilot.pause()


def one_open_plan(vault: Any, pupil_id: str) -> dict[str, str]:
    return open_plans(codec.load_fast(vault.show(pupil_id)))


def status(form: FormDialog) -> str:
    return str(form.query_one("#form-status", Static).render())


def newest(kit: Any, info: demo.DemoInfo, pupil_id: str, key: str) -> dict:
    data = codec.load_fast(kit.open_as(info, demo.IB.id).show(pupil_id))
    return data[key][-1]


async def test_a_toets_typed_in_with_keys_is_saved_with_a_number_and_an_iso_date(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_vault, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        form = await open_form(pilot, "k")
        assert form.focused is form.query_one("#field-toets")
        await pilot.press(*"DMT", "tab")
        await choose(pilot, "lvs")
        await pilot.press("tab", *"m5", "tab")
        # The date field shows today the Dutch way; replace it with a short Dutch date.
        assert form.query_one("#field-datum", Input).value == "20-11-2026"
        await pilot.press("ctrl+u", *"23-11-26", "tab", *"38", "tab")
        await choose(pilot, "c")
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    toets = newest(kit, demo_vault, pupil.id, "toetsen")
    assert {k: v for k, v in toets.items() if k != "id"} == {
        "toets": "DMT",
        "soort": "lvs",
        "moment": "M5",
        "datum": datetime.date(2026, 11, 23),
        "score": 38,
        "niveau": "C",
    }


async def test_each_form_starts_in_the_first_field_to_fill_and_keeps_what_is_typed(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = next(p for p in vault.list_pupils() if len(one_open_plan(vault, p.id)) == 1)
    expected = {
        "p": "field-hulpvraag",
        "v": "field-uitkomst",  # the only open plan is chosen; the outcome is not
        "b": "field-soort",  # the only thing that must be filled in
        "g": "field-onderwerp",
        "t": "field-voor",
        "n": "field-reden",
        "k": "field-toets",
    }
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        for key, field_id in expected.items():
            form = await open_form(pilot, key)
            assert form.focused is not None and form.focused.id == field_id, key
            if isinstance(form.focused, Input):
                await pilot.press(*"Typ direct")
                assert form.focused.value == "Typ direct", key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, DossierScreen)


async def test_a_required_choice_left_empty_is_refused_then_saved_when_chosen(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_vault, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        form = await open_form(pilot, "t")
        assert form.query_one("#field-voor", Select).value is Select.NULL
        assert form.query_one("#field-schriftelijk", Select).value is Select.NULL
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is form
        assert status(form) == "Kies een waarde bij 'Toestemming voor'."
        await choose(pilot, "onderzoek")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert status(form) == "Kies een waarde bij 'Schriftelijk'."
        assert form.focused is form.query_one("#field-schriftelijk")
        await choose(pilot, "ja")
        # An impossible date is refused by its label, and the focus goes there.
        form.query_one("#field-datum", Input).focus()
        await pilot.press("ctrl+u", *"31-11-2026", "ctrl+s")
        await pilot.pause()
        assert status(form) == "'Gegeven op': de datum 31-11-2026 bestaat niet."
        assert form.focused is form.query_one("#field-datum")
        await pilot.press("ctrl+u", *"19/11/2026", "ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    consent = newest(kit, demo_vault, pupil.id, "toestemmingen")
    assert consent["voor"] == "onderzoek" and consent["schriftelijk"] is True
    assert consent["datum"] == datetime.date(2026, 11, 19)


async def test_a_bespreking_records_who_was_present_by_ticking(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_vault, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        form = await open_form(pilot, "b")
        await choose(pilot, "leerlingbespreking")
        # Datum and ingebracht door keep their defaults; on to the people.
        await pilot.press("tab", "tab", "tab")
        await tick(pilot, form, "aanwezig", demo.IB.id)
        await tick(pilot, form, "aanwezig", "ouders")
        await pilot.press("tab", *"logopedist (extern)", "tab", *"Hoe leest hij vlotter?")
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    meeting = newest(kit, demo_vault, pupil.id, "besprekingen")
    assert meeting["soort"] == "leerlingbespreking"
    assert meeting["aanwezig"] == [demo.IB.id, "ouders", "logopedist (extern)"]
    assert meeting["hulpvraag"] == "Hoe leest hij vlotter?"


async def test_people_ticked_in_the_form_satisfy_the_route_checks(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    """003's zorgteam needs the IB-er, the orthopedagoog and the teacher present: ticking
    them in the form gives no `bespreking.aanwezig` finding (free text "IB; juf" did)."""
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = vault.list_pupils()[0]
    text = vault.show(pupil.id)
    data = codec.load_fast(text)
    teacher = next(b["medewerker"] for b in data["betrokkenen"] if b["rol"] == "leerkracht")
    names = {u.id: u.naam for u in vault.users()}
    act = acts(TODAY, demo.IB.id, [1, 2, 3, 4], open_plans(data), dossier=data, staff=names)
    filled: list[dict[str, str] | None] = []
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.push_screen(FormDialog(act["bespreking"]), filled.append)
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FormDialog)
        labels = [str(label.render()) for label in form.query(Label)]
        assert "Aanwezig" in labels and "Soort bespreking *" in labels
        await choose(pilot, "zorgteam")
        await pilot.press("tab", "tab", "tab")
        for who in (demo.IB.id, teacher, "orthopedagoog (extern)"):
            await tick(pilot, form, "aanwezig", who)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert filled and filled[0] is not None
    assert filled[0]["aanwezig"] == f"{demo.IB.id}; {teacher}; orthopedagoog (extern)"

    def attendance(values: dict[str, str]) -> list[str]:
        new = codec.load_fast(apply_act(text, act["bespreking"], values))
        path = f"besprekingen[{len(new['besprekingen']) - 1}].aanwezig"
        return [f.rule for f in checks.check(new, vault.route, TODAY) if f.path == path]

    assert attendance(filled[0]) == []
    assert attendance({**filled[0], "aanwezig": "IB; juf"}) == ["bespreking.aanwezig"]


async def test_a_plan_then_its_evaluation_filled_in_with_keys(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    """A new plan (typed first, soort chosen), then the evaluation form: two open plans,
    each shown with soort, start and hulpvraag; none chosen for the user; the outcome too."""
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = next(p for p in vault.list_pupils() if len(one_open_plan(vault, p.id)) == 1)
    (old,) = one_open_plan(vault, pupil.id)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        form = await open_form(pilot, "p")
        assert form.query_one("#field-soort", Select).value is Select.NULL
        await pilot.press(*"Hoe rekent hij vlot?", "tab", *"rekenen", "tab")
        await pilot.press(*"Tafels 1 t/m 5 binnen 3 seconden; Plezier in rekenen", "tab")
        await choose(pilot, "handelingsplan")
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
        plans = codec.load_fast(kit.open_as(demo_vault, demo.IB.id).show(pupil.id))["plannen"]
        new = plans[-1]
        assert new["soort"] == "handelingsplan" and new["vakgebied"] == "rekenen"
        assert new["doelen"] == ["Tafels 1 t/m 5 binnen 3 seconden", "Plezier in rekenen"]
        assert new["start"] == TODAY and new["uitvoerder"] == demo.IB.id

        form = await open_form(pilot, "v")
        select = form.query_one("#field-plan", Select)
        assert select.value is Select.NULL and form.focused is select
        shown = {str(value): str(prompt) for prompt, value in select._options}
        assert (
            shown[new["id"]] == f"{new['id']} · handelingsplan · 20-11-2026 · Hoe rekent hij vlot?"
        )
        assert old in shown
        assert form.query_one("#field-uitkomst", Select).value is Select.NULL
        await choose(pilot, new["id"])
        await pilot.press("tab", "tab")
        await choose(pilot, "gedeeltelijk")
        await pilot.press("tab", *"Tafels tot 3 gaan goed.", "ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    saved = codec.load_fast(kit.open_as(demo_vault, demo.IB.id).show(pupil.id))["plannen"][-1]
    assert saved["evaluatie"] == {
        "datum": TODAY,
        "uitkomst": "gedeeltelijk",
        "toelichting": "Tafels tot 3 gaan goed.",
    }


async def test_the_form_speaks_english_when_asked(demo_vault: demo.DemoInfo, kit: Any) -> None:
    pupil = kit.open_as(demo_vault, demo.IB.id).list_pupils()[0]
    try:
        async with kit.app(demo_vault, language="en").run_test(size=kit.size) as pilot:
            await open_dossier(pilot, kit, pupil.id)
            form = await open_form(pilot, "p")
            labels = [str(label.render()) for label in form.query(Label)]
            assert labels[:3] == ["Support question *", "Subject", "Goals *"]
            assert (
                form.query_one("#field-doelen", Input).placeholder
                == "one goal each, separate with ;"
            )
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert status(form) == "Fill in 'Support question'."
    finally:
        i18n.set_language("nl")
