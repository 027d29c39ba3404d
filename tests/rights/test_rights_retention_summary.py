"""The sweep rewrites the list summary of a pupil who keeps the administratie but loses the
zorg (and okr) part: nothing derived from a destroyed part stays in the summary at HEAD."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vault import retention
from vault.crypto import age, sshkeys
from vault.git_store import GitStore
from vault.repository import Vault, unlock_identity
from vault.summary import from_bytes

TODAY = dt.date(2026, 11, 22)

# Left 2024-01-15 and admitted 2024-02-01: the administratie stays (5 years), zorg (2 years)
# and okr (2 years after admission) have expired by TODAY.
LEFT = """formaat: zorgkluis-dossier/1
leerling:
  id: ll-placeholder
  voornaam: Fenna
  achternaam: Verzonnen
  geboortedatum: 2011-03-01
  groep: 8
inschrijving:
  ingeschreven: 2015-08-24
  uitgeschreven: 2024-01-15
  toegelaten_vervolgschool: 2024-02-01
route: '003'
niveaus:
  - niveau: 1
    vanaf: 2015-08-24
    reden: Algemene zorg.
  - niveau: 3
    vanaf: 2023-09-01
    reden: ZORGGEHEIM rekenen.
plannen:
  - id: pl-1
    soort: handelingsplan
    niveau: 3
    vakgebied: rekenen
    hulpvraag: Hoe helpen we bij het rekenen?
    doelen:
      - Sommen tot 100.
    uitvoerder: ib-anna
    start: 2023-09-04
    evaluatie_gepland: 2023-12-15
besprekingen:
  - id: bs-1
    soort: zorgteam
    datum: 2023-10-01
    aanwezig:
      - ib-anna
    hulpvraag: Wat is nodig?
okr:
  opgesteld: 2024-01-10
  schooladvies: vmbo-t
"""


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Vault, object]:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    pem, public = sshkeys.generate("ib-anna", None)
    key_file = tmp_path / "ib-anna"
    key_file.write_bytes(pem)
    key_file.chmod(0o600)
    key = unlock_identity(key_file, None)
    made = Vault.init(
        tmp_path / "kluis",
        school="De Verzonnen School",
        route_id="003",
        user_id="ib-anna",
        name="Anna IB",
        ssh_public_key=public,
        recovery_key_out=tmp_path / "herstel.txt",
        identity=key,
        durable=False,
    )
    return made, key


def test_sweep_rewrites_the_summary_without_the_destroyed_parts(
    vault: tuple[Vault, object],
) -> None:
    facade, key = vault
    pid = facade.new(LEFT, override="test", today=dt.date(2024, 1, 10)).pupil_id
    before = {p.id: p for p in facade.list_pupils()}[pid]
    assert before.niveau == 3 and before.volgende_evaluatie == dt.date(2023, 12, 15)
    assert {"toestemming_ontbreekt", "okr_open"} <= set(before.signalen)

    keeper = retention.Keeper.of_vault(facade, key)  # type: ignore[arg-type]
    items = retention.status(keeper, TODAY)
    doomed = {(i.pupil_id, i.part) for i in items if retention.needs_action(i)}
    assert doomed == {(pid, "zorg"), (pid, "okr")}
    result = retention.sweep(keeper, items, TODAY)
    assert result.commit is not None

    # The sweep commit itself carries the new summary (one signed commit).
    store = GitStore(facade.path)
    path = f"dossiers/{pid}/samenvatting.age"
    changed = store.log(max_count=1)[0]
    assert changed.sha == result.commit
    assert store.read(path, f"{result.commit}~1") != store.read(path, result.commit)

    after = {p.id: p for p in Vault.open(facade.path, key).list_pupils()}[pid]  # type: ignore[arg-type]
    assert (after.voornaam, after.groep, after.uitgeschreven) == ("Fenna", 8, dt.date(2024, 1, 15))
    assert after.niveau is None and after.volgende_evaluatie is None
    assert after.signalen == []  # no zorg signal, and no "OKR not sent" for a destroyed OKR
    admin = facade.keystore.read(pid, "administratie", [age.SshEd25519Identity(key)])  # type: ignore[arg-type]
    assert admin is not None
    blob = store.read(path)
    assert blob is not None
    plain = age.decrypt(blob, admin.keys)
    assert b"ZORGGEHEIM" not in plain and b"2023-12-15" not in plain
    assert from_bytes(plain).errors == after.errors
    store.close()
