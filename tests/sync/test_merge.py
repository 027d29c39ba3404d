"""Three-way merge of dossier YAML: examples and properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier_format import codec
from dossier_format.merge import ABSENT, as_yaml, merge3, plain, resolve

BASE = """\
formaat: zorgkluis-dossier/1
leerling:
  id: ll-abc
  voornaam: Noor
  groep: 5
plannen:
  # het eerste plan
  - id: pl-1
    doelen:
      - lezen
    evaluatie: null
  - id: pl-2
    doelen:
      - rekenen
"""


def test_different_keys_merge_without_conflict() -> None:
    ours = BASE.replace("groep: 5", "groep: 6")
    theirs = BASE.replace("voornaam: Noor", "voornaam: Nora")
    result = merge3(BASE, ours, theirs)
    assert result.clean
    assert result.text == BASE.replace("groep: 5", "groep: 6").replace("Noor", "Nora")


def test_entries_added_on_both_sides_are_kept_in_order() -> None:
    ours = BASE + "  - id: pl-3\n    doelen:\n      - schrijven\n"
    theirs = BASE.replace("      - rekenen\n", "      - rekenen\n      - tafels\n")
    theirs += "  - id: pl-4\n    doelen:\n      - spelling\n"
    result = merge3(BASE, ours, theirs)
    assert result.clean
    ids = [p["id"] for p in codec.load_fast(result.text)["plannen"]]
    assert ids == ["pl-1", "pl-2", "pl-3", "pl-4"]
    assert codec.load_fast(result.text)["plannen"][1]["doelen"] == ["rekenen", "tafels"]
    assert "# het eerste plan" in result.text


def test_removed_entry_stays_removed_when_other_side_left_it_alone() -> None:
    ours = BASE.split("  - id: pl-2")[0]
    theirs = BASE.replace("evaluatie: null", "evaluatie: goed")
    result = merge3(BASE, ours, theirs)
    assert result.clean
    data = codec.load_fast(result.text)
    assert [p["id"] for p in data["plannen"]] == ["pl-1"]
    assert data["plannen"][0]["evaluatie"] == "goed"


def test_same_field_conflict_keeps_both_values_and_can_be_resolved() -> None:
    ours = BASE.replace("groep: 5", "groep: 6")
    theirs = BASE.replace("groep: 5", "groep: 7")
    result = merge3(BASE, ours, theirs)
    assert [(c.path, c.base, c.ours, c.theirs) for c in result.conflicts] == [
        ("leerling.groep", 5, 6, 7)
    ]
    assert codec.load_fast(result.text)["leerling"]["groep"] == 6
    chosen = resolve(result, {"leerling.groep": "theirs"})
    assert chosen.clean
    assert chosen.text == theirs


def test_conflict_inside_an_entry_names_the_entry_id() -> None:
    ours = BASE.replace("      - rekenen", "      - rekenen tot 100")
    theirs = BASE.replace("      - rekenen", "      - rekenen tot 20")
    result = merge3(BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == ["plannen[pl-2].doelen"]


def test_removed_on_one_side_changed_on_the_other_is_a_conflict() -> None:
    ours = BASE.split("  - id: pl-2")[0]
    theirs = BASE.replace("      - rekenen", "      - rekenen tot 20")
    result = merge3(BASE, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.path == "plannen[pl-2]"
    assert conflict.ours is ABSENT
    assert conflict.theirs["doelen"] == ["rekenen tot 20"]
    kept = resolve(result, {"plannen[pl-2]": "theirs"})
    assert [p["id"] for p in codec.load_fast(kept.text)["plannen"]] == ["pl-1", "pl-2"]


def test_same_id_added_twice_with_different_content_is_a_conflict() -> None:
    ours = BASE + "  - id: pl-3\n    doelen:\n      - a\n"
    theirs = BASE + "  - id: pl-3\n    doelen:\n      - b\n"
    result = merge3(BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == ["plannen[pl-3].doelen"]


def test_independently_created_texts_merge_against_an_empty_base() -> None:
    result = merge3("", "a: 1\n", "b: 2\n")
    assert result.clean
    assert codec.load_fast(result.text) == {"a": 1, "b": 2}


# --- properties ---------------------------------------------------------------------------

_scalars = st.one_of(st.integers(-5, 5), st.sampled_from(["ja", "nee", "lezen", "rekenen"]))
_entries = st.dictionaries(st.sampled_from(["doel", "datum", "wie"]), _scalars, max_size=3)
_id_lists = st.lists(
    st.tuples(st.sampled_from(["pl-1", "pl-2", "pl-3", "pl-4"]), _entries),
    max_size=4,
    unique_by=lambda pair: pair[0],
).map(lambda pairs: [{"id": i, **e} for i, e in pairs])
_values = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=3),
    _id_lists,
    st.dictionaries(st.sampled_from(["x", "y"]), _scalars, max_size=2),
)
_docs = st.dictionaries(st.sampled_from(["a", "b", "c", "plannen", "d"]), _values, max_size=5)


def _text(doc: dict[str, Any]) -> str:
    return codec.dump(doc)


@settings(max_examples=50, deadline=None)
@given(_docs, _docs)
def test_one_side_unchanged_gives_the_other(base: dict[str, Any], other: dict[str, Any]) -> None:
    b, x = _text(base), _text(other)
    assert merge3(b, x, b).text == x
    assert merge3(b, b, x).text == x
    assert merge3(b, x, x).text == x


@settings(max_examples=50, deadline=None)
@given(_docs, _docs, _docs)
def test_merge_is_symmetric_up_to_conflicts(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    b, o, t = _text(base), _text(ours), _text(theirs)
    one, two = merge3(b, o, t), merge3(b, t, o)
    assert sorted(c.path for c in one.conflicts) == sorted(c.path for c in two.conflicts)
    # Resolving every conflict to the same side gives the same data either way round.
    first = resolve(one, {c.path: "ours" for c in one.conflicts})
    second = resolve(two, {c.path: "theirs" for c in two.conflicts})
    assert first.clean and second.clean
    assert _same_data(plain(codec.load(first.text)), plain(codec.load(second.text)))


def _same_data(left: Any, right: Any) -> bool:
    """Equal data, ignoring the order of mapping keys and of entries with ids."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same_data(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        if all(isinstance(i, dict) and "id" in i for i in left + right):
            by_id = {i["id"]: i for i in right}
            return all(i["id"] in by_id and _same_data(i, by_id[i["id"]]) for i in left)
        return all(_same_data(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


@settings(max_examples=50, deadline=None)
@given(_docs, _docs, _docs)
def test_changes_only_one_side_made_survive(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    result = merge3(_text(base), _text(ours), _text(theirs))
    merged = codec.load_fast(result.text)
    conflicted = {c.path.split(".")[0].split("[")[0] for c in result.conflicts}
    for key in set(base) | set(ours) | set(theirs):
        if key in conflicted:
            continue
        b, o, t = base.get(key, ABSENT), ours.get(key, ABSENT), theirs.get(key, ABSENT)
        if o == b:
            assert merged.get(key, ABSENT) == t
        elif t == b:
            assert merged.get(key, ABSENT) == o


def test_conflict_values_show_as_yaml() -> None:
    ours = BASE.replace("      - rekenen", "      - rekenen tot 100")
    theirs = BASE.replace("      - rekenen", "      - rekenen tot 20")
    (conflict,) = merge3(BASE, ours, theirs).conflicts
    assert as_yaml(conflict.ours) == "- rekenen tot 100"
    assert as_yaml(conflict.theirs) == "- rekenen tot 20"
    assert as_yaml(ABSENT) == ""


def _at(data: Any, path: str) -> Any:
    """The value at a conflict path (`a.b[pl-1].c`), or ABSENT."""
    for step in path.replace("[", ".[").split("."):
        if step.startswith("["):
            entry_id = step[1:-1]
            found = [e for e in data if isinstance(e, dict) and e.get("id") == entry_id]
            if not found:
                return ABSENT
            data = found[0]
        else:
            if not isinstance(data, dict) or step not in data:
                return ABSENT
            data = data[step]
    return data


@settings(max_examples=50, deadline=None)
@given(_docs, _docs, _docs)
def test_a_conflict_loses_neither_side(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    result = merge3(_text(base), _text(ours), _text(theirs))
    for conflict in result.conflicts:
        assert conflict.ours == _at(ours, conflict.path)
        assert conflict.theirs == _at(theirs, conflict.path)
        assert conflict.ours != conflict.theirs
    if result.conflicts:
        kept = resolve(result, {c.path: "theirs" for c in result.conflicts})
        data = plain(codec.load(kept.text))
        for conflict in result.conflicts:
            assert _at(data, conflict.path) == conflict.theirs


def test_betrokkenen_merge_by_medewerker() -> None:
    base = "betrokkenen:\n  - medewerker: lk-els\n    rol: leerkracht\n"
    ours = base + "  - medewerker: lk-bob\n    rol: leerkracht\n"
    theirs = base.replace("rol: leerkracht", "rol: mentor")
    theirs += "  - medewerker: sp-ria\n    rol: rt\n"
    result = merge3(base, ours, theirs)
    assert result.clean
    rows = codec.load_fast(result.text)["betrokkenen"]
    assert [(r["medewerker"], r["rol"]) for r in rows] == [
        ("lk-els", "mentor"),
        ("lk-bob", "leerkracht"),
        ("sp-ria", "rt"),
    ]
