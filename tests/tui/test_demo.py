"""The demo generator and the `demo` command: deterministic, route-consistent, reopened."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dossier_format import checks, codec, schema
from dossier_format.routes import available_routes, load_route
from tui import cli
from vault import demo
from vault.crypto import sshkeys

TODAY = datetime.date(2026, 11, 20)


@pytest.mark.parametrize("route_id", [r.id for r in available_routes()])
def test_generated_dossiers_are_valid_and_follow_the_route(route_id: str) -> None:
    route = load_route(route_id)
    pupils = demo.generate(route, TODAY, count=200)
    assert len(pupils) == 200
    assert {p.groep for p in pupils} == set(range(1, 9))
    levels = {n.niveau for n in route.niveaus}
    with_errors = 0
    for pupil in pupils:
        for _, text in pupil.versions:
            data = codec.load_fast(text)
            assert schema.validate(data, text=text) == []
            assert {n["niveau"] for n in data["niveaus"]} <= levels
        findings = checks.check(codec.load_fast(pupil.versions[-1][1]), route, TODAY)
        with_errors += any(f.severity == "error" for f in findings)
    # Some pupils carry open findings on purpose, most do not.
    assert 0 < with_errors < 30
    # A teacher's later version never carries someone else's werkaantekeningen.
    for pupil in pupils:
        for author, text in pupil.versions[1:]:
            notes = codec.load_fast(text).get("werkaantekeningen", [])
            assert all(note["auteur"] == author for note in notes)


def test_generation_is_deterministic() -> None:
    route = load_route("003")
    first = demo.generate(route, TODAY, count=20)
    again = demo.generate(route, TODAY, count=20)
    assert [p.versions for p in first] == [p.versions for p in again]
    other = demo.generate(route, TODAY, count=20, seed=7)
    assert [p.versions for p in other] != [p.versions for p in first]


def test_the_demo_command_creates_once_then_reopens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    sshkeys.testonly_set_kdf_rounds(1)
    try:
        runner = CliRunner()
        args = ["demo", "--data-dir", str(tmp_path / "d"), "--aantal", "3", "--geen-scherm"]
        created: Any = runner.invoke(cli.cli, args)
        assert created.exit_code == 0, created.output
        assert "aanmaken" in created.output
        assert f"Wachtwoordzin van de demosleutels: {demo.DEMO_PASSPHRASE}" in created.output
        reopened: Any = runner.invoke(cli.cli, args)
        assert reopened.exit_code == 0, reopened.output
        assert "aanmaken" not in reopened.output
        assert "Anouk Verbeek (intern begeleider)" in reopened.output
        bad: Any = runner.invoke(cli.cli, ["demo", "--route", "999", "--geen-scherm"])
        assert bad.exit_code == 2
    finally:
        sshkeys.testonly_set_kdf_rounds(None)
