"""The sending school's staff ids do not come along as ids: the receiving school sees who
was there as a description of the sending school's person (docs/transfer.md §6)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transfer_kit import TODAY, School, dossier

from dossier_format import codec
from vault import transfer

SENDER = "Basisschool De Notenkraker"


def _know(receiver: School, sender: School) -> None:
    card = transfer.transfer_card(sender.as_())
    transfer.add_school(receiver.as_(), card.school, card.signing_key, recipient=card.recipient)


def _bundle(a: School, b: School, out: Path, text: str) -> tuple[str, bytes]:
    va = a.as_()
    pupil = va.new(text, today=TODAY, override="test").pupil_id
    transfer.export_bundle(va, pupil, transfer.transfer_card(b.as_()).recipient, out, today=TODAY)
    return pupil, out.read_bytes()


STAFF_DOSSIER_ZORG = """\
plannen:
  - id: pl-1
    soort: groepsplan
    aanpak: intensief
    niveau: 2
    vakgebied: technisch lezen
    hulpvraag: Tempo van het lezen.
    uitvoerder: ib
    start: 2024-09-02
besprekingen:
  - id: bs-1
    soort: leerlingbespreking
    datum: 2024-10-01
    ingebracht_door: lk
    aanwezig:
      - lk
      - ib
      - ouders
      - orthopedagoog (extern)
gesprekken:
  - id: gs-1
    soort: oudergesprek
    datum: 2024-10-08
    aanwezig:
      - lk
      - moeder
      - logopedist
aanvragen:
  - id: av-1
    soort: extern_onderzoek
    datum: 2024-11-01
    ingediend_door: ib
protocollen:
  meerbegaafdheid:
    status: afgerond
    compact_verrijken:
      start: 2023-09-01
      stop: 2024-06-01
      stop_besloten_door:
        - ib
        - lk
"""


def _with_staff() -> str:
    text = dossier()
    return text.replace("toetsen:", STAFF_DOSSIER_ZORG + "toetsen:", 1)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_sending_schools_staff_ids_become_descriptions(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    # both schools have users "ib" and "lk": left as ids, A's teacher would read as B's own
    _, data = _bundle(school_a, school_b, tmp_path / "noor.zkoverdracht", _with_staff())
    _know(school_b, school_a)
    result = transfer.import_file(school_b.as_(), data, today=TODAY, override="test")
    got = codec.load_fast(school_b.as_().show(result.save.pupil_id))

    of_a = f"({SENDER})"
    assert got["besprekingen"][0]["aanwezig"] == [
        f"lk {of_a}", f"ib {of_a}", "ouders", "orthopedagoog (extern)",
    ]  # fmt: skip
    assert got["gesprekken"][0]["aanwezig"] == [f"lk {of_a}", "moeder", f"logopedist {of_a}"]
    assert "uitvoerder" not in got["plannen"][0]
    assert "ingebracht_door" not in got["besprekingen"][0]
    assert "ingediend_door" not in got["aanvragen"][0]
    compact = got["protocollen"]["meerbegaafdheid"]["compact_verrijken"]
    assert "stop_besloten_door" not in compact and compact["stop"].isoformat() == "2024-06-01"
    assert got["x_herkomst"]["medewerkers"] == [
        {"plek": "plannen[pl-1].uitvoerder", "wie": f"ib {of_a}"},
        {"plek": "besprekingen[bs-1].ingebracht_door", "wie": f"lk {of_a}"},
        {"plek": "aanvragen[av-1].ingediend_door", "wie": f"ib {of_a}"},
        {
            "plek": "protocollen.meerbegaafdheid.compact_verrijken.stop_besloten_door",
            "wie": f"ib {of_a}",
        },
        {
            "plek": "protocollen.meerbegaafdheid.compact_verrijken.stop_besloten_door",
            "wie": f"lk {of_a}",
        },
    ]
    # no value anywhere in the received dossier is one of the sending school's staff ids
    assert not {"ib", "lk"} & set(_strings(got))
