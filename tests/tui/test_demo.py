"""The demo generator and the `demo` command: deterministic, route-consistent, reopened."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dossier_format import checks, codec, model, schema
from dossier_format.routes import available_routes, load_route
from tui import cli
from vault import demo, review
from vault.crypto import sshkeys
from vault.repository import Vault

TODAY = datetime.date(2026, 11, 20)


ROUTE_IDS = [r.id for r in available_routes()]


@pytest.fixture(scope="module")
def generated() -> dict[str, list[demo.DemoPupil]]:
    """The full 200-pupil demo of every seed route (generation only, no vault)."""
    return {r: demo.generate(load_route(r), TODAY, count=200) for r in ROUTE_IDS}


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_generated_dossiers_are_valid_and_follow_the_route(
    route_id: str, generated: dict[str, list[demo.DemoPupil]]
) -> None:
    route = load_route(route_id)
    pupils = generated[route_id]
    assert len(pupils) == 200
    assert {p.groep for p in pupils} == set(range(1, 9))
    levels = {n.niveau for n in route.niveaus}
    with_errors = 0
    for pupil in pupils:
        assert len(pupil.dates) == len(pupil.versions)
        assert pupil.dates == sorted(pupil.dates) and pupil.dates[-1] <= TODAY
        for (_, text), day in zip(pupil.versions, pupil.dates, strict=True):
            data = codec.load_fast(text)
            assert schema.validate(data, text=text) == []
            if pupil in pupils[:16]:  # (the round-trip loader is slow; a sample)
                assert codec.dump(codec.load(text)) == text  # canonical style
            assert {n["niveau"] for n in data["niveaus"]} <= levels
            if day != pupil.dates[-1]:
                # Checked on the day it was saved, a version passes (but for the few
                # deliberate open findings: a missing consent).
                errors = {f.rule for f in checks.check(data, route, day) if f.severity == "error"}
                assert errors <= {"route.toestemming", "bespreking.toestemming"}, errors
        findings = checks.check(codec.load_fast(pupil.versions[-1][1]), route, TODAY)
        with_errors += any(f.severity == "error" for f in findings)
    # Open findings are deliberate and few (vault.demo._SPECIALS_WITH_FINDINGS).
    assert with_errors <= 3
    # Every version carries only its author's own werkaantekeningen.
    for pupil in pupils:
        for author, text in pupil.versions:
            notes = codec.load_fast(text).get("werkaantekeningen", [])
            assert all(note["auteur"] == author for note in notes)


def _final(pupil: demo.DemoPupil) -> dict[str, Any]:
    return codec.load_fast(pupil.versions[-1][1])


@pytest.mark.parametrize("route_id", ROUTE_IDS)
def test_the_histories_are_rich_and_realistic(
    route_id: str, generated: dict[str, list[demo.DemoPupil]]
) -> None:
    route = load_route(route_id)
    pupils = generated[route_id]
    finals = [_final(p) for p in pupils]
    summaries = [model.summarize(data, checks.check(data, route, TODAY), TODAY) for data in finals]
    lowest, top = route.niveaus[0].niveau, route.niveaus[-1].niveau
    # Most pupils need no extra care; a realistic share does.
    extra = sum(1 for s in summaries if s.niveau != lowest)
    assert 40 <= extra <= 100, extra
    assert sum(1 for d in finals if len(d["niveaus"]) > 1) >= 60
    # Protocols in progress, some with a verklaring.
    protocols = [d for d in finals if d.get("protocollen")]
    assert len(protocols) >= 15
    names = {name for d in protocols for name in d["protocollen"]}
    assert {"dyslexie", "dyscalculie", "meerbegaafdheid", "doublure"} <= names
    kinds = {v["soort"] for d in finals for v in d.get("verklaringen", [])}
    assert kinds == {"dyslexie", "dyscalculie"}
    # A pupil in groep 7-8 on the top niveau for two months has an OPP; OPPs are on the top.
    on_top = [(d, s) for d, s in zip(finals, summaries, strict=True) if s.niveau == top]
    settled = TODAY - datetime.timedelta(weeks=8)
    assert on_top and all(
        "opp" in d for d, s in on_top if (s.groep or 0) >= 7 and d["niveaus"][-1]["vanaf"] < settled
    )
    opps = [s for d, s in zip(finals, summaries, strict=True) if "opp" in d]
    assert len(opps) >= 4 and all(s.niveau == top for s in opps)
    # Groep-8 pupils who left have an OKR their parents saw; one added a zienswijze.
    okrs = [d for d in finals if "okr" in d and d["leerling"]["groep"] == 8]
    assert len(okrs) >= 5 and all(d["okr"].get("inzage_ouders") for d in okrs)
    assert any(z["onderdeel"] == "okr" for d in okrs for z in d.get("zienswijzen", []))
    # Meetings of every kind the school holds; consent before those that need it.
    meetings = Counter(b["soort"] for d in finals for b in d.get("besprekingen", []))
    assert meetings["groepsbespreking"] >= 20 and sum(meetings.values()) >= 100
    with_consent = sum(
        1
        for d in finals
        for b in d.get("besprekingen", [])
        if b["soort"] in {"bot", "zorgteam", "ondersteuningsteam", "mdo"}
        and any(t["datum"] <= b["datum"] for t in d.get("toestemmingen", []))
    )
    assert with_consent >= 3
    talks = Counter(g["soort"] for d in finals for g in d.get("gesprekken", []))
    assert talks["oudergesprek"] >= 50 and talks["kindgesprek"] >= 3
    assert sum(1 for d in finals if d.get("toetsen")) >= 120
    with_notes = sum(
        1 for p in pupils if any("werkaantekeningen:" in text for _, text in p.versions)
    )
    assert with_notes >= 5
    # At least one of each signal the pupil list can show.
    assert set(model.SIGNALEN) <= {signal for s in summaries for signal in s.signalen}
    # Versions spread over the school year by the staff who made them.
    authors = Counter(author for p in pupils for author, _ in p.versions[1:])
    assert authors[demo.IB.id] >= 20 and sum(authors.values()) >= 150
    assert {a for a in authors if a.startswith("lk-")} == {s.id for s in demo.STAFF if s.groep}
    assert len({day for p in pupils for day in p.dates}) >= 30


def test_route_003_runs_its_protocols_by_the_book(
    generated: dict[str, list[demo.DemoPupil]],
) -> None:
    finals = [_final(p) for p in generated["003"]]
    protocols = [d["protocollen"] for d in finals if d.get("protocollen")]
    names = {name for p in protocols for name in p}
    assert {"dyslexie", "dyscalculie", "meerbegaafdheid", "doublure", "herfstkind"} <= names
    assert any(p.get("meerbegaafdheid", {}).get("plusklas") for p in protocols)
    assert any(p.get("dyslexie", {}).get("vermoeden") for p in protocols)
    assert any(
        p.get("doublure", {}).get("besluit") == "overgaan_op_verzoek_ouders" for p in protocols
    )
    zorgteam = [b for d in finals for b in d.get("besprekingen", []) if b["soort"] == "zorgteam"]
    assert len(zorgteam) >= 3


def test_generation_is_deterministic() -> None:
    route = load_route("003")
    first = demo.generate(route, TODAY, count=40)
    again = demo.generate(route, TODAY, count=40)
    assert [(p.versions, p.dates) for p in first] == [(p.versions, p.dates) for p in again]
    other = demo.generate(route, TODAY, count=40, seed=7)
    assert [p.versions for p in other] != [p.versions for p in first]


def test_names_are_the_fictional_lists(generated: dict[str, list[demo.DemoPupil]]) -> None:
    outside: set[str] = set()
    for pupil in generated["003"]:
        text = pupil.versions[-1][1]
        leerling = codec.load_fast(text)["leerling"]
        assert leerling["voornaam"] in demo._FIRST_NAMES
        assert leerling["achternaam"] in demo._SURNAMES
        # Schools, institutes and professionals outside the school are made up too.
        fields = r"^ *(?:- )?(?:ontvanger|vervolgschool|vorige_school|uitvoerder|naam): (.+)$"
        outside |= set(re.findall(fields, text, re.MULTILINE))
    assert len(outside) >= 5
    made_up = r"Fictie|Verzonnen|Denkbeeld|^Marit Lindeman, orthopedagoog$|^lk-groep[1-8]$"
    assert all(re.search(made_up, name) for name in outside), outside


def test_a_small_demo_builds_a_vault_with_dated_versions_and_a_review_queue(
    tmp_path: Path,
) -> None:
    sshkeys.testonly_set_kdf_rounds(1)
    try:
        info = demo.create_demo(tmp_path, "003", today=TODAY, count=16, passphrase=None)
    finally:
        sshkeys.testonly_set_kdf_rounds(None)
    key = sshkeys.load_private(info.ib_key.read_bytes(), None)
    vault = Vault.open(info.vault, key)
    pupils = vault.list_pupils()
    assert len(pupils) == 16
    generated = demo.generate(load_route("003"), TODAY, count=16)
    assert sorted(len(vault.log(p.id)) for p in pupils) == sorted(
        len(p.versions) for p in generated
    )
    versions = [v for p in pupils for v in vault.log(p.id)]
    assert {v.signature for v in versions} == {"goed"}
    assert {v.author_id for v in versions} > {demo.IB.id}
    days = {v.when.date() for v in versions}
    assert min(days) < TODAY - datetime.timedelta(weeks=8) and max(days) <= TODAY
    assert 0 < review.pending_count(vault) < 8


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
