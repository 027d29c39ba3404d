"""A pupil moves from vault A to vault B in a signed, encrypted bundle; every refusal path
(wrong school, tampering, no signature, unknown sender, gate) writes nothing."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from transfer_kit import TODAY, School, dossier, make_school

from dossier_format import codec
from vault import transfer
from vault.audit import AuditLog
from vault.crypto import age, sshkeys, sshsig
from vault.errors import NotPermittedError
from vault.repository import Vault


def _new_pupil(school: School, text: str | None = None) -> str:
    return school.as_().new(text or dossier(), today=TODAY).pupil_id


def _export(a: School, b: School, tmp_path: Path, pupil: str | None = None) -> Path:
    va = a.as_()
    pupil = pupil or _new_pupil(a)
    out = tmp_path / "noor.zkoverdracht"
    transfer.export_bundle(va, pupil, transfer.transfer_card(b.as_()).recipient, out, today=TODAY)
    return out


def _know(receiver: School, sender: School) -> None:
    card = transfer.transfer_card(sender.as_())
    transfer.add_school(receiver.as_(), card.school, card.signing_key, recipient=card.recipient)


def _tar_files(bundle: bytes, school: School) -> dict[str, bytes]:
    ident = transfer.load_transfer_identity(school.as_())
    plain = age.decrypt(bundle, [ident.identity])
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _reseal(files: dict[str, bytes], school: School) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    recipient = age.X25519Recipient.parse(transfer.transfer_card(school.as_()).recipient)
    return age.encrypt(buf.getvalue(), [recipient])


def _state(vault: Vault) -> tuple[str | None, int]:
    return vault.head(), len(vault.list_pupils())


def test_pupil_moves_from_a_to_b(school_a: School, school_b: School, tmp_path: Path) -> None:
    pupil = _new_pupil(school_a)
    out = _export(school_a, school_b, tmp_path, pupil)
    _know(school_b, school_a)
    result = transfer.import_file(school_b.as_(), out.read_bytes(), today=TODAY)
    assert result.kind == "bundel" and result.sender.naam == "Basisschool De Notenkraker"

    sent = codec.load_fast(school_a.as_().show(pupil))
    got = codec.load_fast(school_b.as_().show(result.save.pupil_id))
    for key in ("niveaus", "toetsen"):
        assert got[key] == sent[key]
    assert got["okr"] == {
        k: v for k, v in sent["okr"].items() if k not in ("verzonden", "ontvanger")
    }
    assert {k: v for k, v in got["leerling"].items() if k != "id"} == {
        k: v for k, v in sent["leerling"].items() if k != "id"
    }
    assert got["leerling"]["id"] != pupil
    assert got["route"] == "003"
    assert got["inschrijving"] == {
        "ingeschreven": TODAY,
        "vorige_school": "Basisschool De Notenkraker",
    }
    assert got["x_herkomst"]["leerling_id"] == pupil
    assert got["x_herkomst"]["inschrijving"] == sent["inschrijving"]
    assert got["x_herkomst"]["bekend"] is True
    assert "werkaantekeningen" not in got and "betrokkenen" not in got
    assert "GEHEIME-WERKAANTEKENING" not in school_b.as_().show(result.save.pupil_id)

    # the sending school recorded the sending in the dossier and the audit log
    assert sent["okr"]["verzonden"] == TODAY
    assert sent["okr"]["ontvanger"] == "OBS De Regenboog"
    va = school_a.as_()
    entries, problems = AuditLog.of_vault(school_a.path).read(va.identities, pupil_id=pupil)
    # one entry for the export (not one per read inside it), then the test's own show above
    assert problems == [] and [e.actie for e in entries] == ["export", "ontsleuteld"]
    assert entries[0].onderdeel == "administratie,zorg,okr"
    assert entries[0].reden == "naar OBS De Regenboog"
    # the receiving school recorded the import
    vb = school_b.as_()
    new_id = result.save.pupil_id
    received, problems = AuditLog.of_vault(school_b.path).read(vb.identities, pupil_id=new_id)
    assert problems == [] and received[0].actie == "import"
    assert received[0].reden is not None and "De Notenkraker" in received[0].reden


def test_provenance_chains_when_the_pupil_moves_on(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    _know(school_b, school_a)
    first = transfer.import_file(
        school_b.as_(), _export(school_a, school_b, tmp_path).read_bytes(), today=TODAY
    )
    school_c = make_school(tmp_path / "c", "De Derde School")
    _know(school_c, school_b)
    vb = school_b.as_()
    # B needs its own uitschrijving, vervolgschool and okr before the gate lets it go
    doc = codec.load(vb.show(first.save.pupil_id))
    doc["inschrijving"]["uitgeschreven"] = TODAY
    doc["inschrijving"]["vervolgschool"] = "De Derde School"
    vb.put(first.save.pupil_id, codec.dump(doc), today=TODAY)
    out = tmp_path / "verder.zkoverdracht"
    to = transfer.transfer_card(school_c.as_()).recipient
    transfer.export_bundle(vb, first.save.pupil_id, to, out, today=TODAY)
    second = transfer.import_file(school_c.as_(), out.read_bytes(), today=TODAY)
    herkomst = codec.load_fast(school_c.as_().show(second.save.pupil_id))["x_herkomst"]
    assert herkomst["school"] == "OBS De Regenboog"
    assert herkomst["eerder"]["school"] == "Basisschool De Notenkraker"


def test_bundle_opens_with_standard_tools(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    out = _export(school_a, school_b, tmp_path)
    key_file = tmp_path / "b-overdracht.txt"
    key_file.write_text(transfer.load_transfer_identity(school_b.as_()).identity.to_string())
    plain = subprocess.run(
        ["age", "-d", "-i", str(key_file), str(out)], check=True, capture_output=True
    ).stdout
    folder = tmp_path / "uitgepakt"
    folder.mkdir()
    subprocess.run(["tar", "-x", "-C", str(folder)], input=plain, check=True)
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == [
        "delen/administratie.yaml", "delen/okr.yaml", "delen/zorg.yaml",
        "manifest.yaml", "manifest.yaml.sig",
    ]  # fmt: skip
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text())
    for row in manifest["delen"]:
        assert hashlib.sha256((folder / row["bestand"]).read_bytes()).hexdigest() == row["sha256"]
    assert [w["wat"] for w in manifest["achtergehouden"]] == ["werkaantekeningen", "betrokkenen"]
    assert manifest["formaat"] == "zorgkluis-overdracht/1"
    assert manifest["dossierformaat"] == "zorgkluis-dossier/1"
    assert (
        manifest["ontvanger"]["ontvangstsleutel"]
        == transfer.transfer_card(school_b.as_()).recipient
    )
    card_a = transfer.transfer_card(school_a.as_())
    assert manifest["afzender"]["vingerafdruk"] == card_a.fingerprint
    signers = tmp_path / "allowed"
    signers.write_text(f'notenkraker namespaces="{transfer.SIGN_NAMESPACE}" {card_a.signing_key}\n')
    subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "notenkraker",
         "-n", transfer.SIGN_NAMESPACE, "-s", str(folder / "manifest.yaml.sig")],
        input=(folder / "manifest.yaml").read_bytes(), check=True, capture_output=True,
    )  # fmt: skip
    for part in folder.glob("delen/*.yaml"):
        assert b"GEHEIME-WERKAANTEKENING" not in part.read_bytes()
        assert b"medewerker: lk" not in part.read_bytes()


def test_wrongly_addressed_bundle_is_refused(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    school_c = make_school(tmp_path / "c", "De Derde School")
    out = _export(school_a, school_b, tmp_path)
    _know(school_c, school_a)
    vc = school_c.as_()
    before = _state(vc)
    with pytest.raises(transfer.NotAddressedError, match="nog geen overdrachtssleutel"):
        transfer.import_file(vc, out.read_bytes(), today=TODAY)
    assert _state(school_c.as_()) == before
    transfer.transfer_card(vc)  # C has its own transfer key, just not the one used
    before = _state(vc)
    with pytest.raises(transfer.NotAddressedError, match="niet voor deze school"):
        transfer.import_file(vc, out.read_bytes(), today=TODAY)
    # B re-encrypts A's signed content to C: the signed manifest still names B
    resealed = _reseal(_tar_files(out.read_bytes(), school_b), school_c)
    with pytest.raises(transfer.NotAddressedError, match="andere school"):
        transfer.import_file(vc, resealed, today=TODAY)
    assert _state(school_c.as_()) == before


def test_flipped_byte_in_ciphertext_is_refused(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    data = bytearray(_export(school_a, school_b, tmp_path).read_bytes())
    _know(school_b, school_a)
    vb = school_b.as_()
    before = _state(vb)
    data[-40] ^= 0x01
    with pytest.raises(transfer.TamperedError, match="beschadigd of onderweg gewijzigd"):
        transfer.import_file(vb, bytes(data), today=TODAY)
    assert _state(school_b.as_()) == before


def test_changed_part_or_manifest_inside_is_refused(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    files = _tar_files(_export(school_a, school_b, tmp_path).read_bytes(), school_b)
    _know(school_b, school_a)
    vb = school_b.as_()
    before = _state(vb)
    changed = dict(files)
    changed["delen/okr.yaml"] = files["delen/okr.yaml"].replace(b"true", b"false", 1)
    with pytest.raises(transfer.TamperedError, match="'okr' is gewijzigd"):
        transfer.import_file(vb, _reseal(changed, school_b), today=TODAY)
    changed = dict(files)
    changed["manifest.yaml"] = files["manifest.yaml"].replace(b"Notenkraker", b"Notenkrakr", 1)
    with pytest.raises(transfer.TamperedError, match="handtekening"):
        transfer.import_file(vb, _reseal(changed, school_b), today=TODAY)
    changed = dict(files)
    changed["delen/extra.yaml"] = b"x: 1\n"
    with pytest.raises(transfer.TamperedError, match="niet in het manifest"):
        transfer.import_file(vb, _reseal(changed, school_b), today=TODAY)
    assert _state(school_b.as_()) == before


def test_unsigned_bundle_is_refused(school_a: School, school_b: School, tmp_path: Path) -> None:
    files = _tar_files(_export(school_a, school_b, tmp_path).read_bytes(), school_b)
    del files["manifest.yaml.sig"]
    vb = school_b.as_()
    with pytest.raises(transfer.UnsignedError, match="niet ondertekend"):
        transfer.import_file(vb, _reseal(files, school_b), today=TODAY)
    assert school_b.as_().list_pupils() == []


def test_signature_by_another_key_is_refused(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    files = _tar_files(_export(school_a, school_b, tmp_path).read_bytes(), school_b)
    _know(school_b, school_a)
    intruder = school_b.private["lk"]
    files["manifest.yaml.sig"] = sshsig.sign(files["manifest.yaml"], intruder, "git")
    with pytest.raises(transfer.TamperedError, match="handtekening"):
        transfer.import_file(school_b.as_(), _reseal(files, school_b), today=TODAY)


def test_signer_other_than_the_manifest_names_is_refused(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    files = _tar_files(_export(school_a, school_b, tmp_path).read_bytes(), school_b)
    _know(school_b, school_a)
    other = school_b.private["lk"]  # a valid signature, but not by the key the manifest names
    files["manifest.yaml.sig"] = sshsig.sign(files["manifest.yaml"], other, transfer.SIGN_NAMESPACE)
    with pytest.raises(transfer.TamperedError, match="andere sleutel"):
        transfer.import_file(school_b.as_(), _reseal(files, school_b), today=TODAY)


def test_unknown_sender_shows_fingerprint_and_needs_confirmation(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    data = _export(school_a, school_b, tmp_path).read_bytes()
    vb = school_b.as_()
    with pytest.raises(transfer.UnknownSenderError) as caught:
        transfer.import_file(vb, data, today=TODAY)
    fingerprint = transfer.transfer_card(school_a.as_()).fingerprint
    assert caught.value.fingerprint == fingerprint
    assert fingerprint in caught.value.message
    assert school_b.as_().list_pupils() == []
    with pytest.raises(transfer.UnknownSenderError):
        transfer.import_file(vb, data, trust="SHA256:iets-anders", today=TODAY)
    result = transfer.import_file(vb, data, trust=fingerprint, today=TODAY)
    shown = codec.load_fast(school_b.as_().show(result.save.pupil_id))
    assert shown["x_herkomst"]["bekend"] is False
    assert shown["x_herkomst"]["vingerafdruk"] == fingerprint


def test_gate_refuses_then_override_is_recorded(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    va = school_a.as_()
    pupil = va.new(dossier(okr_ready=False), today=TODAY, override="test").pupil_id
    head = va.head()
    out = tmp_path / "x.zkoverdracht"
    to = transfer.transfer_card(school_b.as_()).recipient
    with pytest.raises(transfer.GateError) as caught:
        transfer.export_bundle(va, pupil, to, out, today=TODAY)
    rules = {f.rule for f in caught.value.findings if f.severity == "error"}
    assert rules == {"overdracht.okr_compleet", "overdracht.informatieplicht"}
    assert not out.exists() and school_a.as_().head() == head
    result = transfer.export_bundle(
        va, pupil, to, out, today=TODAY, override="Vervolgschool wacht; ouders bellen vandaag"
    )
    assert out.exists()
    assert result.manifest is not None
    assert result.manifest["poort"]["override"] == "Vervolgschool wacht; ouders bellen vandaag"
    message = school_a.as_().log(pupil)[0].message
    assert "Override: Overdracht ondanks de poort: Vervolgschool wacht" in message
    with pytest.raises(transfer.InvalidInputError):
        transfer.export_bundle(va, pupil, to, out, today=TODAY, override="  ")


def test_withheld_zorg_part_stays_home(school_a: School, school_b: School, tmp_path: Path) -> None:
    pupil = _new_pupil(school_a)
    out = tmp_path / "x.zkoverdracht"
    to = transfer.transfer_card(school_b.as_()).recipient
    transfer.export_bundle(school_a.as_(), pupil, to, out, today=TODAY, withhold=["zorg"])
    files = _tar_files(out.read_bytes(), school_b)
    assert "delen/zorg.yaml" not in files
    manifest = yaml.safe_load(files["manifest.yaml"])
    assert "zorg" in [w["wat"] for w in manifest["achtergehouden"]]
    with pytest.raises(transfer.InvalidInputError, match="okr"):
        transfer.plan_export(school_a.as_(), pupil, today=TODAY, withhold=["okr"])


def test_only_directie_and_ib_transfer(school_a: School, school_b: School) -> None:
    teacher = school_a.as_("lk")
    with pytest.raises(NotPermittedError):
        transfer.transfer_card(teacher)
    card = transfer.transfer_card(school_a.as_())
    assert transfer.transfer_card(teacher) == card  # the public card is readable once made
    with pytest.raises(NotPermittedError):
        transfer.load_transfer_identity(teacher)
    with pytest.raises(NotPermittedError):
        transfer.import_file(school_b.as_("lk"), b"age-encryption.org/v1\n", today=TODAY)
    with pytest.raises(NotPermittedError):
        transfer.add_school(teacher, "X", card.signing_key)


def test_transfer_keys_follow_new_ib_ers(school_a: School) -> None:
    card = transfer.transfer_card(school_a.as_())
    va = school_a.as_()
    pem, public = sshkeys.generate("dir@test-only", None)
    key = sshkeys.load_private(pem, None)
    va.add_user("dir", "Directeur", "directie", public)
    newcomer = Vault.open(school_a.path, key)
    with pytest.raises(transfer.NoAccessError):
        transfer.load_transfer_identity(newcomer)
    transfer.load_transfer_identity(school_a.as_())  # re-encrypts to the current managers
    opened = transfer.load_transfer_identity(Vault.open(school_a.path, key))
    assert opened.identity.recipient().to_string() == card.recipient


def test_record_admission_starts_okr_retention(school_a: School) -> None:
    pupil = _new_pupil(school_a)
    transfer.record_admission(school_a.as_(), pupil, TODAY, today=TODAY)
    data = codec.load_fast(school_a.as_().show(pupil))
    assert data["inschrijving"]["toegelaten_vervolgschool"] == TODAY
