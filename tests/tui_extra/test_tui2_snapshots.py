"""Snapshots of the retention table and of a sync conflict (frozen date, fixed dossiers and
size; opaque pupil ids and commit ids are random, so neither screen shows them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from vault import sync


def test_retention_table(kit: Any, tmp_path: Path, snap_compare: Any) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    vault = school.open()
    vault.new(
        kit.dossier("Oud", left="2015-07-10", admitted="2015-09-01"), override="t", today=kit.today
    )
    vault.new(kit.dossier("Nu"), override="t", today=kit.today)

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_retention()  # type: ignore[attr-defined]
        await kit.settle(pilot)

    assert snap_compare(school.app(), terminal_size=kit.size, run_before=ready)


def test_sync_conflict(kit: Any, tmp_path: Path, snap_compare: Any) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    server = tmp_path / "server.git"
    kit.git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    kit.git(school.path, "remote", "add", "origin", str(server))
    pupil = school.open().new(kit.dossier("Sam"), override="t", today=kit.today).pupil_id
    sync.sync(school.open(), school.key(), today=kit.today)
    device_b = kit.School(sync.clone(str(server), tmp_path / "apparaat-b"), school.keys)
    sync.sync(device_b.open(), device_b.key(), today=kit.today)
    for device, groep in ((school, "7"), (device_b, "8")):
        vault = device.open()
        text = vault.show(pupil).replace("groep: 6", f"groep: {groep}")
        vault.put(pupil, text, override="test", today=kit.today)
    sync.sync(school.open(), school.key(), today=kit.today)

    async def ready(pilot: Pilot[None]) -> None:
        await kit.settle(pilot)
        pilot.app.open_sync()  # type: ignore[attr-defined]
        await kit.settle(pilot)
        await pilot.click("#sync-go")
        await kit.settle(pilot)

    assert snap_compare(device_b.app(), terminal_size=kit.size, run_before=ready)
