"""The export wizard: included/withheld parts, the gate with citations, the override reason
when blocked, and a bundle the receiving school's `vault.transfer.import_file` reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Select, Static
from transfer_kit import SENDER_YAML, X_OSO

from dossier_format import oso_validate
from tui.screens.export import ExportScreen
from vault import transfer


def _text(screen: ExportScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_blocked_export_needs_a_reason_and_the_bundle_imports(
    kit: Any, tmp_path: Path
) -> None:
    school_a = kit.make_school(tmp_path / "a", "School A")
    school_b = kit.make_school(tmp_path / "b", "School B")
    card_b = transfer.transfer_card(school_b.open())
    va = school_a.open()
    transfer.add_school(va, "School B", card_b.signing_key, recipient=card_b.recipient)
    pupil = va.new(
        kit.dossier("Weg", left="2026-07-10", okr_ready=False), override="t", today=kit.today
    ).pupil_id
    plan = transfer.plan_export(va, pupil, today=kit.today)
    assert plan.blocked
    out = tmp_path / "weg.zkb"

    async with school_a.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_export(pupil)
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ExportScreen)
        assert "Weg Verzonnen" in _text(screen, "#export-title")
        included = _text(screen, "#export-included")
        assert all(part in included for part in ("administratie", "zorg", "okr"))
        withheld = _text(screen, "#export-withheld")
        assert "werkaantekeningen" in withheld and "003 §4.4" in withheld
        gate = _text(screen, "#export-gate")
        assert "poort vond fouten" in gate
        for finding in plan.gate_findings:
            assert finding.source in gate and finding.message[:30] in gate
        assert screen.query_one("#export-override", Input).display

        screen.query_one("#export-school", Select).value = card_b.fingerprint
        # Re-planning (withholding zorg and back) keeps the chosen school.
        for _ in range(2):
            await pilot.click("#withhold-zorg")
            await kit.settle(pilot)
        assert screen.query_one("#export-school", Select).value == card_b.fingerprint
        assert "zorg" in _text(screen, "#export-included")
        screen.query_one("#export-out", Input).value = str(out)
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert "reden is verplicht" in _text(screen, "#export-status")
        assert not out.exists()

        assert screen.query_one("#export-override", Input).has_focus
        await pilot.press(*"Ouders gebeld.", "enter")
        await kit.settle(pilot)
        assert "Geëxporteerd" in _text(screen, "#export-status")
    assert out.exists()

    card_a = transfer.transfer_card(school_a.open())
    vb = school_b.open()
    result = transfer.import_file(vb, out.read_bytes(), trust=card_a.fingerprint, today=kit.today)
    assert result.kind == "bundel"
    assert result.manifest is not None
    assert result.manifest["poort"]["override"] == "Ouders gebeld."
    received = vb.show(result.save.pupil_id)
    assert "Weg" in received and "GEHEIME-WERKAANTEKENING" not in received
    # The sending is recorded in the sender's dossier.
    assert "ontvanger: School B" in school_a.open().show(pupil)


async def test_an_open_gate_exports_to_a_typed_key_without_a_reason(
    kit: Any, tmp_path: Path
) -> None:
    school_a = kit.make_school(tmp_path / "a", "School A")
    school_b = kit.make_school(tmp_path / "b", "School B")
    card_b = transfer.transfer_card(school_b.open())
    pupil = (
        school_a.open()
        .new(kit.dossier("Klaar", left="2026-07-10"), override="t", today=kit.today)
        .pupil_id
    )
    out = tmp_path / "klaar.zkb"
    async with school_a.app(language="en").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_export(pupil)
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ExportScreen)
        assert "gate lets the transfer pass" in _text(screen, "#export-gate")
        assert not screen.query_one("#export-override", Input).display
        await pilot.click("#withhold-zorg")
        await kit.settle(pilot)
        assert "zorg" not in _text(screen, "#export-included")
        assert "zorg" in _text(screen, "#export-withheld")
        screen.query_one("#export-key", Input).value = card_b.recipient
        screen.query_one("#export-out", Input).value = str(out)
        await pilot.click("#export-go")
        await kit.settle(pilot)
        assert "Exported to" in _text(screen, "#export-status")
    card_a = transfer.transfer_card(school_a.open())
    result = transfer.import_file(
        school_b.open(), out.read_bytes(), trust=card_a.fingerprint, today=kit.today
    )
    assert result.manifest is not None and result.manifest["poort"]["override"] is None
    assert [d["naam"] for d in result.manifest["delen"]] == ["administratie", "okr"]
    assert "zorg" in [w["wat"] for w in result.manifest["achtergehouden"]]


async def test_the_wizard_writes_oso_xml_the_official_validator_accepts(
    kit: Any, tmp_path: Path
) -> None:
    school_a = kit.make_school(tmp_path / "a", "School A")
    pupil = (
        school_a.open()
        .new(kit.dossier("Klaar", left="2026-07-10") + X_OSO, override="t", today=kit.today)
        .pupil_id
    )
    out = tmp_path / "klaar.xml"
    async with school_a.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_export(pupil)
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-format", Select).value = "PO-PO"
        await kit.settle(pilot)
        # OSO needs no receiving school's key, and carries no choice of parts.
        assert not screen.query_one("#export-key", Input).display
        assert not screen.query_one("#withhold-zorg").display
        assert screen.query_one("#export-out", Input).value.endswith(".xml")
        screen.query_one("#export-out", Input).value = str(out)
        # Without the school's own OSO details the export says what to do, and writes nothing.
        await pilot.click("#export-go")
        await kit.settle(pilot)
        assert "school oso" in _text(screen, "#export-status")
        assert not out.exists()
        transfer.set_oso_school(school_a.open(), SENDER_YAML)
        await pilot.click("#export-go")
        await kit.settle(pilot)
        assert "Geëxporteerd" in _text(screen, "#export-status")
    assert oso_validate.validate(out.read_bytes()) == []
    assert "ontvanger:" in school_a.open().show(pupil)  # the sending is recorded
