"""Splitting dossiers into parts and joining the parts back together."""

from __future__ import annotations

import datetime

import pytest

from dossier_format import parts as parts_module
from dossier_format.codec import load_fast
from dossier_format.errors import DossierError
from dossier_format.parts import PART_NAMES, join, notes_part, part_of_key, split

HEAD = """\
# Fictief dossier voor de tests.
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

NOTE = "  - id: {id}\n    auteur: {auteur}\n    datum: {datum}\n    tekst: Notitie {id}.\n"


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _notes(*entries: tuple[str, str, str]) -> str:
    body = "".join(NOTE.format(id=i, auteur=a, datum=d) for i, a, d in entries)
    return "werkaantekeningen:\n" + body


def test_the_full_dossier_splits_into_its_parts_and_joins_back_byte_for_byte(
    full_text: str,
) -> None:
    parts = split(full_text)
    assert sorted(parts) == ["administratie", "werkaantekeningen/ib-jansen", "zorg"]
    assert join(parts) == full_text


def test_each_part_holds_exactly_its_keys(full_text: str) -> None:
    parts = split(full_text + "okr:\n  opgesteld: 2025-06-01\n")
    assert list(load_fast(parts["administratie"])) == [
        "formaat",
        "leerling",
        "inschrijving",
        "route",
        "betrokkenen",
    ]
    assert list(load_fast(parts["okr"])) == ["okr"]
    zorg = load_fast(parts["zorg"])
    assert "werkaantekeningen" not in zorg
    assert "okr" not in zorg
    assert next(iter(zorg)) == "niveaus"


def test_comments_travel_with_their_part(full_text: str) -> None:
    parts = split(full_text)
    assert parts["administratie"].startswith(
        "formaat: zorgkluis-dossier/1\n# Fictief voorbeelddossier"
    )
    assert "  - medewerker: mw-demir\n    rol: leerkracht  # duo-partner" in parts["administratie"]


def test_a_leading_comment_goes_with_the_administration_part() -> None:
    parts = split(HEAD)
    assert list(parts) == ["administratie"]
    assert parts["administratie"] == HEAD
    assert join(parts) == HEAD


def test_notes_of_several_authors_are_split_per_author_and_merged_by_date() -> None:
    text = HEAD + _notes(
        ("wa-1", "ib-jansen", "2024-01-10"),
        ("wa-2", "mw-bakker", "2024-01-05"),
        ("wa-3", "ib-jansen", "2024-02-01"),
        ("wa-4", "mw-bakker", "2024-01-20"),
    )
    parts = split(text)
    assert load_fast(parts["werkaantekeningen/ib-jansen"])["werkaantekeningen"] == [
        {"id": "wa-1", "auteur": "ib-jansen", "datum": _d("2024-01-10"), "tekst": "Notitie wa-1."},
        {"id": "wa-3", "auteur": "ib-jansen", "datum": _d("2024-02-01"), "tekst": "Notitie wa-3."},
    ]
    joined = join(parts)
    assert [n["id"] for n in load_fast(joined)["werkaantekeningen"]] == [
        "wa-2",
        "wa-1",
        "wa-4",
        "wa-3",
    ]
    assert joined.startswith(HEAD)


def test_missing_parts_are_left_out_of_the_joined_dossier(full_text: str) -> None:
    parts = split(full_text + "okr:\n  opgesteld: 2025-06-01\n")
    without_care = {k: v for k, v in parts.items() if k != "zorg"}
    joined = load_fast(join(without_care))
    assert list(joined) == [
        "formaat",
        "leerling",
        "inschrijving",
        "route",
        "betrokkenen",
        "okr",
        "werkaantekeningen",
    ]
    only_notes = {k: v for k, v in parts.items() if k.startswith("werkaantekeningen/")}
    assert list(load_fast(join(only_notes))) == ["werkaantekeningen"]
    assert join({}) == ""


def test_join_restores_canonical_order_with_okr_between_care_keys() -> None:
    text = (
        HEAD
        + "plannen: []\n"
        + "x_school: eigen\n"
        + "okr:\n  opgesteld: 2025-06-01\n"
        + "zienswijzen: []\n"
        + _notes(("wa-1", "ib-jansen", "2024-01-10"))
    )
    parts = split(text)
    assert list(load_fast(parts["zorg"])) == ["plannen", "x_school", "zienswijzen"]
    assert join(parts) == text


def test_an_extension_key_before_any_care_key_stays_after_the_administration() -> None:
    text = HEAD + "x_school: eigen\nniveaus: []\n"
    assert join(split(text)) == text


def test_an_empty_notes_list_has_no_part() -> None:
    assert list(split(HEAD + "werkaantekeningen: []\n")) == ["administratie"]


@pytest.mark.parametrize("author", ["../../etc", "IB Jansen", "", None, 5])
def test_a_note_with_an_unsafe_or_missing_author_is_refused(author: object) -> None:
    value = "null" if author is None else repr(author) if isinstance(author, str) else author
    text = HEAD + f"werkaantekeningen:\n  - id: wa-1\n    auteur: {value}\n"
    with pytest.raises(DossierError) as caught:
        split(text, source="sem.yaml")
    assert (caught.value.line, caught.value.path) == (13, "werkaantekeningen[0].auteur")
    assert "medewerker-id" in caught.value.message


def test_notes_that_are_not_a_list_are_refused() -> None:
    with pytest.raises(DossierError, match="moet een lijst zijn"):
        split(HEAD + "werkaantekeningen: geen\n")


def test_join_refuses_unknown_parts_and_keys_in_two_parts() -> None:
    with pytest.raises(DossierError, match="Onbekend dossierdeel 'geheim'"):
        join({"geheim": "a: 1\n"})
    with pytest.raises(DossierError, match="twee delen"):
        join({"administratie": "route: '000'\n", "zorg": "route: '001'\n"})


def test_join_refuses_a_note_filed_under_another_author() -> None:
    stolen = _notes(("wa-1", "mw-bakker", "2024-01-10"))
    with pytest.raises(DossierError, match="niet van ib-jansen"):
        join({"werkaantekeningen/ib-jansen": stolen})
    with pytest.raises(DossierError, match="alleen een lijst"):
        join({"werkaantekeningen/ib-jansen": "okr: null\n"})


def test_part_names() -> None:
    assert PART_NAMES == ("administratie", "zorg", "okr")
    assert [part_of_key(k) for k in ("formaat", "betrokkenen", "okr", "opp", "x_iets")] == [
        "administratie",
        "administratie",
        "okr",
        "zorg",
        "zorg",
    ]
    assert notes_part("ib-jansen") == "werkaantekeningen/ib-jansen"


def test_comments_between_notes_stay_with_the_note_they_follow() -> None:
    text = (
        HEAD
        + "werkaantekeningen:  # alleen voor medewerkers\n"
        + "  # eerste notitie volgt\n"
        + NOTE.format(id="wa-1", auteur="ib-jansen", datum="2024-01-10")
        + "  # bij wa-1\n"
        + NOTE.format(id="wa-2", auteur="mw-bakker", datum="2024-01-05")
    )
    parts = split(text)
    assert parts["werkaantekeningen/ib-jansen"].startswith(
        "werkaantekeningen:  # alleen voor medewerkers\n  # eerste notitie volgt\n  - id: wa-1"
    )
    assert parts["werkaantekeningen/ib-jansen"].endswith("  # bij wa-1\n")
    assert "# bij wa-1" not in parts["werkaantekeningen/mw-bakker"]
    joined = join(parts)
    assert joined.index("id: wa-2") < joined.index("id: wa-1") < joined.index("# bij wa-1")


def test_text_before_the_first_key_goes_with_the_first_part_in_part_order() -> None:
    text = "# kop\nniveaus: []\nformaat: zorgkluis-dossier/1\n"
    parts = split(text)
    assert parts == {
        "administratie": "# kop\nformaat: zorgkluis-dossier/1\n",
        "zorg": "niveaus: []\n",
    }
    assert join(parts) == "# kop\nformaat: zorgkluis-dossier/1\nniveaus: []\n"


@pytest.mark.parametrize(
    "text",
    [
        "{formaat: zorgkluis-dossier/1, niveaus: [], okr: {opgesteld: 2025-06-01}}\n",
        "formaat: zorgkluis-dossier/1\nniveaus: []\nokr:\n  opgesteld: 2025-06-01",
        "formaat: zorgkluis-dossier/1\r\nniveaus: []\r\nokr:\r\n  opgesteld: 2025-06-01\r\n",
        "  formaat: zorgkluis-dossier/1\n  niveaus: []\n  okr:\n    opgesteld: 2025-06-01\n",
    ],
)
def test_non_canonical_text_is_split_after_canonicalizing(text: str) -> None:
    parts = split(text)
    assert sorted(parts) == ["administratie", "okr", "zorg"]
    assert load_fast(join(parts)) == load_fast(text)


def test_notes_in_flow_style_are_split_per_author() -> None:
    text = HEAD + (
        "werkaantekeningen: [{id: wa-1, auteur: ib-jansen, datum: 2024-01-01, tekst: a},"
        " {id: wa-2, auteur: mw-bakker, datum: 2024-01-02, tekst: b}]\n"
    )
    parts = split(text)
    assert sorted(parts) == [
        "administratie",
        "werkaantekeningen/ib-jansen",
        "werkaantekeningen/mw-bakker",
    ]
    assert load_fast(join(parts)) == load_fast(text)


def test_anchors_and_aliases_are_refused() -> None:
    text = HEAD + "plannen:\n  - &p\n    id: pl-1\n  - *p\n"
    with pytest.raises(DossierError, match="Ankers en verwijzingen") as caught:
        split(text)
    assert caught.value.line == 13  # where the anchored value starts


def test_an_anchor_without_alias_is_refused_too() -> None:
    text = HEAD + "plannen:\n  - id: pl-1\n    start: &begin 2024-01-08\n"
    with pytest.raises(DossierError, match="Ankers en verwijzingen") as caught:
        split(text)
    assert (caught.value.line, caught.value.column) == (14, 12)


def test_an_empty_mapping_has_no_parts() -> None:
    assert split("{}\n") == {}


def test_an_empty_notes_part_beside_others_adds_nothing() -> None:
    parts = {
        "werkaantekeningen/ib-jansen": "werkaantekeningen: []\n",
        "werkaantekeningen/mw-bakker": _notes(("wa-1", "mw-bakker", "2024-01-10")),
    }
    assert load_fast(join(parts))["werkaantekeningen"][0]["id"] == "wa-1"


def test_a_trusted_join_of_the_full_dossier_is_byte_identical(full_text: str) -> None:
    parts = split(full_text)
    assert join(parts, trusted=True) == join(parts) == full_text
    without_care = {n: t for n, t in parts.items() if n != "zorg"}
    assert join(without_care, trusted=True) == join(without_care)
    assert parts_module._line_layout(parts["zorg"]) is not None  # the quick path was taken


@pytest.mark.parametrize(
    "text",
    [
        "{formaat: zorgkluis-dossier/1, route: '000'}\n",
        "---\nformaat: zorgkluis-dossier/1\n",
        "formaat: zorgkluis-dossier/1\nniveaus:\n- niveau: 1\n",
        'formaat: zorgkluis-dossier/1\nx_tekst: "een\nroute: twee"\n',
        "formaat: zorgkluis-dossier/1\nroute: [\n'000']\n",
        "formaat: zorgkluis-dossier/1\nformaat: zorgkluis-dossier/1\n",
        "formaat: zorgkluis-dossier/1",
        "formaat: zorgkluis-dossier/1\r\nroute: '000'\r\n",
        "formaat: &f zorgkluis-dossier/1\n",
        "# alleen commentaar\n",
        "Formaat: zorgkluis-dossier/1\n",
    ],
)
def test_text_that_is_not_plainly_canonical_is_parsed_after_all(text: str) -> None:
    assert parts_module._line_layout(text) is None
    try:
        expected = join({"administratie": text})
    except DossierError as exc:
        with pytest.raises(DossierError) as raised:
            join({"administratie": text}, trusted=True)
        assert raised.value.message == exc.message
    else:
        assert join({"administratie": text}, trusted=True) == expected


def test_a_trusted_join_still_refuses_a_key_in_two_parts_and_unknown_parts() -> None:
    with pytest.raises(DossierError, match="twee delen"):
        join({"administratie": "route: '000'\n", "zorg": "route: '001'\n"}, trusted=True)
    with pytest.raises(DossierError, match="Onbekend"):
        join({"geheim": "a: 1\n"}, trusted=True)
    stolen = _notes(("wa-1", "mw-bakker", "2024-01-01"))
    with pytest.raises(DossierError):
        join({"werkaantekeningen/ib-jansen": stolen}, trusted=True)
