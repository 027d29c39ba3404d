"""Round-trip fidelity, typing rules and Dutch errors of dossier_format.codec."""

from __future__ import annotations

import datetime
import difflib
from typing import Any

import pytest
import yaml

from dossier_format import codec
from dossier_format.codec import dump, load, load_fast
from dossier_format.errors import DossierError


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def _plain(value: Any) -> Any:
    """Round-trip values as plain Python values, for comparing both loaders."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, datetime.date):
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def test_unchanged_dossier_dumps_to_the_same_bytes(full_text: str) -> None:
    assert dump(load(full_text)) == full_text


def test_changing_one_field_changes_only_its_line(full_text: str) -> None:
    doc = load(full_text)
    doc["plannen"][2]["evaluatie_gepland"] = datetime.date(2024, 12, 6)
    after = dump(doc)
    assert _changed_lines(full_text, after) == [
        "-    evaluatie_gepland: 2024-11-29",
        "+    evaluatie_gepland: 2024-12-06",
    ]


def test_changing_a_value_keeps_its_end_of_line_comment(full_text: str) -> None:
    doc = load(full_text)
    doc["betrokkenen"][1]["rol"] = "instructieleerkracht"
    after = dump(doc)
    changed = _changed_lines(full_text, after)
    assert len(changed) == 2
    assert changed[1].startswith("+    rol: instructieleerkracht ")
    assert changed[1].endswith(" # duo-partner, werkt woensdag t/m vrijdag")


def test_comments_and_blank_lines_survive_an_edit(full_text: str) -> None:
    doc = load(full_text)
    doc["leerling"]["groep"] = 7
    after = dump(doc)
    assert "# Fictief voorbeelddossier: alle namen, data en scholen zijn verzonnen.\n" in after
    assert "\n\n# Zorgniveaus: het laatste item is het huidige niveau.\nniveaus:\n" in after
    assert _changed_lines(full_text, after) == ["-  groep: 6", "+  groep: 7"]


def test_appending_an_entry_adds_only_lines_in_canonical_style(full_text: str) -> None:
    doc = load(full_text)
    doc["toestemmingen"].append(
        {
            "id": "ts-2",
            "voor": "zorgteam",
            "datum": datetime.date(2024, 11, 4),
            "schriftelijk": True,
            "ingetrokken": None,
        }
    )
    after = dump(doc)
    assert _changed_lines(full_text, after) == [
        "+  - id: ts-2",
        "+    voor: zorgteam",
        "+    datum: 2024-11-04",
        "+    schriftelijk: true",
        "+    ingetrokken: null",
    ]


def test_null_is_written_as_null_and_text_that_looks_like_a_number_is_quoted() -> None:
    doc = load("formaat: zorgkluis-dossier/1\nroute:\n")
    doc["route"] = "004"
    doc["leeg"] = None
    assert dump(doc) == "formaat: zorgkluis-dossier/1\nroute: '004'\nleeg: null\n"


def test_long_lines_and_unicode_are_not_rewrapped_or_escaped() -> None:
    text = "tekst: " + "Noor leest vlotter en met plezier, ook thuis – café." * 8 + "\n"
    assert dump(load(text)) == text


def test_both_loaders_agree_on_the_full_dossier(full_text: str) -> None:
    assert load_fast(full_text) == _plain(load(full_text))


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("true", True),
        ("false", False),
        ("ja", "ja"),
        ("nee", "nee"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("2024-09-01", datetime.date(2024, 9, 1)),
        ("'2024-09-01'", "2024-09-01"),
        ("12", 12),
        ("012", 12),
        ("0o17", 15),
        ("0x1f", 31),
        ("1:20", "1:20"),
        ("1.5", 1.5),
        ("null", None),
        ("~", None),
        ("", None),
        ("'003'", "003"),
        ("=", "="),
    ],
)
def test_scalars_follow_yaml_1_2_core_in_both_loaders(scalar: str, expected: object) -> None:
    text = f"waarde: {scalar}\n"
    fast = load_fast(text)["waarde"]
    assert fast == expected
    assert type(fast) is type(expected)
    assert _plain(load(text))["waarde"] == expected


@pytest.mark.parametrize("loader", [load, load_fast])
@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("formaat: x\nleerling:\n  voornaam: Noor\n achternaam: Test\n", 4, 2, "inspringing"),
        ("formaat: x\nleerling:\n\tvoornaam: Noor\n", 3, 1, "tab"),
        ("formaat: x\nformaat: y\n", 2, 1, "twee keer"),
        ("formaat: x\nnotitie: dit: kan niet\n", 2, 13, "sleutel: waarde"),
        ("formaat: x\nnotitie: 'niet gesloten\n", 3, 1, "aanhalingsteken"),
        ("formaat: x\ndatum: 2024-02-30\n", 2, 8, "onmogelijke datum"),
        ("formaat: x\nwaarde: !geheim x\n", 2, 9, "tags"),
        ("formaat: x\nlijst: [1, 2\n", 3, 1, "niet gesloten"),
    ],
)
def test_broken_yaml_gives_a_dutch_error_with_line_and_column(
    loader: Any, text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(DossierError) as caught:
        loader(text, source="noor.yaml")
    error = caught.value
    assert (error.source, error.line, error.column) == ("noor.yaml", line, column)
    assert error.message.startswith(f"Ongeldige YAML in regel {line}, kolom {column}: ")
    assert words in error.message
    assert "Controleer de inspringing" in error.message
    assert str(error).startswith(f"noor.yaml:{line}:{column}: Ongeldige YAML")


@pytest.mark.parametrize("loader", [load, load_fast])
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "leeg"),
        ("# alleen commentaar\n", "leeg"),
        ("- a\n- b\n", "mapping"),
        ("tekst\n", "mapping"),
    ],
)
def test_a_document_that_is_not_a_mapping_is_refused(loader: Any, text: str, words: str) -> None:
    with pytest.raises(DossierError, match=words):
        loader(text)


def test_str_of_an_error_without_position_is_source_and_message() -> None:
    assert str(DossierError("Kapot.", source="a.yaml")) == "a.yaml: Kapot."
    assert str(DossierError("Kapot.", line=3)) == "<dossier>:3: Kapot."


def test_a_value_placed_twice_is_written_twice_not_as_an_alias() -> None:
    doc = load("formaat: zorgkluis-dossier/1\ninschrijving:\n  ingeschreven: 2021-10-21\n")
    shared = {"a": 1}
    doc["plannen"] = [{"start": doc["inschrijving"]["ingeschreven"], "x": shared, "y": shared}]
    text = dump(doc)
    assert "&" not in text
    assert "*" not in text
    assert load_fast(text)["plannen"][0]["start"] == datetime.date(2021, 10, 21)


@pytest.mark.parametrize("loader", [load, load_fast])
@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_line_breaks_that_yaml_versions_disagree_on_are_refused(loader: Any, char: str) -> None:
    with pytest.raises(DossierError, match="onzichtbaar regeleinde") as caught:
        loader(f"formaat: x\nnotitie: een{char}twee\n")
    assert (caught.value.line, caught.value.column) == (2, 13)


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_text_with_such_a_character_is_written_escaped_and_read_back(char: str) -> None:
    text = dump({"tekst": f"een{char}twee"})
    assert char not in text
    assert load_fast(text)["tekst"] == load(text)["tekst"] == f"een{char}twee"


def _pyyaml_constructed(text: str) -> Any:
    """What PyYAML's own constructor makes of the text with the fast loader's rules."""
    loader = codec._FastLoader(text)
    try:
        return loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [true, False, TRUE, ~, null, '', 0x1F, -0o17, +12, 1_000]\n",
        "a: 2021-10-21\nb: 2021-10-21 10:30:00\nc: 2021-10-21T10:30:00Z\nd: '2021-10-21'\n",
        "a: 1.5\nb: .inf\nc: -.INF\nd: .nan\ne: 1e3\n",
        "a: !!str 12\nb: !!int '0x1F'\nc: !!float 1\nd: !!bool yes\ne: !!null iets\n",
        "a: !!timestamp 2021-10-21\nb: !!binary aGFsbG8=\nc: !!set {x, y}\n",
        "a: {1: een, true: waar, null: niets, 2021-10-21: datum}\n",
        "? [samengesteld]\n: sleutel\n",
        "a: {b: 1}\nd: {<<: {b: 1}, e: 2}\n",
        "lijst:\n- - diep\n  - - dieper\n- {}\n- []\n",
    ],
)
def test_the_fast_builder_gives_what_pyyaml_constructs(text: str) -> None:
    try:
        expected = _pyyaml_constructed(text)
    except yaml.YAMLError:  # the same refusal, as a Dutch error
        with pytest.raises(DossierError):
            load_fast(text)
        return
    got = load_fast(text)
    assert got == expected
    assert repr(got) == repr(expected)  # also the types (1 is not True, date is not datetime)


def test_an_alias_that_contains_itself_is_refused_with_its_place() -> None:
    with pytest.raises(DossierError, match="Ankers en verwijzingen") as caught:
        load_fast("formaat: x\nlijst: &a\n- *a\n")
    assert (caught.value.line, caught.value.column) == (2, 8)  # the anchored list


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("formaat: x\na: &x 2021-10-21\nb: *x\n", (2, 4)),  # anchor and alias
        ("formaat: x\na: &x 1\nb: 2\n", (2, 4)),  # an anchor nobody refers to
        ("formaat: x\nplannen:\n  - &p\n    id: pl-1\n  - *p\n", (3, 5)),
        ("formaat: x\na: &x {b: 1}\nd: {<<: *x, e: 2}\n", (2, 4)),  # merge through an alias
        ("formaat: x\na: [1, *onbekend]\n", (2, 8)),  # an alias without an anchor
    ],
)
def test_the_fast_loader_refuses_anchors_and_aliases(text: str, place: tuple[int, int]) -> None:
    with pytest.raises(DossierError, match=r"Ankers en verwijzingen \(&naam, \*naam\)") as caught:
        load_fast(text, "noor.yaml")
    assert (caught.value.line, caught.value.column) == place
    assert str(caught.value).startswith(f"noor.yaml:{place[0]}:{place[1]}: ")


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    lines = ["formaat: x", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    with pytest.raises(DossierError, match="Ankers en verwijzingen"):
        load_fast("\n".join(lines) + "\n")


def test_ampersands_and_asterisks_in_text_are_just_text() -> None:
    text = "formaat: x\na: Q&A * 3\nb: '&x'\nc: \"*y\"\nd: |\n  &z *z\n"
    assert load_fast(text) == {"formaat": "x", "a": "Q&A * 3", "b": "&x", "c": "*y", "d": "&z *z\n"}
