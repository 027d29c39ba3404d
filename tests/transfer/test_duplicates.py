"""Importing a pupil the receiving school already has (the same bundle, a new bundle of the
same pupil, the same OSO file, or a pupil typed in by hand) is refused with a clear Dutch
message unless the user confirms (`allow_duplicate`, `--toch-nieuw`)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from transfer_kit import SENDER_YAML, TODAY, X_OSO, School, dossier

from dossier_format.oso_validate import default_standards_dir
from tui import cli_transfer
from tui.cli import cli
from vault import transfer
from vault.audit import AuditLog

if "export" not in cli.commands:  # until the coordinator wires it into tui/cli.py
    cli_transfer.register(cli)

SENDER = "Basisschool De Notenkraker"
needs_standards = pytest.mark.skipif(
    not (default_standards_dir() / "OV" / "OSO_gegevensset_2019.1.xsd").exists(),
    reason="official OSO standards not found (../shared/standards/oso)",
)


def _know(receiver: School, sender: School) -> None:
    card = transfer.transfer_card(sender.as_())
    transfer.add_school(receiver.as_(), card.school, card.signing_key, recipient=card.recipient)


def _bundle(a: School, b: School, out: Path, text: str | None = None) -> tuple[str, bytes]:
    va = a.as_()
    pupil = va.new(text or dossier(), today=TODAY, override="test").pupil_id
    to = transfer.transfer_card(b.as_()).recipient
    transfer.export_bundle(va, pupil, to, out, today=TODAY)
    return pupil, out.read_bytes()


def test_the_same_bundle_twice_is_refused_unless_confirmed(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    _, data = _bundle(school_a, school_b, tmp_path / "noor.zkoverdracht")
    _know(school_b, school_a)
    first = transfer.import_file(school_b.as_(), data, today=TODAY)
    vb = school_b.as_()
    head = vb.head()
    with pytest.raises(transfer.TransferError, match="waarschijnlijk al in de kluis") as caught:
        transfer.import_file(vb, data, today=TODAY)
    assert isinstance(caught.value, transfer.DuplicateError)
    assert first.save.pupil_id in caught.value.message
    assert "--toch-nieuw" in caught.value.hint
    assert [m.pupil_id for m in caught.value.matches] == [first.save.pupil_id]
    assert "dezelfde leerling van dezelfde school" in caught.value.matches[0].reden
    assert school_b.as_().head() == head and len(school_b.as_().list_pupils()) == 1

    second = transfer.import_file(school_b.as_(), data, today=TODAY, allow_duplicate=True)
    assert {s.id for s in school_b.as_().list_pupils()} == {
        first.save.pupil_id,
        second.save.pupil_id,
    }
    entries, _ = AuditLog.of_vault(school_b.path).read(
        school_b.as_().identities, pupil_id=second.save.pupil_id
    )
    assert entries[0].actie == "import"
    assert f"bevestigd als nieuwe leerling naast {first.save.pupil_id}" in str(entries[0].reden)


def test_a_new_bundle_of_the_same_pupil_is_a_duplicate_too(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    pupil, data = _bundle(school_a, school_b, tmp_path / "eerste.zkoverdracht")
    _know(school_b, school_a)
    transfer.import_file(school_b.as_(), data, today=TODAY)
    again = tmp_path / "tweede.zkoverdracht"
    to = transfer.transfer_card(school_b.as_()).recipient
    transfer.export_bundle(school_a.as_(), pupil, to, again, today=TODAY)
    with pytest.raises(transfer.TransferError, match="waarschijnlijk al in de kluis"):
        transfer.import_file(school_b.as_(), again.read_bytes(), today=TODAY)


def test_same_name_birth_date_and_previous_school_is_a_duplicate(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    # B entered the pupil by hand before the file arrived
    vb = school_b.as_()
    by_hand = dossier(werk=None).replace(
        "  uitgeschreven: 2025-06-13\n  reden_uitschrijving: verhuizing\n"
        "  vervolgschool: OBS De Regenboog\n",
        f"  vorige_school: {SENDER}\n",
    )
    by_hand = by_hand.replace("  ingeschreven: 2019-08-26\n", "  ingeschreven: 2025-06-16\n")
    by_hand = by_hand.replace("voornaam: Noor", "voornaam: noor ")  # case and spacing differ
    existing = vb.new(by_hand, today=TODAY, override="test").pupil_id
    _, data = _bundle(school_a, school_b, tmp_path / "noor.zkoverdracht")
    _know(school_b, school_a)
    with pytest.raises(transfer.TransferError, match="waarschijnlijk al in de kluis") as caught:
        transfer.import_file(school_b.as_(), data, today=TODAY)
    assert isinstance(caught.value, transfer.DuplicateError)
    assert [(m.pupil_id, m.reden) for m in caught.value.matches] == [
        (existing, "zelfde naam, geboortedatum en vorige school")
    ]


def test_a_namesake_with_another_birth_date_is_no_duplicate(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    namesake = dossier(werk=None).replace("geboortedatum: 2015-10-14", "geboortedatum: 2016-02-01")
    school_b.as_().new(namesake, today=TODAY, override="test")
    _, data = _bundle(school_a, school_b, tmp_path / "noor.zkoverdracht")
    _know(school_b, school_a)
    transfer.import_file(school_b.as_(), data, today=TODAY)
    assert len(school_b.as_().list_pupils()) == 2


@needs_standards
def test_the_same_oso_file_twice_is_refused_unless_confirmed(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    va = school_a.as_()
    pupil = va.new(dossier() + X_OSO, today=TODAY).pupil_id
    out = tmp_path / "noor.xml"
    sender = transfer.school_info_from_yaml(SENDER_YAML)
    transfer.export_oso(va, pupil, out, profile="PO-PO", sender=sender, today=TODAY)
    xml = out.read_bytes()
    first = transfer.import_file(school_b.as_(), xml, today=TODAY, source="noor.xml")
    with pytest.raises(transfer.TransferError, match="waarschijnlijk al in de kluis") as caught:
        transfer.import_file(school_b.as_(), xml, today=TODAY, source="noor.xml")
    assert isinstance(caught.value, transfer.DuplicateError)
    assert [m.pupil_id for m in caught.value.matches] == [first.save.pupil_id]
    assert len(school_b.as_().list_pupils()) == 1
    transfer.import_file(school_b.as_(), xml, today=TODAY, allow_duplicate=True)
    assert len(school_b.as_().list_pupils()) == 2


def _run(school: School, *args: str) -> click.testing.Result:
    env = {"ZORGKLUIS_VAULT": str(school.path), "ZORGKLUIS_IDENTITY": str(school.keys["ib"])}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_import_twice_needs_toch_nieuw(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    out = tmp_path / "noor.zkoverdracht"
    _bundle(school_a, school_b, out)
    _know(school_b, school_a)
    day = ("--today", TODAY.isoformat())
    assert _run(school_b, "import", str(out), *day).exit_code == 0
    refused = _run(school_b, "import", str(out), *day)
    assert refused.exit_code == 2
    assert "waarschijnlijk al in de kluis" in refused.output
    assert "--toch-nieuw" in refused.output
    assert len(school_b.as_().list_pupils()) == 1
    taken = _run(school_b, "import", str(out), "--toch-nieuw", *day)
    assert taken.exit_code == 0, taken.output
    assert len(school_b.as_().list_pupils()) == 2
