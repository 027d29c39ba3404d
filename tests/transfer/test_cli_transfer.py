"""The transfer commands through click's CliRunner, and once as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from transfer_kit import SENDER_YAML, TODAY, X_OSO, School, dossier

from dossier_format import codec, oso
from tui import cli_transfer
from tui.cli import cli
from vault import transfer
from vault.crypto import sshkeys
from vault.errors import NoAccessError
from vault.repository import Vault

if "export" not in cli.commands:  # until the coordinator wires it into tui/cli.py
    cli_transfer.register(cli)

WIRED = (
    "from tui.cli import cli; from tui import cli_transfer\n"
    "if 'export' not in cli.commands: cli_transfer.register(cli)\n"
    "cli(prog_name='zorgkluis')\n"
)


def _run(
    school: School, *args: str, user: str = "ib", input: str | None = None
) -> click.testing.Result:
    env = {"ZORGKLUIS_VAULT": str(school.path), "ZORGKLUIS_IDENTITY": str(school.keys[user])}
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def _card(school: School) -> dict[str, str]:
    result = _run(school, "transfer-key")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines())
    return lines


def test_transfer_key_add_school_export_import(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    pupil = school_a.as_().new(dossier(), today=TODAY).pupil_id
    card_a, card_b = _card(school_a), _card(school_b)
    assert card_b["Overdrachtssleutel (ontvanger)"].startswith("age1")
    assert card_a["Vingerafdruk"].startswith("SHA256:")
    assert _card(school_a) == card_a  # made once, stable

    added = _run(
        school_a, "school", "add", "OBS De Regenboog", "--sleutel",
        card_b["Ondertekensleutel"], "--ontvanger", card_b["Overdrachtssleutel (ontvanger)"],
        "--brin", "98YY",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = _run(school_a, "school", "list")
    assert "OBS De Regenboog [98YY]" in listed.output

    plan = _run(school_a, "export", pupil, "--plan", "--today", TODAY.isoformat())
    assert "Gaat mee: administratie, zorg, okr" in plan.output
    assert "Blijft achter: werkaantekeningen" in plan.output
    out = tmp_path / "noor.zkoverdracht"
    sent = _run(
        school_a, "export", pupil, "--to", "98YY", "--out", str(out), "--today", TODAY.isoformat()
    )
    assert sent.exit_code == 0, sent.output
    assert out.exists()

    # B does not know A yet: refuse without confirmation, nothing stored
    refused = _run(school_b, "import", str(out), "--today", TODAY.isoformat(), input="n\n")
    assert refused.exit_code == 2
    assert card_a["Vingerafdruk"] in refused.output
    assert school_b.as_().list_pupils() == []
    # confirm interactively
    taken = _run(school_b, "import", str(out), "--today", TODAY.isoformat(), input="j\n")
    assert taken.exit_code == 0, taken.output
    new_id = taken.output.strip().splitlines()[-1]
    shown = codec.load_fast(school_b.as_().show(new_id))
    assert shown["leerling"]["voornaam"] == "Noor"
    assert shown["x_herkomst"]["vingerafdruk"] == card_a["Vingerafdruk"]


def test_gate_refusal_exits_1_with_findings(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    pupil = school_a.as_().new(dossier(okr_ready=False), today=TODAY, override="t").pupil_id
    to = _card(school_b)["Overdrachtssleutel (ontvanger)"]
    out = tmp_path / "x.zkoverdracht"
    result = _run(school_a, "export", pupil, "--to", to, "--out", str(out), "--today", "2025-06-20")
    assert result.exit_code == 1
    assert "overdracht.informatieplicht" in result.output
    assert "003 §4.2" in result.output
    assert not out.exists()


def test_teacher_cannot_export(school_a: School, school_b: School, tmp_path: Path) -> None:
    pupil = school_a.as_().new(dossier(), today=TODAY).pupil_id
    to = _card(school_b)["Overdrachtssleutel (ontvanger)"]
    out = tmp_path / "x.zkoverdracht"
    result = _run(school_a, "export", pupil, "--to", to, "--out", str(out), user="lk")
    assert result.exit_code == 2
    assert not out.exists()


def test_okr_html_and_pdf(school_a: School, tmp_path: Path) -> None:
    pupil = school_a.as_().new(dossier(), today=TODAY).pupil_id
    html_file, pdf_file = tmp_path / "okr.html", tmp_path / "okr.pdf"
    for fmt, out in (("html", html_file), ("pdf", pdf_file)):
        result = _run(school_a, "export", pupil, "--format", fmt, "--out", str(out))
        assert result.exit_code == 0, result.output
    page = html_file.read_text()
    assert "Onderwijskundig rapport" in page and "&lt;b&gt;tempo" in page
    assert "GEHEIME-WERKAANTEKENING" not in page
    assert pdf_file.read_bytes().startswith(b"%PDF-")


def test_oso_export_with_stored_school_details(school_a: School, tmp_path: Path) -> None:
    pupil = school_a.as_().new(dossier() + X_OSO, today=TODAY).pupil_id
    out = tmp_path / "noor.xml"
    args = ("export", pupil, "--format", "oso", "--out", str(out), "--today", TODAY.isoformat())
    missing = _run(school_a, *args)
    assert missing.exit_code == 2 and "school oso" in missing.output
    details = tmp_path / "school.yaml"
    details.write_text(SENDER_YAML)
    assert _run(school_a, "school", "oso", str(details)).exit_code == 0
    result = _run(school_a, *args)
    assert result.exit_code == 0, result.output
    xml = out.read_bytes()
    assert oso.validate_xsd(xml) == []
    assert [m for m in oso.validate_xslt(xml) if m.is_fout] == []
    assert b"<brincode>99ZZ</brincode>" in xml


def test_transfer_key_shares_the_keys_with_a_new_ib_er(school_a: School, tmp_path: Path) -> None:
    _card(school_a)
    pem, public = sshkeys.generate("ib2@test-only", None)
    key_file = tmp_path / "ib2.key"
    key_file.write_bytes(pem)
    school_a.as_().add_user("ib2", "Tweede IB", "intern_begeleider", public)
    newcomer = Vault.open(school_a.path, sshkeys.load_private(pem, None))
    with pytest.raises(NoAccessError):
        transfer.load_transfer_identity(newcomer)
    assert _run(school_a, "transfer-key").exit_code == 0  # the first IB-er shares them
    newcomer = Vault.open(school_a.path, sshkeys.load_private(pem, None))
    ident = transfer.load_transfer_identity(newcomer)
    assert (
        ident.identity.recipient().to_string() == _card(school_a)["Overdrachtssleutel (ontvanger)"]
    )


def test_admitted_records_the_admission(school_a: School) -> None:
    pupil = school_a.as_().new(dossier(), today=TODAY).pupil_id
    result = _run(school_a, "admitted", pupil, "2025-06-18", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    data = codec.load_fast(school_a.as_().show(pupil))
    assert data["inschrijving"]["toegelaten_vervolgschool"].isoformat() == "2025-06-18"


def test_import_as_subprocess_refuses_wrong_school_and_trusts_fingerprint(
    school_a: School, school_b: School, tmp_path: Path
) -> None:
    pupil = school_a.as_().new(dossier(), today=TODAY).pupil_id
    recipient_b = transfer.transfer_card(school_b.as_()).recipient
    out = tmp_path / "noor.zkoverdracht"
    transfer.export_bundle(school_a.as_(), pupil, recipient_b, out, today=TODAY)
    fingerprint = transfer.transfer_card(school_a.as_()).fingerprint

    def zorgkluis(school: School, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WIRED, *args], env=school.env(), capture_output=True,
            text=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip

    wrong = zorgkluis(school_a, "import", str(out), "--today", TODAY.isoformat())
    assert wrong.returncode == 2
    assert "niet voor deze school versleuteld" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    ok = zorgkluis(school_b, "import", str(out), "--trust", fingerprint, "--today", "2025-06-20")
    assert ok.returncode == 0, ok.stderr
    assert [s.id for s in school_b.as_().list_pupils()] == [ok.stdout.splitlines()[-1]]


@pytest.mark.parametrize("garbage", [b"", b"hallo", b"age-encryption.org/v1\n-> X25519 kapot\n"])
def test_import_of_garbage_is_a_clear_refusal(
    school_b: School, tmp_path: Path, garbage: bytes
) -> None:
    path = tmp_path / "rommel.bin"
    path.write_bytes(garbage)
    result = _run(school_b, "import", str(path))
    assert result.exit_code == 2
    assert "fout:" in result.output
    assert school_b.as_().list_pupils() == []
