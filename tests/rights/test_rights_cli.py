"""The rights CLI end to end on a real vault made by the `Vault` facade (fictional pupils)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from tui import cli_rights
from tui.cli import cli
from vault.crypto import age, sshkeys
from vault.git_store import GitStore
from vault.repository import Vault, unlock_identity

if TYPE_CHECKING:
    from conftest import ShredProof

if "retention" not in cli.commands:  # the coordinator wires this into tui/cli.py
    cli_rights.register(cli)

TODAY = "2026-11-22"

LEFT = """formaat: zorgkluis-dossier/1
leerling:
  id: {pid}
  voornaam: Cas
  achternaam: Verzonnen
  geboortedatum: 2007-03-01
  groep: 8
inschrijving:
  ingeschreven: 2011-08-22
  uitgeschreven: 2019-07-01
  toegelaten_vervolgschool: 2019-08-20
route: '003'
niveaus:
  - niveau: 1
    vanaf: 2011-08-22
    reden: Algemene zorg.
werkaantekeningen:
  - id: wa-1
    auteur: ib-anna
    datum: 2019-01-10
    tekst: Notitie over Cas.
"""

ENROLLED = """formaat: zorgkluis-dossier/1
leerling:
  id: {pid}
  voornaam: Zoë <script>alert(1)</script>
  achternaam: Verzonnen
  geboortedatum: 2016-05-04
  groep: 5
inschrijving:
  ingeschreven: 2020-08-24
route: '003'
niveaus:
  - niveau: 1
    vanaf: 2020-08-24
    reden: Algemene zorg.
okr:
  opgesteld: 2026-06-01
  schooladvies: havo
werkaantekeningen:
  - id: wa-1
    auteur: ib-anna
    datum: 2025-01-10
    tekst: GEHEIME-NOTITIE
"""


class School:
    """A vault with an IB-er, a director and a teacher (test-only keys, no passphrase)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.keys: dict[str, Path] = {}
        for uid in ("ib-anna", "dir-piet", "lk-els"):
            pem, public = sshkeys.generate(uid, None)
            path = tmp / uid
            path.write_bytes(pem)
            path.chmod(0o600)
            path.with_suffix(".pub").write_text(public + "\n")
            self.keys[uid] = path
        self.path = tmp / "kluis"
        vault = Vault.init(
            self.path,
            school="De Verzonnen School",
            route_id="003",
            user_id="ib-anna",
            name="Anna IB",
            ssh_public_key=self.pub("ib-anna"),
            recovery_key_out=tmp / "herstel.txt",
            identity=self.key("ib-anna"),
        )
        vault.add_user("dir-piet", "Piet Directie", "directie", self.pub("dir-piet"))
        vault.add_user("lk-els", "Els Leerkracht", "leerkracht", self.pub("lk-els"))
        self.left = self._new(vault, LEFT)
        self.enrolled = self._new(vault, ENROLLED)

    def _new(self, vault: Vault, template: str) -> str:
        result = vault.new(
            template.format(pid="ll-placeholder"), override="test", today=dt.date(2026, 11, 1)
        )
        text = vault.show(result.pupil_id)
        return result.pupil_id if text else ""

    def pub(self, uid: str) -> str:
        return self.keys[uid].with_suffix(".pub").read_text()

    def key(self, uid: str) -> object:
        return unlock_identity(self.keys[uid], None)

    def run(self, *args: str, who: str = "ib-anna", stdin: str | None = None) -> Result:
        env = {
            "ZORGKLUIS_VAULT": str(self.path),
            "ZORGKLUIS_IDENTITY": str(self.keys[who]),
            "HOME": str(self.tmp / "home"),
        }
        return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> School:
    monkeypatch.delenv("ZORGKLUIS_PASSPHRASE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return School(tmp_path)


def test_status_sweep_and_status_again(school: School) -> None:
    out = school.run("retention", "status", "--today", TODAY, "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["bevestigd"] is False
    states = {(r["leerling"], r["onderdeel"]): r["status"] for r in doc["onderdelen"]}
    assert states[(school.left, "administratie")] == "verlopen"
    assert states[(school.left, "werkaantekeningen/ib-anna")] == "verlopen"
    assert states[(school.enrolled, "administratie")] == "bewaren"

    cancelled = school.run("retention", "sweep", "--today", TODAY, stdin="n\n")
    assert cancelled.exit_code == 1 and "Afgebroken" in cancelled.output
    assert school.run("retention", "status", "--today", TODAY).output.count("verlopen") >= 3

    done = school.run("retention", "sweep", "--today", TODAY, "--yes")
    assert done.exit_code == 0, done.output
    assert "[1/" in done.output and "vernietigd" in done.output
    again = json.loads(school.run("retention", "status", "--today", TODAY, "--json").stdout)
    assert {r["leerling"] for r in again["onderdelen"]} == {school.enrolled}
    assert "Niets te vernietigen" in school.run("retention", "sweep", "--yes").output
    # Status decrypts dates only and says so in the audit log; the sweep commit anchors it.
    audited = school.run("audit", "--json")
    assert audited.exit_code == 0, audited.output
    rows = json.loads(audited.stdout)["regels"]
    assert rows and all(r["actie"] == "ontsleuteld" for r in rows)
    status_rows = [r for r in rows if r["leerling"] is None]  # one per status run, dates only
    assert status_rows and all("bewaartermijnen" in r["reden"] for r in status_rows)
    sweep_commit = GitStore(school.path).log(max_count=1)[0]
    assert sweep_commit.message.startswith("Bewaartermijnen: ")
    assert "Audit-Head: " in sweep_commit.message
    log = school.path / ".git" / "zorgkluis" / "audit.jsonl"
    anchored = int(sweep_commit.message.split("Audit-Head: ")[1].split()[0])
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[: anchored - 1]))
    cut = school.run("audit")
    assert cut.exit_code == 1 and "anker" in cut.output  # truncation caught by the anchor
    # The pupil is gone for the facade too, and history stays verifiable.
    vault = Vault.open(school.path, school.key("ib-anna"))
    assert [p.id for p in vault.list_pupils()] == [school.enrolled]
    assert vault.verify() == []


def test_teacher_cannot_sweep(school: School) -> None:
    out = school.run("retention", "sweep", "--yes", "--today", TODAY, who="lk-els")
    assert out.exit_code == 2 and "directie" in out.output
    # Not permitted by role, so no hint to ask for access to a dossier.
    assert "mag je dat niet" in out.output
    assert "Vraag de intern begeleider of de directie om dit te doen." in out.output
    assert "toegang" not in out.output


@pytest.mark.parametrize(
    ("answers", "swept"),
    [
        ("j\n", True),
        ("JA\n", True),
        ("yes\n", True),
        ("n\n", False),
        ("nee\n", False),
        ("\n", False),
        ("", False),  # end of input
        ("misschien\nja\n", True),
    ],
)
def test_sweep_asks_in_dutch(school: School, answers: str, swept: bool) -> None:
    out = school.run("retention", "sweep", "--today", TODAY, stdin=answers)
    assert "[j/N]" in out.output
    assert "Error" not in out.output and "invalid" not in out.output
    if "misschien" in answers:
        assert "Antwoord met j (ja) of n (nee)." in out.output
    left = json.loads(school.run("retention", "status", "--today", TODAY, "--json").stdout)
    gone = school.left not in {r["leerling"] for r in left["onderdelen"]}
    assert gone is swept
    assert out.exit_code == (0 if swept else 1), out.output
    if not swept:
        assert "Afgebroken; er is niets vernietigd." in out.output


def test_confirm_terms(school: School, tmp_path: Path) -> None:
    out = school.run("retention", "confirm", "--today", TODAY)
    assert out.exit_code == 0 and "003 §4.3" in out.output
    assert json.loads(school.run("retention", "status", "--json").stdout)["bevestigd"] is True
    bad = tmp_path / "termijnen.yaml"
    bad.write_text("formaat: iets\n")
    refused = school.run("retention", "confirm", "--file", str(bad))
    assert refused.exit_code == 2 and "formaat" in refused.output


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_inzage_without_werkaantekeningen_and_audited(school: School, suffix: str) -> None:
    target = school.tmp / f"kopie.{suffix}"
    setup_rows = len(json.loads(school.run("audit", "--json").stdout)["regels"])
    out = school.run(
        "inzage", school.enrolled, "--out", str(target), "--kopie", "--reden", "moeder"
    )
    assert out.exit_code == 0, out.output
    data = target.read_bytes()
    assert b"GEHEIME-NOTITIE" not in data
    if suffix == "html":
        assert b"&lt;script&gt;" in data and b"<script>" not in data
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"
    log = json.loads(school.run("audit", "--json").stdout)
    assert log["problemen"] == []
    # One entry for the kopie; the read it needed adds none of its own.
    new_rows = log["regels"][setup_rows:]
    assert [(r["actie"], r["leerling"], r["wie"], r["reden"]) for r in new_rows] == [
        ("kopie", school.enrolled, "ib-anna", "moeder")
    ]
    assert school.run("inzage", school.enrolled, "--out", "x.docx").exit_code == 2


def test_inzage_needs_access(school: School) -> None:
    target = school.tmp / "geen.html"
    out = school.run("inzage", school.enrolled, "--out", str(target), who="lk-els")
    assert out.exit_code == 2 and "toegang" in out.output
    assert not target.exists()


def test_audit_detects_tampering(school: School) -> None:
    log = school.path / ".git" / "zorgkluis" / "audit.jsonl"
    setup_lines = len(log.read_bytes().splitlines())  # the fixture's own reads
    for _ in range(3):
        school.run("inzage", school.enrolled, "--out", str(school.tmp / "i.html"))
    lines = log.read_bytes().splitlines(keepends=True)
    assert len(lines) == setup_lines + 3
    log.write_bytes(b"".join(lines[:-2] + lines[-1:]))
    out = school.run("audit")
    assert out.exit_code == 1 and "PROBLEEM" in out.output
    # A teacher sees no entries (they are encrypted to directie and IB-ers only).
    log.write_bytes(b"".join(lines))
    teacher = json.loads(school.run("audit", "--json", who="lk-els").stdout)
    assert teacher["regels"] == [] and teacher["problemen"] == []


def test_correction_request_deadline_refusal_and_apply(school: School, tmp_path: Path) -> None:
    pid = school.enrolled
    out = school.run(
        "correctie", "verzoek", pid, "--wat", "groep: het is groep 6", "--today", "2026-01-31"
    )
    assert out.exit_code == 0 and "2026-02-28" in out.output
    assert school.run("correctie", "lijst", "--today", "2026-02-28").exit_code == 0
    late = school.run("correctie", "lijst", "--today", "2026-03-01")
    assert late.exit_code == 1 and "TE LAAT" in late.output

    vault = Vault.open(school.path, school.key("ib-anna"))
    same = tmp_path / "zelfde.yaml"
    same.write_text(vault.show(pid))
    unchanged = school.run("correctie", "toepassen", pid, "cr-1", "--file", str(same))
    assert unchanged.exit_code == 2
    fixed = tmp_path / "verbeterd.yaml"
    fixed.write_text(vault.show(pid).replace("groep: 5", "groep: 6"))
    applied = school.run(
        "correctie", "toepassen", pid, "cr-1", "--file", str(fixed), "--today", "2026-02-10"
    )
    assert applied.exit_code == 0, applied.output
    vault = Vault.open(school.path, school.key("ib-anna"))
    text = vault.show(pid)
    assert "groep: 6" in text and "besluit: toegekend" in text
    newest = vault.log(pid)[0]
    assert newest.signature == "goed"
    assert "groep: 6" in vault.diff(pid) and "toegekend" in vault.diff(pid)  # one commit, both
    assert school.run("correctie", "lijst", "--today", "2026-03-01").exit_code == 0

    school.run("correctie", "verzoek", pid, "--wat", "okr", "--today", "2026-03-02")
    refused = school.run("correctie", "besluit", pid, "cr-2", "--reden", "Deskundig oordeel.")
    assert refused.exit_code == 0
    listed = json.loads(school.run("correctie", "lijst", pid, "--json").stdout)
    assert [c["besluit"] for c in listed[pid]] == ["toegekend", "afgewezen"]


def test_zienswijze_on_the_okr(school: School) -> None:
    out = school.run(
        "zienswijze",
        school.enrolled,
        "--onderdeel",
        "okr",
        "--tekst",
        "Wij zien havo/vwo.",
        "--namens",
        "beide ouders",
    )
    assert out.exit_code == 0, out.output
    text = Vault.open(school.path, school.key("ib-anna")).show(school.enrolled)
    assert "onderdeel: okr" in text and "Wij zien havo/vwo." in text
    assert school.run("zienswijze", school.enrolled, "--onderdeel", "okr").exit_code == 2


def test_shred_proof_on_a_facade_vault(school: School, proof: ShredProof) -> None:
    """Issue 5 point 3 on the real layout: rotations, summary/grants files, a prior backup."""
    vault = Vault.open(school.path, school.key("ib-anna"))
    vault.grant(school.left, "lk-els")
    vault.revoke(school.left, "lk-els")  # rotates the pupil's part keys: two generations
    text = vault.show(school.left).replace("Algemene zorg.", "Algemene zorg, bijgewerkt.")
    vault.put(school.left, text, override="test", today=dt.date(2026, 11, 2))
    assert school.run("retention", "backup", "--today", TODAY).exit_code == 0
    store = GitStore(school.path)
    prefix = f"dossiers/{school.left}/"
    gone = {f"{prefix}{name}" for name in store.list_dir(prefix) if name.endswith(".age")} | {
        f"{prefix}werkaantekeningen/ib-anna.age"
    }
    kept_prefix = f"dossiers/{school.enrolled}/"
    kept = {f"{kept_prefix}{n}" for n in store.list_dir(kept_prefix) if n.endswith(".age")}
    # Every user's key ring (the list cache) holds the administratie key of the pupils they
    # see: the proof below must also cover the rings.
    for who in ("ib-anna", "dir-piet", "lk-els"):
        assert school.run("list", who=who).exit_code == 0
    rings = school.path / ".git" / "zorgkluis" / "ringen"
    assert sorted(p.name for p in rings.iterdir()) == ["dir-piet.age", "ib-anna.age", "lk-els.age"]
    ring_keys = [
        age.X25519Identity.parse(line)
        for line in age.decrypt(
            (rings / "ib-anna.age").read_bytes(), [age.SshEd25519Identity(school.key("ib-anna"))]
        )
        .decode()
        .replace("\\n", "\n")
        .split("\n")
        if line.startswith("AGE-SECRET-KEY-1")
    ]
    admin_now = store.read(f"{prefix}administratie.age")
    assert admin_now is not None and age.decrypt(admin_now, ring_keys)  # the ring opens it

    assert school.run("retention", "sweep", "--today", TODAY, "--yes").exit_code == 0
    assert list(rings.glob("*.age")) == []  # every ring destroyed with the keys

    sources = proof.everything_in(school.path) + proof.git_objects(school.path)
    sources += [p.read_bytes() for p in school.keys.values()]
    sources.append((school.tmp / "herstel.txt").read_bytes())
    pool, opened = proof.collect_pool(sources)
    assert opened >= 5 and len(pool) >= 6
    blobs = proof.historical_blobs(school.path, gone)
    assert len(blobs) >= 8  # administratie, zorg, samenvatting, toegang, notes: several versions
    for blob in blobs:
        with pytest.raises(age.NoIdentityMatchError):
            age.decrypt(blob, pool)
    kept_blobs = proof.historical_blobs(school.path, kept)
    assert kept_blobs
    for blob in kept_blobs:
        assert age.decrypt(blob, pool)
