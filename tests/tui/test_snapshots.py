"""Snapshots of the list, dossier, findings, diff and review screens (frozen date, seeded
demo data, fixed size). Opaque ids and commit times are random, so no snapshot shows them."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from dossier_format import codec
from vault import demo

SNAP_SIZE = (120, 36)


def with_goalless_plan(text: str) -> str:
    doc = codec.load(text)
    plan = CommentedMap(
        id="pl-99",
        soort="handelingsplan",
        niveau=1,
        hulpvraag="Hoe gaat het verder?",
        doelen=CommentedSeq(),
        start=doc["inschrijving"]["ingeschreven"],
    )
    doc.setdefault("plannen", CommentedSeq()).append(plan)
    return codec.dump(doc)


def test_pupil_list(demo_master: demo.DemoInfo, kit: Any, snap_compare: Any) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        # What the picture must show, stated first so a mismatch says what differs.
        screen = pilot.app.screen
        assert screen.query_one("#pupils", DataTable).row_count == kit.count
        assert "Te beoordelen: 3" in str(screen.query_one("#review-count", Static).render())

    assert snap_compare(kit.app(demo_master), terminal_size=SNAP_SIZE, run_before=ready)


def test_dossier_overview(demo_master: demo.DemoInfo, kit: Any, snap_compare: Any) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)
    pupil = max(vault.list_pupils(), key=lambda p: (p.niveau or 0, p.achternaam, p.voornaam))

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)  # type: ignore[attr-defined]
        await kit.settle(pilot)

    assert snap_compare(kit.app(demo_master), terminal_size=SNAP_SIZE, run_before=ready)


def test_findings_on_a_refused_save(
    demo_master: demo.DemoInfo, kit: Any, snap_compare: Any
) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)
    pupil = min(vault.list_pupils(), key=lambda p: (p.groep, p.achternaam, p.voornaam))
    edited = with_goalless_plan(vault.show(pupil.id))

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)  # type: ignore[attr-defined]
        await kit.settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        editor = pilot.app.screen.query_one("#yaml", TextArea)
        editor.load_text(edited)
        editor.move_cursor(editor.document.end)  # the top (with the opaque id) scrolls away
        # The save is refused (nothing is written to the shared vault).
        await pilot.press("ctrl+s")
        await kit.settle(pilot)

    assert snap_compare(kit.app(demo_master), terminal_size=SNAP_SIZE, run_before=ready)


def test_history_diff(demo_master: demo.DemoInfo, kit: Any, snap_compare: Any) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)
    pupils = sorted(vault.list_pupils(), key=lambda p: (p.groep, p.achternaam, p.voornaam))
    pupil = next(p for p in pupils if len(vault.log(p.id)) == 2)

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)  # type: ignore[attr-defined]
        await kit.settle(pilot)
        await pilot.press("h")
        await kit.settle(pilot)
        # Versions carry commit times; the full-screen diff shows only what changed.
        await pilot.press("z")
        await pilot.pause()

    assert snap_compare(kit.app(demo_master), terminal_size=SNAP_SIZE, run_before=ready)


def test_review_queue(demo_master: demo.DemoInfo, kit: Any, snap_compare: Any) -> None:
    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        await pilot.press("r")
        await kit.settle(pilot)

    assert snap_compare(kit.app(demo_master), terminal_size=SNAP_SIZE, run_before=ready)


def test_conflict_dialog(demo_vault: demo.DemoInfo, kit: Any, snap_compare: Any) -> None:
    """A colleague saved the same field meanwhile: both values, side by side, to choose."""
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = min(vault.list_pupils(), key=lambda p: (p.groep, p.achternaam, p.voornaam))
    teacher = kit.open_as(demo_vault, demo.leerkracht(pupil.groep).id)

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)  # type: ignore[attr-defined]
        await kit.settle(pilot)
        shown = pilot.app.screen.text  # type: ignore[attr-defined]
        theirs = codec.load(teacher.show(pupil.id))
        theirs["leerling"]["stamgroep"] = "1-Eik"
        teacher.put(pupil.id, codec.dump(theirs), override="test", today=kit.today)
        await pilot.press("e")
        await kit.settle(pilot)
        ours = codec.load(shown)
        ours["leerling"]["stamgroep"] = "1-Beuk"
        pilot.app.screen.query_one("#yaml", TextArea).load_text(codec.dump(ours))
        await pilot.press("ctrl+s")
        await kit.settle(pilot)

    assert snap_compare(kit.app(demo_vault), terminal_size=SNAP_SIZE, run_before=ready)
