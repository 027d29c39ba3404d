"""OSO 2019.1 through the vault: export a pupil as PO-PO and PO-VO XML that passes the
official XSD and XSLT, and import every official example dossier (and export it again)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from transfer_kit import SENDER_YAML, TODAY, X_OSO, School, dossier

from dossier_format import codec, oso
from dossier_format.oso_validate import default_standards_dir
from vault import transfer
from vault.errors import ChecksFailedError, InvalidInputError

EXAMPLES = sorted((default_standards_dir() / "OV" / "examples").glob("*.xml"))
pytestmark = pytest.mark.skipif(
    len(EXAMPLES) != 8, reason="official OSO standards not found (../shared/standards/oso)"
)

VO_RESULTS = (
    "bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat", "competenties",
    "stage", "overigvombo",
)  # fmt: skip


def _oso_pupil(school: School, *, vo: bool) -> str:
    text = dossier() + X_OSO
    if vo:
        text = text.replace("  groep: 6", "  groep: 8").replace(
            "  aandachtspunten:", "  schooladvies: vmbo-kader\n  aandachtspunten:"
        )
        text = text.replace("  reden_uitschrijving: verhuizing", "  reden_uitschrijving: vo")
        text += "  overstapadvies:\n    advies: '40'\n    contactnodig: false\n"
    return school.as_().new(text, today=TODAY).pupil_id


@pytest.mark.parametrize("profile", ["PO-PO", "PO-VO"])
def test_oso_export_passes_official_xsd_and_xslt(
    school_a: School, tmp_path: Path, profile: oso.Profile
) -> None:
    pupil = _oso_pupil(school_a, vo=profile == "PO-VO")
    out = tmp_path / "noor.xml"
    sender = transfer.school_info_from_yaml(SENDER_YAML)
    transfer.export_oso(school_a.as_(), pupil, out, profile=profile, sender=sender, today=TODAY)
    xml = out.read_bytes()
    assert oso.validate_xsd(xml) == []
    assert [m for m in oso.validate_xslt(xml) if m.is_fout] == []
    assert b"GEHEIME-WERKAANTEKENING" not in xml
    back = oso.from_oso(xml)
    assert back["leerling"]["achternaam"] == "Verzonnen"
    assert [t["toets"] for t in back["toetsen"]] == ["DMT"]
    stored = codec.load_fast(school_a.as_().show(pupil))
    assert stored["okr"]["verzonden"] == TODAY


def test_oso_export_is_gated_and_checked(school_a: School, tmp_path: Path) -> None:
    va = school_a.as_()
    pupil = va.new(dossier(okr_ready=False), today=TODAY, override="test").pupil_id
    out = tmp_path / "x.xml"
    sender = transfer.school_info_from_yaml(SENDER_YAML)
    with pytest.raises(transfer.GateError):
        transfer.export_oso(va, pupil, out, profile="PO-PO", sender=sender, today=TODAY)
    # past the gate, a dossier without the OSO-only data (BSN, verzorgers) is refused clearly
    with pytest.raises(transfer.TransferError, match="XSD/XSLT") as caught:
        transfer.export_oso(
            va, pupil, out, profile="PO-PO", sender=sender, today=TODAY, override="test"
        )
    assert "Fout" in caught.value.message
    assert not out.exists()
    with pytest.raises(InvalidInputError):
        transfer.school_info_from_yaml("naam: zonder adres\n")


@pytest.mark.slow  # ~5 s each: ruamel round-trips the examples' base64 attachments
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_official_example_imports_and_exports_again(school_b: School, path: Path) -> None:
    vb = school_b.as_()
    sender = transfer.school_info_from_yaml(SENDER_YAML)
    data = path.read_bytes()
    original = oso.from_oso(data)
    groep = None if "groep" in original["leerling"] else 8
    try:
        result = transfer.import_file(vb, data, groep=groep, today=TODAY, source=path.name)
    except ChecksFailedError:  # the sender's OPP lacks what our route asks of an OPP
        result = transfer.import_file(
            vb, data, groep=groep, today=TODAY, source=path.name, override="OPP van elders"
        )
    assert result.kind == "oso" and result.sender.naam == "Testschool"
    assert [s.id for s in vb.list_pupils()] == [result.save.pupil_id]
    stored = codec.load_fast(vb.show(result.save.pupil_id))
    assert stored["inschrijving"] == {"ingeschreven": TODAY, "vorige_school": "Testschool"}
    assert stored["x_oso"]["herkomst"]["inschrijving"] == original["inschrijving"]
    xml = oso.to_oso(
        stored, profile="PO-PO", sender=sender, receiver=None,
        created=dt.datetime(2025, 6, 20, 10, 0),
    )  # fmt: skip
    assert oso.validate_xsd(xml) == []
    again = oso.from_oso(xml)
    expected = {k: v for k, v in original["leerling"].items() if k != "id"}
    if groep is not None:
        expected["groep"] = groep
    assert {k: v for k, v in again["leerling"].items() if k != "id"} == expected
    for key in ("toetsen", "verklaringen", "opp"):
        assert again.get(key) == original.get(key), key
    # unmodelled OSO data survives too, except what differs by design: the schoolloopbaan
    # gains this school's entry, and VO results may not go into a PO-PO dossier (cat_vombo)
    skip = {"schoolloopbaanlijst", *VO_RESULTS}
    before, after = original["x_oso"]["leerling"], again["x_oso"]["leerling"]
    assert {k: v for k, v in after.items() if k not in skip} == {
        k: v for k, v in before.items() if k not in skip
    }


def test_import_refuses_what_is_neither_bundle_nor_oso(school_b: School) -> None:
    vb = school_b.as_()
    with pytest.raises(transfer.TransferError, match="geen Zorgkluis-overdracht"):
        transfer.import_file(vb, b"PK\x03\x04 zip", today=TODAY)
    with pytest.raises(transfer.TransferError, match="OSO-dossier is onleesbaar"):
        transfer.import_file(vb, b"<html><body>geen oso</body></html>", today=TODAY)
    assert vb.list_pupils() == []
