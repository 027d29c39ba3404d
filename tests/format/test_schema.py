"""Schema validation: valid dossiers pass, violations get Dutch messages with path and position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dossier_format.codec import load, load_fast
from dossier_format.errors import DossierError
from dossier_format.schema import FORMAT_ID, format_path, load_schema, migrate, validate

MINIMAL = """\
formaat: zorgkluis-dossier/1
leerling:
  id: ll-abcdefghij
  voornaam: Sem
  achternaam: Proefpersoon
  geboortedatum: 2017-10-20
  groep: 3
inschrijving:
  ingeschreven: 2021-10-21
route: '000'
"""


def _only(errors: list[DossierError]) -> DossierError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_the_published_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["formaat"]["const"] == FORMAT_ID


def test_the_schema_file_describes_every_property_in_dutch() -> None:
    path = Path(__file__).parents[2] / "dossier_format" / "schema" / "dossier.schema.json"
    missing = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(json.loads(path.read_text(encoding="utf-8")), "")
    assert missing == []


@pytest.mark.parametrize("loader", [load, load_fast])
def test_the_full_and_the_minimal_dossier_are_valid(loader: Any, full_text: str) -> None:
    assert validate(loader(full_text)) == []
    assert validate(loader(MINIMAL)) == []


def test_a_schema_violation_is_reported_with_dutch_text_line_and_column() -> None:
    text = MINIMAL.replace("  groep: 3\n", "  groep: negen\n")
    error = _only(validate(load(text), source="sem.yaml"))
    assert (error.line, error.column, error.path) == (7, 10, "leerling.groep")
    assert error.message == "'leerling.groep' moet een geheel getal zijn, niet 'negen'."
    assert str(error) == f"sem.yaml:7:10: {error.message}"


def test_positions_come_from_the_text_when_validating_plain_data() -> None:
    text = MINIMAL.replace("  groep: 3\n", "  groep: 9\n")
    error = _only(validate(load_fast(text), text=text))
    assert (error.line, error.column) == (7, 10)
    assert "hoogstens 8" in error.message
    assert _only(validate(load_fast(text))).line is None


def test_an_unknown_key_is_located_at_the_key_with_a_suggestion() -> None:
    text = MINIMAL.replace("  voornaam: Sem\n", "  voornaam: Sem\n  roepnam: Semmie\n")
    error = _only(validate(load(text)))
    assert (error.line, error.column, error.path) == (5, 3, "leerling.roepnam")
    assert error.message == "Onbekende sleutel 'roepnam' in 'leerling'."
    text = MINIMAL.replace("  voornaam: Sem\n", "  vornaam: Sem\n")
    messages = {e.message for e in validate(load(text))}
    assert "Onbekende sleutel 'vornaam' in 'leerling'. Bedoelde u 'voornaam'?" in messages
    assert "Verplichte sleutel 'voornaam' ontbreekt in 'leerling'." in messages


def test_school_extensions_with_x_prefix_are_allowed_at_the_top_only() -> None:
    assert validate(load(MINIMAL + "x_eigen_veld: iets\n")) == []
    error = _only(validate(load(MINIMAL.replace("  groep: 3\n", "  groep: 3\n  x_iets: 1\n"))))
    assert error.path == "leerling.x_iets"


def test_a_quoted_date_is_refused_and_a_date_where_text_belongs_too() -> None:
    text = MINIMAL.replace("  ingeschreven: 2021-10-21\n", "  ingeschreven: '2021-10-21'\n")
    error = _only(validate(load(text)))
    assert error.path == "inschrijving.ingeschreven"
    assert "zonder aanhalingstekens" in error.message
    text = MINIMAL.replace("  groep: 3\n", "  groep: 3\n  stamgroep: 2021-01-01\n")
    error = _only(validate(load_fast(text), text=text))
    assert (error.path, error.line) == ("leerling.stamgroep", 8)
    assert "aanhalingstekens" in error.message


def test_enum_errors_list_the_allowed_values() -> None:
    text = (
        MINIMAL
        + "toestemmingen:\n  - id: ts-1\n    voor: ib\n    datum: 2024-01-01\n"
        + "    schriftelijk: ja\n"
    )
    errors = validate(load(text))
    assert [(e.path, e.line, e.column) for e in errors] == [
        ("toestemmingen[0].voor", 13, 11),
        ("toestemmingen[0].schriftelijk", 15, 19),
    ]
    assert errors[0].message.startswith("Ongeldige waarde 'ib' voor 'toestemmingen[0].voor'. Kies")
    assert "bot, zorgteam, onderzoek" in errors[0].message
    assert (
        errors[1].message == "'toestemmingen[0].schriftelijk' moet true of false zijn, niet 'ja'."
    )


def test_a_missing_required_key_in_a_list_entry_points_at_the_entry() -> None:
    text = MINIMAL + "plannen:\n  - id: pl-1\n    soort: groepsplan\n"
    errors = validate(load(text))
    assert {e.message for e in errors} == {
        "Verplichte sleutel 'niveau' ontbreekt in 'plannen[0]'.",
        "Verplichte sleutel 'hulpvraag' ontbreekt in 'plannen[0]'.",
        "Verplichte sleutel 'start' ontbreekt in 'plannen[0]'.",
    }
    assert {(e.line, e.column) for e in errors} == {(12, 5)}


def test_ids_must_have_the_list_prefix_and_be_unique() -> None:
    entry = "  - id: {}\n    auteur: ib-jansen\n    datum: 2024-01-0{}\n    tekst: Notitie.\n"
    text = MINIMAL + "werkaantekeningen:\n" + entry.format("wa-1", 1) + entry.format("wa-1", 2)
    error = _only(validate(load(text)))
    assert (error.path, error.line) == ("werkaantekeningen[1].id", 16)
    assert error.message == "Het id 'wa-1' komt meer dan eens voor in 'werkaantekeningen'."
    text = MINIMAL + "werkaantekeningen:\n" + entry.format("pl-1", 1)
    error = _only(validate(load(text)))
    assert error.path == "werkaantekeningen[0].id"
    assert "'wa-'" in error.message


def test_protocols_have_their_own_keys_and_unknown_protocols_the_common_ones() -> None:
    text = MINIMAL + (
        "protocollen:\n  herfstkind:\n    status: lopend\n    besluit: kleuterverlenging\n"
        "  schorsing:\n    status: afgerond\n"
    )
    assert validate(load(text)) == []
    error = _only(validate(load(text + "    besluit: kleuterverlenging\n")))
    assert error.path == "protocollen.schorsing.besluit"
    error = _only(validate(load(text.replace("  schorsing:", "  Schorsing!:"))))
    assert "Ongeldige naam 'Schorsing!'" in error.message


@pytest.mark.parametrize(
    ("formaat", "words"),
    [
        ("zorgkluis-dossier/2", "nieuwer dan deze versie"),
        ("zorgkluis-dossier/0", "Onbekend formaat"),
        ("iets-anders", "Onbekend formaat"),
        ("1", "Onbekend formaat"),
    ],
)
def test_an_unknown_format_version_is_refused_clearly(formaat: str, words: str) -> None:
    text = MINIMAL.replace(FORMAT_ID, formaat)
    error = _only(validate(load(text)))
    assert (error.line, error.path) == (1, "formaat")
    assert words in error.message
    with pytest.raises(DossierError, match=words):
        migrate(load_fast(text))


def test_a_missing_format_is_reported_and_migrate_refuses_it() -> None:
    text = MINIMAL.replace(f"formaat: {FORMAT_ID}\n", "")
    assert "ontbreekt" in _only(validate(load(text))).message
    with pytest.raises(DossierError, match="'formaat' ontbreekt"):
        migrate(load_fast(text))


def test_migrate_returns_a_current_dossier_unchanged() -> None:
    data = load_fast(MINIMAL)
    assert migrate(data) is data


@pytest.mark.parametrize("data", [[], "tekst", None, 3])
def test_validate_reports_a_non_mapping_instead_of_raising(data: Any) -> None:
    assert "mapping" in _only(validate(data)).message


def test_odd_values_from_yaml_become_type_errors_not_exceptions() -> None:
    text = MINIMAL + "x_bin: !!binary aGVsbG8=\n" + "leerling_extra:\n  ? [a, b]\n  : 1\n"
    errors = validate(load(text))
    assert any("moet tekst zijn" in e.message for e in errors)
    assert any("Onbekende sleutel 'leerling_extra'" in e.message for e in errors)
    text = MINIMAL.replace(
        "  geboortedatum: 2017-10-20\n", "  geboortedatum: 2017-10-20 10:00:00\n"
    )
    error = _only(validate(load_fast(text)))
    assert error.path == "leerling.geboortedatum"


@pytest.mark.parametrize(
    ("path", "text"),
    [((), ""), (("plannen", 2, "evaluatie"), "plannen[2].evaluatie"), (("a", "b"), "a.b")],
)
def test_paths_are_rendered_like_finding_paths(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_docs_format_md_names_every_key_of_the_schema() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for sub in node.values():
                walk(sub)
        elif isinstance(node, list):
            for sub in node:
                walk(sub)

    walk(load_schema())
    assert sorted(n for n in names if f"`{n}`" not in docs and f"**`{n}`**" not in docs) == []


def test_positions_from_text_match_those_of_the_round_trip_document(full_text: str) -> None:
    broken = (
        full_text.replace("  groep: 6\n", "  groep: zes\n")
        .replace("    rol: intern_begeleider\n", "    rol: ib\n")
        .replace("  voornaam: Noor\n", "  voornam: Noor\n")
        .replace("  - id: pl-2\n", "  - id: pl-1\n")
        .replace("    start: 2024-09-02\n", "    start: '2024-09-02'\n")
        .replace("uitgeschreven: null", "uitgeschreven: morgen")
        .replace("  dyslexie:\n", "  dyslexie:\n    fase: rood\n")
    )
    from_round_trip = validate(load(broken))
    from_text = validate(load_fast(broken), text=broken)
    assert len(from_round_trip) == 8
    assert [repr(e) for e in from_text] == [repr(e) for e in from_round_trip]
    unknown = MINIMAL.replace(FORMAT_ID, "x")
    error = _only(validate(load_fast(unknown), text=unknown))
    assert (error.line, error.column, error.path) == (1, 10, "formaat")
