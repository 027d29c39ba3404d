"""The parents' zienswijze goes with the OKR (003 §4.1): the gate judges what is sent, a
bundle that leaves the zorg part at home still carries the parents' view on the OKR, and OSO
puts it in `inzage/redennietakkoord` (official XSD and XSLT), from where import reads it back."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from transfer_kit import SENDER_YAML, TODAY, X_OSO, School, dossier

from dossier_format import codec, oso, parts
from dossier_format.oso_validate import default_standards_dir
from vault import transfer
from vault.crypto import age

VIEW = "Wij herkennen het beeld van het lezen niet; thuis leest Noor graag."
PLAN_VIEW = "Over het plan: graag meer oefentijd."
NS = {"o": oso.OSO_NS}
needs_standards = pytest.mark.skipif(
    not (default_standards_dir() / "OV" / "OSO_gegevensset_2019.1.xsd").exists(),
    reason="official OSO standards not found (../shared/standards/oso)",
)


def _disagreeing(*, okr_view: bool = True, consented: bool = False) -> str:
    """Parents saw the OKR and did not agree; their view (if any) is a zienswijze, which is
    stored in the zorg part; a second zienswijze is about a plan, not the OKR."""
    text = dossier()
    if not consented:
        text = text.replace(
            "  ouders_akkoord: true\n  ondertekend_ouders: 2025-06-05\n",
            "  ouders_akkoord: false\n",
        )
    rows = ["zienswijzen:"]
    if okr_view:
        rows += [
            "  - id: zw-1",
            "    datum: 2025-06-05",
            "    namens: moeder",
            "    onderdeel: okr",
            f"    tekst: '{VIEW}'",
        ]
    rows += [
        "  - id: zw-2",
        "    datum: 2025-06-06",
        "    onderdeel: pl-1",
        f"    tekst: '{PLAN_VIEW}'",
    ]
    return text.replace("werkaantekeningen:", "\n".join(rows) + "\nwerkaantekeningen:", 1)


def _files(bundle: bytes, school: School) -> dict[str, bytes]:
    ident = transfer.load_transfer_identity(school.as_())
    with tarfile.open(fileobj=io.BytesIO(age.decrypt(bundle, [ident.identity]))) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def _know(receiver: School, sender: School) -> None:
    card = transfer.transfer_card(sender.as_())
    transfer.add_school(receiver.as_(), card.school, card.signing_key, recipient=card.recipient)


def test_gate_judges_what_is_sent_not_the_dossier_at_home(school_a: School) -> None:
    va = school_a.as_()
    pupil = va.new(_disagreeing(), today=TODAY).pupil_id
    plan = transfer.plan_export(va, pupil, today=TODAY, withhold=["zorg"])
    # the plan's dossier is what goes: none of the withheld zorg part ...
    assert "niveaus" not in plan.data and "toetsen" not in plan.data
    assert plan.data == codec.load_fast(parts.join(plan.part_texts))
    # ... except the parents' view on the OKR, which always goes with the OKR
    assert [z["id"] for z in plan.data["zienswijzen"]] == ["zw-1"]
    assert plan.included == ["administratie", "okr", transfer.OKR_VIEWS]
    assert not plan.blocked


def test_withheld_zorg_still_sends_the_parents_view_on_the_okr(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    va = school_a.as_()
    pupil = va.new(_disagreeing(), today=TODAY).pupil_id
    out = tmp_path / "noor.zkoverdracht"
    to = transfer.transfer_card(school_b.as_()).recipient
    transfer.export_bundle(va, pupil, to, out, today=TODAY, withhold=["zorg"])

    files = _files(out.read_bytes(), school_b)
    zorg = yaml.safe_load(files["delen/zorg.yaml"])
    assert list(zorg) == ["zienswijzen"]
    assert [z["tekst"] for z in zorg["zienswijzen"]] == [VIEW]
    assert PLAN_VIEW.encode() not in files["delen/zorg.yaml"]
    manifest = yaml.safe_load(files["manifest.yaml"])
    zorg_row = next(d for d in manifest["delen"] if d["naam"] == "zorg")
    assert zorg_row["alleen"] == transfer.OKR_VIEWS
    reason = next(w["reden"] for w in manifest["achtergehouden"] if w["wat"] == "zorg")
    assert "zienswijzen van de ouders" in reason
    assert "overdracht.akkoord_ouders" not in {f["rule"] for f in manifest["poort"]["bevindingen"]}

    _know(school_b, school_a)
    got = transfer.import_file(school_b.as_(), out.read_bytes(), today=TODAY)
    received = codec.load_fast(school_b.as_().show(got.save.pupil_id))
    assert received["okr"]["ouders_akkoord"] is False
    assert [z["tekst"] for z in received["zienswijzen"]] == [VIEW]
    assert "niveaus" not in received and "toetsen" not in received


def test_disagreement_without_a_view_is_refused_unless_overridden(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    va = school_a.as_()
    pupil = va.new(_disagreeing(okr_view=False), today=TODAY, override="test").pupil_id
    out = tmp_path / "x.zkoverdracht"
    to = transfer.transfer_card(school_b.as_()).recipient
    with pytest.raises(transfer.GateError) as caught:
        transfer.export_bundle(va, pupil, to, out, today=TODAY, withhold=["zorg"])
    assert "overdracht.akkoord_ouders" in {f.rule for f in caught.value.findings}
    assert not out.exists()
    result = transfer.export_bundle(
        va, pupil, to, out, today=TODAY, withhold=["zorg"], override="Ouders bellen zelf"
    )
    assert result.manifest is not None
    assert result.manifest["poort"]["override"] == "Ouders bellen zelf"
    assert "delen/zorg.yaml" not in _files(out.read_bytes(), school_b)


@needs_standards
@pytest.mark.parametrize("consented", [False, True], ids=["niet-akkoord", "wel-toestemming"])
def test_oso_carries_the_parents_view_and_import_reads_it_back(
    school_a: School, school_b: School, tmp_path: Path, consented: bool
) -> None:
    va = school_a.as_()
    pupil = va.new(_disagreeing(consented=consented) + X_OSO, today=TODAY).pupil_id
    out = tmp_path / "noor.xml"
    sender = transfer.school_info_from_yaml(SENDER_YAML)
    transfer.export_oso(va, pupil, out, profile="PO-PO", sender=sender, today=TODAY)
    xml = out.read_bytes()
    assert oso.validate_xsd(xml) == []
    assert [m for m in oso.validate_xslt(xml) if m.is_fout] == []
    root = etree.fromstring(xml)
    # akkoord is about the content: the parents disagree; toestemming is about the transfer
    assert root.findtext("o:inzage/o:akkoord", namespaces=NS) == "Nee"
    assert root.findtext("o:inzage/o:toestemming", namespaces=NS) == ("Ja" if consented else "Nee")
    reden = root.findtext("o:inzage/o:redennietakkoord", namespaces=NS)
    assert reden == f"Zienswijze van moeder (2025-06-05): {VIEW}"

    got = transfer.import_file(school_b.as_(), xml, today=TODAY, source="noor.xml")
    received = codec.load_fast(school_b.as_().show(got.save.pupil_id))
    assert received["zienswijzen"] == [
        {
            "id": "zw-1",
            "datum": TODAY.replace(day=5),
            "namens": "ouders/verzorgers",
            "onderdeel": "overstapdossier",
            "tekst": reden,
        }
    ]
