"""Two staff members edit one dossier at the same time: nobody's save undoes the other's.

An editor reads the dossier with `show_versioned` and saves with `put(base=...)`; changes
saved since that version are merged in (entries by id, fields by key), and the same field
changed on both sides refuses the save until the user chooses.
"""

from __future__ import annotations

import pytest
from vault_testkit import TODAY, School, dossier

from dossier_format import codec
from vault.errors import ChecksFailedError, ConcurrentEditError


def _start(school: School) -> tuple[str, str]:
    """A pupil the teacher lk-els is betrokken with, and the commit of its first version."""
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(werk=[("ib-anna", "eigen notitie")]), today=TODAY).pupil_id
    return pid, ib.show_versioned(pid).commit


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_edits_to_different_fields_are_merged(school: School) -> None:
    pid, _ = _start(school)
    ib, els = school.as_("ib-anna"), school.as_("lk-els")
    mine, theirs = ib.show_versioned(pid), els.show_versioned(pid)
    saved = els.put(pid, _edit(theirs.text, "groep: 5", "groep: 6"), base=theirs.commit)
    assert not saved.merged
    edited = _edit(mine.text, "reden: Instroom", "reden: Lezen blijft achter. Instroom")
    result = ib.put(pid, edited, base=mine.commit, today=TODAY)
    assert result.merged and result.commit is not None
    data = codec.load_fast(ib.show(pid))
    assert data["leerling"]["groep"] == 6  # the teacher's change survived
    assert data["niveaus"][0]["reden"].startswith("Lezen blijft achter.")
    assert data["werkaantekeningen"][0]["tekst"] == "eigen notitie"


def test_entries_added_on_both_sides_are_both_kept(school: School) -> None:
    pid, _ = _start(school)
    ib, els = school.as_("ib-anna"), school.as_("lk-els")
    mine, theirs = ib.show_versioned(pid), els.show_versioned(pid)
    toets = "toetsen:\n  - id: tt-1\n    toets: DMT\n    moment: M\n    datum: 2025-02-01\n"
    els.put(pid, theirs.text + toets, base=theirs.commit, today=TODAY)
    gesprek = (
        "gesprekken:\n  - id: gs-1\n    soort: oudergesprek\n    datum: 2025-02-03\n"
        "    onderwerp: Lezen thuis\n"
    )
    assert ib.put(pid, mine.text + gesprek, base=mine.commit, today=TODAY).merged
    data = codec.load_fast(ib.show(pid))
    assert [t["id"] for t in data["toetsen"]] == ["tt-1"]
    assert [g["id"] for g in data["gesprekken"]] == ["gs-1"]


def test_the_same_field_refuses_the_save_until_the_user_chooses(school: School) -> None:
    pid, _ = _start(school)
    ib, els = school.as_("ib-anna"), school.as_("lk-els")
    mine, theirs = ib.show_versioned(pid), els.show_versioned(pid)
    els.put(pid, _edit(theirs.text, "groep: 5", "groep: 6"), base=theirs.commit)
    head = ib.log(pid)[0].commit
    edited = _edit(mine.text, "groep: 5", "groep: 7")
    with pytest.raises(ConcurrentEditError) as refused:
        ib.put(pid, edited, base=mine.commit, today=TODAY)
    (conflict,) = refused.value.conflicts
    assert (conflict.path, conflict.base, conflict.ours, conflict.theirs) == (
        "leerling.groep",
        5,
        7,
        6,
    )
    assert "leerling.groep" in refused.value.message
    assert ib.log(pid)[0].commit == head  # nothing saved
    # Choosing the colleague's value saves the rest of the edit and keeps their 6.
    both = _edit(edited, "reden: Instroom", "reden: Nieuw. Instroom")
    result = ib.put(pid, both, base=mine.commit, choices={"leerling.groep": "theirs"})
    assert result.merged
    data = codec.load_fast(ib.show(pid))
    assert data["leerling"]["groep"] == 6
    assert data["niveaus"][0]["reden"].startswith("Nieuw.")
    # Choosing one's own value overrides it, knowingly.
    now = ib.show_versioned(pid)
    ours = ib.put(pid, _edit(now.text, "groep: 6", "groep: 7"), base=now.commit)
    assert not ours.merged
    assert codec.load_fast(ib.show(pid))["leerling"]["groep"] == 7


def test_a_change_the_editor_cannot_see_is_not_a_conflict(school: School) -> None:
    pid, _ = _start(school)
    ib, els = school.as_("ib-anna"), school.as_("lk-els")
    mine = ib.show_versioned(pid)
    theirs = els.show_versioned(pid)
    notes = "werkaantekeningen:\n  - id: wa-9\n    auteur: lk-els\n    datum: 2025-02-01\n"
    els.put(pid, theirs.text + notes + "    tekst: van Els\n", base=theirs.commit, today=TODAY)
    result = ib.put(pid, _edit(mine.text, "groep: 5", "groep: 6"), base=mine.commit)
    assert not result.merged  # the IB-er cannot see Els's notes: nothing to merge
    assert "van Els" in els.show(pid)
    assert codec.load_fast(els.show(pid))["leerling"]["groep"] == 6


def test_an_unknown_base_is_a_clear_error(school: School) -> None:
    pid, _ = _start(school)
    ib = school.as_("ib-anna")
    with pytest.raises(Exception, match="Onbekende versie"):
        ib.put(pid, ib.show(pid), base="0" * 40)


GOALLESS = (
    "plannen:\n  - id: {id}\n    soort: handelingsplan\n    niveau: 1\n"
    "    hulpvraag: Hoe verder?\n    doelen: []\n    start: 2025-01-06\n"
)


def test_only_errors_a_save_adds_need_a_reason(school: School) -> None:
    ib = school.as_("ib-anna")
    with pytest.raises(ChecksFailedError) as first:
        ib.new(dossier() + GOALLESS.format(id="pl-1"), today=TODAY)
    assert len(first.value.new_errors) == 1
    pid = ib.new(dossier() + GOALLESS.format(id="pl-1"), override="besproken", today=TODAY)
    pid_id = pid.pupil_id
    # A teacher records a toets: the error the IB-er accepted does not block her.
    els = school.as_("lk-els")
    now = els.show_versioned(pid_id)
    toets = "toetsen:\n  - id: tt-1\n    toets: DMT\n    moment: M\n    datum: 2025-02-01\n"
    saved = els.put(pid_id, now.text + toets, base=now.commit, today=TODAY)
    assert saved.commit is not None
    assert [f.rule for f in saved.findings if f.severity == "error"] == [
        f.rule for f in first.value.new_errors
    ]
    # A second plan without goals is a new error: that save needs its own reason.
    now = els.show_versioned(pid_id)
    second = now.text.replace("toetsen:", GOALLESS.format(id="pl-2").split("\n", 1)[1] + "toetsen:")
    with pytest.raises(ChecksFailedError) as refused:
        els.put(pid_id, second, base=now.commit, today=TODAY)
    assert [f.path for f in refused.value.new_errors] == ["plannen[1].doelen"]
    assert "1 nieuwe fout" in refused.value.message
